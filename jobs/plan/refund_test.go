package plan

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/internal/sharedref"
	"github.com/bcqb/bcqb/qbxml"
)

func refundOrder() bigcommerce.OrderDetails {
	d := order(300, StatusPartiallyRefunded, false,
		item{sku: "A", name: "A", price: "30.00", qty: 3, pct: "10", discounts: []bigcommerce.AppliedDiscount{{ID: "7", Name: "Sale", Amount: amt("9.00")}}},
		item{sku: "B", name: "B", price: "5.00", qty: 1})
	d.Order.ShippingCostExTax, d.Order.ShippingCostIncTax, d.Order.ShippingCostTax = amt("10.00"), amt("11.00"), amt("1.00")
	d.Taxes = append(d.Taxes, bigcommerce.Tax{Name: "Tax 10", Rate: amt("10"), LineAmount: amt("1.00"), LineItemType: "shipping"})
	addTotal(&d, dec("11.00"), dec("1.00"))
	return d
}

func money(s string) *bigcommerce.Amount { a := amt(s); return &a }

func TestBuildRefund(t *testing.T) {
	d := refundOrder()
	// Line A: 90.00 less 9.00 = 81.00 + 8.10 tax = 89.10 for 3; one unit is 29.70, 2.70 of it tax.
	for _, tc := range []struct {
		name   string
		r      bigcommerce.Refund
		refund string
		check  func(t *testing.T, rf Refund)
	}{
		{"one unit, by card", bigcommerce.Refund{ID: 41, OrderID: 300, TotalAmount: amt("29.70"), TotalTax: amt("2.70"),
			Items:    []bigcommerce.RefundItem{{ItemType: "PRODUCT", ItemID: 1, Quantity: 1}},
			Payments: []bigcommerce.RefundPayment{{ProviderID: "braintree", Amount: amt("29.70")}}}, RefundByCard,
			func(t *testing.T, rf Refund) {
				ls := linesOf(rf.CreditMemo.Lines, "A")
				if len(ls) != 1 || ls[0].Quantity.IsSet() || !strings.HasSuffix(ls[0].Desc, ", 1 not restocked") || ls[0].Amount.String() != "27.00" || ls[0].Rate.IsSet() {
					t.Errorf("product line %+v", ls)
				}
				if tax := linesOf(rf.CreditMemo.Lines, DefaultTaxItem); len(tax) != 1 || tax[0].Amount.String() != "2.70" {
					t.Errorf("tax %+v", tax)
				}
				c := rf.CardRefund
				if c == nil || rf.Check != nil || c.RefundFromAccountRef.FullName != DefaultDepositAccount || c.PaymentMethodRef.FullName != DefaultPaymentMethod ||
					len(c.RefundAppliedToTxns) != 1 || c.RefundAppliedToTxns[0].TxnID != "" || c.RefundAppliedToTxns[0].RefundAmount.String() != "29.70" {
					t.Errorf("card refund %+v", c)
				}
			}},
		{"shipping by check, amount tax included", bigcommerce.Refund{ID: 42, OrderID: 300, TotalAmount: amt("11.00"), TotalTax: amt("1.00"),
			Items: []bigcommerce.RefundItem{{ItemType: "SHIPPING", ItemID: 9, RequestedAmount: money("11.00")}}}, RefundByCheck,
			func(t *testing.T, rf Refund) {
				if ls := linesOf(rf.CreditMemo.Lines, DefaultShippingItem); len(ls) != 1 || ls[0].Amount.String() != "10.00" {
					t.Errorf("shipping %+v", ls)
				}
				c := rf.Check
				if c == nil || c.AccountRef.FullName != DefaultDepositAccount || c.PayeeEntityRef.FullName != rf.Customer.Name ||
					len(c.ExpenseLines) != 1 || c.ExpenseLines[0].AccountRef.FullName != DefaultARAccount || c.ExpenseLines[0].CustomerRef.FullName != rf.Customer.Name ||
					c.ExpenseLines[0].Amount.String() != "11.00" || len(c.ApplyCheckToTxn) != 1 || c.ApplyCheckToTxn[0].Amount.String() != "11.00" {
					t.Errorf("check %+v", c)
				}
				ck := *c
				ck.ApplyCheckToTxn = []qbxml.ApplyCheckToTxnAdd{{TxnID: "1-1", Amount: c.ApplyCheckToTxn[0].Amount}}
				mustValidate(t, &qbxml.CheckAddRq{CheckAdd: ck})
			}},
		{"shipping, amount tax excluded", bigcommerce.Refund{ID: 43, OrderID: 300, TotalAmount: amt("11.00"), TotalTax: amt("1.00"),
			Items: []bigcommerce.RefundItem{{ItemType: "SHIPPING", ItemID: 9, RequestedAmount: money("10.00")}}}, RefundCredit,
			func(t *testing.T, rf Refund) {
				if ls := linesOf(rf.CreditMemo.Lines, DefaultShippingItem); len(ls) != 1 || ls[0].Amount.String() != "10.00" {
					t.Errorf("shipping %+v", ls)
				}
				if rf.CardRefund != nil || rf.Check != nil {
					t.Error("money back with Refund=credit")
				}
			}},
		{"order-level amount, part as store credit", bigcommerce.Refund{ID: 44, OrderID: 300, Reason: "Goodwill", TotalAmount: amt("5.00"),
			Items:    []bigcommerce.RefundItem{{ItemType: "ORDER", ItemID: 300, RequestedAmount: money("5.00")}},
			Payments: []bigcommerce.RefundPayment{{ProviderID: "braintree", Amount: amt("3.00")}, {ProviderID: "storecredit", Amount: amt("2.00")}}}, RefundByCard,
			func(t *testing.T, rf Refund) {
				if ls := linesOf(rf.CreditMemo.Lines, DefaultDiscountItem); len(ls) != 1 || ls[0].Amount.String() != "5.00" || !strings.Contains(ls[0].Desc, "Goodwill") || ls[0].SalesTaxCodeRef.FullName != DefaultNonTaxCode {
					t.Errorf("order line %+v", ls)
				}
				if rf.CardRefund.RefundAppliedToTxns[0].RefundAmount.String() != "3.00" || !rf.MoneyBack.Equal(dec("3")) || len(rf.Notes) == 0 {
					t.Errorf("money back %s notes %q", rf.MoneyBack, rf.Notes)
				}
			}},
		{"tax-only adjustment", bigcommerce.Refund{ID: 45, OrderID: 300, TotalAmount: amt("0.50"), TotalTax: amt("0.50")}, RefundByCard,
			func(t *testing.T, rf Refund) {
				if len(rf.CreditMemo.Lines) != 1 || rf.CreditMemo.Lines[0].ItemRef.FullName != DefaultTaxItem {
					t.Errorf("lines %+v", rf.CreditMemo.Lines)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultSettings()
			s.Refund = tc.refund
			rf, err := BuildRefund(store, d, tc.r, s, newLists(), Posted{})
			if err != nil {
				t.Fatal(err)
			}
			checkRefund(t, d, tc.r, rf, true)
			if rf.RefNumber != "R"+itoa(tc.r.ID) || rf.Memo != "BigCommerce store abc123 order 300 refund "+itoa(tc.r.ID) || rf.CreditMemo.RefNumber != rf.RefNumber {
				t.Errorf("RefNumber %q memo %q", rf.RefNumber, rf.Memo)
			}
			if !rf.Rounding.IsZero() {
				t.Errorf("rounding %s", rf.Rounding)
			}
			tc.check(t, rf)
		})
	}
	t.Run("RefNumber with a prefix, too long", func(t *testing.T) {
		s := DefaultSettings()
		s.RefPrefix = "STORE2-"
		if _, err := BuildRefund(store, d, bigcommerce.Refund{ID: 123456, TotalAmount: amt("1")}, s, newLists(), Posted{}); !errors.Is(err, ErrSettings) {
			t.Errorf("err %v", err)
		}
	})
	t.Run("figures that do not add up", func(t *testing.T) {
		r := bigcommerce.Refund{ID: 46, TotalAmount: amt("20.00"), Items: []bigcommerce.RefundItem{{ItemType: "SHIPPING", ItemID: 9, RequestedAmount: money("11.00")}}}
		if _, err := BuildRefund(store, d, r, DefaultSettings(), newLists(), Posted{}); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "20.00") {
			t.Errorf("err %v", err)
		}
	})
	t.Run("unknown product", func(t *testing.T) {
		r := bigcommerce.Refund{ID: 47, TotalAmount: amt("1.00"), Items: []bigcommerce.RefundItem{{ItemType: "PRODUCT", ItemID: 99, Quantity: 1}}}
		if _, err := BuildRefund(store, d, r, DefaultSettings(), newLists(), Posted{}); !errors.Is(err, ErrMalformed) {
			t.Errorf("err %v", err)
		}
	})
}

