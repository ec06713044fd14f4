package pull_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/bcqb/bcqb/pull"
	"github.com/bcqb/bcqb/store"
)

// getRaw fetches path from the fake as BigCommerce would answer it; a 204
// (an empty v2 list) is nil.
func (f *fixture) getRaw(t *testing.T, path string) any {
	t.Helper()
	var resp *http.Response
	var body []byte
	// The fake store's quota counts these reads too: wait out a 429 as
	// the client does, for as long as BigCommerce says.
	for try := 0; ; try++ {
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/stores/abc123/"+path, nil)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-Auth-Token", token)
		var err error
		if resp, err = http.DefaultClient.Do(req); err != nil {
			t.Fatal(err)
		}
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusTooManyRequests || try == 20 {
			break
		}
		ms, _ := strconv.Atoi(resp.Header.Get("X-Rate-Limit-Time-Reset-Ms"))
		time.Sleep(time.Duration(max(ms, 1)) * time.Millisecond)
	}
	if resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// list is a v2 list, or a v3 list's data, as a slice (empty for none).
func list(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case map[string]any:
		if d, ok := x["data"].([]any); ok {
			return d
		}
	}
	return []any{}
}

func decodeAll(t *testing.T, raws []json.RawMessage) []any {
	t.Helper()
	out := []any{}
	for _, r := range raws {
		var v any
		if err := json.Unmarshal(r, &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// paid is jobs/plan's paid set: the statuses posted with their payment.
func paid(status int) bool {
	switch status {
	case 2, 3, 4, 8, 9, 10, 11, 13, 14:
		return true
	}
	return false
}

// TestStoredOrderHoldsWhatEachEndpointGives: for every order, the stored
// document holds the order (as GET /v2/orders/{id}?include=fees gives it,
// without the consignments asked for to save the lines call) and its
// lines, shipping addresses, coupons and refunds exactly as each one's own
// endpoint gives them, although the pull asked for fewer of them; its tax
// rows and transactions likewise when the store's settings read them, and
// an empty list when they do not (transactions are still fetched for a
// gift certificate's code); and DecodeOrder reads it.
func TestStoredOrderHoldsWhatEachEndpointGives(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings string
		// per-order calls at most
		most float64
		// taxes, transactions: whether the settings read them (for a paid order)
		taxes, transactions bool
	}{
		{"default settings", "", 1.5, false, false},
		{"tax items mapped", `{"tax_items":{"Tax 8.25":"Texas Sales Tax"}}`, 2.5, true, false},
		{"tax detail, invoices", `{"mode":"invoice","tax_detail":true}`, 3.2, true, true},
		// Settings the planner cannot read either: fetch everything, so the
		// documents serve whatever the user fixes them to.
		{"unreadable settings", `{"mode":"invoice",`, 3.2, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, setup{orders: 150, backfillFrom: longAgo})
			if tc.settings != "" {
				if err := f.db.SetBCStoreSettings(ctx, f.st.ID, tc.settings); err != nil {
					t.Fatal(err)
				}
			}
			res, err := f.p.Pull(ctx, f.st.ID)
			if err != nil {
				t.Fatal(err)
			}
			if res.Orders != f.listed() {
				t.Fatalf("pulled %d orders of %d", res.Orders, f.listed())
			}
			per := float64(res.Calls) / float64(res.Orders)
			if per > tc.most {
				t.Errorf("%.2f calls per order (%d for %d orders), want at most %.1f", per, res.Calls, res.Orders, tc.most)
			}
			t.Logf("%.3f calls per order", per)
			var withTaxes, withTxns int
			for _, id := range f.fake.OrderIDs() {
				status, _ := f.fake.OrderStatus(id)
				if status == 0 {
					continue
				}
				vs := f.versions(t, store.DocOrder, id)
				if len(vs) != 1 {
					t.Fatalf("order %d: %d versions", id, len(vs))
				}
				var doc pull.OrderDocument
				if err := json.Unmarshal([]byte(vs[0].Raw), &doc); err != nil {
					t.Fatal(err)
				}
				var order struct {
					GiftCertificateAmount string `json:"gift_certificate_amount"`
				}
				if err := json.Unmarshal(doc.Order, &order); err != nil {
					t.Fatal(err)
				}
				var orderJSON any
				if err := json.Unmarshal(doc.Order, &orderJSON); err != nil {
					t.Fatal(err)
				}
				gift := order.GiftCertificateAmount != "" && order.GiftCertificateAmount != "0.0000"
				checks := []struct {
					part string
					got  any
					path string
					read bool // fetched for this order under these settings
				}{
					{"order", orderJSON, fmt.Sprintf("v2/orders/%d?include=fees", id), true},
					{"products", decodeAll(t, doc.Products), fmt.Sprintf("v2/orders/%d/products?limit=250", id), true},
					{"shipping_addresses", decodeAll(t, doc.ShippingAddresses), fmt.Sprintf("v2/orders/%d/shipping_addresses?limit=250", id), true},
					{"coupons", decodeAll(t, doc.Coupons), fmt.Sprintf("v2/orders/%d/coupons?limit=250", id), true},
					{"taxes", decodeAll(t, doc.Taxes), fmt.Sprintf("v2/orders/%d/taxes?details=true&limit=250", id), tc.taxes},
					{"transactions", decodeAll(t, doc.Transactions), fmt.Sprintf("v3/orders/%d/transactions?limit=250", id),
						gift || (tc.transactions && paid(status))},
					{"refunds", decodeAll(t, doc.Refunds), fmt.Sprintf("v3/orders/%d/payment_actions/refunds?limit=250", id), true},
				}
				for _, c := range checks {
					want := f.getRaw(t, c.path)
					if c.part != "order" {
						want = list(want)
						if !c.read {
							want = []any{} // not fetched: an empty list
						}
					}
					if !reflect.DeepEqual(c.got, want) {
						t.Fatalf("order %d %s:\n stored %v\n    API %v", id, c.part, c.got, want)
					}
				}
				if len(doc.Taxes) > 0 {
					withTaxes++
				}
				if len(doc.Transactions) > 0 {
					withTxns++
				}
				d, err := pull.DecodeOrder([]byte(vs[0].Raw))
				if err != nil {
					t.Fatal(err)
				}
				if d.Order.ID != id || len(d.Products) != len(doc.Products) || len(d.Taxes) != len(doc.Taxes) {
					t.Fatalf("order %d decoded as %+v", id, d.Order)
				}
			}
			if tc.taxes != (withTaxes > 0) || withTxns == 0 {
				t.Errorf("%d orders stored with tax rows, %d with transactions", withTaxes, withTxns)
			}
		})
	}
}

