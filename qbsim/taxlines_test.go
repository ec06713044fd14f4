package qbsim

import (
	"strings"
	"testing"

	"github.com/bcqb/bcqb/qbxml"
)

// taxLine is a line of a sales tax item carrying the tax charged.
func taxLine(item, amount string) qbxml.SalesLineAdd {
	return qbxml.SalesLineAdd{ItemRef: qbxml.RefName(item), Amount: qbxml.AmountOf(dec(amount))}
}

// newTaxLineCompany is the sample company with a second agency tax item,
// so a transaction can carry two tax lines as a store's state and city tax.
func newTaxLineCompany(t *testing.T) *Company {
	t.Helper()
	c, _ := newTestCompany(t)
	rs := one[*qbxml.ItemSalesTaxAddRs](t, c, &qbxml.ItemSalesTaxAddRq{ItemSalesTaxAdd: qbxml.ItemSalesTaxAdd{Name: "City Tax",
		TaxRate: qbxml.PercentOf(dec("0.25")), TaxVendorRef: qbxml.RefName("State Board of Equalization")}})
	if code, msg := status(rs); code != 0 {
		t.Fatalf("tax item: %d %s", code, msg)
	}
	return c
}

// txnByRef is what Transactions() reports for a RefNumber.
func txnByRef(t *testing.T, c *Company, kind, ref string) Txn {
	t.Helper()
	for _, x := range c.Transactions() {
		if x.Kind == kind && x.RefNumber == ref {
			return x
		}
	}
	t.Fatalf("no %s %s in Transactions()", kind, ref)
	return Txn{}
}

func fixed(txn Txn) string {
	return strings.Join([]string{txn.Subtotal.StringFixed(2), txn.SalesTax.StringFixed(2), txn.Total.StringFixed(2), txn.Open.StringFixed(2)}, " ")
}

// The lines of the two sales below: 2 × 19.99 taxable, shipping 5.00,
// under the 0 % "Out of State" header item; the store charged 1.23 state
// and 0.07 city tax, posted as tax lines. QuickBooks' total is the store's:
// 44.98 + 1.30 = 46.28, with no rounding of its own.
func storeLines() []qbxml.SalesLineAdd {
	return []qbxml.SalesLineAdd{line("Widget", "2", "19.99"), {ItemRef: qbxml.RefName("Shipping"), Amount: qbxml.AmountOf(dec("5.00"))},
		taxLine("CA Sales Tax", "1.23"), taxLine("City Tax", "0.07")}
}

func TestSalesReceiptTaxLines(t *testing.T) {
	c := newTaxLineCompany(t)
	rs := one[*qbxml.SalesReceiptAddRs](t, c, &qbxml.SalesReceiptAddRq{SalesReceiptAdd: qbxml.SalesReceiptAdd{RefNumber: "1042",
		ItemSalesTaxRef: qbxml.RefName("Out of State"), Lines: storeLines()}})
	if code, msg := status(rs); code != 0 {
		t.Fatalf("status %d %s", code, msg)
	}
	sr := rs.SalesReceipt
	// QuickBooks' Ret: the lines (tax lines too) in Subtotal, the header's
	// 0 % tax in SalesTaxTotal, TotalAmount = Subtotal + SalesTaxTotal.
	if got := strings.Join([]string{sr.Subtotal.String(), sr.SalesTaxPercentage.String(), sr.SalesTaxTotal.String(), sr.TotalAmount.String()}, " "); got != "46.28 0 0.00 46.28" {
		t.Errorf("Subtotal/SalesTaxPercentage/SalesTaxTotal/TotalAmount %s, want 46.28 0 0.00 46.28", got)
	}
	var amounts []string
	for _, l := range sr.Lines {
		amounts = append(amounts, l.Amount.String())
		if k := l.ItemRef.FullName; (k == "CA Sales Tax" || k == "City Tax") && (l.SalesTaxCodeRef != nil || l.Rate.IsSet() || l.Quantity.IsSet()) {
			t.Errorf("tax line %s came back with a tax code, rate or quantity: %+v", k, l)
		}
	}
	if strings.Join(amounts, " ") != "39.98 5.00 1.23 0.07" {
		t.Errorf("line amounts %v", amounts)
	}
	if got := fixed(txnByRef(t, c, "SalesReceipt", "1042")); got != "44.98 1.30 46.28 0.00" {
		t.Errorf("Transactions() subtotal/tax/total/open %s, want 44.98 1.30 46.28 0.00", got)
	}
	// Read back by query, the same.
	q := one[*qbxml.SalesReceiptQueryRs](t, c, &qbxml.SalesReceiptQueryRq{TxnSelect: qbxml.TxnSelect{RefNumbers: []string{"1042"}}, IncludeLineItems: new(true)})
	if got := q.SalesReceipts[0]; got.TotalAmount.String() != "46.28" || len(got.Lines) != 4 {
		t.Errorf("queried receipt total %s with %d lines", got.TotalAmount, len(got.Lines))
	}
}

