package jobs

import (
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/qbxml"
)

// ensureDefault makes sure a list object a sale names exists in QuickBooks:
// when it is one of the store's settings (an account, an item, a payment
// method, a class) that the company file lacks, a job creates it with a
// clear name; bcqb never creates anything else unasked.
// It returns the job to wait for (0 when there is none).
func (pl *planning) ensureDefault(ctx context.Context, list, name string) (int64, error) {
	if list == "Customer" {
		// Every customer, the single and per-channel ones too, comes from
		// the plan's Customer (with its ledger key) in prerequisites.
		return 0, nil
	}
	key := listKey(list, name)
	if e, ok := pl.snap.ledger[key]; ok {
		if e.QBID == "" {
			return e.JobID, nil
		}
		return 0, nil
	}
	if _, ok := pl.snap.lists[list][strings.ToLower(name)]; ok {
		return 0, nil
	}
	rq, typ, priority := pl.defaultRequest(list, name)
	if rq == nil {
		return 0, nil
	}
	// An item's own accounts come first.
	var deps []int64
	for _, ref := range refsOf([]any{rq}) {
		id, err := pl.ensureDefault(ctx, ref.list, ref.name)
		if err != nil {
			return 0, err
		}
		if id != 0 {
			deps = append(deps, id)
		}
	}
	return pl.addJob(ctx, AddPayload{Key: key, Type: typ, ListType: list, Name: name,
		What: fmt.Sprintf("%s %q", strings.ToLower(list), name)}, rq, priority, deps)
}

