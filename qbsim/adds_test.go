package qbsim

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/qbxml"
)

// TestListAdds: the list objects the sync engine creates (accounts, classes,
// sales tax codes and sales tax items) are added with QuickBooks' rules:
// names unique per list (3100, case-insensitively, items sharing one list),
// references that exist (3140), and subaccounts and subclasses named
// Parent:Child.
func TestListAdds(t *testing.T) {
	yes, no := new(true), new(false)
	tests := []struct {
		name     string
		req      qbxml.Request
		code     int
		fullName string
	}{
		{"account", &qbxml.AccountAddRq{AccountAdd: qbxml.AccountAdd{Name: "BigCommerce Sales", AccountType: qbxml.AccountTypeIncome,
			AccountNumber: "4010", Desc: "Store sales"}}, 0, "BigCommerce Sales"},
		{"subaccount", &qbxml.AccountAddRq{AccountAdd: qbxml.AccountAdd{Name: "BigCommerce", ParentRef: qbxml.RefName("Sales"),
			AccountType: qbxml.AccountTypeIncome}}, 0, "Sales:BigCommerce"},
		{"account name in use", &qbxml.AccountAddRq{AccountAdd: qbxml.AccountAdd{Name: "undeposited funds", AccountType: qbxml.AccountTypeOtherCurrentAsset}}, 3100, ""},
		{"account under a missing parent", &qbxml.AccountAddRq{AccountAdd: qbxml.AccountAdd{Name: "X", ParentRef: qbxml.RefName("Nowhere"),
			AccountType: qbxml.AccountTypeIncome}}, 3140, ""},
		{"class", &qbxml.ClassAddRq{ClassAdd: qbxml.ClassAdd{Name: "BigCommerce", IsActive: yes}}, 0, "BigCommerce"},
		{"subclass", &qbxml.ClassAddRq{ClassAdd: qbxml.ClassAdd{Name: "Store 2", ParentRef: qbxml.RefName("Web Store")}}, 0, "Web Store:Store 2"},
		{"class name in use", &qbxml.ClassAddRq{ClassAdd: qbxml.ClassAdd{Name: "WEB STORE"}}, 3100, ""},
		{"a class may share an account's name", &qbxml.ClassAddRq{ClassAdd: qbxml.ClassAdd{Name: "Sales"}}, 0, "Sales"},
		{"sales tax code", &qbxml.SalesTaxCodeAddRq{SalesTaxCodeAdd: qbxml.SalesTaxCodeAdd{Name: "BCT", IsTaxable: yes, Desc: "BigCommerce taxable"}}, 0, "BCT"},
		{"sales tax code in use", &qbxml.SalesTaxCodeAddRq{SalesTaxCodeAdd: qbxml.SalesTaxCodeAdd{Name: "TAX", IsTaxable: no}}, 3100, ""},
		{"sales tax item", &qbxml.ItemSalesTaxAddRq{ItemSalesTaxAdd: qbxml.ItemSalesTaxAdd{Name: "IL Tax", ItemDesc: "Illinois",
			TaxRate: qbxml.PercentOf(dec("6.25")), TaxVendorRef: qbxml.RefName("State Board of Equalization")}}, 0, "IL Tax"},
		{"0 % tax item needs no agency", &qbxml.ItemSalesTaxAddRq{ItemSalesTaxAdd: qbxml.ItemSalesTaxAdd{Name: "BC Tax Header",
			TaxRate: qbxml.PercentOf(dec("0"))}}, 0, "BC Tax Header"},
		{"sales tax items share the item list", &qbxml.ItemSalesTaxAddRq{ItemSalesTaxAdd: qbxml.ItemSalesTaxAdd{Name: "widget",
			TaxRate: qbxml.PercentOf(dec("0"))}}, 3100, ""},
		{"tax agency that does not exist", &qbxml.ItemSalesTaxAddRq{ItemSalesTaxAdd: qbxml.ItemSalesTaxAdd{Name: "NV Tax",
			TaxRate: qbxml.PercentOf(dec("6.85")), TaxVendorRef: qbxml.RefName("Nevada Taxation")}}, 3140, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestCompany(t)
			before := c.Summary()
			rs := send(t, c, qbxml.StopOnError, tc.req)
			code, msg := status(rs[0])
			if code != tc.code {
				t.Fatalf("status %d %q, want %d", code, msg, tc.code)
			}
			if code != 0 {
				if after := c.Summary(); len(after.Lists) != len(before.Lists) || sumCounts(after.Lists) != sumCounts(before.Lists) {
					t.Errorf("a refused add changed the lists: %v -> %v", before.Lists, after.Lists)
				}
				return
			}
			var got, id, edit string
			switch r := rs[0].(type) {
			case *qbxml.AccountAddRs:
				got, id, edit = r.Account.FullName, r.Account.ListID, r.Account.EditSequence
				if r.Account.AccountType != qbxml.AccountTypeIncome || !r.Account.IsActive {
					t.Errorf("account %+v", r.Account)
				}
			case *qbxml.ClassAddRs:
				got, id, edit = r.Class.FullName, r.Class.ListID, r.Class.EditSequence
			case *qbxml.SalesTaxCodeAddRs:
				got, id, edit = r.SalesTaxCode.Name, r.SalesTaxCode.ListID, r.SalesTaxCode.EditSequence
				if !r.SalesTaxCode.IsTaxable || r.SalesTaxCode.Desc != "BigCommerce taxable" {
					t.Errorf("code %+v", r.SalesTaxCode)
				}
			case *qbxml.ItemSalesTaxAddRs:
				got, id, edit = r.Item.Name, r.Item.ListID, r.Item.EditSequence
				if r.Item.Kind() != "ItemSalesTax" {
					t.Errorf("kind %s", r.Item.Kind())
				}
			default:
				t.Fatalf("response %T", r)
			}
			if got != tc.fullName || id == "" || edit == "" {
				t.Errorf("added %q (ListID %q, EditSequence %q), want %q", got, id, edit, tc.fullName)
			}
		})
	}
}