func itoa(i int64) string { return decimal.NewFromInt(i).String() }

// Recorded BigCommerce responses and the specs' examples.

func readRef(t *testing.T, rel string, v any) {
	t.Helper()
	dir := sharedref.Dir(t, "bigcommerce", "fixtures")
	b, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Skipf("fixture %s: %v", rel, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
}

const (
	legacy = "aligent-bigcommerce-v3-api-php-client/tests/BigCommerceLegacyApi/responses/"
	v3     = "aligent-bigcommerce-v3-api-php-client/tests/BigCommerce/responses/"
	spec   = "spec-examples/"
)

// TestRecordedOrders plans orders recorded from real stores and the spec's
// examples. Where the recording has the order's lines (order 149's lines,
// with its manual discount and bundle child, and order 181's single line)
// the order's totals are those lines' own figures and the plan must give
// total_inc_tax to the cent. Where the recording's lines are only part of
// the order (the spec's order 247 lists 2 of its 11 items), the plan must
// refuse with ErrMalformed naming both figures rather than post a wrong total.
func TestRecordedOrders(t *testing.T) {
	fromLines := func(id int64, ps []bigcommerce.OrderProduct) bigcommerce.OrderDetails {
		var o bigcommerce.Order
		readRef(t, spec+"orders.v2.oas2.getOrder.200.Response.json", &o)
		o.ID, o.StatusID, o.Fees, o.IsTaxInclusive = id, StatusCompleted, nil, false
		zero := bigcommerce.Amount{}
		o.ShippingCostExTax, o.ShippingCostIncTax, o.ShippingCostTax = zero, zero, zero
		sub, tax, inc, disc := decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero
		d := bigcommerce.OrderDetails{Products: ps}
		for _, p := range ps {
			sub, tax, inc = sub.Add(p.TotalExTax.Decimal), tax.Add(p.TotalTax.Decimal), inc.Add(p.DiscountedTotalInc.Decimal)
			for _, a := range p.AppliedDiscounts {
				disc = disc.Add(a.Amount.Decimal)
			}
			if !p.TotalTax.IsZero() {
				d.Taxes = append(d.Taxes, bigcommerce.Tax{Name: "Tax", Rate: amt("16.5"), LineAmount: p.TotalTax, OrderProductID: p.ID})
			}
		}
		o.SubtotalExTax, o.TotalTax, o.TotalIncTax = bigcommerce.Amount{Decimal: sub}, bigcommerce.Amount{Decimal: tax}, bigcommerce.Amount{Decimal: inc}
		o.DiscountAmount, o.CouponDiscount = bigcommerce.Amount{Decimal: disc}, zero
		d.Order = o
		return d
	}
	t.Run("order 149: manual discount and a bundle child", func(t *testing.T) {
		var ps []bigcommerce.OrderProduct
		readRef(t, spec+"orders.v2.oas2.getOrderProducts.200.response.json", &ps)
		d := fromLines(149, ps)
		o := mustPost(t, d, DefaultSettings(), newLists())
		if ls := linesOf(lines(o), DefaultDiscountItem); len(ls) != 1 || !ls[0].Amount.Decimal().Equal(ps[0].AppliedDiscounts[0].Amount.Neg()) {
			t.Errorf("discount %+v", ls)
		}
		if ls := linesOf(lines(o), "ABS"); len(ls) != 1 || !ls[0].Amount.Decimal().IsZero() {
			t.Errorf("bundle child %+v", ls)
		}
	})
	t.Run("order 181", func(t *testing.T) {
		var p bigcommerce.OrderProduct
		readRef(t, spec+"orders.v2.oas2.getOrderProduct.200.Product.json", &p)
		mustPost(t, fromLines(181, []bigcommerce.OrderProduct{p}), DefaultSettings(), newLists())
	})
	t.Run("order 247: lines missing from the recording", func(t *testing.T) {
		var o bigcommerce.Order
		readRef(t, spec+"orders.v2.oas2.getOrder.200.Multiple-Items.json", &o)
		var a, b bigcommerce.OrderProduct
		readRef(t, spec+"orders.v2.oas2.getOrderProduct.200.Custom-Product.json", &a)
		readRef(t, spec+"orders.v2.oas2.getOrderProduct.200.Product-with-Variants.json", &b)
		d := bigcommerce.OrderDetails{Order: o, Products: []bigcommerce.OrderProduct{a, b}}
		_, err := BuildOrder(store, d, DefaultSettings(), newLists(), Posted{})
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), o.TotalIncTax.StringFixed(2)) {
			t.Errorf("err %v", err)
		}
	})
	t.Run("recorded order list: statuses", func(t *testing.T) {
		var os []bigcommerce.Order
		readRef(t, legacy+"orders_v2__get_all.json", &os)
		for _, o := range os {
			d := bigcommerce.OrderDetails{Order: o}
			if o.StatusID == StatusAwaitingFulfilment {
				// A line that is the whole subtotal, as such orders have.
				d.Products = []bigcommerce.OrderProduct{{ID: 1, SKU: "X", Name: "X", Quantity: 1, TotalExTax: o.SubtotalExTax, TotalTax: o.SubtotalTax,
					TotalIncTax: o.SubtotalIncTax, DiscountedTotalInc: o.SubtotalIncTax, PriceExTax: o.SubtotalExTax}}
			}
			got, err := BuildOrder(store, d, DefaultSettings(), newLists(), Posted{})
			if err != nil {
				t.Errorf("order %d: %v", o.ID, err)
				continue
			}
			if paidStatus(o.StatusID) {
				checkOrder(t, d, got, true)
			} else if got.Action == ActionPost && got.Invoice == nil {
				t.Errorf("order %d status %d: %s", o.ID, o.StatusID, got.Action)
			}
		}
	})
	t.Run("order 218 figures", func(t *testing.T) {
		var o bigcommerce.Order
		readRef(t, legacy+"orders_v2__218__get.json", &o)
		// Status 7, Awaiting Payment: an invoice, no payment.
		d := bigcommerce.OrderDetails{Order: o}
		got, err := BuildOrder(store, d, DefaultSettings(), newLists(), Posted{})
		if !errors.Is(err, ErrMalformed) || got.Invoice != nil {
			t.Errorf("an order without its lines: %v", err)
		}
	})
}

