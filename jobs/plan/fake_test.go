package plan

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/bigcommerce/bcfake"
	"github.com/bcqb/bcqb/qbxml"
)

// handlerTransport sends the client's requests straight to a handler, in
// process: the bigcommerce client's real decoding, without sockets.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// Pull shapes: what the pull fetches for an order (bigcommerce.DetailOptions).
var (
	// pulledLean is what a store with the default settings pulls: no tax
	// rows, transactions only for gift certificate codes.
	pulledLean = bigcommerce.DetailOptions{Refunds: true}
	// pulledFull adds every order's tax rows and transactions (settings
	// tax_detail or tax_items, and invoice payments).
	pulledFull = bigcommerce.DetailOptions{Refunds: true, Taxes: true, Transactions: true}
)

// fakeDetails pulls every order of a seeded offline store with its details
// and refunds, through the bigcommerce client, as opt asks.
func fakeDetails(t *testing.T, seed int64, orders int, opt bigcommerce.DetailOptions) []bigcommerce.OrderDetails {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	fake := bcfake.New(bcfake.Options{Seed: seed, Orders: orders, StoreHash: "abc123", Quota: 1 << 30, Logger: quiet})
	c, err := bigcommerce.New(bigcommerce.Config{StoreHash: "abc123", BaseURL: "http://fake/stores/abc123/",
		HTTPClient: &http.Client{Transport: handlerTransport{fake.Handler()}}, HeadroomPercent: -1, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var out []bigcommerce.OrderDetails
	incomplete := 0
	// Like BigCommerce, the store leaves Incomplete orders out of an
	// unfiltered list: they are asked for by status.
	for _, q := range []bigcommerce.OrderQuery{{}, {StatusID: &incomplete}} {
		err = c.ListOrders(ctx, q, func(o bigcommerce.Order) error {
			d, err := c.OrderDetails(ctx, o, opt)
			if err != nil {
				return err
			}
			out = append(out, d)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) != orders {
		t.Fatalf("pulled %d orders of %d", len(out), orders)
	}
	return out
}

// TestOfflineStore plans 1,000 orders of the offline store, every status,
// four currencies, tax-exclusive and tax-inclusive, pulled with and without
// tax rows and transactions: each posts (or skips with a reason), every
// request validates, the lines add up to BigCommerce's total_inc_tax
// exactly, and every refund's credit memo to its total_amount.
func TestOfflineStore(t *testing.T) {
	if testing.Short() {
		t.Skip("pulls 1,000 orders from the offline store")
	}
	for _, pulled := range []struct {
		name string
		opt  bigcommerce.DetailOptions
	}{{"tax-rows", pulledFull}, {"no-tax-rows", pulledLean}} {
		ds := fakeDetails(t, 7, 1000, pulled.opt)
		for _, mode := range []string{ModeAuto, ModeInvoice} {
			for _, multi := range []bool{true, false} {
				name := pulled.name + "/" + mode + "/multicurrency"
				if !multi {
					name = pulled.name + "/" + mode + "/home-currency"
				}
				t.Run(name, func(t *testing.T) { offlineStore(t, ds, mode, multi) })
			}
		}
	}
}

// testFees are processing fees for two of the offline store's payment
// methods ("Cash on Delivery" and "Bank Deposit" have none).
var testFees = map[string]ProcessingFee{
	"Credit Card": {Percent: decimal.RequireFromString("2.9"), Fixed: decimal.RequireFromString("0.30")},
	"PayPal":      {Percent: decimal.RequireFromString("3.49"), Fixed: decimal.RequireFromString("0.49")},
}

func offlineStore(t *testing.T, ds []bigcommerce.OrderDetails, mode string, multi bool) {
	s := DefaultSettings()
	s.Mode = mode
	s.Fees = testFees
	l := newLists()
	l.multi = multi
	counts := map[string]int{}
	var rounded, refunds, converted, feed int
	for _, d := range ds {
		o, err := BuildOrder(Store{ID: 1, Hash: "abc123"}, d, s, l, Posted{})
		if err != nil {
			t.Errorf("order %d (status %d): %v", d.Order.ID, d.Order.StatusID, err)
			continue
		}
		counts[o.Action]++
		if o.Action != ActionPost {
			if o.Reason == "" {
				t.Errorf("order %d: %s without a reason", d.Order.ID, o.Action)
			}
			continue
		}
		checkOrder(t, d, o, multi)
		if !o.Fees.IsZero() {
			feed++
			if _, ok := testFees[d.Order.PaymentMethod]; !ok {
				t.Errorf("order %d: fee %s for %q, which has none", d.Order.ID, o.Fees, d.Order.PaymentMethod)
			}
		}
		if !o.Rounding.IsZero() {
			rounded++
		}
		if o.Currency != d.Order.DefaultCurrencyCode {
			converted++
		}
		for _, r := range d.Refunds {
			rf, err := BuildRefund(Store{ID: 1, Hash: "abc123"}, d, r, s, l, Posted{})
			if err != nil {
				t.Errorf("order %d refund %d: %v", d.Order.ID, r.ID, err)
				continue
			}
			refunds++
			checkRefund(t, d, r, rf, multi)
		}
	}
	t.Logf("%v; %d with a rounding line, %d converted, %d with a processing fee, %d refunds", counts, rounded, converted, feed, refunds)
	if counts[ActionPost] < 700 || counts[ActionSkip] == 0 || counts[ActionWait] == 0 || refunds < 50 || (mode == ModeAuto) != (feed > 100) {
		t.Errorf("too little covered: %v, %d refunds", counts, refunds)
	}
}

func checkOrder(t *testing.T, d bigcommerce.OrderDetails, o Order, multi bool) {
	t.Helper()
	id := d.Order.ID
	var lines []qbxml.SalesLineAdd
	switch {
	case o.SalesReceipt != nil && o.Invoice == nil:
		lines = o.SalesReceipt.Lines
		mustValidate(t, &qbxml.SalesReceiptAddRq{SalesReceiptAdd: *o.SalesReceipt})
	case o.Invoice != nil && o.SalesReceipt == nil:
		lines = o.Invoice.Lines
		mustValidate(t, &qbxml.InvoiceAddRq{InvoiceAdd: *o.Invoice})
	default:
		t.Fatalf("order %d: post with receipt %v invoice %v", id, o.SalesReceipt != nil, o.Invoice != nil)
	}
	want := d.Order.TotalIncTax.Decimal
	if !multi {
		want = o.Total // converted at BigCommerce's rate, checked below
	}
	if multi && !o.Total.Equal(want) {
		t.Errorf("order %d: Total %s, BigCommerce %s", id, o.Total, want)
	}
	if got := Total(lines).Add(o.Credits).Add(o.Fees); !got.Equal(want) {
		t.Errorf("order %d: QuickBooks total %s + credits %s + fees %s, BigCommerce total_inc_tax %s", id, Total(lines), o.Credits, o.Fees, want)
	}
	if fl := linesOf(lines, DefaultFeeExpenseItem); !Total(fl).Neg().Equal(o.Fees) || (o.Invoice != nil && !o.Fees.IsZero()) {
		t.Errorf("order %d: fee lines %+v, Fees %s", id, fl, o.Fees)
	}
	if !multi {
		exact := d.Order.TotalIncTax.Decimal
		if r := d.Order.StoreDefaultToTxnFX.Decimal; r.IsPositive() && d.Order.StoreDefaultCode != d.Order.DefaultCurrencyCode {
			exact = exact.DivRound(r, 10)
		}
		if !o.Total.Equal(qbxml.RoundAmount(exact).Decimal()) {
			t.Errorf("order %d: converted total %s, want %s", id, o.Total, exact)
		}
	}
	if multi {
		checkCurrency(t, d, o.Customer, exchangeRateOf(o))
	}
	for _, it := range o.Items {
		if it.NonInventory != nil {
			mustValidate(t, &qbxml.ItemNonInventoryAddRq{ItemNonInventoryAdd: *it.NonInventory})
		}
		if it.Inventory != nil {
			mustValidate(t, &qbxml.ItemInventoryAddRq{ItemInventoryAdd: *it.Inventory})
		}
	}
	if o.Customer.Add != nil {
		mustValidate(t, &qbxml.CustomerAddRq{CustomerAdd: *o.Customer.Add})
	}
	if o.Payment != nil {
		p := *o.Payment
		p.AppliedToTxns = []qbxml.AppliedToTxnAdd{{TxnID: "1-1", PaymentAmount: p.TotalAmount}}
		mustValidate(t, &qbxml.ReceivePaymentAddRq{ReceivePaymentAdd: p})
		if due := Total(lines); p.TotalAmount.Decimal().GreaterThan(due) {
			t.Errorf("order %d: payment %s over the invoice %s", id, p.TotalAmount, due)
		}
	}
}

func checkRefund(t *testing.T, d bigcommerce.OrderDetails, r bigcommerce.Refund, rf Refund, multi bool) {
	t.Helper()
	if rf.CreditMemo == nil {
		t.Fatalf("order %d refund %d: no credit memo (%s %s)", d.Order.ID, r.ID, rf.Action, rf.Reason)
	}
	mustValidate(t, &qbxml.CreditMemoAddRq{CreditMemoAdd: *rf.CreditMemo})
	if multi {
		checkCurrency(t, d, rf.Customer, rf.CreditMemo.ExchangeRate)
		if rf.CardRefund != nil && rf.CardRefund.ExchangeRate.String() != rf.CreditMemo.ExchangeRate.String() {
			t.Errorf("order %d refund %d: card refund rate %s, credit memo %s", d.Order.ID, r.ID, rf.CardRefund.ExchangeRate, rf.CreditMemo.ExchangeRate)
		}
	}
	want := r.TotalAmount.Decimal
	if !multi {
		want = rf.Total
	}
	if got := Total(rf.CreditMemo.Lines); !got.Equal(want) || !rf.Total.Equal(want) {
		t.Errorf("order %d refund %d: credit memo %s (Total %s), BigCommerce total_amount %s", d.Order.ID, r.ID, got, rf.Total, want)
	}
	if rf.CardRefund != nil {
		c := *rf.CardRefund
		c.RefundAppliedToTxns = []qbxml.RefundAppliedToTxnAdd{{TxnID: "1-1", RefundAmount: c.RefundAppliedToTxns[0].RefundAmount}}
		mustValidate(t, &qbxml.ARRefundCreditCardAddRq{ARRefundCreditCardAdd: c})
		if c.RefundAppliedToTxns[0].RefundAmount.Decimal().GreaterThan(want) {
			t.Errorf("order %d refund %d: card refund %s over the credit %s", d.Order.ID, r.ID, c.RefundAppliedToTxns[0].RefundAmount, want)
		}
	}
}

// exchangeRateOf is the ExchangeRate of an order's sale.
func exchangeRateOf(o Order) qbxml.Float {
	switch {
	case o.SalesReceipt != nil:
		return o.SalesReceipt.ExchangeRate
	case o.Invoice != nil:
		if o.Payment != nil && o.Payment.ExchangeRate.String() != o.Invoice.ExchangeRate.String() {
			return qbxml.Float{} // flagged below as wrong
		}
		return o.Invoice.ExchangeRate
	}
	return qbxml.Float{}
}

// checkCurrency: in a multicurrency company whose home currency is the
// store's default, an order in another currency posts to the shopper's
// customer of that currency at 1 / BigCommerce's rate; one in the home
// currency to the home customer, without a rate.
func checkCurrency(t *testing.T, d bigcommerce.OrderDetails, c Customer, rate qbxml.Float) {
	t.Helper()
	o := d.Order
	if o.DefaultCurrencyCode == o.StoreDefaultCode || o.StoreDefaultCode == "" {
		if rate.IsSet() || strings.Contains(c.Key, "|") || (c.Add != nil && c.Add.CurrencyRef != nil) {
			t.Errorf("order %d in the home currency: rate %s, customer %s %+v", o.ID, rate, c.Key, c.Add)
		}
		return
	}
	cur := o.DefaultCurrencyCode
	if !strings.HasSuffix(c.Key, "|"+cur) || !strings.HasSuffix(c.Name, " ("+cur+")") || len([]rune(c.Name)) > qbxml.MaxCustomerName {
		t.Errorf("order %d in %s: customer %q %q", o.ID, cur, c.Key, c.Name)
	}
	if c.Add != nil && (c.Add.CurrencyRef == nil || c.Add.CurrencyRef.FullName != currencyNames[cur]) {
		t.Errorf("order %d in %s: customer added with currency %+v", o.ID, cur, c.Add.CurrencyRef)
	}
	want := decimal.NewFromInt(1).DivRound(o.StoreDefaultToTxnFX.Decimal, 10)
	if !rate.IsSet() || !rate.Decimal().Equal(want) {
		t.Errorf("order %d in %s: ExchangeRate %s, want %s (1 / %s)", o.ID, cur, rate, want, o.StoreDefaultToTxnFX.Decimal)
	}
}

func mustValidate(t *testing.T, rq qbxml.Request) {
	t.Helper()
	if err := qbxml.ValidateRequest(rq, qbxml.V13); err != nil {
		t.Errorf("%s: %v", rq.RqName(), err)
	}
}

// lists is a QuickBooks company as the planner sees it, for the tests.
type lists struct {
	items     map[string]string
	customers map[string]string
	taken     map[string]bool
	multi     bool
	home      string
}

func newLists() *lists {
	return &lists{items: map[string]string{}, customers: map[string]string{}, taken: map[string]bool{}, multi: true}
}

func (l *lists) Item(sku string) (string, bool)     { n, ok := l.items[sku]; return n, ok }
func (l *lists) Customer(key string) (string, bool) { n, ok := l.customers[key]; return n, ok }
func (l *lists) NameTaken(name string) bool         { return l.taken[name] }
func (l *lists) MultiCurrency() bool                { return l.multi }
func (l *lists) HomeCurrency() string               { return l.home }

var _ = errors.Is
var _ = decimal.Zero

// TestPulledLeanPostsTheSameMoney: the 1,000 offline-store orders pulled
// as a store with the default settings pulls them (no tax rows;
// transactions only when a gift certificate paid) post the same money as
// pulled with every tax row and transaction: the same action, total,
// credits, rounding, lines and tax codes, one tax line of total_tax in place
// of the per-rate lines (on tax-exclusive and tax-inclusive orders alike),
// the same gift certificate codes, and an invoice's payment of the same
// amount.
func TestPulledLeanPostsTheSameMoney(t *testing.T) {
	if testing.Short() {
		t.Skip("pulls 1,000 orders from the offline store twice")
	}
	full := fakeDetails(t, 7, 1000, pulledFull)
	lean := fakeDetails(t, 7, 1000, pulledLean)
	byID := map[int64]bigcommerce.OrderDetails{}
	for _, d := range full {
		byID[d.Order.ID] = d
	}
	isTax := func(l qbxml.SalesLineAdd) bool { return l.ItemRef != nil && l.ItemRef.FullName == DefaultTaxItem }
	split := func(ls []qbxml.SalesLineAdd) (rest []qbxml.SalesLineAdd, tax []qbxml.SalesLineAdd) {
		for _, l := range ls {
			if isTax(l) {
				tax = append(tax, l)
			} else {
				rest = append(rest, l)
			}
		}
		return rest, tax
	}
	for _, mode := range []string{ModeAuto, ModeInvoice} {
		t.Run(mode, func(t *testing.T) {
			s := DefaultSettings()
			s.Mode = mode
			var taxed, inclusive, multiRate, gift, payments, withTxns int
			for _, ld := range lean {
				fd, ok := byID[ld.Order.ID]
				if !ok {
					t.Fatalf("order %d pulled lean only", ld.Order.ID)
				}
				if len(ld.Taxes) != 0 {
					t.Fatalf("order %d: %d tax rows pulled lean", ld.Order.ID, len(ld.Taxes))
				}
				if len(ld.Transactions) > 0 {
					withTxns++
					if !ld.Order.GiftCertificateAmt.IsPositive() {
						t.Errorf("order %d: transactions pulled lean without a gift certificate", ld.Order.ID)
					}
				}
				fo, ferr := BuildOrder(Store{ID: 1, Hash: "abc123"}, fd, s, newLists(), Posted{})
				lo, lerr := BuildOrder(Store{ID: 1, Hash: "abc123"}, ld, s, newLists(), Posted{})
				id := ld.Order.ID
				if (ferr == nil) != (lerr == nil) {
					t.Errorf("order %d: with rows %v, without %v", id, ferr, lerr)
					continue
				}
				if fo.Action != lo.Action || !fo.Total.Equal(lo.Total) || !fo.Credits.Equal(lo.Credits) || !fo.Rounding.Equal(lo.Rounding) {
					t.Errorf("order %d: with rows %s %s credits %s rounding %s; without %s %s credits %s rounding %s", id,
						fo.Action, fo.Total, fo.Credits, fo.Rounding, lo.Action, lo.Total, lo.Credits, lo.Rounding)
					continue
				}
				if fo.Action != ActionPost {
					continue
				}
				fl, ll := lines(fo), lines(lo)
				if !Total(fl).Equal(Total(ll)) {
					t.Errorf("order %d: lines add up to %s with rows, %s without", id, Total(fl), Total(ll))
				}
				frest, ftax := split(fl)
				lrest, ltax := split(ll)
				if !reflect.DeepEqual(frest, lrest) {
					t.Errorf("order %d: lines other than tax differ:\n with rows %+v\n without   %+v", id, frest, lrest)
				}
				want := cents(ld.Order.TotalTax.Decimal)
				if !want.IsZero() {
					taxed++
					if ld.Order.IsTaxInclusive {
						inclusive++
					}
					if len(ftax) > 1 {
						multiRate++
					}
					if len(ltax) != 1 || !ltax[0].Amount.Decimal().Equal(want) || ltax[0].Desc != "Sales tax (BigCommerce)" {
						t.Errorf("order %d: tax lines without rows %+v, want one of %s", id, ltax, want)
					}
				} else if len(ltax) != 0 {
					t.Errorf("order %d: tax lines %+v for no tax", id, ltax)
				}
				if !Total(ftax).Equal(Total(ltax)) {
					t.Errorf("order %d: tax %s with rows, %s without", id, Total(ftax), Total(ltax))
				}
				for _, n := range lo.Notes {
					if strings.Contains(n, "tax rows") {
						t.Errorf("order %d: note %q under the default settings", id, n)
					}
				}
				if ld.Order.GiftCertificateAmt.IsPositive() {
					gift++
				}
				if (fo.Payment == nil) != (lo.Payment == nil) {
					t.Errorf("order %d: payment with rows %v, without %v", id, fo.Payment != nil, lo.Payment != nil)
				} else if fo.Payment != nil {
					payments++
					if fo.Payment.TotalAmount.String() != lo.Payment.TotalAmount.String() || fo.Payment.PaymentMethodRef.FullName != lo.Payment.PaymentMethodRef.FullName {
						t.Errorf("order %d: payment %s with transactions, %s without", id, fo.Payment.TotalAmount, lo.Payment.TotalAmount)
					}
				}
			}
			t.Logf("%d taxed orders (%d tax-inclusive, %d multi-rate), %d gift certificates, %d payments; %d of %d orders pulled with transactions",
				taxed, inclusive, multiRate, gift, payments, withTxns, len(lean))
			if taxed < 100 || inclusive < 20 || multiRate < 10 || gift == 0 || (mode == ModeInvoice && payments < 100) {
				t.Errorf("too little covered")
			}
		})
	}
}
