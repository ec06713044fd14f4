package qbxml

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// creditOnlyPayment applies a credit memo to an invoice with no money
// received: TotalAmount 0, PaymentAmount 0 and one SetCredit.
func creditOnlyPayment(override *bool) *ReceivePaymentAddRq {
	return &ReceivePaymentAddRq{ReceivePaymentAdd: ReceivePaymentAdd{CustomerRef: RefName("Jane Doe"), TxnDate: testDay,
		TotalAmount: AmountOf(decimal.Zero), Memo: "Refund 7 applied to invoice 100042",
		AppliedToTxns: []AppliedToTxnAdd{{TxnID: "C5-1417118624", PaymentAmount: AmountOf(decimal.Zero),
			SetCredit: []SetCredit{{CreditTxnID: "C7-1417118700", AppliedAmount: AmountOf(dec("10.00")), Override: override}}}}}}
}

// TestSetCredit: SetCredit is written inside AppliedToTxnAdd after
// PaymentAmount (and before DiscountAmount), CreditTxnID then AppliedAmount
// then Override, and validates against Intuit's schema in every version.
func TestSetCredit(t *testing.T) {
	yes := true
	docs := map[string][]byte{}
	for _, v := range SupportedVersions {
		for name, rq := range map[string]*ReceivePaymentAddRq{"plain": creditOnlyPayment(nil), "override": creditOnlyPayment(&yes)} {
			b, err := NewMessage(StopOnError).Add("1", rq).Build(v)
			if err != nil {
				t.Fatalf("%s %s: %v", v, name, err)
			}
			want := "<TotalAmount>0.00</TotalAmount>"
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("%s: no %s:\n%s", name, want, b)
			}
			want = "<AppliedToTxnAdd><TxnID>C5-1417118624</TxnID><PaymentAmount>0.00</PaymentAmount><SetCredit><CreditTxnID>C7-1417118700</CreditTxnID><AppliedAmount>10.00</AppliedAmount>"
			if name == "override" {
				want += "<Override>true</Override>"
			}
			want += "</SetCredit></AppliedToTxnAdd>"
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("%s: want %s in\n%s", name, want, b)
			}
			docs[v.String()+"-"+name] = b
		}
	}
	if ref := referenceDirOrEmpty(t); ref != "" {
		for _, v := range SupportedVersions {
			vd := map[string][]byte{}
			for name, b := range docs {
				if strings.HasPrefix(name, v.String()+"-") {
					vd[name] = b
				}
			}
			for name, why := range xmllint(t, xsdFor(ref, v), vd) {
				t.Errorf("%s does not validate: %s\n%s", name, why, vd[name])
			}
		}
	}
	// A SetCredit needs its credit and amount.
	for name, sc := range map[string]SetCredit{"no CreditTxnID": {AppliedAmount: AmountOf(dec("1"))}, "no AppliedAmount": {CreditTxnID: "1-1"}} {
		rq := creditOnlyPayment(nil)
		rq.ReceivePaymentAdd.AppliedToTxns[0].SetCredit = []SetCredit{sc}
		if _, err := NewMessage(StopOnError).Add("1", rq).Build(V13); err == nil {
			t.Errorf("%s: built", name)
		}
	}
}
