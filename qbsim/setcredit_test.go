package qbsim

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/qbxml"
)

// amountLine is a non-taxable line of an exact amount.
func amountLine(item, amount string) qbxml.SalesLineAdd {
	return qbxml.SalesLineAdd{ItemRef: qbxml.RefName(item), Amount: qbxml.AmountOf(dec(amount)), SalesTaxCodeRef: qbxml.RefName("Non")}
}

func openOf(c *Company, txnID string) (decimal.Decimal, bool) {
	for _, tx := range c.Transactions() {
		if tx.TxnID == txnID {
			return tx.Open, true
		}
	}
	return decimal.Zero, false
}

// creditPayment applies credits to an invoice with no money received.
func creditPayment(cust, invID string, credits ...qbxml.SetCredit) *qbxml.ReceivePaymentAddRq {
	return &qbxml.ReceivePaymentAddRq{ReceivePaymentAdd: qbxml.ReceivePaymentAdd{CustomerRef: qbxml.RefName(cust), TotalAmount: qbxml.AmountOf(decimal.Zero),
		AppliedToTxns: []qbxml.AppliedToTxnAdd{{TxnID: invID, PaymentAmount: qbxml.AmountOf(decimal.Zero), SetCredit: credits}}}}
}

// TestSetCreditAppliesCreditMemo: a ReceivePayment of 0 with a SetCredit
// applies a credit memo of 10 to an invoice of 30: the invoice's balance is
// 20, the credit memo's remaining credit 0, in the query answers and in
// Transactions(); the customer's balance (30 - 10) does not move. More than
// the credit remaining, or more than the invoice's balance, is refused with
// 3210 and changes nothing; deleting the payment gives both back.
func TestSetCreditAppliesCreditMemo(t *testing.T) {
	c, _ := newTestCompany(t)
	const cust = "Cook, Brian"
	inv := one[*qbxml.InvoiceAddRs](t, c, &qbxml.InvoiceAddRq{InvoiceAdd: qbxml.InvoiceAdd{CustomerRef: qbxml.RefName(cust), RefNumber: "INV-30",
		Lines: []qbxml.SalesLineAdd{amountLine("Installation", "30.00")}}}).Invoice
	cm := one[*qbxml.CreditMemoAddRs](t, c, &qbxml.CreditMemoAddRq{CreditMemoAdd: qbxml.CreditMemoAdd{CustomerRef: qbxml.RefName(cust), RefNumber: "CM-10",
		Lines: []qbxml.SalesLineAdd{amountLine("Installation", "10.00")}}}).CreditMemo
	big := one[*qbxml.CreditMemoAddRs](t, c, &qbxml.CreditMemoAddRq{CreditMemoAdd: qbxml.CreditMemoAdd{CustomerRef: qbxml.RefName(cust), RefNumber: "CM-40",
		Lines: []qbxml.SalesLineAdd{amountLine("Installation", "40.00")}}}).CreditMemo
	other := one[*qbxml.CreditMemoAddRs](t, c, &qbxml.CreditMemoAddRq{CreditMemoAdd: qbxml.CreditMemoAdd{CustomerRef: qbxml.RefName("Abercrombie, Kristy"), RefNumber: "CM-K",
		Lines: []qbxml.SalesLineAdd{amountLine("Installation", "5.00")}}}).CreditMemo
	balance := func() string {
		return one[*qbxml.CustomerQueryRs](t, c, &qbxml.CustomerQueryRq{ListSelect: qbxml.ListSelect{FullNames: []string{cust}}}).Customers[0].Balance.String()
	}
	if got := balance(); got != "-20.00" {
		t.Fatalf("balance before %s", got)
	}
	sc := func(id, amount string) qbxml.SetCredit {
		return qbxml.SetCredit{CreditTxnID: id, AppliedAmount: qbxml.AmountOf(dec(amount))}
	}
	for name, rq := range map[string]*qbxml.ReceivePaymentAddRq{
		"more than the credit":            creditPayment(cust, inv.TxnID, sc(cm.TxnID, "10.01")),
		"the credit twice":                creditPayment(cust, inv.TxnID, sc(cm.TxnID, "6.00"), sc(cm.TxnID, "6.00")),
		"more than the invoice's balance": creditPayment(cust, inv.TxnID, sc(big.TxnID, "30.01")),
		"another customer's credit memo":  creditPayment(cust, inv.TxnID, sc(other.TxnID, "1.00")),
	} {
		rs := one[*qbxml.ReceivePaymentAddRs](t, c, rq)
		if code, msg := status(rs); code != 3210 {
			t.Errorf("%s: %d %s", name, code, msg)
		}
	}
	if rs := one[*qbxml.ReceivePaymentAddRs](t, c, creditPayment(cust, inv.TxnID, sc("99-99", "1.00"))); rs.Header().StatusCode != 3120 {
		t.Errorf("unknown credit memo: %d", rs.Header().StatusCode)
	}
	if open, _ := openOf(c, inv.TxnID); open.StringFixed(2) != "30.00" {
		t.Fatalf("refused payments moved the invoice: open %s", open)
	}

	rs := one[*qbxml.ReceivePaymentAddRs](t, c, creditPayment(cust, inv.TxnID, sc(cm.TxnID, "10.00")))
	if code, msg := status(rs); code != 0 {
		t.Fatalf("apply: %d %s", code, msg)
	}
	if p := rs.ReceivePayment; p.TotalAmount.String() != "0.00" {
		t.Errorf("payment total %s", p.TotalAmount)
	}
	if open, ok := openOf(c, inv.TxnID); !ok || open.StringFixed(2) != "20.00" {
		t.Errorf("invoice open %s, want 20.00", open)
	}
	if open, ok := openOf(c, cm.TxnID); !ok || open.StringFixed(2) != "0.00" {
		t.Errorf("credit memo open %s, want 0.00", open)
	}
	iq := one[*qbxml.InvoiceQueryRs](t, c, &qbxml.InvoiceQueryRq{TxnSelect: qbxml.TxnSelect{TxnIDs: []string{inv.TxnID}}})
	if got := iq.Invoices[0]; got.BalanceRemaining.String() != "20.00" || got.IsPaid {
		t.Errorf("invoice balance %s paid %v", got.BalanceRemaining, got.IsPaid)
	}
	cq := one[*qbxml.CreditMemoQueryRs](t, c, &qbxml.CreditMemoQueryRq{TxnSelect: qbxml.TxnSelect{TxnIDs: []string{cm.TxnID}}})
	if got := cq.CreditMemos[0].CreditRemaining.String(); got != "0.00" {
		t.Errorf("credit remaining %s", got)
	}
	if got := balance(); got != "-20.00" {
		t.Errorf("balance after applying a credit %s, want -20.00 (unchanged)", got)
	}
	// The credit memo has nothing left; the rest of the invoice can still be paid.
	if r := one[*qbxml.ReceivePaymentAddRs](t, c, creditPayment(cust, inv.TxnID, sc(cm.TxnID, "0.01"))); r.Header().StatusCode != 3210 {
		t.Errorf("a used-up credit applied again: %d", r.Header().StatusCode)
	}
	// Deleting the payment (QuickBooks voids none) gives the credit and the balance back.
	d := one[*qbxml.TxnDelRs](t, c, &qbxml.TxnDelRq{TxnDelType: qbxml.TxnTypeReceivePayment, TxnID: rs.ReceivePayment.TxnID})
	if code, msg := status(d); code != 0 {
		t.Fatalf("delete: %d %s", code, msg)
	}
	if open, _ := openOf(c, inv.TxnID); open.StringFixed(2) != "30.00" {
		t.Errorf("after delete invoice open %s", open)
	}
	if open, _ := openOf(c, cm.TxnID); open.StringFixed(2) != "10.00" {
		t.Errorf("after delete credit memo open %s", open)
	}
}

