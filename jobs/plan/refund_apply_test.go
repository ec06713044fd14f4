package plan

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/qbxml"
)

// twoUnits refunds 2 of line A's 3 units (29.70 each, 2.70 of it tax).
func twoUnits() bigcommerce.Refund {
	return bigcommerce.Refund{ID: 51, OrderID: 300, TotalAmount: amt("59.40"), TotalTax: amt("5.40"),
		Items:    []bigcommerce.RefundItem{{ItemType: "PRODUCT", ItemID: 1, Quantity: 2}},
		Payments: []bigcommerce.RefundPayment{{ProviderID: "braintree", Amount: amt("59.40")}}}
}

func (q *simulated) open(txnID string) decimal.Decimal {
	q.t.Helper()
	for _, tx := range q.c.Transactions() {
		if tx.TxnID == txnID {
			return tx.Open
		}
	}
	q.t.Fatalf("no transaction %s", txnID)
	return decimal.Zero
}

func (q *simulated) qoh(item string) string {
	q.t.Helper()
	rs := q.must(&qbxml.ItemInventoryQueryRq{ListSelect: qbxml.ListSelect{FullNames: []string{item}}}).(*qbxml.ItemInventoryQueryRs)
	if len(rs.Items) != 1 {
		q.t.Fatalf("%d items %s", len(rs.Items), item)
	}
	return rs.Items[0].QuantityOnHand.String()
}

// TestRefundRestock posts an order of inventory items to a simulated
// QuickBooks and refunds 2 units by card: with Restock the credit memo's
// line carries Quantity 2 and quantity on hand comes back by 2; without it
// the line names the same item with the amount and no Quantity, and
// quantity on hand stays where the sale left it. The money (credit memo,
// card refund) is the same either way.
func TestRefundRestock(t *testing.T) {
	totals := map[bool]string{}
	for _, restock := range []bool{true, false} {
		q := newSimulated(t, false)
		s := DefaultSettings()
		s.Items, s.Restock = ItemsCreateInventory, restock
		d := refundOrder()
		o := mustPost(t, d, s, q.l)
		q.lists(o.Customer, o.Items)
		sr := q.must(&qbxml.SalesReceiptAddRq{SalesReceiptAdd: *o.SalesReceipt}).(*qbxml.SalesReceiptAddRs)
		item := linesOf(o.SalesReceipt.Lines, "A")[0].ItemRef.FullName
		if got := q.qoh(item); got != "-3" {
			t.Fatalf("after the sale of 3: %s", got)
		}
		rf, err := BuildRefund(store, d, twoUnits(), s, q.l, Posted{TxnType: qbxml.TxnTypeSalesReceipt, TxnID: sr.SalesReceipt.TxnID, Total: o.Total})
		if err != nil {
			t.Fatal(err)
		}
		checkRefund(t, d, twoUnits(), rf, true)
		ls := linesOf(rf.CreditMemo.Lines, item)
		if len(ls) != 1 || ls[0].Amount.String() != "54.00" || ls[0].Quantity.IsSet() != restock || (restock && ls[0].Quantity.String() != "2") ||
			strings.Contains(ls[0].Desc, "not restocked") == restock {
			t.Errorf("restock %v: line %+v", restock, ls)
		}
		q.lists(rf.Customer, rf.Items)
		cm := q.must(&qbxml.CreditMemoAddRq{CreditMemoAdd: *rf.CreditMemo}).(*qbxml.CreditMemoAddRs)
		if rf.CardRefund == nil || rf.Apply != nil {
			t.Fatalf("restock %v: card refund %+v apply %+v", restock, rf.CardRefund, rf.Apply)
		}
		rf.CardRefund.RefundAppliedToTxns[0].TxnID = cm.CreditMemo.TxnID
		q.must(&qbxml.ARRefundCreditCardAddRq{ARRefundCreditCardAdd: *rf.CardRefund})
		want := map[bool]string{true: "-1", false: "-3"}[restock]
		if got := q.qoh(item); got != want {
			t.Errorf("restock %v: quantity on hand %s, want %s", restock, got, want)
		}
		if open := q.open(cm.CreditMemo.TxnID); !open.IsZero() {
			t.Errorf("restock %v: credit memo open %s after the card refund", restock, open)
		}
		totals[restock] = cm.CreditMemo.TotalAmount.String() + " back " + rf.CardRefund.RefundAppliedToTxns[0].RefundAmount.String()
	}
	if totals[true] != totals[false] || totals[true] != "59.40 back 59.40" {
		t.Errorf("money with and without restock: %v", totals)
	}
}

