package bigcommerce_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/bigcommerce/bcfake"
)

// fixture is a fake store served over real HTTP and a client pointed at it.
type fixture struct {
	store  *bcfake.Store
	srv    *httptest.Server
	client *bigcommerce.Client
	// agents records the User-Agent and X-Auth-Token of every request.
	mu     sync.Mutex
	agents []string
	tokens []string
	paths  []string
}

func newFixture(t testing.TB, opts bcfake.Options, cfg bigcommerce.Config) *fixture {
	t.Helper()
	if opts.Token == "" {
		opts.Token = "secret-token"
	}
	if opts.Window == 0 {
		opts.Window = 50 * time.Millisecond // the Standard quota, 600x faster
	}
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	f := &fixture{store: bcfake.New(opts)}
	h := f.store.Handler()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.agents = append(f.agents, r.Header.Get("User-Agent"))
		f.tokens = append(f.tokens, r.Header.Get("X-Auth-Token"))
		f.paths = append(f.paths, r.URL.Path)
		f.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	cfg.BaseURL = f.srv.URL + "/stores/abc123"
	if cfg.Token == "" {
		cfg.Token = opts.Token
	}
	if cfg.BackoffBase == 0 {
		cfg.BackoffBase = time.Millisecond
	}
	cfg.BackoffMax = 20 * time.Millisecond
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := bigcommerce.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.client = c
	return f
}