// TestRepulledOrderKeepsItsDetails: an order stored with tax rows and
// transactions keeps them when it changes after the settings stopped
// asking for them (a document that only lost them would be a new version
// for nothing); an order stored while Awaiting Payment (posted as an
// invoice) gets its transactions once it is paid, for the invoice's
// payment, and keeps them in the versions after.
func TestRepulledOrderKeepsItsDetails(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, setup{orders: 80, backfillFrom: longAgo})
	if err := f.db.SetBCStoreSettings(ctx, f.st.ID, `{"tax_detail":true,"mode":"invoice"}`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.p.Pull(ctx, f.st.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.db.SetBCStoreSettings(ctx, f.st.ID, `{}`); err != nil {
		t.Fatal(err)
	}
	latest := func(id int64) pull.OrderDocument {
		t.Helper()
		vs := f.versions(t, store.DocOrder, id)
		var doc pull.OrderDocument
		if err := json.Unmarshal([]byte(vs[len(vs)-1].Raw), &doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
	var detailed, awaiting int64
	for _, id := range f.fake.OrderIDs(11, 2, 10) {
		if d := latest(id); len(d.Taxes) > 0 && len(d.Transactions) > 0 {
			detailed = id
			break
		}
	}
	for _, id := range f.fake.OrderIDs(7) {
		if d := latest(id); len(d.Transactions) == 0 {
			awaiting = id
			break
		}
	}
	if detailed == 0 || awaiting == 0 {
		t.Fatalf("no order to change (detailed %d, awaiting payment %d)", detailed, awaiting)
	}
	f.clock.Add(time.Minute)
	if err := f.fake.SetStaffNotes(detailed, "leave at the door"); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(time.Minute)
	if _, err := f.p.Pull(ctx, f.st.ID); err != nil {
		t.Fatal(err)
	}
	if vs := f.versions(t, store.DocOrder, detailed); len(vs) != 2 {
		t.Fatalf("order %d: %d versions, want 2", detailed, len(vs))
	}
	if d := latest(detailed); len(d.Taxes) == 0 || len(d.Transactions) == 0 {
		t.Errorf("order %d re-pulled with %d tax rows and %d transactions: lost what its stored version had", detailed, len(d.Taxes), len(d.Transactions))
	}
	if d := latest(awaiting); len(d.Transactions) != 0 {
		t.Fatalf("order %d awaiting payment: %d transactions under the default settings", awaiting, len(d.Transactions))
	}
	for i, change := range []func(int64) error{f.fake.MarkPaid, f.fake.Ship} {
		f.clock.Add(time.Minute)
		if err := change(awaiting); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Minute)
		if _, err := f.p.Pull(ctx, f.st.ID); err != nil {
			t.Fatal(err)
		}
		vs := f.versions(t, store.DocOrder, awaiting)
		if len(vs) != 2+i {
			t.Fatalf("order %d: %d versions after change %d", awaiting, len(vs), i)
		}
		want := list(f.getRaw(t, fmt.Sprintf("v3/orders/%d/transactions?limit=250", awaiting)))
		if got := decodeAll(t, latest(awaiting).Transactions); len(want) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("order %d after change %d: stored %d transactions, the API has %d", awaiting, i, len(got), len(want))
		}
	}
}

// TestDecodeOrderReadsOldAndExpandedDocuments: a document stored before
// this pull shape (no consignments in the order) and one whose order kept
// BigCommerce's expanded consignments both decode, with the lines from the
// document's products.
func TestDecodeOrderReadsOldAndExpandedDocuments(t *testing.T) {
	line := `{"id":5,"order_id":9,"product_id":100,"quantity":2,"price_ex_tax":"10.0000"}`
	for name, order := range map[string]string{
		"old":      `{"id":9,"items_total":2,"total_tax":"0.0000"}`,
		"expanded": `{"id":9,"items_total":2,"total_tax":"0.0000","consignments":{"pickups":[],"shipping":[{"id":1,"line_items":[` + line + `]}],"downloads":[],"email":{"gift_certificates":[]}}}`,
	} {
		raw := `{"order":` + order + `,"products":[` + line + `],"shipping_addresses":[],"coupons":[],"taxes":[],"transactions":[],"refunds":[]}`
		d, err := pull.DecodeOrder([]byte(raw))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d.Order.ID != 9 || len(d.Products) != 1 || d.Products[0].Quantity != 2 {
			t.Fatalf("%s: decoded %+v", name, d)
		}
	}
}
