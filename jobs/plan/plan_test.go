package plan

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/qbxml"
)

var (
	dec   = decimal.RequireFromString
	amt   = bigcommerce.NewAmount
	store = Store{ID: 1, Hash: "abc123"}
)

// item is a hand-made order line: unit price ex tax (or inc tax on an
// inclusive order), quantity, tax percent and discounts.
type item struct {
	sku, name string
	price     string
	qty       int
	pct       string
	discounts []bigcommerce.AppliedDiscount
	parent    int64
	kind      string
}

// order builds OrderDetails the way BigCommerce computes them: line
// total_ex_tax before discounts, tax per line on the discounted amount,
// rounded to cents per line, one tax row per line; the order's totals are
// the sums.
func order(id int64, status int, inclusive bool, items ...item) bigcommerce.OrderDetails {
	o := bigcommerce.Order{ID: id, StatusID: status, IsTaxInclusive: inclusive, ChannelID: 1,
		DateCreated: time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC), PaymentMethod: "Credit Card",
		DefaultCurrencyCode: "USD", CurrencyCode: "USD", StoreDefaultCode: "USD", StoreDefaultToTxnFX: amt("1"),
		BillingAddress: bigcommerce.Address{FirstName: "Jane", LastName: "Doe", Street1: "1 Main St", City: "Austin", State: "Texas",
			Zip: "78701", Country: "United States", Email: "Jane.Doe@Example.com", Phone: "555-0100"}}
	d := bigcommerce.OrderDetails{Order: o}
	subEx, subInc, subTax, discInc, disc := decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero
	for i, it := range items {
		q := decimal.NewFromInt(int64(it.qty))
		pct := decimal.Zero
		if it.pct != "" {
			pct = dec(it.pct)
		}
		gross := dec(it.price).Mul(q).Round(2)
		ld := decimal.Zero
		for _, a := range it.discounts {
			ld = ld.Add(a.Amount.Decimal)
		}
		net := gross.Sub(ld)
		p := bigcommerce.OrderProduct{ID: int64(i + 1), OrderID: id, ProductID: int64(100 + i), SKU: it.sku, Name: it.name, Quantity: it.qty,
			Type: "physical", AppliedDiscounts: it.discounts}
		if it.kind != "" {
			p.Type = it.kind
		}
		if it.parent != 0 {
			par := it.parent
			p.ParentOrderProductID, p.IsBundledProduct = &par, true
		}
		var tax decimal.Decimal
		if inclusive {
			// BigCommerce's ex figures on an inclusive store are the
			// inclusive price less its own tax; the tax is on the
			// discounted amount.
			tax = net.Sub(net.Mul(decimal.NewFromInt(100)).DivRound(decimal.NewFromInt(100).Add(pct), 10)).Round(2)
			ex := gross.Mul(decimal.NewFromInt(100)).DivRound(decimal.NewFromInt(100).Add(pct), 4)
			p.PriceExTax, p.PriceIncTax = bigcommerce.Amount{Decimal: ex.DivRound(q, 4)}, amt(it.price)
			p.TotalExTax, p.TotalIncTax = bigcommerce.Amount{Decimal: ex}, bigcommerce.Amount{Decimal: gross}
			p.DiscountedTotalInc = bigcommerce.Amount{Decimal: net}
			subEx, subInc = subEx.Add(ex), subInc.Add(gross)
			discInc = discInc.Add(net)
		} else {
			tax = net.Mul(pct).Div(decimal.NewFromInt(100)).Round(2)
			p.PriceExTax, p.TotalExTax = amt(it.price), bigcommerce.Amount{Decimal: gross}
			p.TotalIncTax = bigcommerce.Amount{Decimal: gross.Add(tax)}
			p.DiscountedTotalInc = bigcommerce.Amount{Decimal: net.Add(tax)}
			subEx, subInc = subEx.Add(gross), subInc.Add(gross.Add(tax))
			discInc = discInc.Add(net.Add(tax))
		}
		p.TotalTax = bigcommerce.Amount{Decimal: tax}
		disc = disc.Add(ld)
		d.Products = append(d.Products, p)
		if !tax.IsZero() {
			d.Taxes = append(d.Taxes, bigcommerce.Tax{ID: int64(i + 1), OrderID: id, Name: "Tax " + it.pct, Rate: amt(it.pct),
				LineAmount: bigcommerce.Amount{Decimal: tax}, OrderProductID: p.ID, LineItemType: "item"})
		}
		subTax = subTax.Add(tax)
	}
	d.Order.SubtotalExTax, d.Order.SubtotalIncTax, d.Order.SubtotalTax = bigcommerce.Amount{Decimal: subEx}, bigcommerce.Amount{Decimal: subInc}, bigcommerce.Amount{Decimal: subTax}
	d.Order.DiscountAmount = bigcommerce.Amount{Decimal: disc}
	d.Order.TotalTax = bigcommerce.Amount{Decimal: subTax}
	d.Order.TotalIncTax = bigcommerce.Amount{Decimal: discInc}
	d.Order.TotalExTax = bigcommerce.Amount{Decimal: discInc.Sub(subTax)}
	return d
}

// addTotal adds a charge (shipping, a fee...) to the order's totals.
func addTotal(d *bigcommerce.OrderDetails, inc, tax decimal.Decimal) {
	d.Order.TotalIncTax = bigcommerce.Amount{Decimal: d.Order.TotalIncTax.Add(inc)}
	d.Order.TotalTax = bigcommerce.Amount{Decimal: d.Order.TotalTax.Add(tax)}
	d.Order.TotalExTax = bigcommerce.Amount{Decimal: d.Order.TotalIncTax.Sub(d.Order.TotalTax.Decimal)}
}

func lines(o Order) []qbxml.SalesLineAdd {
	switch {
	case o.SalesReceipt != nil:
		return o.SalesReceipt.Lines
	case o.Invoice != nil:
		return o.Invoice.Lines
	case o.CreditMemo != nil:
		return o.CreditMemo.Lines
	}
	return nil
}

func linesOf(ls []qbxml.SalesLineAdd, itemName string) []qbxml.SalesLineAdd {
	var out []qbxml.SalesLineAdd
	for _, l := range ls {
		if l.ItemRef != nil && l.ItemRef.FullName == itemName {
			out = append(out, l)
		}
	}
	return out
}

// mustPost plans d, fails on error, checks that the sale adds up to
// BigCommerce's total and that every request validates.
func mustPost(t *testing.T, d bigcommerce.OrderDetails, s Settings, l Lists) Order {
	t.Helper()
	o, err := BuildOrder(store, d, s, l, Posted{})
	if err != nil {
		t.Fatalf("BuildOrder: %v", err)
	}
	if o.Action != ActionPost {
		t.Fatalf("action %s (%s), want post", o.Action, o.Reason)
	}
	checkOrder(t, d, o, l.MultiCurrency())
	return o
}