// TestCreditMemoStock: a credit memo line of an inventory item moves stock
// back by its Quantity; a line of the item with an Amount and no Quantity
// (QuickBooks' blank Qty) moves none, and credits the same amount.
func TestCreditMemoStock(t *testing.T) {
	c, _ := newTestCompany(t)
	before := qoh(t, c, "Widget")
	withQty := one[*qbxml.CreditMemoAddRs](t, c, &qbxml.CreditMemoAddRq{CreditMemoAdd: qbxml.CreditMemoAdd{CustomerRef: qbxml.RefName("Cook, Brian"),
		Lines: []qbxml.SalesLineAdd{{ItemRef: qbxml.RefName("Widget"), Quantity: qbxml.QuantityInt(2), Amount: qbxml.AmountOf(dec("30.00")), SalesTaxCodeRef: qbxml.RefName("Non")}}}})
	if code, msg := status(withQty); code != 0 {
		t.Fatalf("%d %s", code, msg)
	}
	if got := qoh(t, c, "Widget"); !dec(got).Equal(dec(before).Add(dec("2"))) {
		t.Errorf("with a Quantity of 2: %s -> %s", before, got)
	}
	noQty := one[*qbxml.CreditMemoAddRs](t, c, &qbxml.CreditMemoAddRq{CreditMemoAdd: qbxml.CreditMemoAdd{CustomerRef: qbxml.RefName("Cook, Brian"),
		Lines: []qbxml.SalesLineAdd{amountLine("Widget", "30.00")}}})
	if code, msg := status(noQty); code != 0 {
		t.Fatalf("%d %s", code, msg)
	}
	if got := qoh(t, c, "Widget"); !dec(got).Equal(dec(before).Add(dec("2"))) {
		t.Errorf("without a Quantity stock moved: %s", got)
	}
	if a, b := withQty.CreditMemo.TotalAmount.String(), noQty.CreditMemo.TotalAmount.String(); a != "30.00" || a != b {
		t.Errorf("totals %s and %s", a, b)
	}
}
