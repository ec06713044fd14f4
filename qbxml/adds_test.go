package qbxml

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// sampleResponses holds a filled-in answer for each response type that goes
// with the list adds and the payment, refund and check queries, the way
// QuickBooks returns them, so they can be checked against the schema and
// round-tripped like the requests.
func sampleResponses() map[string]func() Response {
	created := DateTime{Raw: "2026-11-03T10:00:00-05:00"}
	list := func(id string) ListCore {
		return ListCore{ListID: id, TimeCreated: created, TimeModified: created, EditSequence: "1793718000"}
	}
	txn := func(id string, n int) TxnCore {
		return TxnCore{TxnID: id, TimeCreated: created, TimeModified: created, EditSequence: "1793718000", TxnNumber: n}
	}
	ok := func(r Response) Response {
		r.Header().SetStatus(0, "")
		r.Header().RequestID = "r-" + r.RsName()
		return r
	}
	return map[string]func() Response{
		"AccountAddRs": func() Response {
			return ok(&AccountAddRs{Account: &AccountRet{ListCore: list("80000031-1793718000"), Name: "BigCommerce Sales",
				FullName: "Sales:BigCommerce Sales", IsActive: true, ParentRef: &Ref{ListID: "80000007-1793700000", FullName: "Sales"},
				Sublevel: 1, AccountType: AccountTypeIncome, AccountNumber: "4010", Desc: "Sales from the BigCommerce store",
				Balance: AmountOf(dec("0")), TotalBalance: AmountOf(dec("0"))}})
		},
		"ClassAddRs": func() Response {
			return ok(&ClassAddRs{Class: &ClassRet{ListCore: list("80000032-1793718000"), Name: "BigCommerce", FullName: "Web:BigCommerce",
				IsActive: true, ParentRef: &Ref{ListID: "80000008-1793700000", FullName: "Web"}, Sublevel: 1}})
		},
		"ItemSalesTaxAddRs": func() Response {
			item := NewItemRet("ItemSalesTax")
			item.ListCore = list("80000033-1793718000")
			item.Name, item.IsActive, item.ItemDesc = "BC Sales Tax", true, "Sales tax charged by BigCommerce"
			item.TaxRate = PercentOf(dec("6.25"))
			item.TaxVendorRef = &Ref{ListID: "80000009-1793700000", FullName: "Illinois Department of Revenue"}
			return ok(&ItemSalesTaxAddRs{Item: &item})
		},
		"SalesTaxCodeAddRs": func() Response {
			return ok(&SalesTaxCodeAddRs{SalesTaxCode: &SalesTaxCodeRet{ListCore: list("80000034-1793718000"), Name: "BCT",
				IsActive: true, IsTaxable: true, Desc: "BigCommerce taxable"}})
		},
		"ReceivePaymentQueryRs": func() Response {
			return ok(&ReceivePaymentQueryRs{ReceivePayments: []ReceivePaymentRet{{TxnCore: txn("1F-1793718000", 31),
				CustomerRef: RefName("Jane Doe"), ARAccountRef: RefName("Accounts Receivable"), TxnDate: testDay, RefNumber: "ch_3Nabcdefghijklmn",
				TotalAmount: AmountOf(dec("15.00")), PaymentMethodRef: RefName("Visa"), DepositToAccountRef: RefName("Undeposited Funds"),
				UnusedPayment: AmountOf(dec("0.00")), UnusedCredits: AmountOf(dec("0.00")),
				AppliedToTxns: []AppliedToTxnRet{{TxnID: "C5-1417118624", TxnType: TxnTypeInvoice, TxnDate: testDay, RefNumber: "100043",
					BalanceRemaining: AmountOf(dec("0.00")), Amount: AmountOf(dec("15.00"))}},
				DataExtRets: []DataExtRet{{OwnerID: "0", DataExtName: "BigCommerce ID", DataExtType: DataExtTypeStr255, DataExtValue: "order:100043"}}}}})
		},
		"ARRefundCreditCardQueryRs": func() Response {
			return ok(&ARRefundCreditCardQueryRs{ARRefundCreditCards: []ARRefundCreditCardRet{{TxnCore: txn("20-1793718000", 32),
				CustomerRef: RefName("Jane Doe"), RefundFromAccountRef: RefName("Undeposited Funds"), ARAccountRef: RefName("Accounts Receivable"),
				TxnDate: testDay, RefNumber: "R100042", TotalAmount: AmountOf(dec("19.99")), PaymentMethodRef: RefName("Visa"),
				RefundAppliedToTxns: []RefundAppliedToTxnRet{{TxnID: "C7-1417118700", TxnType: TxnTypeCreditMemo, TxnDate: testDay,
					RefNumber: "R100042", CreditRemaining: AmountOf(dec("0.00")), RefundAmount: AmountOf(dec("19.99"))}}}}})
		},
		"CheckQueryRs": func() Response {
			return ok(&CheckQueryRs{Checks: []CheckRet{{TxnCore: txn("21-1793718000", 33), AccountRef: RefName("Checking"),
				PayeeEntityRef: RefName("Jane Doe"), RefNumber: "R100042", TxnDate: testDay, Amount: AmountOf(dec("19.99")),
				Memo: "Refund by check", IsToBePrinted: true,
				LinkedTxns: []LinkedTxn{{TxnID: "C7-1417118700", TxnType: TxnTypeCreditMemo, TxnDate: testDay, RefNumber: "R100042",
					LinkType: "AMTTYPE", Amount: AmountOf(dec("-19.99"))}},
				ExpenseLines: []ExpenseLineRet{{TxnLineID: "22-1793718000", AccountRef: RefName("Accounts Receivable"),
					Amount: AmountOf(dec("19.99")), CustomerRef: RefName("Jane Doe")}}}}})
		},
	}
}