func TestStatuses(t *testing.T) {
	base := func(status int) bigcommerce.OrderDetails {
		return order(100234, status, false, item{sku: "MUG", name: "Mug", price: "10.00", qty: 2, pct: "8.25"})
	}
	type want struct {
		action           string
		receipt, invoice bool
		payment          bool
	}
	for _, tc := range []struct {
		status int
		mode   string
		want   want
	}{
		{0, ModeAuto, want{action: ActionSkip}},
		{1, ModeAuto, want{action: ActionSkip}},
		{6, ModeAuto, want{action: ActionSkip}},
		{5, ModeAuto, want{action: ActionSkip}},
		{12, ModeAuto, want{action: ActionWait}},
		{7, ModeAuto, want{action: ActionPost, invoice: true}},
		{7, ModeInvoice, want{action: ActionPost, invoice: true}},
		{2, ModeAuto, want{action: ActionPost, receipt: true}},
		{3, ModeAuto, want{action: ActionPost, receipt: true}},
		{4, ModeAuto, want{action: ActionPost, receipt: true}},
		{8, ModeAuto, want{action: ActionPost, receipt: true}},
		{9, ModeAuto, want{action: ActionPost, receipt: true}},
		{10, ModeAuto, want{action: ActionPost, receipt: true}},
		{11, ModeAuto, want{action: ActionPost, receipt: true}},
		{13, ModeAuto, want{action: ActionPost, receipt: true}},
		{14, ModeAuto, want{action: ActionPost, receipt: true}},
		{10, ModeInvoice, want{action: ActionPost, invoice: true, payment: true}},
		{14, ModeInvoice, want{action: ActionPost, invoice: true, payment: true}},
		{99, ModeAuto, want{action: ActionFlag}},
	} {
		t.Run(statusName(tc.status)+"/"+tc.mode, func(t *testing.T) {
			s := DefaultSettings()
			s.Mode = tc.mode
			d := base(tc.status)
			o, err := BuildOrder(store, d, s, newLists(), Posted{})
			if err != nil {
				t.Fatal(err)
			}
			got := want{action: o.Action, receipt: o.SalesReceipt != nil, invoice: o.Invoice != nil, payment: o.Payment != nil}
			if got != tc.want {
				t.Fatalf("got %+v, want %+v (%s)", got, tc.want, o.Reason)
			}
			if o.Action != ActionPost && !strings.Contains(o.Reason, "100234") {
				t.Errorf("reason %q does not name the order", o.Reason)
			}
			if o.Action == ActionPost {
				checkOrder(t, d, o, true)
			}
			if o.Payment != nil {
				if !o.Payment.TotalAmount.Decimal().Equal(d.Order.TotalIncTax.Decimal) || o.Payment.AppliedToTxns[0].TxnID != "" {
					t.Errorf("payment %s applied %+v, want the order total %s for the invoice the jobs package names", o.Payment.TotalAmount, o.Payment.AppliedToTxns, d.Order.TotalIncTax)
				}
			}
			if o.RefNumber != "100234" || o.Memo != "BigCommerce store abc123 order 100234" {
				t.Errorf("RefNumber %q Memo %q", o.RefNumber, o.Memo)
			}
		})
	}
}

func TestPostedAlready(t *testing.T) {
	d := order(500, StatusCompleted, false, item{sku: "MUG", name: "Mug", price: "10.00", qty: 2, pct: "8.25"})
	total := d.Order.TotalIncTax.Decimal
	s := DefaultSettings()
	inv := Posted{TxnType: qbxml.TxnTypeInvoice, TxnID: "ABC-1", Total: total}
	for _, tc := range []struct {
		name   string
		status int
		posted Posted
		cancel string
		action string
		check  func(t *testing.T, o Order)
	}{
		{"invoice now paid: payment only", StatusAwaitingFulfilment, inv, "", ActionPay, func(t *testing.T, o Order) {
			if o.Invoice != nil || o.SalesReceipt != nil || o.Payment == nil || o.Customer.Add != nil || len(o.Items) != 0 {
				t.Fatalf("want only a payment: %+v", o)
			}
			if a := o.Payment.AppliedToTxns; len(a) != 1 || a[0].TxnID != "ABC-1" || !a[0].PaymentAmount.Decimal().Equal(total) {
				t.Errorf("applied %+v", a)
			}
			mustValidate(t, &qbxml.ReceivePaymentAddRq{ReceivePaymentAdd: *o.Payment})
		}},
		{"invoice paid in QuickBooks already", StatusCompleted, Posted{TxnType: qbxml.TxnTypeInvoice, TxnID: "ABC-1", Total: total, PaymentTxnID: "P-1"}, "", ActionSkip, nil},
		{"invoice still awaiting payment", StatusAwaitingPayment, inv, "", ActionSkip, nil},
		{"receipt shipped since", StatusShipped, Posted{TxnType: qbxml.TxnTypeSalesReceipt, TxnID: "R-1", Total: total}, "", ActionSkip, nil},
		{"edited after posting", StatusCompleted, Posted{TxnType: qbxml.TxnTypeSalesReceipt, TxnID: "R-1", Total: total.Sub(dec("5"))}, "", ActionFlag, func(t *testing.T, o Order) {
			if !strings.Contains(o.Reason, total.Sub(dec("5")).StringFixed(2)) || !strings.Contains(o.Reason, total.StringFixed(2)) || o.SalesReceipt != nil {
				t.Errorf("reason %q should name both totals, and no second sale", o.Reason)
			}
		}},
		{"cancelled after posting: void", StatusCancelled, inv, CancelVoid, ActionVoid, nil},
		{"declined after posting: void", StatusDeclined, inv, CancelVoid, ActionVoid, nil},
		{"cancelled after posting: credit memo", StatusCancelled, inv, CancelCredit, ActionCredit, func(t *testing.T, o Order) {
			if o.CreditMemo == nil || o.Invoice != nil || !Total(o.CreditMemo.Lines).Equal(total) {
				t.Fatalf("credit memo %+v", o.CreditMemo)
			}
			mustValidate(t, &qbxml.CreditMemoAddRq{CreditMemoAdd: *o.CreditMemo})
		}},
		{"posted, back to pending", StatusPending, inv, "", ActionFlag, nil},
		{"posted, on hold", StatusManualVerification, inv, "", ActionWait, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := d
			d.Order.StatusID = tc.status
			s := s
			if tc.cancel != "" {
				s.Cancel = tc.cancel
			}
			o, err := BuildOrder(store, d, s, newLists(), tc.posted)
			if err != nil {
				t.Fatal(err)
			}
			if o.Action != tc.action || o.Reason == "" {
				t.Fatalf("action %s (%q), want %s", o.Action, o.Reason, tc.action)
			}
			if tc.check != nil {
				tc.check(t, o)
			}
		})
	}
}

// TestCancelCreditRestock: the credit memo undoing an order cancelled after
// posting restocks only when the store says so (Settings.Restock), as a
// refund does; either way it credits BigCommerce's amounts.
func TestCancelCreditRestock(t *testing.T) {
	d := order(501, StatusCancelled, false, item{sku: "MUG", name: "Mug", price: "10.00", qty: 3, pct: "8.25"})
	posted := Posted{TxnType: qbxml.TxnTypeSalesReceipt, TxnID: "R-1", Total: d.Order.TotalIncTax.Decimal}
	for _, restock := range []bool{false, true} {
		t.Run(fmt.Sprintf("restock=%v", restock), func(t *testing.T) {
			s := DefaultSettings()
			s.Cancel, s.Restock = CancelCredit, restock
			o, err := BuildOrder(store, d, s, newLists(), posted)
			if err != nil || o.CreditMemo == nil {
				t.Fatalf("%+v, %v", o, err)
			}
			if !Total(o.CreditMemo.Lines).Equal(posted.Total) {
				t.Errorf("credit memo total %s, want %s", Total(o.CreditMemo.Lines), posted.Total)
			}
			var mug *qbxml.SalesLineAdd
			for i, ln := range o.CreditMemo.Lines {
				if strings.Contains(ln.Desc, "MUG") {
					mug = &o.CreditMemo.Lines[i]
				}
			}
			if mug == nil {
				t.Fatalf("no product line in %+v", o.CreditMemo.Lines)
			}
			if mug.Quantity.IsSet() != restock || strings.Contains(mug.Desc, "not restocked") == restock {
				t.Errorf("product line quantity %v (set %v), desc %q", mug.Quantity, mug.Quantity.IsSet(), mug.Desc)
			}
			mustValidate(t, &qbxml.CreditMemoAddRq{CreditMemoAdd: *o.CreditMemo})
		})
	}
}