func allOrders(t testing.TB, c *bigcommerce.Client) []bigcommerce.Order {
	t.Helper()
	var out []bigcommerce.Order
	if err := c.ListOrdersModifiedSince(context.Background(), time.Time{}, func(o bigcommerce.Order) error {
		out = append(out, o)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRequestHeaders(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 1, Orders: 5}, bigcommerce.Config{})
	if _, err := f.client.Time(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.agents[0], "bcqb") {
		t.Errorf("User-Agent %q does not name bcqb", f.agents[0])
	}
	if f.tokens[0] != "secret-token" {
		t.Errorf("X-Auth-Token %q", f.tokens[0])
	}
}

func TestDefaultBaseURL(t *testing.T) {
	if _, err := bigcommerce.New(bigcommerce.Config{}); err == nil {
		t.Fatal("a client without store hash or base URL should not build")
	}
	if _, err := bigcommerce.New(bigcommerce.Config{StoreHash: "abc123", Token: "x"}); err != nil {
		t.Fatal(err)
	}
	// A {store_hash} placeholder in the base URL reaches the right store path.
	f := newFixture(t, bcfake.Options{Seed: 1, Orders: 5}, bigcommerce.Config{})
	c, err := bigcommerce.New(bigcommerce.Config{BaseURL: f.srv.URL + "/stores/{store_hash}", StoreHash: "h1", Token: "secret-token"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Time(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.paths[0] != "/stores/h1/v2/time" {
		t.Errorf("path %q, want /stores/h1/v2/time", f.paths[0])
	}
}

func TestStoreInformation(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 2, Orders: 5, Now: func() time.Time { return time.Unix(1_800_000_000, 0) }}, bigcommerce.Config{})
	ctx := context.Background()
	tm, err := f.client.Time(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !tm.Equal(time.Unix(1_800_000_000, 0)) || tm.Location() != time.UTC {
		t.Errorf("Time = %v, want the store clock in UTC", tm)
	}
	st, err := f.client.Store(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Currency != "USD" || st.DecimalPlaces != 2 || st.Timezone.Name == "" || len(st.Raw) == 0 {
		t.Errorf("Store = %+v", st)
	}
	statuses, err := f.client.OrderStatuses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(statuses) != 15 || statuses[11].Name != "Awaiting Fulfillment" {
		t.Errorf("OrderStatuses = %d statuses, [11] = %+v", len(statuses), statuses[11])
	}
	curs, err := f.client.Currencies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	codes := []string{}
	for _, c := range curs {
		codes = append(codes, c.CurrencyCode)
		if c.ExchangeRate.IsZero() || c.LastUpdated.IsZero() {
			t.Errorf("currency %+v: rate or date missing", c)
		}
	}
	if !slices.Equal(codes, []string{"USD", "CAD", "EUR", "GBP"}) {
		t.Errorf("currencies = %v", codes)
	}
	pms, err := f.client.PaymentMethods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pms) < 3 || pms[0].Code == "" {
		t.Errorf("PaymentMethods = %+v", pms)
	}
}

// sum adds amounts exactly.
func sum[T any](xs []T, f func(T) decimal.Decimal) decimal.Decimal {
	s := decimal.Zero
	for _, x := range xs {
		s = s.Add(f(x))
	}
	return s
}

// TestOrdersAddUp pulls every order with its details through the client and
// checks that BigCommerce's numbers, decoded exactly, add up the way the
// sync engine will rely on.
func TestOrdersAddUp(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 3, Orders: 400}, bigcommerce.Config{HeadroomPercent: -1})
	ctx := context.Background()
	orders := allOrders(t, f.client)
	if len(orders) == 0 {
		t.Fatal("no orders")
	}
	refunds := map[int64][]bigcommerce.Refund{}
	if err := f.client.ListRefunds(ctx, bigcommerce.RefundQuery{}, func(r bigcommerce.Refund) error {
		refunds[r.OrderID] = append(refunds[r.OrderID], r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, o := range orders {
		d, err := f.client.OrderDetails(ctx, o, bigcommerce.DetailOptions{Refunds: true, Taxes: true, Transactions: true})
		if err != nil {
			t.Fatalf("order %d: %v", o.ID, err)
		}
		t.Run(o.Status+"/"+itoa(o.ID), func(t *testing.T) {
			checkOrder(t, d, refunds[o.ID], seen)
		})
	}
	for _, want := range []string{"inclusive", "exclusive", "coupon", "bundle", "variant", "gift certificate", "store credit", "captured later", "multi-rate", "CAD", "EUR", "GBP", "refund PRODUCT", "refund SHIPPING", "refund ORDER", "fee", "refund FEE"} {
		if !seen[want] {
			t.Errorf("no order with %s among %d", want, len(orders))
		}
	}
}

func itoa(n int64) string { return decimal.NewFromInt(n).String() }

func checkOrder(t *testing.T, d bigcommerce.OrderDetails, refunds []bigcommerce.Refund, seen map[string]bool) {
	o := d.Order
	eq := func(what string, got, want decimal.Decimal) {
		t.Helper()
		if !got.Equal(want) {
			t.Errorf("%s = %s, want %s", what, got, want)
		}
	}
	eq("total_inc_tax", o.TotalIncTax.Decimal, o.TotalExTax.Add(o.TotalTax.Decimal))
	eq("total_inc_tax vs lines", o.TotalIncTax.Decimal,
		sum(d.Products, func(p bigcommerce.OrderProduct) decimal.Decimal { return p.DiscountedTotalInc.Decimal }).
			Add(o.ShippingCostIncTax.Decimal).Add(o.HandlingCostIncTax.Decimal).
			Add(sum(o.Fees, func(f bigcommerce.Fee) decimal.Decimal { return f.CostIncTax.Decimal })))
	if len(o.Fees) > 0 {
		seen["fee"] = true
	}
	eq("subtotal_inc_tax", o.SubtotalIncTax.Decimal, sum(d.Products, func(p bigcommerce.OrderProduct) decimal.Decimal { return p.TotalIncTax.Decimal }))
	eq("total_tax", o.TotalTax.Decimal, o.SubtotalTax.Add(o.ShippingCostTax.Decimal).Add(o.HandlingCostTax.Decimal))
	eq("discounts", o.DiscountAmount.Add(o.CouponDiscount.Decimal), sum(d.Products, func(p bigcommerce.OrderProduct) decimal.Decimal {
		return sum(p.AppliedDiscounts, func(a bigcommerce.AppliedDiscount) decimal.Decimal { return a.Amount.Decimal })
	}))
	eq("tax rows", sum(d.Taxes, func(x bigcommerce.Tax) decimal.Decimal { return x.LineAmount.Decimal }), o.TotalTax.Decimal)
	eq("coupons", sum(d.Coupons, func(c bigcommerce.Coupon) decimal.Decimal { return c.Discount.Decimal }), o.CouponDiscount.Decimal)
	if len(d.ShippingAddresses) == 1 {
		eq("shipping address cost", d.ShippingAddresses[0].CostIncTax.Decimal, o.ShippingCostIncTax.Decimal)
	}
	for _, p := range d.Products {
		eq("line total", p.TotalIncTax.Decimal, p.TotalExTax.Add(p.TotalTax.Decimal))
		if p.ParentOrderProductID != nil {
			seen["bundle"] = true
			if !p.PriceIncTax.IsZero() || !p.IsBundledProduct {
				t.Errorf("bundle child %d: price %s bundled %v", p.ID, p.PriceIncTax, p.IsBundledProduct)
			}
		}
		if len(p.ProductOptions) > 0 && p.ParentOrderProductID == nil {
			seen["variant"] = true
		}
	}
	rates := map[string]bool{}
	for _, x := range d.Taxes {
		if x.LineItemType == "" {
			t.Errorf("tax row %d has no line_item_type (details=true)", x.ID)
		}
		rates[x.Name] = true
	}
	if len(rates) > 1 {
		seen["multi-rate"] = true
	}
	if o.IsTaxInclusive {
		seen["inclusive"] = true
	} else {
		seen["exclusive"] = true
	}
	if len(d.Coupons) > 0 {
		seen["coupon"] = true
	}
	if o.GiftCertificateAmt.IsPositive() {
		seen["gift certificate"] = true
	}
	if o.StoreCreditAmount.IsPositive() {
		seen["store credit"] = true
	}
	seen[o.DefaultCurrencyCode] = true
	if o.DateModified.Before(o.DateCreated) || o.DateCreated.Location() != time.UTC {
		t.Errorf("dates: created %v modified %v", o.DateCreated, o.DateModified)
	}

	// Money taken: purchases and captures (not authorizations) that went through.
	taken := decimal.Zero
	var refundedTx decimal.Decimal
	for _, tx := range d.Transactions {
		if tx.OrderID != o.ID {
			t.Errorf("transaction %d order_id %d", tx.ID, tx.OrderID)
		}
		switch {
		case tx.Status == "ok" && (tx.Event == "purchase" || tx.Event == "capture"):
			taken = taken.Add(tx.Amount.Decimal)
		case tx.Event == "refund":
			refundedTx = refundedTx.Add(tx.Amount.Decimal)
		}
		if tx.Event == "capture" {
			seen["captured later"] = true
		}
	}
	switch o.StatusID {
	case 2, 3, 4, 8, 9, 10, 11, 13, 14:
		eq("money taken", taken, o.TotalIncTax.Decimal)
	case 0, 5, 6, 7, 12:
		if taken.Sub(o.GiftCertificateAmt.Decimal).Sub(o.StoreCreditAmount.Decimal).IsPositive() {
			t.Errorf("unpaid status %d but %s taken", o.StatusID, taken)
		}
	}
	refunded := sum(refunds, func(r bigcommerce.Refund) decimal.Decimal { return r.TotalAmount.Decimal })
	eq("refunds per order vs store-wide list", sum(d.Refunds, func(r bigcommerce.Refund) decimal.Decimal { return r.TotalAmount.Decimal }), refunded)
	eq("refund transactions", refundedTx, refunded)
	for _, r := range refunds {
		eq("refund payments", sum(r.Payments, func(p bigcommerce.RefundPayment) decimal.Decimal { return p.Amount.Decimal }), r.TotalAmount.Decimal)
		for _, it := range r.Items {
			seen["refund "+it.ItemType] = true
		}
	}
	switch o.StatusID {
	case 4:
		eq("refunded (status Refunded)", refunded, o.TotalIncTax.Decimal)
	case 14:
		if !refunded.IsPositive() || !refunded.LessThan(o.TotalIncTax.Decimal) {
			t.Errorf("partially refunded: %s of %s", refunded, o.TotalIncTax)
		}
	default:
		eq("refunded", refunded, decimal.Zero)
	}
}

func TestEveryStatusReachable(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 4, Orders: 1500}, bigcommerce.Config{HeadroomPercent: -1})
	ctx := context.Background()
	got := map[int]bool{}
	for _, o := range allOrders(t, f.client) {
		got[o.StatusID] = true
	}
	if got[0] {
		t.Error("incomplete orders (status 0) listed without status_id=0")
	}
	zero := 0
	if err := f.client.ListOrders(ctx, bigcommerce.OrderQuery{StatusID: &zero}, func(o bigcommerce.Order) error {
		got[o.StatusID] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for s := 0; s <= 14; s++ {
		if !got[s] {
			t.Errorf("no order with status %d", s)
		}
	}
}

func TestPaginationEnds(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 5, Orders: 600}, bigcommerce.Config{HeadroomPercent: -1})
	ctx := context.Background()
	var visible []int64
	for _, o := range allOrders(t, f.client) {
		visible = append(visible, o.ID)
	}
	slices.Sort(visible)
	t.Run("v2 full last page then 204", func(t *testing.T) {
		// Exactly 250 orders from MinID: the first page is full, so the
		// client must ask again and take the 204 as the end.
		from := visible[len(visible)-250]
		before := f.client.Stats().Requests
		n := 0
		if err := f.client.ListOrders(ctx, bigcommerce.OrderQuery{MinID: from}, func(bigcommerce.Order) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if n != 250 {
			t.Errorf("got %d orders, want 250", n)
		}
		if calls := f.client.Stats().Requests - before; calls != 2 {
			t.Errorf("%d calls, want 2 (a full page, then the 204)", calls)
		}
	})
	t.Run("v2 empty from the start", func(t *testing.T) {
		n := 0
		err := f.client.ListOrdersModifiedSince(ctx, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), func(bigcommerce.Order) error { n++; return nil })
		if err != nil || n != 0 {
			t.Errorf("future watermark: %d orders, err %v", n, err)
		}
	})
	t.Run("v3 empty page", func(t *testing.T) {
		n := 0
		err := f.client.ListCustomers(ctx, bigcommerce.CustomerQuery{Emails: []string{"nobody@example.org"}}, func(bigcommerce.Customer) error { n++; return nil })
		if err != nil || n != 0 {
			t.Errorf("unknown email: %d customers, err %v", n, err)
		}
		err = f.client.ListRefunds(ctx, bigcommerce.RefundQuery{CreatedMin: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}, func(bigcommerce.Refund) error { n++; return nil })
		if err != nil || n != 0 {
			t.Errorf("future refunds: %d, err %v", n, err)
		}
	})
	t.Run("v3 several pages", func(t *testing.T) {
		var ids []int64
		if err := f.client.ListCustomers(ctx, bigcommerce.CustomerQuery{}, func(c bigcommerce.Customer) error { ids = append(ids, c.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		// 600 orders give 150 customers: fewer than a page, so ask for them
		// by id in batches instead, which exercises the batching.
		var again []int64
		if err := f.client.ListCustomers(ctx, bigcommerce.CustomerQuery{IDs: ids}, func(c bigcommerce.Customer) error { again = append(again, c.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(ids) != 150 || !slices.Equal(ids, again) {
			t.Errorf("customers: %d listed, %d by id", len(ids), len(again))
		}
	})
}

func TestV3PagesPastOneLimit(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 6, Orders: 1200}, bigcommerce.Config{HeadroomPercent: -1})
	var n int
	if err := f.client.ListCustomers(context.Background(), bigcommerce.CustomerQuery{}, func(bigcommerce.Customer) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 300 {
		t.Errorf("got %d customers, want 300 (two pages)", n)
	}
}

func TestDateFilters(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 7, Orders: 500}, bigcommerce.Config{HeadroomPercent: -1})
	ctx := context.Background()
	all := allOrders(t, f.client)
	for i := 1; i < len(all); i++ {
		if all[i].DateModified.Before(all[i-1].DateModified) {
			t.Fatalf("orders not sorted by date_modified at %d", i)
		}
	}
	for _, cut := range []int{0, 1, 100, 250, 251, len(all) - 1} {
		since := all[cut].DateModified
		want := 0
		for _, o := range all {
			if !o.DateModified.Before(since) {
				want++
			}
		}
		got := 0
		if err := f.client.ListOrdersModifiedSince(ctx, since, func(o bigcommerce.Order) error {
			if o.DateModified.Before(since) {
				t.Errorf("order %d modified %v before %v", o.ID, o.DateModified, since)
			}
			got++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("since %v: %d orders, want %d", since, got, want)
		}
	}
	// A date whose "+" is not URL-encoded arrives as a space and is refused,
	// as by BigCommerce; the client encodes it (the calls above succeeded).
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/stores/abc123/v2/orders?min_date_modified=2025-01-01T00:00:00+00:00", nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Auth-Token", "secret-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unencoded +: status %d, want 400", resp.StatusCode)
	}
}

// TestOrderChangedDuringPull changes orders while a pull is walking the
// list: with page numbers, each change would shift the list and skip an
// order; the keyset walk must give every order at least once.
func TestOrderChangedDuringPull(t *testing.T) {
	clock := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); clock = clock.Add(time.Second); return clock }
	f := newFixture(t, bcfake.Options{Seed: 8, Orders: 800, Now: now}, bigcommerce.Config{HeadroomPercent: -1})
	want := map[int64]bool{}
	all := allOrders(t, f.client)
	for _, o := range all {
		want[o.ID] = true
	}
	got := map[int64]bool{}
	n := 0
	if err := f.client.ListOrdersModifiedSince(context.Background(), time.Time{}, func(o bigcommerce.Order) error {
		got[o.ID] = true
		n++
		if n%50 == 0 {
			// Touch an order further down the first page.
			if err := f.store.SetStaffNotes(all[n/50].ID, "edited during pull"); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for id := range want {
		if !got[id] {
			t.Errorf("order %d skipped", id)
		}
	}
}

// TestChangedOrderShowsUp: an order paid later, cancelled or refunded after a
// pull comes back in the next incremental pull with its new state.
func TestChangedOrderShowsUp(t *testing.T) {
	clock := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func() { mu.Lock(); clock = clock.Add(time.Minute); mu.Unlock() }
	f := newFixture(t, bcfake.Options{Seed: 9, Orders: 300, Now: now}, bigcommerce.Config{HeadroomPercent: -1})
	ctx := context.Background()
	watermark, err := f.client.Time(ctx)
	if err != nil {
		t.Fatal(err)
	}
	awaiting := f.store.OrderIDs(7)
	paid := f.store.OrderIDs(10)
	if len(awaiting) < 2 || len(paid) < 2 {
		t.Fatalf("seed has %d awaiting, %d completed", len(awaiting), len(paid))
	}
	advance()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.store.MarkPaid(awaiting[0]))
	must(f.store.Cancel(awaiting[1]))
	_, err = f.store.Refund(paid[0], bcfake.RefundRequest{Kind: bcfake.RefundOneItem, Reason: "test"})
	must(err)
	_, err = f.store.Refund(paid[1], bcfake.RefundRequest{Kind: bcfake.RefundFull, Reason: "test"})
	must(err)
	newIDs := f.store.AddOrders(3)

	got := map[int64]bigcommerce.Order{}
	must(f.client.ListOrdersModifiedSince(ctx, watermark, func(o bigcommerce.Order) error { got[o.ID] = o; return nil }))
	wantStatus := map[int64]int{awaiting[0]: 11, awaiting[1]: 5, paid[0]: 14, paid[1]: 4}
	for id, st := range wantStatus {
		o, ok := got[id]
		if !ok {
			t.Errorf("changed order %d not in the pull", id)
			continue
		}
		if o.StatusID != st {
			t.Errorf("order %d status %d, want %d", id, o.StatusID, st)
		}
	}
	for _, id := range newIDs {
		if st, _ := f.store.OrderStatus(id); st != 0 {
			if _, ok := got[id]; !ok {
				t.Errorf("new order %d not in the pull", id)
			}
		}
	}
	if len(got) != len(wantStatus)+countVisible(f.store, newIDs) {
		t.Errorf("pull gave %d orders, want only the changed and new ones", len(got))
	}
	// The refunds made now are found by created:min.
	var refunds []bigcommerce.Refund
	must(f.client.ListRefunds(ctx, bigcommerce.RefundQuery{CreatedMin: watermark}, func(r bigcommerce.Refund) error { refunds = append(refunds, r); return nil }))
	if len(refunds) != 2 {
		t.Errorf("%d refunds since the watermark, want 2", len(refunds))
	}
	tx, err := f.client.OrderTransactions(ctx, awaiting[0])
	must(err)
	if last := tx[len(tx)-1]; last.Event != "capture" || last.ReferenceTxnID == 0 {
		t.Errorf("paid-later order's last transaction = %+v, want a capture of the authorization", last)
	}
}

func countVisible(s *bcfake.Store, ids []int64) int {
	n := 0
	for _, id := range ids {
		if st, _ := s.OrderStatus(id); st != 0 {
			n++
		}
	}
	return n
}

func TestCatalogAndInventory(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 10, Orders: 50}, bigcommerce.Config{})
	ctx := context.Background()
	var products []bigcommerce.Product
	if err := f.client.ListProducts(ctx, bigcommerce.ProductQuery{IncludeVariants: true}, func(p bigcommerce.Product) error {
		products = append(products, p)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var byProduct, byVariant *bigcommerce.Product
	for i, p := range products {
		if len(p.Variants) == 0 {
			t.Errorf("product %d listed without variants", p.ID)
		}
		switch p.InventoryTracking {
		case bigcommerce.TrackProduct:
			byProduct = &products[i]
		case bigcommerce.TrackVariant:
			byVariant = &products[i]
		}
	}
	if byProduct == nil || byVariant == nil {
		t.Fatal("catalog lacks a product tracked by product or by variant")
	}
	one, err := f.client.Product(ctx, byVariant.ID)
	if err != nil || one.ID != byVariant.ID || len(one.Variants) != len(byVariant.Variants) {
		t.Fatalf("Product(%d) = %+v, %v", byVariant.ID, one.ID, err)
	}
	vs, err := f.client.ProductVariants(ctx, byVariant.ID)
	if err != nil || len(vs) != len(byVariant.Variants) {
		t.Fatalf("ProductVariants = %d, %v", len(vs), err)
	}
	var bySKU []bigcommerce.Variant
	if err := f.client.ListVariants(ctx, bigcommerce.VariantQuery{SKU: vs[1].SKU}, func(v bigcommerce.Variant) error { bySKU = append(bySKU, v); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(bySKU) != 1 || bySKU[0].ID != vs[1].ID || bySKU[0].Price == nil {
		t.Fatalf("variant by SKU %q = %+v", vs[1].SKU, bySKU)
	}
	if _, err := f.client.SetInventoryAbsolute(ctx, "bcqb test", []bigcommerce.InventoryItem{
		{ProductID: byProduct.ID, Quantity: 7},
		{VariantID: vs[1].ID, Quantity: 3},
	}); err != nil {
		t.Fatal(err)
	}
	if lvl, _ := f.store.InventoryLevel(byProduct.ID, 0); lvl != 7 {
		t.Errorf("product level %d, want 7", lvl)
	}
	if lvl, _ := f.store.InventoryLevel(byVariant.ID, vs[1].ID); lvl != 3 {
		t.Errorf("variant level %d, want 3", lvl)
	}
	_, err = f.client.SetInventoryAbsolute(ctx, "wrong level", []bigcommerce.InventoryItem{{VariantID: byProduct.Variants[0].ID, Quantity: 1}})
	var apiErr *bigcommerce.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 422 || !strings.Contains(apiErr.Message, "tracked by product") {
		t.Errorf("variant of a product-tracked product: %v", err)
	}
	var changed []bigcommerce.Product
	if err := f.client.ListProducts(ctx, bigcommerce.ProductQuery{DateModifiedMin: time.Now().Add(-time.Minute)}, func(p bigcommerce.Product) error { changed = append(changed, p); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(changed) != 2 {
		t.Errorf("%d products modified by the adjustment, want 2", len(changed))
	}
}

func TestCustomersByEmail(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 11, Orders: 200}, bigcommerce.Config{})
	ctx := context.Background()
	var emails []string
	for _, o := range allOrders(t, f.client) {
		if o.CustomerID != 0 && !slices.Contains(emails, o.BillingAddress.Email) {
			emails = append(emails, o.BillingAddress.Email)
		}
	}
	if len(emails) < 2 {
		t.Fatalf("only %d registered buyers", len(emails))
	}
	var got []bigcommerce.Customer
	if err := f.client.ListCustomers(ctx, bigcommerce.CustomerQuery{Emails: emails}, func(c bigcommerce.Customer) error { got = append(got, c); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(emails) {
		t.Errorf("%d customers for %d emails", len(got), len(emails))
	}
	for _, c := range got {
		if len(c.Addresses) != 1 || c.Addresses[0].CustomerID != c.ID || c.DateCreated.IsZero() || len(c.StoreCreditAmounts) != 1 {
			t.Errorf("customer %d: addresses %+v, created %v, store credit %v", c.ID, c.Addresses, c.DateCreated, c.StoreCreditAmounts)
		}
	}
}

func TestErrorsAreTyped(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 12, Orders: 5}, bigcommerce.Config{})
	ctx := context.Background()
	_, err := f.client.Order(ctx, 999999)
	if !errors.Is(err, bigcommerce.ErrNotFound) {
		t.Errorf("missing order: %v", err)
	}
	if n := f.client.Stats().Requests; n != 1 {
		t.Errorf("a 404 was sent %d times, want 1 (no retry)", n)
	}
	bad, err := bigcommerce.New(bigcommerce.Config{BaseURL: f.srv.URL + "/stores/abc123/", Token: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Time(ctx)
	if !errors.Is(err, bigcommerce.ErrUnauthorized) || errors.Is(err, bigcommerce.ErrServer) {
		t.Errorf("bad token: %v", err)
	}
	if bad.Stats().Requests != 1 {
		t.Errorf("a 401 was retried")
	}
}

func TestRateLimitStorm(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 13, Orders: 5}, bigcommerce.Config{})
	f.store.InjectFaults(bcfake.Fault429, bcfake.Fault429, bcfake.Fault429, bcfake.Fault429Bare, bcfake.Fault429, bcfake.Fault429)
	if _, err := f.client.Time(context.Background()); err != nil {
		t.Fatalf("after a 429 storm: %v", err)
	}
	st := f.client.Stats()
	if st.RateLimited != 6 || st.Requests != 7 {
		t.Errorf("stats %+v, want 6 rate-limited of 7 requests", st)
	}
}

func TestRateLimitGivesUp(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 13, Orders: 5}, bigcommerce.Config{MaxRetries: 1})
	storm := make([]bcfake.Fault, 10)
	for i := range storm {
		storm[i] = bcfake.Fault429Bare
	}
	f.store.InjectFaults(storm...)
	_, err := f.client.Time(context.Background())
	if !errors.Is(err, bigcommerce.ErrRateLimited) {
		t.Errorf("endless 429s: %v", err)
	}
}

func TestServerErrorsRetried(t *testing.T) {
	tests := []struct {
		name     string
		faults   []bcfake.Fault
		retries  int
		wantErr  error
		attempts int64
	}{
		{"500 then ok", []bcfake.Fault{bcfake.Fault500}, 5, nil, 2},
		{"503 500 503 then ok", []bcfake.Fault{bcfake.Fault503, bcfake.Fault500, bcfake.Fault503}, 5, nil, 4},
		{"more 5xx than retries", []bcfake.Fault{bcfake.Fault500, bcfake.Fault500, bcfake.Fault500}, 2, bigcommerce.ErrServer, 3},
		{"cut-off body then ok", []bcfake.Fault{bcfake.FaultCutBody}, 5, nil, 2},
		{"half JSON then ok", []bcfake.Fault{bcfake.FaultBadJSON}, 5, nil, 2},
		{"cut-off bodies to the end", []bcfake.Fault{bcfake.FaultCutBody, bcfake.FaultCutBody}, 1, bigcommerce.ErrTruncated, 2},
		{"half JSON to the end", []bcfake.Fault{bcfake.FaultBadJSON, bcfake.FaultBadJSON}, 1, bigcommerce.ErrTruncated, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, bcfake.Options{Seed: 14, Orders: 20}, bigcommerce.Config{MaxRetries: tc.retries})
			id := f.store.OrderIDs(10)[0]
			f.store.InjectFaults(tc.faults...)
			o, err := f.client.Order(context.Background(), id)
			if tc.wantErr == nil {
				if err != nil || o.ID != id || o.TotalIncTax.IsZero() {
					t.Fatalf("Order(%d) = %d, %v", id, o.ID, err)
				}
			} else if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if got := f.client.Stats().Requests; got != tc.attempts {
				t.Errorf("%d requests, want %d", got, tc.attempts)
			}
		})
	}
}

func TestSlowAnswerCancelled(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 15, Orders: 5, SlowDelay: time.Minute}, bigcommerce.Config{})
	f.store.InjectFaults(bcfake.FaultSlow)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := f.client.Time(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow answer with a deadline: %v", err)
	}
}

