package qbsim

import "fmt"

// hostRet describes the simulated QuickBooks (HostQuery).
func (c *Company) hostRet() *Node {
	h := El("HostRet", Leaf("ProductName", "QuickBooks Pro 2024 (bcqb simulator)"), Leaf("MajorVersion", "34"), Leaf("MinorVersion", "0"),
		Leaf("Country", c.d.Country))
	for _, v := range supportedVersions(c.d.QBXMLMajor, c.d.QBXMLMinor) {
		h.Kids = append(h.Kids, Leaf("SupportedQBXMLVersion", v))
	}
	h.Kids = append(h.Kids, Leaf("IsAutomaticLogin", "false"), Leaf("QBFileMode", "SingleUser"))
	return h
}

// supportedVersions lists 1.0 ... major.minor like a real HostRet.
func supportedVersions(major, minor int) []string {
	var out []string
	for _, v := range []string{"1.0", "1.1", "2.0", "2.1", "3.0", "4.0", "4.1", "5.0", "6.0", "7.0", "8.0", "9.0", "10.0", "11.0", "12.0", "13.0", "14.0", "15.0", "16.0"} {
		if checkVersion(v, major, minor) == nil {
			out = append(out, v)
		}
	}
	return out
}

// companyRet describes the company (CompanyQuery), with the data
// extensions of the owners asked for (QBWC's FileID lives there).
func (c *Company) companyRet(rq *Node) *Node {
	r := El("CompanyRet", Leaf("IsSampleCompany", "false"), Leaf("CompanyName", c.d.Name), Leaf("LegalCompanyName", c.d.Name),
		El("Address", Leaf("Addr1", c.d.Name), Leaf("City", "Middlefield"), Leaf("State", "CA"), Leaf("PostalCode", "94482"), Leaf("Country", c.d.Country)),
		Leaf("FirstMonthFiscalYear", "January"), Leaf("FirstMonthIncomeTaxYear", "January"), Leaf("CompanyType", "Retail"), Leaf("TaxForm", "OtherOrNone"))
	var owners []string
	for _, o := range rq.All("OwnerID") {
		owners = append(owners, o.Text)
	}
	r.Kids = append(r.Kids, c.dataExtRets("Company", "", owners)...)
	if t, ok := childType(schemaMessages["CompanyQueryRs"], "CompanyRet"); ok {
		orderNode(r, t)
	}
	return r
}

// preferencesRet answers PreferencesQuery with the preferences the
// simulator honours (sales tax defaults, inventory on, no multicurrency).
func (c *Company) preferencesRet() *Node {
	ref := func(name, id string) *Node {
		if r := c.byID[id]; r != nil {
			return refNode(name, r)
		}
		return El(name)
	}
	p := El("PreferencesRet",
		El("AccountingPreferences", Leaf("IsUsingAccountNumbers", "false"), Leaf("IsRequiringAccounts", "true"),
			Leaf("IsUsingClassTracking", "false"), Leaf("IsUsingAuditTrail", "true"), Leaf("IsAssigningJournalEntryNumbers", "true")),
		El("FinanceChargePreferences", Leaf("GracePeriod", "0"), Leaf("IsAssessingForOverdueCharges", "false"),
			Leaf("CalculateChargesFrom", "DueDate"), Leaf("IsMarkedToBePrinted", "false")),
		El("JobsAndEstimatesPreferences", Leaf("IsUsingEstimates", "false"), Leaf("IsUsingProgressInvoicing", "false"),
			Leaf("IsPrintingItemsWithZeroAmounts", "false")),
		El("MultiCurrencyPreferences", Leaf("IsMultiCurrencyOn", "false")),
		El("PurchasesAndVendorsPreferences", Leaf("IsUsingInventory", "true"), Leaf("DaysBillsAreDue", "10"),
			Leaf("IsAutomaticallyUsingDiscounts", "false")),
		El("ReportsPreferences", Leaf("AgingReportBasis", "AgeFromDueDate"), Leaf("SummaryReportBasis", "Accrual")),
		El("SalesAndCustomersPreferences", Leaf("IsTrackingReimbursedExpensesAsIncome", "false"), Leaf("IsAutoApplyingPayments", "true")),
		El("SalesTaxPreferences", ref("DefaultItemSalesTaxRef", c.d.Defaults.SalesTaxItem), Leaf("PaySalesTax", "Monthly"),
			ref("DefaultTaxableSalesTaxCodeRef", c.d.Defaults.TaxableCode), ref("DefaultNonTaxableSalesTaxCodeRef", c.d.Defaults.NonTaxableCode)),
		El("TimeTrackingPreferences", Leaf("FirstDayOfWeek", "Monday")),
		El("CurrentAppAccessRights", Leaf("IsAutomaticLoginAllowed", "true"), Leaf("IsPersonalDataAccessAllowed", "true")),
	)
	return p
}