func TestRefNumber(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		id     int64
		want   string
		err    bool
	}{
		{"", 100234, "100234", false},
		{"B2-", 100234, "B2-100234", false},
		{"B2-", 12345678, "B2-12345678", false},
		{"STORE2-", 100234, "", true},
		{"", 123456789012, "", true},
	} {
		s := DefaultSettings()
		s.RefPrefix = tc.prefix
		got, err := RefNumber(s, tc.id)
		if got != tc.want || (err != nil) != tc.err || (err != nil && !errors.Is(err, ErrSettings)) {
			t.Errorf("RefNumber(%q, %d) = %q, %v", tc.prefix, tc.id, got, err)
		}
	}
	d := order(123456789012, StatusCompleted, false, item{sku: "A", name: "A", price: "1.00", qty: 1})
	if _, err := BuildOrder(store, d, DefaultSettings(), newLists(), Posted{}); !errors.Is(err, ErrSettings) {
		t.Errorf("order id too long for RefNumber: %v", err)
	}
}

func TestTotal(t *testing.T) {
	q := qbxml.QuantityInt
	for _, tc := range []struct {
		name  string
		lines []qbxml.SalesLineAdd
		want  string
	}{
		{"amount wins", []qbxml.SalesLineAdd{{Quantity: q(3), Amount: qbxml.AmountOf(dec("20.00"))}}, "20.00"},
		{"quantity × rate re-rounded", []qbxml.SalesLineAdd{{Quantity: q(3), Rate: qbxml.PriceOf(dec("6.6667"))}}, "20.00"},
		{"half away from zero", []qbxml.SalesLineAdd{{Quantity: q(1), Rate: qbxml.PriceOf(dec("0.125"))}, {Quantity: q(1), Rate: qbxml.PriceOf(dec("-0.125"))}}, "0.00"},
		{"rate alone is one unit", []qbxml.SalesLineAdd{{Rate: qbxml.PriceOf(dec("2.345"))}}, "2.35"},
		{"negative lines", []qbxml.SalesLineAdd{{Amount: qbxml.AmountOf(dec("10"))}, {Amount: qbxml.AmountOf(dec("-2.50"))}}, "7.50"},
	} {
		if got := Total(tc.lines); !got.Equal(dec(tc.want)) {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestQuantityAndAmount: 3 × 6.6667 is 20.00 in BigCommerce; the line is
// sent with Quantity and Amount, never a Rate QuickBooks would re-round.
func TestQuantityAndAmount(t *testing.T) {
	d := order(1, StatusCompleted, false, item{sku: "THIRD", name: "A third", price: "6.6667", qty: 3, pct: "8.25"})
	d.Products[0].TotalExTax = amt("20.0000")
	d.Products[0].TotalTax = amt("1.65")
	d.Products[0].TotalIncTax = amt("21.65")
	d.Products[0].DiscountedTotalInc = amt("21.65")
	d.Taxes[0].LineAmount = amt("1.65")
	d.Order.TotalTax, d.Order.TotalIncTax = amt("1.65"), amt("21.65")
	o := mustPost(t, d, DefaultSettings(), newLists())
	ln := linesOf(lines(o), "THIRD")[0]
	if ln.Rate.IsSet() || ln.Quantity.String() != "3" || ln.Amount.String() != "20.00" {
		t.Errorf("line quantity %s rate %s amount %s", ln.Quantity, ln.Rate, ln.Amount)
	}
	// What a Rate would have done:
	if Total([]qbxml.SalesLineAdd{{Quantity: qbxml.QuantityInt(3), Rate: qbxml.PriceOf(dec("6.6667"))}}).Equal(dec("20.00")) {
		t.Log("QuickBooks rounds 20.0001 to 20.00 here; the Amount keeps it exact either way")
	}
	if !o.Rounding.IsZero() {
		t.Errorf("rounding %s", o.Rounding)
	}
}

// TestPerLineTaxRounding: BigCommerce rounds tax per line (3 × 0.07 =
// 0.21) where rate × subtotal would give 0.22; the tax line is BigCommerce's.
func TestPerLineTaxRounding(t *testing.T) {
	d := order(2, StatusCompleted, false,
		item{sku: "A", name: "A", price: "1.06", qty: 1, pct: "7"},
		item{sku: "B", name: "B", price: "1.06", qty: 1, pct: "7"},
		item{sku: "C", name: "C", price: "1.06", qty: 1, pct: "7"})
	o := mustPost(t, d, DefaultSettings(), newLists())
	tax := linesOf(lines(o), DefaultTaxItem)
	sub := d.Order.SubtotalExTax.Mul(dec("0.07")).Round(2)
	if len(tax) != 1 || !tax[0].Amount.Decimal().Equal(d.Order.TotalTax.Decimal) || tax[0].Amount.Decimal().Equal(sub) {
		t.Fatalf("tax lines %+v: want one of BigCommerce's %s (not rate × subtotal %s)", tax, d.Order.TotalTax, sub)
	}
	if tax[0].Desc != "Tax 7 7%" || tax[0].SalesTaxCodeRef != nil {
		t.Errorf("tax line desc %q", tax[0].Desc)
	}
	if o.SalesReceipt.ItemSalesTaxRef.FullName != DefaultZeroTaxItem {
		t.Errorf("header tax item %v", o.SalesReceipt.ItemSalesTaxRef)
	}
	for _, ln := range lines(o)[:3] {
		if ln.SalesTaxCodeRef.FullName != DefaultTaxCode {
			t.Errorf("taxed line with code %v", ln.SalesTaxCodeRef)
		}
	}
}

func TestTaxRows(t *testing.T) {
	two := func() bigcommerce.OrderDetails {
		d := order(3, StatusCompleted, false, item{sku: "A", name: "A", price: "100.00", qty: 1, pct: "8.25"})
		// Two rates on the line: state 6.25 and city 2.
		d.Taxes = []bigcommerce.Tax{
			{Name: "TX State", Rate: amt("6.25"), LineAmount: amt("6.2500"), OrderProductID: 1},
			{Name: "Austin City", Rate: amt("2"), LineAmount: amt("2.0000"), OrderProductID: 1},
		}
		return d
	}
	t.Run("one line per rate, mapped items", func(t *testing.T) {
		s := DefaultSettings()
		s.TaxItems = map[string]string{"Austin City": "Austin Sales Tax"}
		o := mustPost(t, two(), s, newLists())
		if ls := linesOf(lines(o), "Austin Sales Tax"); len(ls) != 1 || ls[0].Amount.String() != "2.00" || ls[0].Desc != "Austin City 2%" {
			t.Errorf("mapped tax line %+v", ls)
		}
		if ls := linesOf(lines(o), DefaultTaxItem); len(ls) != 1 || ls[0].Amount.String() != "6.25" {
			t.Errorf("state tax line %+v", ls)
		}
	})
	t.Run("rows short of total_tax: total_tax, difference on the largest rate", func(t *testing.T) {
		d := two()
		d.Taxes[0].LineAmount = amt("6.2400")
		o := mustPost(t, d, DefaultSettings(), newLists())
		if ls := linesOf(lines(o), DefaultTaxItem); len(ls) != 2 || ls[0].Amount.String() != "6.25" {
			t.Errorf("tax lines %+v", ls)
		}
		if len(o.Notes) == 0 || !strings.Contains(o.Notes[0], "6.25") && !strings.Contains(strings.Join(o.Notes, " "), "8.24") {
			t.Errorf("notes %q", o.Notes)
		}
	})
	t.Run("no rows: one line of total_tax", func(t *testing.T) {
		d := two()
		d.Taxes = nil
		o := mustPost(t, d, DefaultSettings(), newLists())
		if ls := linesOf(lines(o), DefaultTaxItem); len(ls) != 1 || !ls[0].Amount.Decimal().Equal(d.Order.TotalTax.Decimal) {
			t.Errorf("tax lines %+v", ls)
		}
	})
}

func code(s string) *string { return &s }

func TestDiscounts(t *testing.T) {
	coupon := func(a string) bigcommerce.AppliedDiscount {
		return bigcommerce.AppliedDiscount{ID: "total-coupon", Amount: amt(a), Name: "Coupon SAVE10", Code: code("SAVE10"), Target: "order"}
	}
	promo := func(a string) bigcommerce.AppliedDiscount {
		return bigcommerce.AppliedDiscount{ID: "7", Amount: amt(a), Name: "Spring sale", Target: "product"}
	}
	d := order(4, StatusCompleted, false,
		item{sku: "A", name: "A", price: "40.00", qty: 1, pct: "8.25", discounts: []bigcommerce.AppliedDiscount{coupon("4.00"), promo("6.00")}},
		item{sku: "B", name: "B", price: "20.00", qty: 1, discounts: []bigcommerce.AppliedDiscount{coupon("2.00")}})
	// BigCommerce splits the order's discounts into manual/automatic and coupon.
	d.Order.CouponDiscount, d.Order.DiscountAmount = amt("6.00"), amt("6.00")
	o := mustPost(t, d, DefaultSettings(), newLists())
	ds := linesOf(lines(o), DefaultDiscountItem)
	sum := decimal.Zero
	byKey := map[string]string{}
	for _, l := range ds {
		sum = sum.Add(l.Amount.Decimal())
		byKey[l.Desc+"/"+l.SalesTaxCodeRef.FullName] = l.Amount.String()
	}
	if !sum.Equal(dec("-12.00")) {
		t.Errorf("discount lines add up to %s, want -12.00: %v", sum, byKey)
	}
	want := map[string]string{"Coupon SAVE10/Tax": "-4.00", "Spring sale/Tax": "-6.00", "Coupon SAVE10/Non": "-2.00"}
	for k, v := range want {
		if byKey[k] != v {
			t.Errorf("discount %s = %q, want %s (all %v)", k, byKey[k], v, byKey)
		}
	}
	t.Run("order-level discount the lines do not carry", func(t *testing.T) {
		d := order(5, StatusCompleted, false, item{sku: "A", name: "A", price: "40.00", qty: 1})
		d.Order.DiscountAmount = amt("3.00")
		addTotal(&d, dec("-3.00"), decimal.Zero)
		o := mustPost(t, d, DefaultSettings(), newLists())
		if ls := linesOf(lines(o), DefaultDiscountItem); len(ls) != 1 || ls[0].Amount.String() != "-3.00" {
			t.Errorf("order discount %+v", ls)
		}
	})
}

func TestCreditsAndFees(t *testing.T) {
	mk := func(status int) bigcommerce.OrderDetails {
		d := order(6, status, false, item{sku: "A", name: "A", price: "80.00", qty: 1, pct: "10"})
		d.Order.Fees = []bigcommerce.Fee{{ID: 1, DisplayNameMerchant: "Eco packaging fee", CostExTax: amt("1.50"), CostIncTax: amt("1.50")}}
		d.Order.ShippingCostExTax, d.Order.ShippingCostIncTax = amt("5.00"), amt("5.00")
		d.Order.HandlingCostExTax, d.Order.HandlingCostIncTax = amt("2.00"), amt("2.00")
		d.Order.WrappingCostExTax, d.Order.WrappingCostIncTax = amt("0"), amt("0")
		addTotal(&d, dec("8.50"), decimal.Zero)
		d.Order.GiftCertificateAmt, d.Order.StoreCreditAmount = amt("25.00"), amt("10.00")
		d.Transactions = []bigcommerce.Transaction{
			{Event: "purchase", Method: "gift_certificate", Amount: amt("25.00"), Status: "ok", GiftCertificate: &struct {
				Code             string             `json:"code"`
				RemainingBalance bigcommerce.Amount `json:"remaining_balance"`
			}{Code: "GC-1"}},
			{Event: "purchase", Method: "store_credit", Amount: amt("10.00"), Status: "ok"},
			{Event: "purchase", Method: "credit_card", Amount: bigcommerce.Amount{Decimal: d.Order.TotalIncTax.Sub(dec("35"))}, Status: "ok"},
		}
		return d
	}
	t.Run("sales receipt", func(t *testing.T) {
		d := mk(StatusCompleted)
		o := mustPost(t, d, DefaultSettings(), newLists())
		ls := lines(o)
		for _, c := range []struct{ item, amount, desc string }{
			{DefaultShippingItem, "5.00", "Shipping"}, {DefaultHandlingItem, "2.00", "Handling"}, {DefaultFeeItem, "1.50", "Eco packaging fee"},
			{DefaultGiftCertItem, "-25.00", "Paid with gift certificate GC-1"}, {DefaultStoreCredit, "-10.00", "Paid with BigCommerce store credit"},
		} {
			got := linesOf(ls, c.item)
			if len(got) != 1 || got[0].Amount.String() != c.amount || got[0].Desc != c.desc {
				t.Errorf("%s: %+v", c.item, got)
			}
		}
		if len(linesOf(ls, DefaultWrappingItem)) != 0 {
			t.Error("a gift wrapping line of 0")
		}
		if deposit := Total(ls); !deposit.Equal(d.Order.TotalIncTax.Sub(dec("35"))) || !o.Credits.Equal(dec("35")) {
			t.Errorf("deposit %s, credits %s", deposit, o.Credits)
		}
	})
	t.Run("invoice and payment", func(t *testing.T) {
		d := mk(StatusCompleted)
		s := DefaultSettings()
		s.Mode = ModeInvoice
		o := mustPost(t, d, s, newLists())
		if due := Total(o.Invoice.Lines); o.Payment == nil || !o.Payment.TotalAmount.Decimal().Equal(due) || !due.Equal(d.Order.TotalIncTax.Sub(dec("35"))) {
			t.Errorf("invoice %s, payment %v", due, o.Payment)
		}
	})
	t.Run("payment short of the invoice is noted", func(t *testing.T) {
		d := mk(StatusCompleted)
		d.Transactions[2].Amount = amt("10.00")
		s := DefaultSettings()
		s.Mode = ModeInvoice
		o := mustPost(t, d, s, newLists())
		if o.Payment.TotalAmount.String() != "10.00" || len(o.Notes) == 0 {
			t.Errorf("payment %s notes %q", o.Payment.TotalAmount, o.Notes)
		}
	})
}

// TestBundles: the parent carries the price, the children post at 0 on
// their own items (their stock moves), and the money is counted once.
func TestBundles(t *testing.T) {
	d := order(7, StatusCompleted, false,
		item{sku: "BNDL", name: "Gift Basket", price: "89.00", qty: 2, pct: "8.25"},
		item{sku: "MUG", name: "Mug", price: "0", qty: 2, parent: 1})
	o := mustPost(t, d, DefaultSettings(), newLists())
	child := linesOf(lines(o), "MUG")
	if len(child) != 1 || !child[0].Amount.Decimal().IsZero() || child[0].Quantity.String() != "2" || !strings.Contains(child[0].Desc, "Part of bundle Gift Basket") {
		t.Errorf("child %+v", child)
	}
	if len(o.Items) != 2 {
		t.Errorf("items %+v", o.Items)
	}
}

// TestTaxInclusive: BigCommerce's ex figures on a tax-inclusive store and
// a discount in inclusive money; the discount posts ex tax and the total
// is total_inc_tax.
func TestTaxInclusive(t *testing.T) {
	d := order(8, StatusCompleted, true,
		item{sku: "A", name: "A", price: "119.00", qty: 1, pct: "19", discounts: []bigcommerce.AppliedDiscount{{ID: "manual-discount", Name: "Manual Discount", Amount: amt("11.90")}}},
		item{sku: "B", name: "B", price: "10.70", qty: 3, pct: "7"})
	d.Order.ShippingCostExTax, d.Order.ShippingCostIncTax, d.Order.ShippingCostTax = amt("4.20"), amt("5.00"), amt("0.80")
	d.Taxes = append(d.Taxes, bigcommerce.Tax{Name: "Tax 19", Rate: amt("19"), LineAmount: amt("0.80"), LineItemType: "shipping"})
	addTotal(&d, dec("5.00"), dec("0.80"))
	o := mustPost(t, d, DefaultSettings(), newLists())
	ds := linesOf(lines(o), DefaultDiscountItem)
	// 11.90 inclusive of 19 % is 10.00 ex tax.
	if len(ds) != 1 || ds[0].Amount.String() != "-10.00" {
		t.Errorf("discount %+v", ds)
	}
	if o.SalesReceipt.IsTaxIncluded != nil {
		t.Error("IsTaxIncluded set: tax goes on its own lines")
	}
}

func TestItems(t *testing.T) {
	long := "SKU-THIS-IS-A-VERY-LONG-VARIANT-SKU-RED-XL"
	mk := func() bigcommerce.OrderDetails {
		return order(9, StatusCompleted, false,
			item{sku: long, name: "Very long variant", price: "10.00", qty: 1, pct: "5"},
			item{sku: "", name: "Custom engraving", price: "3.00", qty: 1},
			item{sku: "KNOWN", name: "Known", price: "1.00", qty: 1},
			item{sku: "E-BOOK", name: "E-book", price: "2.00", qty: 1, kind: "digital"},
			item{sku: "GC", name: "$50 Gift Certificate", price: "50.00", qty: 1, kind: "giftcertificate"})
	}
	l := newLists()
	l.items["KNOWN"] = "Parts:Known Item"
	t.Run("noninventory", func(t *testing.T) {
		o := mustPost(t, mk(), DefaultSettings(), l)
		names := map[string]NewItem{}
		for _, it := range o.Items {
			names[it.SKU] = it
		}
		li := names[long]
		if n := len([]rune(li.Name)); n != qbxml.MaxItemName || li.Name != qbxml.Fit(long, qbxml.MaxItemName) || li.NonInventory == nil {
			t.Errorf("long SKU item %+v", li)
		}
		if !strings.Contains(li.NonInventory.SalesOrPurchase.Desc, long) || li.NonInventory.SalesOrPurchase.AccountRef.FullName != DefaultIncomeAccount ||
			li.NonInventory.SalesTaxCodeRef.FullName != DefaultTaxCode || !li.NonInventory.SalesOrPurchase.Price.Decimal().Equal(dec("10")) {
			t.Errorf("long SKU item %+v", li.NonInventory.SalesOrPurchase)
		}
		if ln := linesOf(lines(o), li.Name); len(ln) != 1 || !strings.Contains(ln[0].Desc, long) {
			t.Errorf("line of the long SKU %+v", ln)
		}
		if it, ok := names["Custom engraving #101"]; !ok || it.NonInventory.SalesTaxCodeRef.FullName != DefaultNonTaxCode {
			t.Errorf("no-SKU item %+v (all %v)", it, names)
		}
		if _, ok := names["KNOWN"]; ok || len(linesOf(lines(o), "Parts:Known Item")) != 1 {
			t.Error("known SKU created again or not used")
		}
		if _, ok := names["GC"]; ok || len(linesOf(lines(o), DefaultGiftCertItem)) != 1 {
			t.Error("gift certificate sold not on the gift certificate item")
		}
		// Stable: the same order gives the same names.
		o2 := mustPost(t, mk(), DefaultSettings(), l)
		for i := range o.Items {
			if o.Items[i].Name != o2.Items[i].Name {
				t.Errorf("item name %q then %q", o.Items[i].Name, o2.Items[i].Name)
			}
		}
	})
	t.Run("inventory", func(t *testing.T) {
		s := DefaultSettings()
		s.Items = ItemsCreateInventory
		o := mustPost(t, mk(), s, l)
		for _, it := range o.Items {
			switch it.SKU {
			case "E-BOOK":
				if it.NonInventory == nil {
					t.Errorf("digital product as inventory: %+v", it)
				}
			default:
				inv := it.Inventory
				if inv == nil || inv.IncomeAccountRef.FullName != DefaultIncomeAccount || inv.COGSAccountRef.FullName != DefaultCOGSAccount || inv.AssetAccountRef.FullName != DefaultAssetAccount {
					t.Errorf("inventory item %+v", it)
				}
			}
		}
	})
	t.Run("mapping required", func(t *testing.T) {
		s := DefaultSettings()
		s.Items = ItemsRequireMapping
		_, err := BuildOrder(store, mk(), s, l, Posted{})
		if !errors.Is(err, ErrNeedsMapping) || !strings.Contains(err.Error(), "map SKU "+long) || !strings.Contains(err.Error(), "create item") {
			t.Errorf("error %v", err)
		}
		s.SKUs = map[string]string{long: "Long", "Custom engraving #101": "Engraving", "E-BOOK": "Books"}
		if _, err := BuildOrder(store, mk(), s, l, Posted{}); err != nil {
			t.Errorf("all mapped: %v", err)
		}
	})
	t.Run("colon is QuickBooks' separator", func(t *testing.T) {
		d := order(10, StatusCompleted, false, item{sku: "A:B", name: "Odd", price: "1.00", qty: 1})
		o := mustPost(t, d, DefaultSettings(), newLists())
		if o.Items[0].Name != "A-B" {
			t.Errorf("item %q", o.Items[0].Name)
		}
	})
}

func TestRounding(t *testing.T) {
	d := order(11, StatusCompleted, false, item{sku: "A", name: "A", price: "10.00", qty: 1})
	d.Order.TotalIncTax = amt("10.03")
	o := mustPost(t, d, DefaultSettings(), newLists())
	if r := linesOf(lines(o), DefaultRoundingItem); len(r) != 1 || r[0].Amount.String() != "0.03" || !o.Rounding.Equal(dec("0.03")) || len(o.Notes) == 0 {
		t.Errorf("rounding %+v %s %q", r, o.Rounding, o.Notes)
	}
	d.Order.TotalIncTax = amt("10.06")
	_, err := BuildOrder(store, d, DefaultSettings(), newLists(), Posted{})
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "10.06") || !strings.Contains(err.Error(), "10.00") {
		t.Errorf("beyond the limit: %v", err)
	}
}

func TestCustomers(t *testing.T) {
	mk := func(first, last, email string) bigcommerce.OrderDetails {
		d := order(12, StatusCompleted, false, item{sku: "A", name: "A", price: "1.00", qty: 1})
		d.Order.BillingAddress.FirstName, d.Order.BillingAddress.LastName, d.Order.BillingAddress.Email = first, last, email
		return d
	}
	s := DefaultSettings()
	t.Run("per shopper by email", func(t *testing.T) {
		c := CustomerFor(mk("Jane", "Doe", "  Jane.Doe@Example.COM "), s, newLists())
		if c.Key != "email:jane.doe@example.com" || c.Name != "Jane Doe" || c.Add == nil || c.Add.Email == "" || c.Add.BillAddress == nil || c.Add.BillAddress.Addr1 != "Jane Doe" {
			t.Errorf("%+v %+v", c, c.Add)
		}
		mustValidate(t, &qbxml.CustomerAddRq{CustomerAdd: *c.Add})
	})
	t.Run("known customer: its name, no add", func(t *testing.T) {
		l := newLists()
		l.customers["email:jane.doe@example.com"] = "Doe, Jane"
		if c := CustomerFor(mk("Jane", "Doe", "jane.doe@example.com"), s, l); c.Name != "Doe, Jane" || c.Add != nil {
			t.Errorf("%+v", c)
		}
	})
	t.Run("same name, different emails", func(t *testing.T) {
		l := newLists()
		l.taken["Jane Doe"] = true
		a := CustomerFor(mk("Jane", "Doe", "jane1@example.com"), s, l)
		b := CustomerFor(mk("Jane", "Doe", "jane2@example.com"), s, l)
		a2 := CustomerFor(mk("Jane", "Doe", "jane1@example.com"), s, l)
		if a.Name == b.Name || a.Name == "Jane Doe" || a.Name != a2.Name || !strings.HasPrefix(a.Name, "Jane Doe ~") {
			t.Errorf("names %q %q %q", a.Name, b.Name, a2.Name)
		}
	})
	t.Run("Cyrillic and Chinese", func(t *testing.T) {
		l := newLists()
		c := CustomerFor(mk("Иван", "Петров", "ivan@example.ru"), s, l)
		if c.Name != "Ivan Petrov" || !strings.Contains(c.Add.Notes, strconv.QuoteToASCII("Иван Петров")) {
			t.Errorf("Cyrillic: %q notes %q", c.Name, c.Add.Notes)
		}
		z := CustomerFor(mk("伟", "王", "wang@example.cn"), s, l)
		if z.Name != "wang@example.cn" || !strings.Contains(z.Add.Notes, strconv.QuoteToASCII("伟 王")) {
			t.Errorf("Chinese: %q notes %q", z.Name, z.Add.Notes)
		}
		for _, c := range []Customer{c, z} {
			mustValidate(t, &qbxml.CustomerAddRq{CustomerAdd: *c.Add})
		}
	})
	t.Run("long name cut stably", func(t *testing.T) {
		c := CustomerFor(mk("Maximiliana-Theodora", "Wolfeschlegelsteinhausenbergerdorff", "max@example.com"), s, newLists())
		if len([]rune(c.Name)) != qbxml.MaxCustomerName || c.Add.FirstName == "" || len([]rune(c.Add.LastName)) > qbxml.MaxLastName {
			t.Errorf("%q %+v", c.Name, c.Add)
		}
	})
	t.Run("no email", func(t *testing.T) {
		d := mk("Jane", "Doe", "")
		if c := CustomerFor(d, s, newLists()); c.Key != "order:12" {
			t.Errorf("guest without email: %q", c.Key)
		}
		d.Order.CustomerID = 44
		if c := CustomerFor(d, s, newLists()); c.Key != "bcid:44" {
			t.Errorf("registered without email: %q", c.Key)
		}
	})
	t.Run("single and channel", func(t *testing.T) {
		s := DefaultSettings()
		s.Customers = CustomerSingle
		if c := CustomerFor(mk("Jane", "Doe", "j@example.com"), s, newLists()); c.Key != "single" || c.Name != DefaultCustomer || c.Add == nil {
			t.Errorf("single %+v", c)
		}
		l := newLists()
		l.taken[DefaultCustomer] = true
		if c := CustomerFor(mk("Jane", "Doe", "j@example.com"), s, l); c.Add != nil {
			t.Errorf("single customer existing in QuickBooks is added again: %+v", c)
		}
		s.Channels = map[int64]Channel{1: {Customer: "Amazon Customer", Class: "Amazon", DepositAccount: "Amazon Clearing"}}
		d := mk("Jane", "Doe", "j@example.com")
		if c := CustomerFor(d, s, newLists()); c.Key != "channel:1" || c.Name != "Amazon Customer" {
			t.Errorf("channel %+v", c)
		}
		s.PaymentMethods = map[string]string{"Credit Card": "Visa"}
		o := mustPost(t, d, s, newLists())
		sr := o.SalesReceipt
		if sr.ClassRef.FullName != "Amazon" || sr.DepositToAccountRef.FullName != "Amazon Clearing" || sr.PaymentMethodRef.FullName != "Visa" || sr.CustomerRef.FullName != "Amazon Customer" {
			t.Errorf("receipt class %v deposit %v method %v customer %v", sr.ClassRef, sr.DepositToAccountRef, sr.PaymentMethodRef, sr.CustomerRef)
		}
	})
}

func TestCurrency(t *testing.T) {
	d := order(13, StatusCompleted, false, item{sku: "A", name: "A", price: "136.00", qty: 1, pct: "5"})
	d.Order.DefaultCurrencyCode, d.Order.CurrencyCode, d.Order.StoreDefaultCode, d.Order.StoreDefaultToTxnFX = "CAD", "CAD", "USD", amt("1.36")
	l := newLists()
	l.multi = false
	o := mustPost(t, d, DefaultSettings(), l)
	if o.Currency != "USD" || !o.Total.Equal(d.Order.TotalIncTax.DivRound(dec("1.36"), 2)) || len(o.Notes) == 0 {
		t.Errorf("converted: %s %s %q", o.Currency, o.Total, o.Notes)
	}
	l.multi = true
	if o := mustPost(t, d, DefaultSettings(), l); o.Currency != "CAD" || !o.Total.Equal(d.Order.TotalIncTax.Decimal) {
		t.Errorf("multicurrency: %s %s", o.Currency, o.Total)
	}
}

func TestNormalizeChanges(t *testing.T) {
	d := order(14, StatusCompleted, false, item{sku: "A", name: "Caf\u00e9 \u2603 mug with a name that goes on", price: "1.00", qty: 1})
	d.Order.BillingAddress.Street1 = "A street name so long that QuickBooks cannot hold it on one line"
	o := mustPost(t, d, DefaultSettings(), newLists())
	if len(o.Changes) == 0 {
		t.Fatal("no changes reported")
	}
	for _, c := range o.Changes {
		if c.Original == c.Value || c.Path == "" {
			t.Errorf("change %+v", c)
		}
	}
}

// TestProcessingFees: a sales receipt paid with a method that has a fee
// carries it as a negative line on FeeExpenseItem (percent of the amount
// charged plus fixed, rounded once), so QuickBooks' total is Total -
// Credits - Fees; a method without a fee, and an invoice, carry none.
func TestProcessingFees(t *testing.T) {
	mk := func(status int, method string) bigcommerce.OrderDetails {
		d := order(20, status, false, item{sku: "A", name: "A", price: "33.33", qty: 3})
		d.Order.PaymentMethod = method
		return d // total 99.99
	}
	fee := func(pct, fixed string) map[string]ProcessingFee {
		return map[string]ProcessingFee{"Credit Card": {Percent: dec(pct), Fixed: dec(fixed)}}
	}
	for _, c := range []struct {
		name   string
		fees   map[string]ProcessingFee
		method string
		credit string
		want   string
	}{
		{"percent", fee("2.9", "0"), "Credit Card", "", "2.90"},          // 2.89971
		{"fixed", fee("0", "0.30"), "Credit Card", "", "0.30"},           //
		{"both", fee("2.9", "0.30"), "Credit Card", "", "3.20"},          // 3.19971
		{"rounding half up", fee("0.5", "0"), "Credit Card", "", "0.50"}, // 0.49995
		{"rounded once", fee("1.5", "0.005"), "Credit Card", "", "1.50"}, // 1.49985 + 0.005 = 1.50485
		{"on what the card paid", fee("2", "0"), "Credit Card", "49.99", "1.00"},
		{"method not configured", fee("2.9", "0.30"), "PayPal", "", "0"},
		{"no fees", nil, "Credit Card", "", "0"},
		{"paid by credit only", fee("2.9", "0.30"), "Credit Card", "99.99", "0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := mk(StatusCompleted, c.method)
			if c.credit != "" {
				d.Order.StoreCreditAmount = amt(c.credit)
			}
			s := DefaultSettings()
			s.Fees = c.fees
			o := mustPost(t, d, s, newLists())
			if o.SalesReceipt == nil || !o.Fees.Equal(dec(c.want)) {
				t.Fatalf("Fees %s, want %s", o.Fees, c.want)
			}
			fl := linesOf(o.SalesReceipt.Lines, DefaultFeeExpenseItem)
			if o.Fees.IsZero() {
				if len(fl) != 0 {
					t.Errorf("fee lines %+v", fl)
				}
				return
			}
			if len(fl) != 1 || fl[0].Amount.Decimal().Neg().String() != o.Fees.String() || fl[0].SalesTaxCodeRef.FullName != DefaultNonTaxCode ||
				!strings.Contains(fl[0].Desc, "Credit Card") || fl[0].Quantity.IsSet() || fl[0].Rate.IsSet() {
				t.Errorf("fee line %+v", fl)
			}
			if got := Total(o.SalesReceipt.Lines); !got.Equal(o.Total.Sub(o.Credits).Sub(o.Fees)) {
				t.Errorf("deposit %s, want %s - %s - %s", got, o.Total, o.Credits, o.Fees)
			}
		})
	}
	for _, c := range []struct {
		name   string
		status int
		mode   string
	}{{"invoice mode", StatusCompleted, ModeInvoice}, {"awaiting payment", StatusAwaitingPayment, ModeAuto}} {
		t.Run(c.name, func(t *testing.T) {
			s := DefaultSettings()
			s.Mode = c.mode
			s.Fees = fee("2.9", "0.30")
			o := mustPost(t, mk(c.status, "Credit Card"), s, newLists())
			if o.Invoice == nil || !o.Fees.IsZero() || len(linesOf(o.Invoice.Lines, DefaultFeeExpenseItem)) != 0 {
				t.Fatalf("invoice %v, Fees %s", o.Invoice != nil, o.Fees)
			}
			noted := false
			for _, n := range o.Notes {
				noted = noted || strings.Contains(n, "processing fee of 3.20")
			}
			if !noted {
				t.Errorf("no note of the fee: %q", o.Notes)
			}
		})
	}
}

// TestMultiCurrency: a EUR order into a multicurrency company whose home
// currency is the store's (USD) posts BigCommerce's EUR amounts exactly,
// to the shopper's EUR customer (created with CurrencyRef "Euro"), with
// ExchangeRate = 1 / BigCommerce's USD→EUR rate; a USD order posts to the
// home customer without a rate.
func TestMultiCurrency(t *testing.T) {
	eur := func(id int64, status int) bigcommerce.OrderDetails {
		d := order(id, status, true, item{sku: "A", name: "A", price: "119.00", qty: 1, pct: "19"})
		d.Order.DefaultCurrencyCode, d.Order.CurrencyCode, d.Order.StoreDefaultCode, d.Order.StoreDefaultToTxnFX = "EUR", "EUR", "USD", amt("0.9200000000")
		return d
	}
	l := newLists()
	l.multi = true
	t.Run("sales receipt", func(t *testing.T) {
		d := eur(30, StatusCompleted)
		o := mustPost(t, d, DefaultSettings(), l)
		if o.Currency != "EUR" || !o.Total.Equal(dec("119.00")) || !Total(o.SalesReceipt.Lines).Equal(d.Order.TotalIncTax.Decimal) {
			t.Errorf("currency %s total %s lines %s, BigCommerce EUR %s", o.Currency, o.Total, Total(o.SalesReceipt.Lines), d.Order.TotalIncTax)
		}
		if r := o.SalesReceipt.ExchangeRate; r.String() != "1.0869565217" {
			t.Errorf("ExchangeRate %s", r)
		}
		c := o.Customer
		if c.Key != "email:jane.doe@example.com|EUR" || c.Name != "Jane Doe (EUR)" || c.Add == nil || c.Add.Name != c.Name ||
			c.Add.CurrencyRef == nil || c.Add.CurrencyRef.FullName != "Euro" || c.Add.Email != "Jane.Doe@Example.com" ||
			!strings.Contains(c.Add.Notes, "BigCommerce customer email:jane.doe@example.com|EUR") {
			t.Errorf("customer %+v %+v", c, c.Add)
		}
		if o.SalesReceipt.CustomerRef.FullName != "Jane Doe (EUR)" || o.SalesReceipt.DepositToAccountRef.FullName != DefaultDepositAccount {
			t.Errorf("receipt customer %+v deposit %+v", o.SalesReceipt.CustomerRef, o.SalesReceipt.DepositToAccountRef)
		}
		noted := false
		for _, n := range o.Notes {
			noted = noted || strings.Contains(n, "1 EUR = 1.0869565217 USD")
		}
		if !noted {
			t.Errorf("notes %q", o.Notes)
		}
	})
	t.Run("invoice and payment", func(t *testing.T) {
		s := DefaultSettings()
		s.Mode = ModeInvoice
		o := mustPost(t, eur(31, StatusCompleted), s, l)
		if o.Invoice.ExchangeRate.String() != "1.0869565217" || o.Payment.ExchangeRate.String() != "1.0869565217" || o.Payment.TotalAmount.String() != "119.00" {
			t.Errorf("invoice rate %s, payment %s at %s", o.Invoice.ExchangeRate, o.Payment.TotalAmount, o.Payment.ExchangeRate)
		}
	})
	t.Run("known EUR customer, home customer known", func(t *testing.T) {
		l := newLists()
		l.customers["email:jane.doe@example.com"] = "Jane Doe"
		l.taken["Jane Doe"] = true
		o := mustPost(t, eur(32, StatusCompleted), DefaultSettings(), l)
		if o.Customer.Name != "Jane Doe (EUR)" || o.Customer.Add == nil || o.Customer.Add.BillAddress == nil || o.Customer.Add.CurrencyRef.FullName != "Euro" {
			t.Errorf("EUR customer of a known shopper: %+v %+v", o.Customer, o.Customer.Add)
		}
		l.customers["email:jane.doe@example.com|EUR"] = "Jane Doe (EUR)"
		if o := mustPost(t, eur(33, StatusCompleted), DefaultSettings(), l); o.Customer.Add != nil || o.Customer.Name != "Jane Doe (EUR)" {
			t.Errorf("known EUR customer: %+v", o.Customer)
		}
	})
	t.Run("name taken and long", func(t *testing.T) {
		l := newLists()
		l.taken["Jane Doe (EUR)"] = true
		o := mustPost(t, eur(34, StatusCompleted), DefaultSettings(), l)
		if n := o.Customer.Name; n == "Jane Doe (EUR)" || !strings.HasPrefix(n, "Jane Doe ~") || !strings.HasSuffix(n, " (EUR)") {
			t.Errorf("taken: %q", n)
		}
		d := eur(35, StatusCompleted)
		d.Order.BillingAddress.FirstName = "Maximiliane-Alexandra"
		d.Order.BillingAddress.LastName = "von Hohenzollern-Sigmaringen"
		o = mustPost(t, d, DefaultSettings(), newLists())
		if n := o.Customer.Name; len([]rune(n)) > qbxml.MaxCustomerName || !strings.HasSuffix(n, " (EUR)") {
			t.Errorf("long: %q (%d)", n, len([]rune(n)))
		}
	})
	t.Run("single customer", func(t *testing.T) {
		s := DefaultSettings()
		s.Customers = CustomerSingle
		o := mustPost(t, eur(36, StatusCompleted), s, l)
		if o.Customer.Key != "single|EUR" || o.Customer.Name != "Web Customer (EUR)" || o.Customer.Add.CurrencyRef.FullName != "Euro" {
			t.Errorf("single: %+v %+v", o.Customer, o.Customer.Add)
		}
	})
	t.Run("home currency order", func(t *testing.T) {
		o := mustPost(t, order(37, StatusCompleted, false, item{sku: "A", name: "A", price: "10.00", qty: 1}), DefaultSettings(), l)
		if o.SalesReceipt.ExchangeRate.IsSet() || o.Customer.Key != "email:jane.doe@example.com" || o.Customer.Add.CurrencyRef != nil {
			t.Errorf("home: rate %s customer %+v", o.SalesReceipt.ExchangeRate, o.Customer)
		}
	})
	t.Run("QuickBooks' home currency differs", func(t *testing.T) {
		l := newLists()
		l.home = "EUR"
		// (BuildOrder, not mustPost: its check takes the home currency to be the store's.)
		o, err := BuildOrder(store, eur(38, StatusCompleted), DefaultSettings(), l, Posted{})
		if err != nil {
			t.Fatal(err)
		}
		if o.SalesReceipt.ExchangeRate.IsSet() || o.Customer.Key != "email:jane.doe@example.com" {
			t.Errorf("EUR order into a EUR company: rate %s customer %s", o.SalesReceipt.ExchangeRate, o.Customer.Key)
		}
		l.home = "GBP"
		if o, err = BuildOrder(store, eur(39, StatusCompleted), DefaultSettings(), l, Posted{}); err != nil {
			t.Fatal(err)
		}
		if o.SalesReceipt.ExchangeRate.IsSet() || o.Customer.Key != "email:jane.doe@example.com|EUR" || len(o.Notes) == 0 {
			t.Errorf("EUR order into a GBP company: rate %s customer %s notes %q", o.SalesReceipt.ExchangeRate, o.Customer.Key, o.Notes)
		}
	})
	t.Run("unknown currency", func(t *testing.T) {
		d := eur(40, StatusCompleted)
		d.Order.DefaultCurrencyCode = "XTS"
		if _, err := BuildOrder(store, d, DefaultSettings(), l, Posted{}); !errors.Is(err, ErrNeedsMapping) || !strings.Contains(err.Error(), "currency_names") {
			t.Errorf("unknown currency: %v", err)
		}
		s := DefaultSettings()
		s.CurrencyNames = map[string]string{"XTS": "Test Currency"}
		o, err := BuildOrder(store, d, s, l, Posted{})
		if err != nil || o.Customer.Add.CurrencyRef.FullName != "Test Currency" || o.Customer.Name != "Jane Doe (XTS)" {
			t.Errorf("mapped currency: %v %+v", err, o.Customer.Add)
		}
		d.Order.StatusID = StatusPending
		d.Order.DefaultCurrencyCode = "XTS"
		if o, err := BuildOrder(store, d, DefaultSettings(), l, Posted{}); err != nil || o.Action != ActionSkip {
			t.Errorf("a pending order in an unknown currency: %s %v", o.Action, err)
		}
	})
	t.Run("refund", func(t *testing.T) {
		d := eur(41, StatusCompleted)
		r := bigcommerce.Refund{ID: 9, OrderID: 41, TotalAmount: amt("119.00"), TotalTax: amt("19.00"),
			Items: []bigcommerce.RefundItem{{ItemType: "PRODUCT", ItemID: 1, Quantity: 1}}}
		rf, err := BuildRefund(store, d, r, DefaultSettings(), l, Posted{})
		if err != nil {
			t.Fatal(err)
		}
		if rf.Customer.Name != "Jane Doe (EUR)" || rf.CreditMemo.ExchangeRate.String() != "1.0869565217" || rf.CardRefund.ExchangeRate.String() != "1.0869565217" ||
			!Total(rf.CreditMemo.Lines).Equal(dec("119.00")) {
			t.Errorf("refund: %s %s %s %s", rf.Customer.Name, rf.CreditMemo.ExchangeRate, rf.CardRefund.ExchangeRate, Total(rf.CreditMemo.Lines))
		}
	})
}

func TestCheckSettings(t *testing.T) {
	if err := CheckSettings(DefaultSettings()); err != nil {
		t.Fatalf("the default settings: %v", err)
	}
	long := strings.Repeat("x", 32)
	tests := []struct {
		name   string
		change func(s *Settings)
		want   string
	}{
		{"unknown mode", func(s *Settings) { s.Mode = "weekly" }, `mode is "weekly"`},
		{"unknown refund", func(s *Settings) { s.Refund = "cash" }, `refund is "cash"`},
		{"empty shipping item", func(s *Settings) { s.ShippingItem = " " }, "shipping_item is empty"},
		{"item name too long", func(s *Settings) { s.DiscountItem = long }, "longer than QuickBooks' 31"},
		{"sub-item fits", func(s *Settings) { s.DiscountItem = "Discounts:" + strings.Repeat("x", 31) }, ""},
		{"SKU mapped to nothing", func(s *Settings) { s.SKUs = map[string]string{"MUG": ""} }, `skus["MUG"] is empty`},
		{"negative fee", func(s *Settings) { s.Fees = map[string]ProcessingFee{"Card": {Percent: dec("-1")}} }, `fees["Card"]`},
		{"rounding limit too large", func(s *Settings) { s.RoundingLimit = dec("25") }, "rounding_limit is 25.00"},
		{"prefix too long", func(s *Settings) { s.RefPrefix = "STORE2-" }, "ref_prefix"},
		{"single customer needs a name", func(s *Settings) { s.Customers, s.SingleCustomer = CustomerSingle, "" }, "single_customer is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultSettings()
			tc.change(&s)
			err := CheckSettings(s)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("= %v; want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrSettings)):
				t.Errorf("= %v; want ErrSettings naming %q", err, tc.want)
			}
		})
	}
}