// TestRecordedRefunds: the recorded refund (a 0.05 handling refund whose
// total_amount is 1.99 with 1.00 tax) does not add up and is refused; the
// spec's example (one product, 50 with 5 tax, paid back as store credit)
// posts a credit memo of 50 and no money back.
func TestRecordedRefunds(t *testing.T) {
	d := refundOrder()
	t.Run("recorded", func(t *testing.T) {
		var page struct {
			Data []bigcommerce.Refund `json:"data"`
		}
		readRef(t, v3+"orders__order_refunds__get_all.json", &page)
		for _, r := range page.Data {
			if _, err := BuildRefund(store, d, r, DefaultSettings(), newLists(), Posted{}); !errors.Is(err, ErrMalformed) {
				t.Errorf("refund %d: %v", r.ID, err)
			}
		}
	})
	t.Run("spec example", func(t *testing.T) {
		var page struct {
			Data bigcommerce.Refund `json:"data"`
		}
		readRef(t, spec+"orders.v3.getOrderRefund.200.Example.json", &page)
		r := page.Data
		d := order(r.OrderID, StatusRefunded, false, item{sku: "S", name: "S", price: "45.00", qty: 1, pct: "11.1112"})
		d.Products[0].ID = r.Items[0].ItemID
		d.Products[0].TotalTax, d.Products[0].TotalIncTax, d.Products[0].DiscountedTotalInc = amt("5.00"), amt("50.00"), amt("50.00")
		rf, err := BuildRefund(store, d, r, DefaultSettings(), newLists(), Posted{})
		if err != nil {
			t.Fatal(err)
		}
		checkRefund(t, d, r, rf, true)
		if rf.CardRefund != nil || !rf.MoneyBack.IsZero() {
			t.Errorf("store credit paid back by card: %+v", rf.CardRefund)
		}
	})
}