// TestRefundAppliedToOpenInvoice: a refund of an order posted as an invoice
// with no payment posted applies the credit memo to the invoice (a
// ReceivePayment of 0 with a SetCredit of the credit memo's total) and pays
// nothing back; in a simulated QuickBooks the invoice's balance drops by the
// refund and the credit memo has nothing left. A paid invoice, or a sales
// receipt, gets its money back as before.
func TestRefundAppliedToOpenInvoice(t *testing.T) {
	d := refundOrder()
	for _, refund := range []string{RefundByCard, RefundByCheck, RefundCredit} {
		s := DefaultSettings()
		s.Refund = refund
		rf, err := BuildRefund(store, d, twoUnits(), s, newLists(), Posted{TxnType: qbxml.TxnTypeInvoice, TxnID: "I-7", Total: dec("113.10")})
		if err != nil {
			t.Fatal(err)
		}
		checkRefund(t, d, twoUnits(), rf, true)
		a := rf.Apply
		if a == nil || rf.CardRefund != nil || rf.Check != nil || !rf.MoneyBack.IsZero() {
			t.Fatalf("%s: apply %+v card %+v check %+v money back %s", refund, a, rf.CardRefund, rf.Check, rf.MoneyBack)
		}
		if a.CustomerRef.FullName != rf.Customer.Name || a.TotalAmount.String() != "0.00" || a.IsAutoApply != nil || len(a.AppliedToTxns) != 1 ||
			a.AppliedToTxns[0].TxnID != "I-7" || a.AppliedToTxns[0].PaymentAmount.String() != "0.00" || len(a.AppliedToTxns[0].SetCredit) != 1 ||
			a.AppliedToTxns[0].SetCredit[0].CreditTxnID != "" || a.AppliedToTxns[0].SetCredit[0].AppliedAmount.String() != "59.40" || a.TxnDate != rf.CreditMemo.TxnDate {
			t.Errorf("%s: apply %+v", refund, a)
		}
		if len(rf.Notes) == 0 || !strings.Contains(strings.Join(rf.Notes, " "), "applied to the invoice") {
			t.Errorf("%s: notes %q", refund, rf.Notes)
		}
		c := *a
		c.AppliedToTxns = []qbxml.AppliedToTxnAdd{c.AppliedToTxns[0]}
		c.AppliedToTxns[0].SetCredit = []qbxml.SetCredit{{CreditTxnID: "1-1", AppliedAmount: c.AppliedToTxns[0].SetCredit[0].AppliedAmount}}
		mustValidate(t, &qbxml.ReceivePaymentAddRq{ReceivePaymentAdd: c})
	}
	for name, p := range map[string]Posted{
		"paid invoice":  {TxnType: qbxml.TxnTypeInvoice, TxnID: "I-7", PaymentTxnID: "P-8"},
		"sales receipt": {TxnType: qbxml.TxnTypeSalesReceipt, TxnID: "S-7"},
		"nothing known": {},
	} {
		rf, err := BuildRefund(store, d, twoUnits(), DefaultSettings(), newLists(), p)
		if err != nil {
			t.Fatal(err)
		}
		if rf.Apply != nil || rf.CardRefund == nil || rf.CardRefund.RefundAppliedToTxns[0].RefundAmount.String() != "59.40" || !rf.MoneyBack.Equal(dec("59.40")) {
			t.Errorf("%s: apply %+v card %+v", name, rf.Apply, rf.CardRefund)
		}
	}

	t.Run("simulated", func(t *testing.T) {
		q := newSimulated(t, false)
		s := DefaultSettings()
		s.Mode = ModeInvoice
		o := mustPost(t, d, s, q.l)
		q.lists(o.Customer, o.Items)
		inv := q.must(&qbxml.InvoiceAddRq{InvoiceAdd: *o.Invoice}).(*qbxml.InvoiceAddRs).Invoice
		// The payment is not posted: the invoice is open.
		rf, err := BuildRefund(store, d, twoUnits(), s, q.l, Posted{TxnType: qbxml.TxnTypeInvoice, TxnID: inv.TxnID, Total: o.Total})
		if err != nil || rf.Apply == nil {
			t.Fatalf("%v %+v", err, rf)
		}
		q.lists(rf.Customer, rf.Items)
		cm := q.must(&qbxml.CreditMemoAddRq{CreditMemoAdd: *rf.CreditMemo}).(*qbxml.CreditMemoAddRs).CreditMemo
		rf.Apply.AppliedToTxns[0].SetCredit[0].CreditTxnID = cm.TxnID // the jobs package's part
		q.must(&qbxml.ReceivePaymentAddRq{ReceivePaymentAdd: *rf.Apply})
		if got, want := q.open(inv.TxnID), o.Total.Sub(o.Credits).Sub(dec("59.40")); !got.Equal(want) {
			t.Errorf("invoice open %s, want %s", got, want)
		}
		if got := q.open(cm.TxnID); !got.IsZero() {
			t.Errorf("credit memo open %s", got)
		}
		for _, tx := range q.c.Transactions() {
			if tx.Kind == "ARRefundCreditCard" || tx.Kind == "Check" {
				t.Errorf("money back: %+v", tx)
			}
		}
	})
}
