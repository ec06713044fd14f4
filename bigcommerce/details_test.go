package bigcommerce_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/bigcommerce/bcfake"
)

// sameJSON reports whether a and b hold the same JSON value.
func sameJSON(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}

func sameLines(t *testing.T, id int64, got, want []bigcommerce.OrderProduct) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("order %d: %d lines, /products has %d", id, len(got), len(want))
	}
	for i := range got {
		if !sameJSON(t, got[i].Raw, want[i].Raw) {
			t.Fatalf("order %d line %d:\n got %s\nwant %s", id, i, got[i].Raw, want[i].Raw)
		}
	}
}

// TestEmbeddedLinesAreTheProductsEndpoint: the lines the listing embeds in
// its consignments are, for every order, exactly what
// GET /v2/orders/{id}/products gives, in the same order, so OrderDetails
// can skip that call.
func TestEmbeddedLinesAreTheProductsEndpoint(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 5, Orders: 300, Quota: 1 << 20}, bigcommerce.Config{})
	ctx := context.Background()
	orders := allOrders(t, f.client)
	for _, o := range orders {
		if !o.LinesComplete {
			t.Fatalf("order %d: embedded lines not taken as complete", o.ID)
		}
		want, err := f.client.OrderProducts(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameLines(t, o.ID, o.Lines, want)
	}
	// One order fetched alone embeds them too.
	o, err := f.client.Order(ctx, orders[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !o.LinesComplete || len(o.Lines) == 0 {
		t.Fatalf("Order(%d): lines complete %v, %d lines", o.ID, o.LinesComplete, len(o.Lines))
	}
	before := f.client.Stats().Requests
	d, err := f.client.OrderDetails(ctx, o, bigcommerce.DetailOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sameLines(t, o.ID, d.Products, o.Lines)
	f.mu.Lock()
	paths := f.paths[len(f.paths)-int(f.client.Stats().Requests-before):]
	f.mu.Unlock()
	for _, p := range paths {
		if strings.HasSuffix(p, "/products") {
			t.Errorf("OrderDetails called %s although the order embedded its lines", p)
		}
	}
}

// TestCappedConsignmentFallsBackToProducts: a consignment cut at the cap
// (with BigCommerce's __warning__) makes OrderDetails fetch the lines.
func TestCappedConsignmentFallsBackToProducts(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 5, Orders: 120, Quota: 1 << 20, ConsignmentLineCap: 1}, bigcommerce.Config{})
	ctx := context.Background()
	capped := 0
	for _, o := range allOrders(t, f.client) {
		want, err := f.client.OrderProducts(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		physical := 0
		for _, l := range want {
			if l.Type == "physical" {
				physical++
			}
		}
		if physical > 1 {
			capped++
			if o.LinesComplete {
				t.Fatalf("order %d: %d physical lines under a cap of 1 taken as complete", o.ID, physical)
			}
		}
		d, err := f.client.OrderDetails(ctx, o, bigcommerce.DetailOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameLines(t, o.ID, d.Products, want)
	}
	if capped == 0 {
		t.Fatal("no order had a capped consignment")
	}
}

// TestEmbeddedLinesNotTrusted lists the shapes that must send OrderDetails
// to /products.
func TestEmbeddedLinesNotTrusted(t *testing.T) {
	line := func(id, qty int) string {
		return `{"id":` + itoa(int64(id)) + `,"order_id":7,"product_id":100,"quantity":` + itoa(int64(qty)) + `}`
	}
	order := func(itemsTotal int, consignments string) string {
		return `{"id":7,"items_total":` + itoa(int64(itemsTotal)) + `,"consignments":` + consignments + `}`
	}
	ok := `{"pickups":[],"shipping":[{"id":9,"line_items":[` + line(2, 1) + `,` + line(1, 2) + `]}],"downloads":[{"recipient_email":"a@b.c","line_items":[` + line(3, 1) + `]}],"email":{"gift_certificates":[]}}`
	tests := []struct {
		name     string
		body     string
		complete bool
	}{
		{"all lines", order(4, ok), true},
		{"absent", `{"id":7,"items_total":1}`, false},
		{"link", order(1, `{"url":"https://api.bigcommerce.com/stores/x/v2/orders/7/consignments","resource":"/orders/7/consignments"}`), false},
		{"line outside every consignment", order(5, ok), false},
		{"line items are links", order(1, `{"shipping":[{"id":9,"line_items":[{"url":"u","resource":"/orders/7/products/1"}]}]}`), false},
		{"line items an object", order(1, `{"downloads":[{"line_items":{"url":"u","resource":"/orders/7/products"}}]}`), false},
		{"warning", order(1, `{"shipping":[{"id":9,"line_items":[`+line(1, 1)+`],"__warning__":{"message":"Not all line items of this consignment are returned"}}]}`), false},
		{"no lines", order(0, `{"pickups":[],"shipping":[],"downloads":[],"email":{"gift_certificates":[]}}`), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var o bigcommerce.Order
			if err := json.Unmarshal([]byte(tc.body), &o); err != nil {
				t.Fatal(err)
			}
			if o.LinesComplete != tc.complete {
				t.Fatalf("LinesComplete = %v, want %v", o.LinesComplete, tc.complete)
			}
			if tc.complete {
				for i, l := range o.Lines {
					if l.ID != int64(i+1) {
						t.Fatalf("lines not sorted by id: %+v", o.Lines)
					}
				}
			}
		})
	}
	// A full consignment (the cap's worth) may have been cut.
	var items []string
	for i := 1; i <= 50; i++ {
		items = append(items, line(i, 1))
	}
	var o bigcommerce.Order
	if err := json.Unmarshal([]byte(order(50, `{"shipping":[{"id":9,"line_items":[`+strings.Join(items, ",")+`]}]}`)), &o); err != nil {
		t.Fatal(err)
	}
	if o.LinesComplete {
		t.Fatal("50 embedded lines taken as complete")
	}
}

// TestRefundsByOrder: one order_id:in listing gives each order exactly the
// refunds its own endpoint gives.
func TestRefundsByOrder(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 8, Orders: 400, Quota: 1 << 20}, bigcommerce.Config{})
	ctx := context.Background()
	ids := f.store.OrderIDs(4, 14)
	ids = append(ids, f.store.OrderIDs(10)[:5]...) // orders without refunds
	before := f.client.Stats().Requests
	got, err := f.client.RefundsByOrder(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if calls, most := f.client.Stats().Requests-before, int64((len(ids)+99)/100)+1; calls > most {
		t.Errorf("%d calls for %d orders' refunds, want at most %d", calls, len(ids), most)
	}
	for _, id := range ids {
		want, err := f.client.OrderRefunds(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(got[id]) != len(want) {
			t.Fatalf("order %d: %d refunds, its endpoint has %d", id, len(got[id]), len(want))
		}
		for i := range want {
			if !sameJSON(t, got[id][i].Raw, want[i].Raw) {
				t.Fatalf("order %d refund %d:\n got %s\nwant %s", id, i, got[id][i].Raw, want[i].Raw)
			}
		}
	}
}

// TestTaxesAndTransactionsOnlyWhenAsked: OrderDetails fetches an order's
// tax rows only with DetailOptions.Taxes (and tax on the order), and its
// transactions only with DetailOptions.Transactions or a gift certificate
// on the order, never for an Incomplete order with no payment status; what
// it fetches is what the endpoint gives, what it skips is empty.
func TestTaxesAndTransactionsOnlyWhenAsked(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 8, Orders: 400, Quota: 1 << 20}, bigcommerce.Config{})
	ctx := context.Background()
	var ids []int64
	ids = append(ids, f.store.OrderIDs(0)[:2]...)
	ids = append(ids, f.store.OrderIDs(1, 7, 10)[:6]...)
	gift := 0
	for _, o := range allOrders(t, f.client) {
		if o.GiftCertificateAmt.IsPositive() && gift < 3 {
			ids = append(ids, o.ID)
			gift++
		}
	}
	if gift == 0 {
		t.Fatal("no order paid by gift certificate")
	}
	for _, opt := range []bigcommerce.DetailOptions{{}, {Taxes: true}, {Transactions: true}, {Taxes: true, Transactions: true}} {
		for _, id := range ids {
			o, err := f.client.Order(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			f.mu.Lock()
			from := len(f.paths)
			f.mu.Unlock()
			d, err := f.client.OrderDetails(ctx, o, opt)
			if err != nil {
				t.Fatal(err)
			}
			f.mu.Lock()
			paths := append([]string(nil), f.paths[from:]...)
			f.mu.Unlock()
			askedTax, askedTxn := false, false
			for _, p := range paths {
				askedTax = askedTax || strings.HasSuffix(p, "/taxes")
				askedTxn = askedTxn || strings.HasSuffix(p, "/transactions")
			}
			wantTax := opt.Taxes && !o.TotalTax.IsZero()
			wantTxn := !(o.StatusID == 0 && o.PaymentStatus == "") && (opt.Transactions || o.GiftCertificateAmt.IsPositive())
			if askedTax != wantTax || askedTxn != wantTxn {
				t.Errorf("%+v: order %d (status %d, payment %q, tax %s, gift certificate %s): taxes asked %v, transactions asked %v",
					opt, id, o.StatusID, o.PaymentStatus, o.TotalTax, o.GiftCertificateAmt, askedTax, askedTxn)
			}
			taxes, err := f.client.OrderTaxes(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			txns, err := f.client.OrderTransactions(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !wantTax {
				taxes = nil
			}
			if !wantTxn {
				txns = nil
			}
			if len(d.Taxes) != len(taxes) || len(d.Transactions) != len(txns) {
				t.Errorf("%+v: order %d: %d tax rows and %d transactions, want %d and %d", opt, id, len(d.Taxes), len(d.Transactions), len(taxes), len(txns))
			}
		}
	}
}