// seedSample fills a new company with what a fresh QuickBooks sample file
// has that bcqb needs: standard accounts (with Undeposited Funds and
// Accounts Receivable), Tax/Non sales tax codes, a sales tax item and its
// agency, payment methods, a class, a few items and customers.
func (c *Company) seedSample() {
	add := func(kind string, kids ...*Node) *record {
		n := El(kind+"Add", kids...)
		if t, ok := childType(schemaMessages[kind+"AddRq"], kind+"Add"); ok {
			if err := validateNode(n, t, n.Name); err != nil {
				panic(fmt.Sprintf("seed %s: %v", kind, err)) // a bug in the seed itself
			}
		}
		r, st := c.listAdd(kind, n)
		if st != nil {
			panic(fmt.Sprintf("seed %s: %v", kind, st)) // a bug in the seed itself
		}
		return r
	}
	ref := func(name, full string) *Node { return El(name, Leaf("FullName", full)) }
	accounts := []struct{ name, typ string }{
		{"Checking", "Bank"}, {"Undeposited Funds", "OtherCurrentAsset"}, {"Accounts Receivable", "AccountsReceivable"},
		{"Inventory Asset", "OtherCurrentAsset"}, {"Accounts Payable", "AccountsPayable"},
		{"Sales Tax Payable", "OtherCurrentLiability"}, {"Sales", "Income"}, {"Shipping and Delivery Income", "Income"},
		{"Cost of Goods Sold", "CostOfGoodsSold"}, {"Merchant Fees", "Expense"}, {"Inventory Adjustments", "CostOfGoodsSold"},
		{"Opening Balance Equity", "Equity"},
	}
	ids := map[string]string{}
	for _, a := range accounts {
		ids[a.name] = add("Account", Leaf("Name", a.name), Leaf("AccountType", a.typ)).ID
	}
	tax := add("SalesTaxCode", Leaf("Name", "Tax"), Leaf("IsTaxable", "true"), Leaf("Desc", "Taxable Sales"))
	non := add("SalesTaxCode", Leaf("Name", "Non"), Leaf("IsTaxable", "false"), Leaf("Desc", "Non-Taxable Sales"))
	c.d.Defaults = defaults{TaxableCode: tax.ID, NonTaxableCode: non.ID, AccountsReceive: ids["Accounts Receivable"], UndepositedFunds: ids["Undeposited Funds"]}
	add("Vendor", Leaf("Name", "State Board of Equalization"))
	c.d.Defaults.SalesTaxItem = add("ItemSalesTax", Leaf("Name", "CA Sales Tax"), Leaf("ItemDesc", "CA sales tax, San Domingo County"),
		Leaf("TaxRate", "7.75"), ref("TaxVendorRef", "State Board of Equalization")).ID
	add("ItemSalesTax", Leaf("Name", "Out of State"), Leaf("ItemDesc", "No tax outside California"), Leaf("TaxRate", "0"),
		ref("TaxVendorRef", "State Board of Equalization"))
	for _, pm := range []struct{ name, typ string }{{"Cash", "Cash"}, {"Check", "Check"}, {"Visa", "Visa"}, {"MasterCard", "MasterCard"},
		{"American Express", "AmericanExpress"}, {"PayPal", "OtherCreditCard"}, {"Gift Card", "GiftCard"}} {
		add("PaymentMethod", Leaf("Name", pm.name), Leaf("PaymentMethodType", pm.typ))
	}
	add("Class", Leaf("Name", "Web Store"))
	add("ItemInventory", Leaf("Name", "Widget"), Leaf("SalesDesc", "Blue widget"), Leaf("SalesPrice", "19.99"),
		ref("IncomeAccountRef", "Sales"), Leaf("PurchaseCost", "8.00"), ref("COGSAccountRef", "Cost of Goods Sold"),
		ref("AssetAccountRef", "Inventory Asset"), Leaf("QuantityOnHand", "100"))
	add("ItemInventory", Leaf("Name", "Gadget"), Leaf("SalesDesc", "Chrome gadget"), Leaf("SalesPrice", "49.50"),
		ref("IncomeAccountRef", "Sales"), Leaf("PurchaseCost", "20.00"), ref("COGSAccountRef", "Cost of Goods Sold"),
		ref("AssetAccountRef", "Inventory Asset"), Leaf("QuantityOnHand", "25"))
	add("ItemNonInventory", Leaf("Name", "Gift Wrap"), El("SalesOrPurchase", Leaf("Desc", "Gift wrapping"), Leaf("Price", "4.95"), ref("AccountRef", "Sales")))
	add("ItemService", Leaf("Name", "Installation"), El("SalesOrPurchase", Leaf("Desc", "Installation service"), Leaf("Price", "75.00"), ref("AccountRef", "Sales")))
	add("ItemOtherCharge", Leaf("Name", "Shipping"), El("SalesOrPurchase", Leaf("Desc", "Shipping and handling"), Leaf("Price", "0"), ref("AccountRef", "Shipping and Delivery Income")))
	add("ItemDiscount", Leaf("Name", "Coupon"), Leaf("ItemDesc", "Store coupon"), Leaf("DiscountRate", "5.00"), ref("AccountRef", "Sales"))
	add("Customer", Leaf("Name", "Abercrombie, Kristy"), Leaf("FirstName", "Kristy"), Leaf("LastName", "Abercrombie"),
		El("BillAddress", Leaf("Addr1", "5647 Cypress Hill Rd"), Leaf("City", "Bayshore"), Leaf("State", "CA"), Leaf("PostalCode", "94326")),
		Leaf("Email", "kristy@samplename.com"))
	add("Customer", Leaf("Name", "Cook, Brian"), Leaf("FirstName", "Brian"), Leaf("LastName", "Cook"), Leaf("Email", "brian@samplename.com"))
	add("Customer", Leaf("Name", "Web Store Customer"), Leaf("CompanyName", "Walk-in / web"))
}
