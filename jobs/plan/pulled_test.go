package plan

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/qbxml"
)

// The pull fetches an order's tax rows only when the settings post them
// (TaxDetail, TaxItems) and its transactions only when the posting reads
// them (bigcommerce.OrderDetails): these tests post orders without them.

// withoutTax splits a sale's lines into its tax lines and the rest.
func withoutTax(ls []qbxml.SalesLineAdd) (rest, tax []qbxml.SalesLineAdd) {
	for _, l := range ls {
		if l.ItemRef != nil && l.ItemRef.FullName == DefaultTaxItem {
			tax = append(tax, l)
		} else {
			rest = append(rest, l)
		}
	}
	return rest, tax
}

func TestTaxWithoutRows(t *testing.T) {
	for _, inclusive := range []bool{false, true} {
		name := "tax-exclusive"
		if inclusive {
			name = "tax-inclusive"
		}
		t.Run(name, func(t *testing.T) {
			mk := func() bigcommerce.OrderDetails {
				d := order(31, StatusCompleted, inclusive,
					item{sku: "A", name: "A", price: "19.99", qty: 3, pct: "8.25"},
					item{sku: "B", name: "B", price: "7.00", qty: 1, pct: "6.25"},
					item{sku: "C", name: "C", price: "12.00", qty: 1})
				// Taxed shipping, 8.25 % rounded to cents, on the order only (no row for it).
				d.Order.ShippingCostExTax, d.Order.ShippingCostIncTax, d.Order.ShippingCostTax = amt("5.0000"), amt("5.4100"), amt("0.4100")
				addTotal(&d, dec("5.41"), dec("0.41"))
				return d
			}
			rows := mustPost(t, mk(), DefaultSettings(), newLists())
			d := mk()
			d.Taxes = nil
			o := mustPost(t, d, DefaultSettings(), newLists())
			want := cents(d.Order.TotalTax.Decimal)
			rest, tax := withoutTax(lines(o))
			if len(tax) != 1 || !tax[0].Amount.Decimal().Equal(want) || tax[0].Desc != "Sales tax (BigCommerce)" {
				t.Fatalf("tax lines %+v, want one of total_tax %s", tax, want)
			}
			rowsRest, rowsTax := withoutTax(lines(rows))
			if len(rowsTax) != 2 || !Total(rowsTax).Equal(want) {
				t.Errorf("with rows: tax lines %+v, want two adding up to %s", rowsTax, want)
			}
			if !reflect.DeepEqual(rest, rowsRest) || !o.Rounding.Equal(rows.Rounding) || !Total(lines(o)).Equal(Total(lines(rows))) {
				t.Errorf("lines other than tax differ:\n with rows %+v\n without   %+v", rowsRest, rest)
			}
			if !Total(lines(o)).Equal(cents(d.Order.TotalIncTax.Decimal)) {
				t.Errorf("sale %s, BigCommerce total_inc_tax %s", Total(lines(o)), d.Order.TotalIncTax)
			}
			for _, n := range o.Notes {
				if strings.Contains(n, "tax") {
					t.Errorf("note %q: no tax rows is the default, nothing to say", n)
				}
			}
			// Asked for the detail but pulled without it: one line, and a note.
			s := DefaultSettings()
			s.TaxDetail = true
			o = mustPost(t, d, s, newLists())
			if _, tax := withoutTax(lines(o)); len(tax) != 1 || !strings.Contains(strings.Join(o.Notes, " "), "no tax rows") {
				t.Errorf("with TaxDetail and no rows: tax lines %+v, notes %q", tax, o.Notes)
			}
		})
	}
}

// paidWithCredits is an order paid by a gift certificate, store credit and
// a card captured two days after it was placed, with its transactions.
func paidWithCredits() bigcommerce.OrderDetails {
	d := order(41, StatusCompleted, false, item{sku: "A", name: "A", price: "100.00", qty: 1, pct: "8.25"}) // 108.25
	d.Order.GiftCertificateAmt, d.Order.StoreCreditAmount = amt("25.0000"), amt("10.0000")
	gc := bigcommerce.Transaction{ID: 1, OrderID: 41, Event: "purchase", Method: "gift_certificate", Amount: amt("25"), Status: "ok",
		DateCreated: d.Order.DateCreated}
	gc.GiftCertificate = &struct {
		Code             string             `json:"code"`
		RemainingBalance bigcommerce.Amount `json:"remaining_balance"`
	}{Code: "GC-7Q2X"}
	d.Transactions = []bigcommerce.Transaction{gc,
		{ID: 2, OrderID: 41, Event: "purchase", Method: "store_credit", Amount: amt("10"), Status: "ok", DateCreated: d.Order.DateCreated},
		{ID: 3, OrderID: 41, Event: "authorization", Method: "credit_card", Amount: amt("73.25"), Status: "ok", DateCreated: d.Order.DateCreated},
		{ID: 4, OrderID: 41, Event: "capture", Method: "credit_card", Amount: amt("73.25"), Status: "ok",
			DateCreated: d.Order.DateCreated.Add(48 * time.Hour)},
	}
	return d
}

