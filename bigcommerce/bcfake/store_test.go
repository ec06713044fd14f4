package bcfake_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/bigcommerce/bcfake"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// get sends one API request to h and returns status, headers and body.
func get(t *testing.T, h http.Handler, url string, hdr map[string]string) (int, http.Header, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Header(), rec.Body.String()
}

// fingerprint hashes the answers a client would pull, to compare stores.
func fingerprint(t *testing.T, seed int64) string {
	s := bcfake.New(bcfake.Options{Seed: seed, Orders: 300, Quota: 1 << 20, Logger: quiet()})
	h := s.Handler()
	sum := sha256.New()
	for _, u := range []string{"/v2/orders?limit=250&page=1", "/v2/orders?limit=250&page=2", "/v3/customers?limit=250", "/v3/catalog/products?include=variants&limit=250", "/v3/orders/payment_actions/refunds?limit=250"} {
		code, _, body := get(t, h, u, nil)
		if code != 200 {
			t.Fatalf("%s: %d %s", u, code, body)
		}
		sum.Write([]byte(body))
	}
	for _, id := range s.OrderIDs()[:50] {
		for _, sub := range []string{"", "/products", "/taxes?details=true"} {
			_, _, body := get(t, h, "/v2/orders/"+strconv.FormatInt(id, 10)+sub, nil)
			sum.Write([]byte(body))
		}
	}
	return hex.EncodeToString(sum.Sum(nil))
}

func TestSeedIsDeterministic(t *testing.T) {
	a, b, c := fingerprint(t, 42), fingerprint(t, 42), fingerprint(t, 43)
	if a != b {
		t.Error("the same seed gave two different stores")
	}
	if a == c {
		t.Error("different seeds gave the same store")
	}
}

func TestRateLimitHeadersAndQuota(t *testing.T) {
	s := bcfake.New(bcfake.Options{Seed: 1, Orders: 5, Quota: 3, Window: time.Hour, Logger: quiet()})
	h := s.Handler()
	for i := 0; i < 3; i++ {
		code, hdr, _ := get(t, h, "/stores/x/v2/time", nil)
		if code != 200 {
			t.Fatalf("request %d: %d", i, code)
		}
		if left := hdr.Get("X-Rate-Limit-Requests-Left"); left != strconv.Itoa(2-i) {
			t.Errorf("request %d: left %q, want %d", i, left, 2-i)
		}
		if hdr.Get("X-Rate-Limit-Requests-Quota") != "3" || hdr.Get("X-Rate-Limit-Time-Window-Ms") != "3600000" {
			t.Errorf("headers %v", hdr)
		}
	}
	code, hdr, _ := get(t, h, "/stores/x/v2/time", nil)
	reset, _ := strconv.Atoi(hdr.Get("X-Rate-Limit-Time-Reset-Ms"))
	if code != http.StatusTooManyRequests || reset <= 0 || hdr.Get("X-Retry-After") == "" {
		t.Errorf("over quota: %d, reset %d ms, retry-after %q", code, reset, hdr.Get("X-Retry-After"))
	}
	if st := s.Stats(); st.RateLimited != 1 || st.Requests != 4 {
		t.Errorf("stats %+v", st)
	}
}

