package qbsim

import "fmt"

// hostRet describes the simulated QuickBooks (HostQuery).
func (c *Company) hostRet() *elem {
	h := el("HostRet", leaf("ProductName", "QuickBooks Pro 2024 (bcqb simulator)"), leaf("MajorVersion", "34"), leaf("MinorVersion", "0"),
		leaf("Country", c.d.Country))
	for _, v := range supportedVersions(c.d.QBXMLMajor, c.d.QBXMLMinor) {
		h.Kids = append(h.Kids, leaf("SupportedQBXMLVersion", v))
	}
	h.Kids = append(h.Kids, leaf("IsAutomaticLogin", "false"), leaf("QBFileMode", "SingleUser"))
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
func (c *Company) companyRet(rq *elem) *elem {
	r := el("CompanyRet", leaf("IsSampleCompany", "false"), leaf("CompanyName", c.d.Name), leaf("LegalCompanyName", c.d.Name),
		el("Address", leaf("Addr1", c.d.Name), leaf("City", "Middlefield"), leaf("State", "CA"), leaf("PostalCode", "94482"), leaf("Country", c.d.Country)),
		leaf("FirstMonthFiscalYear", "January"), leaf("FirstMonthIncomeTaxYear", "January"), leaf("CompanyType", "Retail"), leaf("TaxForm", "OtherOrNone"))
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

// multiCurrencyPreferences says whether multicurrency is on, and the home currency.
func (c *Company) multiCurrencyPreferences() *elem {
	if !c.d.MultiCurrency {
		return el("MultiCurrencyPreferences", leaf("IsMultiCurrencyOn", "false"))
	}
	p := el("MultiCurrencyPreferences", leaf("IsMultiCurrencyOn", "true"))
	if home := c.byID[c.d.HomeCurrency]; home != nil {
		p.Kids = append(p.Kids, refNode("HomeCurrencyRef", home))
	}
	return p
}

// preferencesRet answers PreferencesQuery with the preferences the
// simulator honours (sales tax defaults, inventory on, multicurrency when
// the company was made with it).
func (c *Company) preferencesRet() *elem {
	ref := func(name, id string) *elem {
		if r := c.byID[id]; r != nil {
			return refNode(name, r)
		}
		return el(name)
	}
	var salesTax *elem
	if !c.d.SalesTaxOff {
		salesTax = el("SalesTaxPreferences", ref("DefaultItemSalesTaxRef", c.d.Defaults.SalesTaxItem), leaf("PaySalesTax", "Monthly"),
			ref("DefaultTaxableSalesTaxCodeRef", c.d.Defaults.TaxableCode), ref("DefaultNonTaxableSalesTaxCodeRef", c.d.Defaults.NonTaxableCode))
	}
	p := el("PreferencesRet",
		el("AccountingPreferences", leaf("IsUsingAccountNumbers", "false"), leaf("IsRequiringAccounts", "true"),
			leaf("IsUsingClassTracking", "false"), leaf("IsUsingAuditTrail", "true"), leaf("IsAssigningJournalEntryNumbers", "true")),
		el("FinanceChargePreferences", leaf("GracePeriod", "0"), leaf("IsAssessingForOverdueCharges", "false"),
			leaf("CalculateChargesFrom", "DueDate"), leaf("IsMarkedToBePrinted", "false")),
		el("JobsAndEstimatesPreferences", leaf("IsUsingEstimates", "false"), leaf("IsUsingProgressInvoicing", "false"),
			leaf("IsPrintingItemsWithZeroAmounts", "false")),
		c.multiCurrencyPreferences(),
		el("PurchasesAndVendorsPreferences", leaf("IsUsingInventory", "true"), leaf("DaysBillsAreDue", "10"),
			leaf("IsAutomaticallyUsingDiscounts", "false")),
		el("ReportsPreferences", leaf("AgingReportBasis", "AgeFromDueDate"), leaf("SummaryReportBasis", "Accrual")),
		el("SalesAndCustomersPreferences", leaf("IsTrackingReimbursedExpensesAsIncome", "false"), leaf("IsAutoApplyingPayments", "true")),
		el("TimeTrackingPreferences", leaf("FirstDayOfWeek", "Monday")),
		el("CurrentAppAccessRights", leaf("IsAutomaticLoginAllowed", "true"), leaf("IsPersonalDataAccessAllowed", "true")),
	)
	if salesTax != nil {
		// In the schema's order: after SalesAndCustomersPreferences.
		for i, k := range p.Kids {
			if k.Name == "SalesAndCustomersPreferences" {
				p.Kids = append(p.Kids[:i+1], append([]*elem{salesTax}, p.Kids[i+1:]...)...)
				break
			}
		}
	}
	return p
}

// seedSample fills a new company with what a fresh QuickBooks sample file
// has that bcqb needs: standard accounts (with Undeposited Funds and
// Accounts Receivable), Tax/Non sales tax codes, a sales tax item and its
// agency, payment methods, a class, a few items and customers.
func (c *Company) seedSample(homeCurrency string) {
	add := func(kind string, kids ...*elem) *record {
		n := el(kind+"Add", kids...)
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
	ref := func(name, full string) *elem { return el(name, leaf("FullName", full)) }
	if c.d.MultiCurrency {
		// The currencies first: accounts and customers take the home one.
		if homeCurrency == "" {
			homeCurrency = "US Dollar"
		}
		for _, cur := range sampleCurrencies {
			r := add("Currency", leaf("Name", cur.name), leaf("CurrencyCode", cur.code))
			if cur.name == homeCurrency {
				c.d.HomeCurrency = r.ID
			}
		}
		if c.d.HomeCurrency == "" {
			panic(fmt.Sprintf("seed: home currency %q is not one of the sample currencies", homeCurrency))
		}
	}
	accounts := []struct{ name, typ string }{
		{"Checking", "Bank"}, {"Undeposited Funds", "OtherCurrentAsset"}, {"Accounts Receivable", "AccountsReceivable"},
		{"Inventory Asset", "OtherCurrentAsset"}, {"Accounts Payable", "AccountsPayable"},
		{"Sales Tax Payable", "OtherCurrentLiability"}, {"Sales", "Income"}, {"Shipping and Delivery Income", "Income"},
		{"Cost of Goods Sold", "CostOfGoodsSold"}, {"Merchant Fees", "Expense"}, {"Inventory Adjustments", "CostOfGoodsSold"},
		{"Opening Balance Equity", "Equity"},
	}
	ids := map[string]string{}
	for _, a := range accounts {
		ids[a.name] = add("Account", leaf("Name", a.name), leaf("AccountType", a.typ)).ID
	}
	c.d.Defaults = defaults{AccountsReceive: ids["Accounts Receivable"], UndepositedFunds: ids["Undeposited Funds"]}
	if !c.d.SalesTaxOff {
		c.d.Defaults.TaxableCode = add("SalesTaxCode", leaf("Name", "Tax"), leaf("IsTaxable", "true"), leaf("Desc", "Taxable Sales")).ID
		c.d.Defaults.NonTaxableCode = add("SalesTaxCode", leaf("Name", "Non"), leaf("IsTaxable", "false"), leaf("Desc", "Non-Taxable Sales")).ID
	}
	add("Vendor", leaf("Name", "State Board of Equalization"))
	if !c.d.SalesTaxOff {
		c.d.Defaults.SalesTaxItem = add("ItemSalesTax", leaf("Name", "CA Sales Tax"), leaf("ItemDesc", "CA sales tax, San Domingo County"),
			leaf("TaxRate", "7.75"), ref("TaxVendorRef", "State Board of Equalization")).ID
		add("ItemSalesTax", leaf("Name", "Out of State"), leaf("ItemDesc", "No tax outside California"), leaf("TaxRate", "0"),
			ref("TaxVendorRef", "State Board of Equalization"))
	}
	for _, pm := range []struct{ name, typ string }{{"Cash", "Cash"}, {"Check", "Check"}, {"Visa", "Visa"}, {"MasterCard", "MasterCard"},
		{"American Express", "AmericanExpress"}, {"PayPal", "OtherCreditCard"}, {"Gift Card", "GiftCard"}} {
		add("PaymentMethod", leaf("Name", pm.name), leaf("PaymentMethodType", pm.typ))
	}
	add("Class", leaf("Name", "Web Store"))
	add("ItemInventory", leaf("Name", "Widget"), leaf("SalesDesc", "Blue widget"), leaf("SalesPrice", "19.99"),
		ref("IncomeAccountRef", "Sales"), leaf("PurchaseCost", "8.00"), ref("COGSAccountRef", "Cost of Goods Sold"),
		ref("AssetAccountRef", "Inventory Asset"), leaf("QuantityOnHand", "100"))
	add("ItemInventory", leaf("Name", "Gadget"), leaf("SalesDesc", "Chrome gadget"), leaf("SalesPrice", "49.50"),
		ref("IncomeAccountRef", "Sales"), leaf("PurchaseCost", "20.00"), ref("COGSAccountRef", "Cost of Goods Sold"),
		ref("AssetAccountRef", "Inventory Asset"), leaf("QuantityOnHand", "25"))
	add("ItemNonInventory", leaf("Name", "Gift Wrap"), el("SalesOrPurchase", leaf("Desc", "Gift wrapping"), leaf("Price", "4.95"), ref("AccountRef", "Sales")))
	add("ItemService", leaf("Name", "Installation"), el("SalesOrPurchase", leaf("Desc", "Installation service"), leaf("Price", "75.00"), ref("AccountRef", "Sales")))
	add("ItemOtherCharge", leaf("Name", "Shipping"), el("SalesOrPurchase", leaf("Desc", "Shipping and handling"), leaf("Price", "0"), ref("AccountRef", "Shipping and Delivery Income")))
	add("ItemDiscount", leaf("Name", "Coupon"), leaf("ItemDesc", "Store coupon"), leaf("DiscountRate", "5.00"), ref("AccountRef", "Sales"))
	add("Customer", leaf("Name", "Abercrombie, Kristy"), leaf("FirstName", "Kristy"), leaf("LastName", "Abercrombie"),
		el("BillAddress", leaf("Addr1", "5647 Cypress Hill Rd"), leaf("City", "Bayshore"), leaf("State", "CA"), leaf("PostalCode", "94326")),
		leaf("Email", "kristy@samplename.com"))
	add("Customer", leaf("Name", "Cook, Brian"), leaf("FirstName", "Brian"), leaf("LastName", "Cook"), leaf("Email", "brian@samplename.com"))
	add("Customer", leaf("Name", "Web Store Customer"), leaf("CompanyName", "Walk-in / web"))
}