// TestEveryNewResponseIsRegistered: ParseResponse decodes each sample by name.
func TestEveryNewResponseIsRegistered(t *testing.T) {
	for name, f := range sampleResponses() {
		r, ok := NewResponse(name)
		if !ok {
			t.Errorf("NewResponse(%s) is not registered", name)
			continue
		}
		if r.RsName() != name || f().RsName() != name {
			t.Errorf("%s: registered %s, sample %s", name, r.RsName(), f().RsName())
		}
	}
}

// TestResponsesValidateAndRoundTrip: each sample answer, marshalled as the
// simulator would, is valid against the 13.0 and 16.0 schemas, parses back
// into equal values (the XML it re-encodes to is byte for byte the same),
// and a golden file pins the parsed values.
func TestResponsesValidateAndRoundTrip(t *testing.T) {
	names := sortedKeys(sampleResponses())
	m := &ResponseMessage{}
	docs := map[string][]byte{}
	for _, name := range names {
		one := &ResponseMessage{Responses: []Response{sampleResponses()[name]()}}
		b, err := one.Build()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		docs[name] = b
		m.Responses = append(m.Responses, sampleResponses()[name]())
	}
	all, err := m.Build()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			parsed, err := ParseResponse(docs[name])
			if err != nil {
				t.Fatal(err)
			}
			if len(parsed.Responses) != 1 || parsed.Responses[0].RsName() != name {
				t.Fatalf("parsed %#v", parsed.Responses)
			}
			again, err := parsed.Build()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, docs[name]) {
				t.Errorf("round trip changed the XML:\n%s\n%s", docs[name], again)
			}
		})
	}
	parsed, err := ParseResponse(all)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.MarshalIndent(summarize(parsed), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "built_list_adds_and_txn_queries.json", append(js, '\n'))

	ref := referenceDir(t)
	docs["all-in-one"] = all
	for _, v := range []Version{V13, V16} {
		for name, why := range xmllint(t, xsdFor(ref, v), docs) {
			t.Errorf("%s does not validate against %s:\n%s\n%s", name, v, why, docs[name])
		}
	}
}

// TestItemSalesTaxRet: a sales tax item comes back with its rate and agency
// from ItemSalesTaxQuery, from ItemQuery (among other kinds) and from
// ItemSalesTaxAdd, and the 0 % header item a careful connector uses builds
// without an agency.
func TestItemSalesTaxRet(t *testing.T) {
	ret := `<ItemSalesTaxRet><ListID>80000033-1793718000</ListID><TimeCreated>2026-11-03T10:00:00-05:00</TimeCreated>` +
		`<TimeModified>2026-11-03T10:00:00-05:00</TimeModified><EditSequence>1793718000</EditSequence><Name>BC Sales Tax</Name>` +
		`<IsActive>true</IsActive><ItemDesc>Sales tax charged by BigCommerce</ItemDesc><TaxRate>6.25</TaxRate>` +
		`<TaxVendorRef><ListID>80000009-1793700000</ListID><FullName>Illinois Department of Revenue</FullName></TaxVendorRef></ItemSalesTaxRet>`
	wrap := func(rs, body string) []byte {
		return []byte(`<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><` + rs + ` statusCode="0" statusSeverity="Info" statusMessage="Status OK">` +
			body + `</` + rs + `></QBXMLMsgsRs></QBXML>`)
	}
	service := `<ItemServiceRet><ListID>80000001-1</ListID><Name>Engraving</Name><IsActive>true</IsActive></ItemServiceRet>`
	cases := []struct {
		name string
		doc  []byte
		get  func(Response) *ItemRet
	}{
		{"ItemSalesTaxQueryRs", wrap("ItemSalesTaxQueryRs", ret), func(r Response) *ItemRet { return &r.(*ItemSalesTaxQueryRs).Items[0] }},
		{"ItemQueryRs", wrap("ItemQueryRs", service+ret), func(r Response) *ItemRet { return &r.(*ItemQueryRs).Items[1] }},
		{"ItemSalesTaxAddRs", wrap("ItemSalesTaxAddRs", ret), func(r Response) *ItemRet { return r.(*ItemSalesTaxAddRs).Item }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := ParseResponse(c.doc)
			if err != nil {
				t.Fatal(err)
			}
			it := c.get(m.Responses[0])
			if it.Kind() != "ItemSalesTax" || it.Name != "BC Sales Tax" || it.TaxRate.String() != "6.25" ||
				!it.TaxRate.Decimal().Equal(dec("6.25")) || it.TaxVendorRef.FullName != "Illinois Department of Revenue" {
				t.Fatalf("%+v", it)
			}
		})
	}
	zero := &ItemSalesTaxAddRq{ItemSalesTaxAdd: ItemSalesTaxAdd{Name: "BC Tax Header", ItemDesc: "0 % on the header; the tax is on lines",
		TaxRate: PercentOf(dec("0"))}}
	b, err := NewMessage(StopOnError).Add("z", zero).Build(V13)
	if err != nil {
		t.Fatalf("a 0 %% tax item without an agency: %v", err)
	}
	if !strings.Contains(string(b), "<TaxRate>0</TaxRate>") {
		t.Errorf("zero rate not sent:\n%s", b)
	}
}