func TestInvoiceTaxLinesAndPayment(t *testing.T) {
	c := newTaxLineCompany(t)
	inv := one[*qbxml.InvoiceAddRs](t, c, &qbxml.InvoiceAddRq{InvoiceAdd: qbxml.InvoiceAdd{CustomerRef: qbxml.RefName("Cook, Brian"), RefNumber: "1043",
		ItemSalesTaxRef: qbxml.RefName("Out of State"), Lines: storeLines()}})
	if code, msg := status(inv); code != 0 {
		t.Fatalf("invoice: %d %s", code, msg)
	}
	if got := inv.Invoice; got.Subtotal.String() != "46.28" || got.SalesTaxTotal.String() != "0.00" || got.BalanceRemaining.String() != "46.28" {
		t.Errorf("invoice subtotal %s tax %s balance %s", got.Subtotal, got.SalesTaxTotal, got.BalanceRemaining)
	}
	if got := fixed(txnByRef(t, c, "Invoice", "1043")); got != "44.98 1.30 46.28 46.28" {
		t.Errorf("Transactions() before payment %s", got)
	}
	pay := one[*qbxml.ReceivePaymentAddRs](t, c, &qbxml.ReceivePaymentAddRq{ReceivePaymentAdd: qbxml.ReceivePaymentAdd{CustomerRef: qbxml.RefName("Cook, Brian"),
		TotalAmount: qbxml.AmountOf(dec("46.28")), AppliedToTxns: []qbxml.AppliedToTxnAdd{{TxnID: inv.Invoice.TxnID, PaymentAmount: qbxml.AmountOf(dec("46.28"))}}}})
	if code, msg := status(pay); code != 0 || pay.ReceivePayment.UnusedPayment.String() != "0.00" {
		t.Fatalf("payment of the total: %d %s", code, msg)
	}
	q := one[*qbxml.InvoiceQueryRs](t, c, &qbxml.InvoiceQueryRq{TxnSelect: qbxml.TxnSelect{TxnIDs: []string{inv.Invoice.TxnID}}})
	if got := q.Invoices[0]; got.BalanceRemaining.String() != "0.00" || !got.IsPaid {
		t.Errorf("after the payment: balance %s paid %v", got.BalanceRemaining, got.IsPaid)
	}
	if got := fixed(txnByRef(t, c, "Invoice", "1043")); got != "44.98 1.30 46.28 0.00" {
		t.Errorf("Transactions() after payment %s", got)
	}
	cust := one[*qbxml.CustomerQueryRs](t, c, &qbxml.CustomerQueryRq{ListSelect: qbxml.ListSelect{FullNames: []string{"Cook, Brian"}}})
	if got := cust.Customers[0].Balance.String(); got != "0.00" {
		t.Errorf("customer balance %s", got)
	}
}

func TestCreditMemoTaxLine(t *testing.T) {
	c := newTaxLineCompany(t)
	cm := one[*qbxml.CreditMemoAddRs](t, c, &qbxml.CreditMemoAddRq{CreditMemoAdd: qbxml.CreditMemoAdd{CustomerRef: qbxml.RefName("Cook, Brian"),
		RefNumber: "R1042", ItemSalesTaxRef: qbxml.RefName("Out of State"),
		Lines: []qbxml.SalesLineAdd{line("Widget", "1", "19.99"), taxLine("CA Sales Tax", "1.55")}}})
	if code, msg := status(cm); code != 0 {
		t.Fatalf("credit memo: %d %s", code, msg)
	}
	if got := cm.CreditMemo; got.TotalAmount.String() != "21.54" || got.CreditRemaining.String() != "21.54" || got.SalesTaxTotal.String() != "0.00" {
		t.Errorf("credit memo total %s remaining %s tax %s", got.TotalAmount, got.CreditRemaining, got.SalesTaxTotal)
	}
	if got := fixed(txnByRef(t, c, "CreditMemo", "R1042")); got != "19.99 1.55 21.54 21.54" {
		t.Errorf("Transactions() %s", got)
	}
	refund := one[*qbxml.ARRefundCreditCardAddRs](t, c, &qbxml.ARRefundCreditCardAddRq{ARRefundCreditCardAdd: qbxml.ARRefundCreditCardAdd{
		CustomerRef: qbxml.RefName("Cook, Brian"), RefundAppliedToTxns: []qbxml.RefundAppliedToTxnAdd{{TxnID: cm.CreditMemo.TxnID, RefundAmount: qbxml.AmountOf(dec("21.54"))}}}})
	if code, msg := status(refund); code != 0 {
		t.Fatalf("refund of the whole credit: %d %s", code, msg)
	}
	if got := fixed(txnByRef(t, c, "CreditMemo", "R1042")); got != "19.99 1.55 21.54 0.00" {
		t.Errorf("Transactions() after the refund %s", got)
	}
}

