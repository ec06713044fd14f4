package pull_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"testing"

	"github.com/bcqb/bcqb/pull"
	"github.com/bcqb/bcqb/store"
)

// getRaw fetches path from the fake as BigCommerce would answer it; a 204
// (an empty v2 list) is nil.
func (f *fixture) getRaw(t *testing.T, path string) any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/stores/abc123/"+path, nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Auth-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
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

// TestStoredOrderHoldsWhatEachEndpointGives: for every order, the stored
// document holds the order (as GET /v2/orders/{id}?include=fees gives it,
// without the consignments asked for to save the lines call) and its
// lines, shipping addresses, coupons, taxes, transactions and refunds
// exactly as each one's own endpoint gives them, although the pull asked
// for fewer of them; and DecodeOrder reads it.
func TestStoredOrderHoldsWhatEachEndpointGives(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, setup{orders: 150, backfillFrom: longAgo})
	res, err := f.p.Pull(ctx, f.st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Orders != f.listed() {
		t.Fatalf("pulled %d orders of %d", res.Orders, f.listed())
	}
	if per := float64(res.Calls) / float64(res.Orders); per > 3.2 {
		t.Errorf("%.2f calls per order (%d for %d orders)", per, res.Calls, res.Orders)
	}
	for _, id := range f.fake.OrderIDs() {
		if st, _ := f.fake.OrderStatus(id); st == 0 {
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
		var order any
		if err := json.Unmarshal(doc.Order, &order); err != nil {
			t.Fatal(err)
		}
		checks := []struct {
			part string
			got  any
			path string
		}{
			{"order", order, fmt.Sprintf("v2/orders/%d?include=fees", id)},
			{"products", decodeAll(t, doc.Products), fmt.Sprintf("v2/orders/%d/products?limit=250", id)},
			{"shipping_addresses", decodeAll(t, doc.ShippingAddresses), fmt.Sprintf("v2/orders/%d/shipping_addresses?limit=250", id)},
			{"coupons", decodeAll(t, doc.Coupons), fmt.Sprintf("v2/orders/%d/coupons?limit=250", id)},
			{"taxes", decodeAll(t, doc.Taxes), fmt.Sprintf("v2/orders/%d/taxes?details=true&limit=250", id)},
			{"transactions", decodeAll(t, doc.Transactions), fmt.Sprintf("v3/orders/%d/transactions?limit=250", id)},
			{"refunds", decodeAll(t, doc.Refunds), fmt.Sprintf("v3/orders/%d/payment_actions/refunds?limit=250", id)},
		}
		for _, c := range checks {
			want := f.getRaw(t, c.path)
			if c.part != "order" {
				want = list(want)
			}
			if !reflect.DeepEqual(c.got, want) {
				t.Fatalf("order %d %s:\n stored %v\n    API %v", id, c.part, c.got, want)
			}
		}
		d, err := pull.DecodeOrder([]byte(vs[0].Raw))
		if err != nil {
			t.Fatal(err)
		}
		if d.Order.ID != id || len(d.Products) != len(doc.Products) || len(d.Taxes) != len(doc.Taxes) {
			t.Fatalf("order %d decoded as %+v", id, d.Order)
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