func TestRequestChecks(t *testing.T) {
	s := bcfake.New(bcfake.Options{Seed: 1, Orders: 5, Token: "tok", Logger: quiet()})
	h := s.Handler()
	tests := []struct {
		name string
		url  string
		hdr  map[string]string
		code int
		body string
	}{
		{"no token", "/v2/time", nil, 401, `"status":401`},
		{"v3 error shape", "/v3/customers", map[string]string{"X-Auth-Token": "bad"}, 401, `"title"`},
		{"wrong accept", "/v2/time", map[string]string{"X-Auth-Token": "tok", "Accept": "text/html"}, 406, "Accept"},
		{"ok", "/v2/time", map[string]string{"X-Auth-Token": "tok"}, 200, `"time"`},
		{"unknown order", "/v2/orders/1", map[string]string{"X-Auth-Token": "tok"}, 404, "not found"},
		{"limit above 250", "/v2/orders?limit=251", map[string]string{"X-Auth-Token": "tok"}, 413, "250"},
		{"v2 past the end", "/v2/orders?limit=250&page=9", map[string]string{"X-Auth-Token": "tok"}, 204, ""},
		{"v3 past the end", "/v3/catalog/products?page=9", map[string]string{"X-Auth-Token": "tok"}, 200, `"data":[]`},
		{"bad date", "/v2/orders?min_date_modified=yesterday", map[string]string{"X-Auth-Token": "tok"}, 400, "min_date_modified"},
		{"RFC 2822 date", "/v2/orders?min_date_modified=Tue,%2005%20Mar%202019%2021:40:11%20%2B0000", map[string]string{"X-Auth-Token": "tok"}, 200, `"id"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := get(t, h, tc.url, tc.hdr)
			if code != tc.code || !strings.Contains(body, tc.body) {
				t.Errorf("%s: %d %s, want %d containing %q", tc.url, code, body, tc.code, tc.body)
			}
			if code == 204 && body != "" {
				t.Errorf("204 with a body %q", body)
			}
		})
	}
}

func TestInventoryAdjustmentRules(t *testing.T) {
	s := bcfake.New(bcfake.Options{Seed: 2, Orders: 5, Logger: quiet()})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	put := func(body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPut, srv.URL+"/v3/inventory/adjustments/absolute", strings.NewReader(body))
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// Product 100 is simple and tracked by product; 101 has variants.
	tests := []struct {
		name, body string
		code       int
		want       string
	}{
		{"by product", `{"reason":"t","items":[{"location_id":1,"product_id":100,"quantity":9}]}`, 200, "transaction_id"},
		{"variant of a product-tracked product", `{"items":[{"location_id":1,"variant_id":1,"quantity":9}]}`, 422, "tracked by product"},
		{"product tracked by variant", `{"items":[{"location_id":1,"product_id":101,"quantity":9}]}`, 422, "tracked by variant"},
		{"two identities", `{"items":[{"location_id":1,"product_id":100,"sku":"SKU-100","quantity":9}]}`, 422, "Exactly one"},
		{"unknown location", `{"items":[{"location_id":7,"product_id":100,"quantity":9}]}`, 422, "Location 7"},
		{"no items", `{"items":[]}`, 422, "1 to 2000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := put(tc.body)
			if code != tc.code || !strings.Contains(body, tc.want) {
				t.Errorf("%d %s, want %d with %q", code, body, tc.code, tc.want)
			}
		})
	}
	if lvl, _ := s.InventoryLevel(100, 0); lvl != 9 {
		t.Errorf("product 100 level %d, want 9", lvl)
	}
}

func TestChangesMoveDateModified(t *testing.T) {
	clock := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s := bcfake.New(bcfake.Options{Seed: 3, Orders: 200, Now: func() time.Time { return clock }, Logger: quiet()})
	h := s.Handler()
	tests := []struct {
		name   string
		from   int
		change func(int64) error
		want   int
	}{
		{"paid later", 7, s.MarkPaid, 11},
		{"cancelled", 7, s.Cancel, 5},
		{"shipped", 11, s.Ship, 2},
		{"refunded in full", 10, func(id int64) error {
			_, err := s.Refund(id, bcfake.RefundRequest{Kind: bcfake.RefundFull})
			return err
		}, 4},
		{"refunded a custom amount", 10, func(id int64) error {
			_, err := s.Refund(id, bcfake.RefundRequest{Kind: bcfake.RefundAmount, Amount: decimalOf("2.50")})
			return err
		}, 14},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock = clock.Add(time.Hour)
			ids := s.OrderIDs(tc.from)
			if len(ids) == 0 {
				t.Fatalf("no order with status %d", tc.from)
			}
			id := ids[len(ids)-1]
			if err := tc.change(id); err != nil {
				t.Fatal(err)
			}
			_, _, body := get(t, h, "/v2/orders/"+strconv.FormatInt(id, 10), nil)
			if !strings.Contains(body, `"status_id":`+strconv.Itoa(tc.want)+",") || !strings.Contains(body, clock.Format(time.RFC1123Z)) {
				t.Errorf("order %d after change: %s", id, body)
			}
		})
	}
	if err := s.Cancel(s.OrderIDs(10)[0]); err == nil {
		t.Error("cancelling a paid order should fail (refund it instead)")
	}
	if err := s.MarkPaid(1); err == nil {
		t.Error("unknown order accepted")
	}
}

func TestGrowAddsOrders(t *testing.T) {
	s := bcfake.New(bcfake.Options{Seed: 4, Orders: 20, Logger: quiet()})
	before := len(s.OrderIDs())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Grow(ctx, time.Millisecond); close(done) }()
	for len(s.OrderIDs()) < before+5 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
}

func TestRunStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- bcfake.Run(ctx, "127.0.0.1:0", bcfake.Options{Seed: 5, Orders: 3, Logger: quiet()}, time.Millisecond)
	}()
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func decimalOf(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// TestInventoryAppliesLater: with InventoryDelay the adjustment is accepted
// at once but a read straight after still shows the old level, as in
// BigCommerce; once the delay has passed, the new level shows.
func TestInventoryAppliesLater(t *testing.T) {
	s := bcfake.New(bcfake.Options{Seed: 2, Orders: 5, InventoryDelay: 50 * time.Millisecond, Logger: quiet()})
	before, _ := s.InventoryLevel(100, 0)
	req := httptest.NewRequest(http.MethodPut, "/v3/inventory/adjustments/absolute", strings.NewReader(`{"items":[{"location_id":1,"product_id":100,"quantity":12345}]}`))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if now, _ := s.InventoryLevel(100, 0); now != before {
		t.Errorf("level changed at once to %d", now)
	}
	for {
		if lvl, _ := s.InventoryLevel(100, 0); lvl == 12345 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
}