func sumCounts(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestTaxRateNeedsAgency: QuickBooks refuses a sales tax item with a
// nonzero rate and no tax agency. qbxml refuses to build one, so the
// request is written by hand, as another application might send it.
func TestTaxRateNeedsAgency(t *testing.T) {
	c, _ := newTestCompany(t)
	resp, err := c.ProcessRequest(context.Background(), rawMessage("stopOnError",
		`<ItemSalesTaxAddRq requestID="1"><ItemSalesTaxAdd><Name>NV Tax</Name><TaxRate>6.85</TaxRate></ItemSalesTaxAdd></ItemSalesTaxAddRq>`))
	if err != nil {
		t.Fatal(err)
	}
	xsdCheck(t, resp)
	rm, err := qbxml.ParseResponse([]byte(resp))
	if err != nil {
		t.Fatal(err)
	}
	code, msg := status(rm.Responses[0])
	if code != 3210 || !strings.Contains(msg, "TaxVendorRef") || rm.Responses[0].Header().Outcome().Action != qbxml.ActionFixMapping {
		t.Errorf("status %d %q, want 3210 naming TaxVendorRef (a mapping to fix, not a retry)", code, msg)
	}
	if c.findByName(itemKinds, "NV Tax") != nil {
		t.Error("the item was added")
	}
}

// TestAddedListsAreQueryable: what was added is found by the queries the
// sync engine caches lists with, and the new tax item can be a
// transaction's ItemSalesTaxRef.
func TestAddedListsAreQueryable(t *testing.T) {
	c, _ := newTestCompany(t)
	rs := send(t, c, qbxml.StopOnError,
		&qbxml.AccountAddRq{AccountAdd: qbxml.AccountAdd{Name: "BigCommerce", ParentRef: qbxml.RefName("Sales"), AccountType: qbxml.AccountTypeIncome}},
		&qbxml.ClassAddRq{ClassAdd: qbxml.ClassAdd{Name: "BigCommerce"}},
		&qbxml.SalesTaxCodeAddRq{SalesTaxCodeAdd: qbxml.SalesTaxCodeAdd{Name: "BCN", IsTaxable: new(false)}},
		&qbxml.ItemSalesTaxAddRq{ItemSalesTaxAdd: qbxml.ItemSalesTaxAdd{Name: "IL Tax", TaxRate: qbxml.PercentOf(dec("6.25")),
			TaxVendorRef: qbxml.RefName("State Board of Equalization"), ClassRef: qbxml.RefName("BigCommerce")}},
	)
	for _, r := range rs {
		if code, msg := status(r); code != 0 {
			t.Fatalf("%s: %d %s", r.RsName(), code, msg)
		}
	}
	acct := one[*qbxml.AccountQueryRs](t, c, &qbxml.AccountQueryRq{ListSelect: qbxml.ListSelect{FullNames: []string{"Sales:BigCommerce"}}})
	if len(acct.Accounts) != 1 || acct.Accounts[0].Sublevel != 1 || acct.Accounts[0].ParentRef.FullName != "Sales" {
		t.Errorf("account %+v", acct.Accounts)
	}
	cls := one[*qbxml.ClassQueryRs](t, c, &qbxml.ClassQueryRq{ListSelect: qbxml.ListSelect{FullNames: []string{"bigcommerce"}}})
	if len(cls.Classes) != 1 || cls.Classes[0].Name != "BigCommerce" {
		t.Errorf("class %+v", cls.Classes)
	}
	code := one[*qbxml.SalesTaxCodeQueryRs](t, c, &qbxml.SalesTaxCodeQueryRq{ListSelect: qbxml.ListSelect{FullNames: []string{"BCN"}}})
	if len(code.SalesTaxCodes) != 1 || code.SalesTaxCodes[0].IsTaxable {
		t.Errorf("code %+v", code.SalesTaxCodes)
	}
	tax := one[*qbxml.ItemSalesTaxQueryRs](t, c, &qbxml.ItemSalesTaxQueryRq{ListSelect: qbxml.ListSelect{FullNames: []string{"IL Tax"}}})
	if len(tax.Items) != 1 || tax.Items[0].TaxRate.String() != "6.25" || tax.Items[0].TaxVendorRef.FullName != "State Board of Equalization" ||
		tax.Items[0].ClassRef.FullName != "BigCommerce" {
		t.Errorf("tax item %+v", tax.Items)
	}
	items := one[*qbxml.ItemQueryRs](t, c, &qbxml.ItemQueryRq{ListFilter: qbxml.ListFilter{NameFilter: &qbxml.NameFilter{MatchCriterion: qbxml.StartsWith, Name: "IL"}}})
	if len(items.Items) != 1 || items.Items[0].Kind() != "ItemSalesTax" || items.Items[0].TaxRate.String() != "6.25" {
		t.Errorf("ItemQuery %+v", items.Items)
	}
	// 6.25 % of 100.00 taxable.
	sr := one[*qbxml.SalesReceiptAddRs](t, c, &qbxml.SalesReceiptAddRq{SalesReceiptAdd: qbxml.SalesReceiptAdd{ItemSalesTaxRef: qbxml.RefName("IL Tax"),
		Lines: []qbxml.SalesLineAdd{line("Widget", "1", "100.00")}}})
	if got := sr.SalesReceipt; got == nil || got.SalesTaxTotal.String() != "6.25" || got.TotalAmount.String() != "106.25" {
		t.Errorf("receipt with the new tax item: %+v", sr.Header())
	}
}

// TestTxnQueries: received payments, card refunds and checks are found by
// TxnID, RefNumber (and FindByRefNumber, which the sync engine sends after
// an unknown outcome), transaction and modified dates and entity.
func TestTxnQueries(t *testing.T) {
	c, clock := newTestCompany(t)
	inv := one[*qbxml.InvoiceAddRs](t, c, &qbxml.InvoiceAddRq{InvoiceAdd: qbxml.InvoiceAdd{CustomerRef: qbxml.RefName("Cook, Brian"),
		TxnDate: qbxml.Date{Year: 2026, Month: 11, Day: 20}, Lines: []qbxml.SalesLineAdd{line("Installation", "2", "")}}})
	cm := one[*qbxml.CreditMemoAddRs](t, c, &qbxml.CreditMemoAddRq{CreditMemoAdd: qbxml.CreditMemoAdd{CustomerRef: qbxml.RefName("Abercrombie, Kristy"),
		Lines: []qbxml.SalesLineAdd{line("Installation", "2", "")}}})
	clock.Advance(time.Hour)
	mark := clock.Now()
	clock.Advance(time.Minute)
	rs := send(t, c, qbxml.StopOnError,
		&qbxml.ReceivePaymentAddRq{ReceivePaymentAdd: qbxml.ReceivePaymentAdd{CustomerRef: qbxml.RefName("Cook, Brian"),
			TxnDate: qbxml.Date{Year: 2026, Month: 11, Day: 21}, RefNumber: "ch_3Nabcdefghijklmn", TotalAmount: qbxml.AmountOf(dec("150.00")),
			AppliedToTxns: []qbxml.AppliedToTxnAdd{{TxnID: inv.Invoice.TxnID, PaymentAmount: qbxml.AmountOf(dec("150.00"))}}}},
		&qbxml.ARRefundCreditCardAddRq{ARRefundCreditCardAdd: qbxml.ARRefundCreditCardAdd{CustomerRef: qbxml.RefName("Abercrombie, Kristy"),
			TxnDate: qbxml.Date{Year: 2026, Month: 11, Day: 22}, RefNumber: "R1042",
			RefundAppliedToTxns: []qbxml.RefundAppliedToTxnAdd{{TxnID: cm.CreditMemo.TxnID, RefundAmount: qbxml.AmountOf(dec("100.00"))}}}},
		&qbxml.CheckAddRq{CheckAdd: qbxml.CheckAdd{AccountRef: qbxml.RefName("Checking"), PayeeEntityRef: qbxml.RefName("Abercrombie, Kristy"),
			RefNumber: "R1043", TxnDate: qbxml.Date{Year: 2026, Month: 11, Day: 23},
			ApplyCheckToTxn: []qbxml.ApplyCheckToTxnAdd{{TxnID: cm.CreditMemo.TxnID, Amount: qbxml.AmountOf(dec("50.00"))}},
			ExpenseLines: []qbxml.ExpenseLineAdd{{AccountRef: qbxml.RefName("Accounts Receivable"), Amount: qbxml.AmountOf(dec("50.00")),
				CustomerRef: qbxml.RefName("Abercrombie, Kristy")}}}},
		// One more of each, older, to be filtered out.
		&qbxml.CheckAddRq{CheckAdd: qbxml.CheckAdd{AccountRef: qbxml.RefName("Checking"), PayeeEntityRef: qbxml.RefName("State Board of Equalization"),
			RefNumber: "901", TxnDate: qbxml.Date{Year: 2026, Month: 10, Day: 1},
			ExpenseLines: []qbxml.ExpenseLineAdd{{AccountRef: qbxml.RefName("Sales Tax Payable"), Amount: qbxml.AmountOf(dec("12.00"))}}}},
	)
	ids := map[string]string{}
	for _, r := range rs {
		if code, msg := status(r); code != 0 {
			t.Fatalf("%s: %d %s", r.RsName(), code, msg)
		}
		switch r := r.(type) {
		case *qbxml.ReceivePaymentAddRs:
			ids["payment"] = r.ReceivePayment.TxnID
		case *qbxml.ARRefundCreditCardAddRs:
			ids["refund"] = r.ARRefundCreditCard.TxnID
		case *qbxml.CheckAddRs:
			if ids["check"] == "" {
				ids["check"] = r.Check.TxnID
			}
		}
	}
	found := func(r qbxml.Response) (ids []string) {
		switch r := r.(type) {
		case *qbxml.ReceivePaymentQueryRs:
			for _, p := range r.ReceivePayments {
				ids = append(ids, p.TxnID)
			}
		case *qbxml.ARRefundCreditCardQueryRs:
			for _, p := range r.ARRefundCreditCards {
				ids = append(ids, p.TxnID)
			}
		case *qbxml.CheckQueryRs:
			for _, p := range r.Checks {
				ids = append(ids, p.TxnID)
			}
		}
		return ids
	}
	since := &qbxml.ModifiedDateRangeFilter{FromModifiedDate: qbxml.DateTimeOf(mark)}
	nov := &qbxml.TxnDateRangeFilter{FromTxnDate: qbxml.Date{Year: 2026, Month: 11, Day: 1}, ToTxnDate: qbxml.Date{Year: 2026, Month: 11, Day: 30}}
	byRef := func(typ, ref string) qbxml.Request {
		r, ok := qbxml.FindByRefNumber(typ, ref)
		if !ok {
			t.Fatalf("FindByRefNumber(%s)", typ)
		}
		return r
	}
	tests := []struct {
		name string
		req  qbxml.Request
		code int
		want []string
	}{
		{"payment by RefNumber", byRef(qbxml.TxnTypeReceivePayment, "CH_3NABCDEFGHIJKLMN"), 0, []string{"payment"}},
		{"payment by TxnID", &qbxml.ReceivePaymentQueryRq{TxnSelect: qbxml.TxnSelect{TxnIDs: []string{ids["payment"]}}}, 0, []string{"payment"}},
		{"payment by date", &qbxml.ReceivePaymentQueryRq{TxnFilter: qbxml.TxnFilter{TxnDateRangeFilter: &qbxml.TxnDateRangeFilter{
			FromTxnDate: qbxml.Date{Year: 2026, Month: 11, Day: 21}, ToTxnDate: qbxml.Date{Year: 2026, Month: 11, Day: 21}}}}, 0, []string{"payment"}},
		{"payment by customer", &qbxml.ReceivePaymentQueryRq{TxnFilter: qbxml.TxnFilter{EntityFilter: &qbxml.EntityFilter{FullNames: []string{"Abercrombie, Kristy"}}}}, 1, nil},
		{"payment modified since", &qbxml.ReceivePaymentQueryRq{TxnFilter: qbxml.TxnFilter{ModifiedDateRangeFilter: since}}, 0, []string{"payment"}},
		{"no such payment", byRef(qbxml.TxnTypeReceivePayment, "ch_other"), 1, nil},
		{"refund by RefNumber", byRef(qbxml.TxnTypeARRefundCreditCard, "R1042"), 0, []string{"refund"}},
		{"refund by TxnID", &qbxml.ARRefundCreditCardQueryRq{TxnSelect: qbxml.TxnSelect{TxnIDs: []string{ids["refund"]}}}, 0, []string{"refund"}},
		{"refund by customer and date", &qbxml.ARRefundCreditCardQueryRq{TxnFilter: qbxml.TxnFilter{TxnDateRangeFilter: nov,
			EntityFilter: &qbxml.EntityFilter{FullNames: []string{"Abercrombie, Kristy"}}}}, 0, []string{"refund"}},
		{"refund ref filter", &qbxml.ARRefundCreditCardQueryRq{TxnFilter: qbxml.TxnFilter{RefNumberFilter: &qbxml.RefNumberFilter{
			MatchCriterion: qbxml.StartsWith, RefNumber: "R10"}}}, 0, []string{"refund"}},
		{"check by RefNumber", byRef(qbxml.TxnTypeCheck, "R1043"), 0, []string{"check"}},
		{"check by TxnID", &qbxml.CheckQueryRq{TxnSelect: qbxml.TxnSelect{TxnIDs: []string{ids["check"]}}}, 0, []string{"check"}},
		{"checks in November", &qbxml.CheckQueryRq{TxnFilter: qbxml.TxnFilter{TxnDateRangeFilter: nov}}, 0, []string{"check"}},
		{"checks modified since", &qbxml.CheckQueryRq{TxnFilter: qbxml.TxnFilter{ModifiedDateRangeFilter: since}}, 0, []string{"tax check", "check"}},
		{"checks to a payee", &qbxml.CheckQueryRq{TxnFilter: qbxml.TxnFilter{EntityFilter: &qbxml.EntityFilter{FullNames: []string{"State Board of Equalization"}}}}, 0, []string{"tax check"}},
		{"a case-sensitive RefNumber", &qbxml.CheckQueryRq{TxnSelect: qbxml.TxnSelect{RefNumberCaseSensitives: []string{"r1043"}}}, 1, nil},
	}
	var taxCheck string
	for _, r := range c.Transactions() {
		if r.Kind == "Check" && r.RefNumber == "901" {
			taxCheck = r.TxnID
		}
	}
	ids["tax check"] = taxCheck
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs := send(t, c, qbxml.StopOnError, tc.req)
			code, msg := status(rs[0])
			var want []string
			for _, w := range tc.want {
				want = append(want, ids[w])
			}
			if got := found(rs[0]); code != tc.code || strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("status %d %q found %v; want %d %v", code, msg, got, tc.code, want)
			}
		})
	}
	t.Run("lines and links", func(t *testing.T) {
		p := one[*qbxml.ReceivePaymentQueryRs](t, c, byRef(qbxml.TxnTypeReceivePayment, "ch_3Nabcdefghijklmn"))
		if got := p.ReceivePayments[0]; got.TotalAmount.String() != "150.00" || len(got.AppliedToTxns) != 1 || got.AppliedToTxns[0].TxnID != inv.Invoice.TxnID {
			t.Errorf("payment %+v", got)
		}
		r := one[*qbxml.ARRefundCreditCardQueryRs](t, c, byRef(qbxml.TxnTypeARRefundCreditCard, "R1042"))
		if got := r.ARRefundCreditCards[0]; got.TotalAmount.String() != "100.00" || len(got.RefundAppliedToTxns) != 1 || got.RefundAppliedToTxns[0].TxnID != cm.CreditMemo.TxnID {
			t.Errorf("refund %+v", got)
		}
		ch := one[*qbxml.CheckQueryRs](t, c, byRef(qbxml.TxnTypeCheck, "R1043"))
		if got := ch.Checks[0]; got.Amount.String() != "50.00" || len(got.ExpenseLines) != 1 || len(got.LinkedTxns) != 1 || got.LinkedTxns[0].TxnID != cm.CreditMemo.TxnID {
			t.Errorf("check %+v", got)
		}
		bare := one[*qbxml.CheckQueryRs](t, c, &qbxml.CheckQueryRq{TxnSelect: qbxml.TxnSelect{RefNumbers: []string{"R1043"}}})
		if got := bare.Checks[0]; len(got.ExpenseLines) != 0 || len(got.LinkedTxns) != 0 {
			t.Errorf("lines and links without IncludeLineItems/IncludeLinkedTxns: %+v", got)
		}
	})
	t.Run("paging", func(t *testing.T) {
		q := &qbxml.CheckQueryRq{TxnFilter: qbxml.TxnFilter{MaxReturned: 1}}
		q.SetIterator(qbxml.IteratorStart, "")
		first := one[*qbxml.CheckQueryRs](t, c, q)
		if len(first.Checks) != 1 || first.Header().IteratorRemainingCount != 1 || first.Checks[0].RefNumber != "901" {
			t.Fatalf("first page %+v %+v", first.Header(), first.Checks)
		}
		if !qbxml.NextPage(q, first.Header()) {
			t.Fatal("no next page")
		}
		second := one[*qbxml.CheckQueryRs](t, c, q)
		if len(second.Checks) != 1 || second.Header().IteratorRemainingCount != 0 || second.Checks[0].RefNumber != "R1043" {
			t.Errorf("second page %+v %+v", second.Header(), second.Checks)
		}
	})
}