// TestPacingAvoids429 runs many calls against a small quota and a store
// whose other apps already spent most of it: the client must wait for the
// window instead of drawing 429s.
func TestPacingAvoids429(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 16, Orders: 30, Quota: 10, Window: 40 * time.Millisecond}, bigcommerce.Config{HeadroomPercent: 20})
	f.store.SpendQuota(9)
	ctx := context.Background()
	for i := 0; i < 60; i++ {
		if _, err := f.client.Time(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if st := f.store.Stats(); st.RateLimited != 0 {
		t.Errorf("the store sent %d 429s", st.RateLimited)
	}
	if st := f.client.Stats(); st.Paced == 0 || st.RateLimited != 0 {
		t.Errorf("client stats %+v: want pacing and no 429", st)
	}
}

func TestCancelWhileWaitingForQuota(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 17, Orders: 5, Quota: 2, Window: time.Hour}, bigcommerce.Config{HeadroomPercent: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var err error
	for i := 0; i < 5 && err == nil; i++ {
		_, err = f.client.Time(ctx)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting an hour for the quota should end with the context: %v", err)
	}
}

// TestConcurrentPacing: several goroutines share one client (as parallel
// detail fetches would); the shared pacer must still keep them inside the
// quota.
func TestConcurrentPacing(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 18, Orders: 30, Quota: 20, Window: 40 * time.Millisecond}, bigcommerce.Config{HeadroomPercent: 10})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				if _, err := f.client.Time(ctx); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if st := f.store.Stats(); st.RateLimited != 0 {
		t.Errorf("the store sent %d 429s to concurrent callers", st.RateLimited)
	}
}