// TestTaxLineIsNeverTaxable: under a header tax item with a rate, the tax
// line is neither taxed nor in the base of the header tax, even with a
// taxable code on it, nor in the base of a percent discount after it; a
// void takes it out with the rest.
func TestTaxLineIsNeverTaxable(t *testing.T) {
	c := newTaxLineCompany(t)
	tl := taxLine("City Tax", "2.00")
	tl.SalesTaxCodeRef = qbxml.RefName("Tax")
	rs := one[*qbxml.SalesReceiptAddRs](t, c, &qbxml.SalesReceiptAddRq{SalesReceiptAdd: qbxml.SalesReceiptAdd{RefNumber: "7",
		Lines: []qbxml.SalesLineAdd{line("Widget", "1", "100.00"), tl,
			{ItemRef: qbxml.RefName("Coupon"), RatePercent: qbxml.PercentOf(dec("-10"))}}}})
	if code, msg := status(rs); code != 0 {
		t.Fatalf("status %d %s", code, msg)
	}
	// 100.00 + 2.00 - 10 % of 100.00 = 92.00 of lines; the default CA tax
	// (7.75 %) on the taxable Widget alone: 7.75.
	sr := rs.SalesReceipt
	if got := strings.Join([]string{sr.Subtotal.String(), sr.SalesTaxTotal.String(), sr.TotalAmount.String()}, " "); got != "92.00 7.75 99.75" {
		t.Errorf("Subtotal/SalesTaxTotal/TotalAmount %s, want 92.00 7.75 99.75", got)
	}
	if got := fixed(txnByRef(t, c, "SalesReceipt", "7")); got != "90.00 9.75 99.75 0.00" {
		t.Errorf("Transactions() %s, want 90.00 9.75 99.75 0.00", got)
	}
	v := one[*qbxml.TxnVoidRs](t, c, &qbxml.TxnVoidRq{TxnVoidType: qbxml.TxnTypeSalesReceipt, TxnID: sr.TxnID})
	if code, msg := status(v); code != 0 {
		t.Fatalf("void: %d %s", code, msg)
	}
	if got := txnByRef(t, c, "SalesReceipt", "7"); !got.Voided || fixed(got) != "0.00 0.00 0.00 0.00" {
		t.Errorf("voided: %+v", got)
	}
}

// TestTaxLineRefusals: a tax line must carry its Amount, and nothing else
// that QuickBooks would work out against a subtotal line.
func TestTaxLineRefusals(t *testing.T) {
	tests := []struct {
		name string
		line qbxml.SalesLineAdd
		want string
	}{
		{"no amount", qbxml.SalesLineAdd{ItemRef: qbxml.RefName("CA Sales Tax")}, "only with an Amount"},
		{"quantity", func() qbxml.SalesLineAdd {
			l := taxLine("CA Sales Tax", "1.23")
			l.Quantity = qbxml.QuantityInt(1)
			return l
		}(), "Quantity"},
		{"rate", func() qbxml.SalesLineAdd {
			l := taxLine("CA Sales Tax", "1.23")
			l.Rate = qbxml.PriceOf(dec("1.23"))
			return l
		}(), "Rate"},
		{"rate percent", qbxml.SalesLineAdd{ItemRef: qbxml.RefName("CA Sales Tax"), RatePercent: qbxml.PercentOf(dec("7.75"))}, "RatePercent"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newTaxLineCompany(t)
			rs := one[*qbxml.SalesReceiptAddRs](t, c, &qbxml.SalesReceiptAddRq{SalesReceiptAdd: qbxml.SalesReceiptAdd{
				Lines: []qbxml.SalesLineAdd{line("Widget", "1", ""), tc.line}}})
			code, msg := status(rs)
			if code != 3250 || !strings.Contains(msg, tc.want) || !strings.Contains(msg, "CA Sales Tax") || rs.SalesReceipt != nil {
				t.Errorf("status %d %q, want 3250 naming the item and %q", code, msg, tc.want)
			}
			if n := c.Summary().Txns["SalesReceipt"].Count; n != 0 {
				t.Errorf("%d receipts after a refusal", n)
			}
		})
	}
}