// TestPaymentWithoutTransactions: an order pulled without transactions
// posts the same money as with them: the credits from the order's
// gift_certificate_amount and store_credit_amount, the payment method from
// its payment_method, an invoice's payment of total less credits. Only the
// gift certificate's code (the pull fetches transactions when a gift
// certificate paid) and the payment's date (the order's) are missing.
func TestPaymentWithoutTransactions(t *testing.T) {
	for _, mode := range []string{ModeAuto, ModeInvoice} {
		t.Run(mode, func(t *testing.T) {
			s := DefaultSettings()
			s.Mode = mode
			s.PaymentMethods = map[string]string{"Credit Card": "Visa"}
			with := mustPost(t, paidWithCredits(), s, newLists())
			d := paidWithCredits()
			d.Transactions = nil
			without := mustPost(t, d, s, newLists())
			if !with.Credits.Equal(dec("35.00")) || !without.Credits.Equal(with.Credits) || !without.Total.Equal(with.Total) {
				t.Errorf("credits %s / %s, totals %s / %s", with.Credits, without.Credits, with.Total, without.Total)
			}
			wl, ol := lines(with), lines(without)
			if len(wl) != len(ol) || !Total(wl).Equal(Total(ol)) {
				t.Fatalf("lines %+v\nwithout transactions %+v", wl, ol)
			}
			for i := range wl {
				if wl[i].Amount.String() != ol[i].Amount.String() || !reflect.DeepEqual(wl[i].ItemRef, ol[i].ItemRef) {
					t.Errorf("line %d: %+v, without transactions %+v", i, wl[i], ol[i])
				}
			}
			gift := func(ls []qbxml.SalesLineAdd) string { return linesOf(ls, DefaultGiftCertItem)[0].Desc }
			if gift(wl) != "Paid with gift certificate GC-7Q2X" || gift(ol) != "Paid with gift certificate" {
				t.Errorf("gift certificate lines %q / %q", gift(wl), gift(ol))
			}
			if mode == ModeAuto {
				if with.SalesReceipt.PaymentMethodRef.FullName != "Visa" || without.SalesReceipt.PaymentMethodRef.FullName != "Visa" {
					t.Errorf("payment methods %v / %v", with.SalesReceipt.PaymentMethodRef, without.SalesReceipt.PaymentMethodRef)
				}
				return
			}
			if with.Payment == nil || without.Payment == nil {
				t.Fatalf("payments %v / %v", with.Payment, without.Payment)
			}
			if with.Payment.TotalAmount.String() != "73.25" || without.Payment.TotalAmount.String() != "73.25" ||
				without.Payment.PaymentMethodRef.FullName != "Visa" {
				t.Errorf("payment %+v, without transactions %+v", with.Payment, without.Payment)
			}
			if with.Payment.TxnDate == without.Payment.TxnDate || without.Payment.TxnDate != dateIn(d.Order.DateCreated, s) {
				t.Errorf("payment dates %v (capture) / %v (order)", with.Payment.TxnDate, without.Payment.TxnDate)
			}
		})
	}
	t.Run("invoice paid since it was posted", func(t *testing.T) {
		d := paidWithCredits()
		d.Transactions = nil
		posted := Posted{TxnType: qbxml.TxnTypeInvoice, TxnID: "INV-9", Total: dec("108.25")}
		o, err := BuildOrder(store, d, DefaultSettings(), newLists(), posted)
		if err != nil {
			t.Fatal(err)
		}
		if o.Action != ActionPay || o.Payment.TotalAmount.String() != "73.25" || o.Payment.AppliedToTxns[0].TxnID != "INV-9" {
			t.Fatalf("%s (%s): payment %+v", o.Action, o.Reason, o.Payment)
		}
	})
}