// defaultRequest builds the request that creates a default list object.
func (pl *planning) defaultRequest(list, name string) (qbxml.Request, string, int) {
	s := pl.s
	income := qbxml.RefName(s.IncomeAccount)
	var nonTax *qbxml.Ref
	if s.NonTaxCode != "" {
		nonTax = qbxml.RefName(s.NonTaxCode)
	}
	switch list {
	case "Account":
		typ := ""
		switch name {
		case s.IncomeAccount:
			typ = qbxml.AccountTypeIncome
		case s.COGSAccount:
			typ = qbxml.AccountTypeCostOfGoodsSold
		case s.AssetAccount, s.DepositAccount:
			typ = qbxml.AccountTypeOtherCurrentAsset
		}
		for _, c := range s.Channels {
			if c.DepositAccount == name {
				typ = qbxml.AccountTypeOtherCurrentAsset
			}
		}
		for _, a := range s.PaymentDeposits {
			if a == name {
				typ = qbxml.AccountTypeOtherCurrentAsset
			}
		}
		if name == GiftCertAccount || name == StoreCreditAccount {
			typ = qbxml.AccountTypeOtherCurrentLiab
		}
		if name == feeAccount(s) {
			typ = qbxml.AccountTypeExpense
		}
		if s.SalesTaxOff && name == s.SalesTaxAccount {
			typ = qbxml.AccountTypeOtherCurrentLiab
		}
		if typ == "" {
			return nil, "", 0
		}
		return &qbxml.AccountAddRq{AccountAdd: qbxml.AccountAdd{Name: name, AccountType: typ,
			Desc: "Created by bcqb for BigCommerce"}}, "Account", PriorityAccount
	case "Item":
		switch name {
		case s.DiscountItem:
			return &qbxml.ItemDiscountAddRq{ItemDiscountAdd: qbxml.ItemDiscountAdd{Name: name, ItemDesc: "BigCommerce coupons and promotions",
				AccountRef: income}}, "ItemDiscount", PrioritySetup
		case s.GiftCertItem, s.StoreCreditItem:
			// Money a shopper paid earlier: selling a certificate (or granting
			// credit) raises a liability, redeeming it lowers the liability.
			return &qbxml.ItemOtherChargeAddRq{ItemOtherChargeAdd: qbxml.ItemOtherChargeAdd{Name: name, SalesTaxCodeRef: nonTax,
				SalesOrPurchase: &qbxml.SalesOrPurchase{Desc: name, AccountRef: qbxml.RefName(liabilityFor(s, name))}}}, "ItemOtherCharge", PrioritySetup
		case s.FeeExpenseItem:
			// What the payment processor keeps: a negative line on the
			// sales receipt, an expense (Settings.Fees).
			return &qbxml.ItemOtherChargeAddRq{ItemOtherChargeAdd: qbxml.ItemOtherChargeAdd{Name: name, SalesTaxCodeRef: nonTax,
				SalesOrPurchase: &qbxml.SalesOrPurchase{Desc: "Payment processing fees", AccountRef: qbxml.RefName(feeAccount(s))}}}, "ItemOtherCharge", PrioritySetup
		case s.ShippingItem, s.HandlingItem, s.WrappingItem, s.FeeItem, s.RoundingItem:
			return &qbxml.ItemOtherChargeAddRq{ItemOtherChargeAdd: qbxml.ItemOtherChargeAdd{Name: name, SalesTaxCodeRef: nonTax,
				SalesOrPurchase: &qbxml.SalesOrPurchase{Desc: name, AccountRef: income}}}, "ItemOtherCharge", PrioritySetup
		}
		if s.SalesTaxOff && (name == s.TaxItem || isMappedTaxItem(s, name)) {
			// No sales tax items in such a file: the tax BigCommerce charged
			// is owed, so its line goes to a liability.
			return &qbxml.ItemOtherChargeAddRq{ItemOtherChargeAdd: qbxml.ItemOtherChargeAdd{Name: name,
				SalesOrPurchase: &qbxml.SalesOrPurchase{Desc: "Sales tax as BigCommerce charged it", AccountRef: qbxml.RefName(s.SalesTaxAccount)}}}, "ItemOtherCharge", PrioritySetup
		}
		if name == s.ZeroTaxItem || name == s.TaxItem || isMappedTaxItem(s, name) {
			// A 0 % rate needs no tax agency; the tax lines carry BigCommerce's amounts.
			return &qbxml.ItemSalesTaxAddRq{ItemSalesTaxAdd: qbxml.ItemSalesTaxAdd{Name: name,
				ItemDesc: "Sales tax as BigCommerce charged it", TaxRate: qbxml.PercentOf(decimal.Zero)}}, "ItemSalesTax", PrioritySetup
		}
	case "PaymentMethod":
		return &qbxml.PaymentMethodAddRq{PaymentMethodAdd: qbxml.PaymentMethodAdd{Name: name,
			PaymentMethodType: qbxml.PaymentOtherCreditCard}}, "PaymentMethod", PrioritySetup
	case "Class":
		return &qbxml.ClassAddRq{ClassAdd: qbxml.ClassAdd{Name: name}}, "Class", PrioritySetup
	case "SalesTaxCode":
		taxable := name == s.TaxCode
		if name != s.TaxCode && name != s.NonTaxCode {
			return nil, "", 0
		}
		return &qbxml.SalesTaxCodeAddRq{SalesTaxCodeAdd: qbxml.SalesTaxCodeAdd{Name: name, IsTaxable: &taxable}}, "SalesTaxCode", PriorityAccount
	}
	return nil, "", 0
}

// Liability accounts of the gift certificate and store credit items bcqb creates.
const (
	GiftCertAccount    = "Gift Certificates Outstanding"
	StoreCreditAccount = "Store Credit Outstanding"
)

func liabilityFor(s plan.Settings, item string) string {
	if item == s.StoreCreditItem {
		return StoreCreditAccount
	}
	return GiftCertAccount
}

// feeAccount is the expense account of the processing fee item.
func feeAccount(s plan.Settings) string {
	if s.FeeExpenseAccount == "" {
		return plan.DefaultFeeExpenseAcct
	}
	return s.FeeExpenseAccount
}

func isMappedTaxItem(s plan.Settings, name string) bool {
	for _, v := range s.TaxItems {
		if v == name {
			return true
		}
	}
	return false
}
