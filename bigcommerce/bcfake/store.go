// Package bcfake is an offline BigCommerce store: an http.Handler serving
// the v2/v3 endpoints bcqb uses, with the response shapes of BigCommerce's
// OpenAPI specs, backed by a deterministic generator of a realistic store.
//
// A seed always produces the same catalog, customers and orders: products
// with and without variants, inventory tracked by product and by variant, a
// bundle whose child line ships at price 0, registered and guest customers,
// orders in four currencies with tax-exclusive (US, Canada) and
// tax-inclusive (Germany, UK) pricing and one to several rates, shipping and
// handling, coupons, automatic and manual discounts, gift certificates and
// store credit, every order status, payments captured later, cancellations
// and full and partial refunds. Every total is computed by the store itself,
// so the numbers add up (see order.compute for the invariants).
//
// Like BigCommerce it enforces a request quota per window and sends the
// X-Rate-Limit-* headers, answers 204 past the last v2 page, and it can be
// told to misbehave (429 storms, 500, 503, slow answers, cut-off bodies).
// Tests and the demo change orders through Store's methods (paid later,
// cancelled, refunded, shipped) and can let it keep taking orders over time.
package bcfake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Options configure a fake store. Zero values take the defaults noted.
type Options struct {
	// Seed picks the store; the same seed gives the same store.
	Seed int64
	// Orders is the number of seeded orders (default 100).
	Orders int
	// Products (default 40) and Customers (default Orders/4, at least 10).
	Products  int
	Customers int
	// StoreHash is the hash in /stores/{hash}/ (default "fakestore"). Any
	// hash is accepted in the path; this one is reported by /v2/store.
	StoreHash string
	// Token, when set, must match X-Auth-Token (401 otherwise).
	Token string
	// Quota requests per Window (defaults 150 per 30 s: the Standard plan).
	// Tests and benchmarks shrink Window to run the same quota faster.
	Quota  int
	Window time.Duration
	// Epoch is when the seeded history ends: seeded orders are placed during
	// the year before it (default 2026-01-01 UTC). It keeps the data the same
	// whatever the wall clock says.
	Epoch time.Time
	// Now is the store's clock (for /v2/time and changes); default time.Now.
	Now func() time.Time
	// WebhookDuplicates delivers every webhook callback twice (same hash),
	// as BigCommerce sometimes does.
	WebhookDuplicates bool
	// InventoryDelay makes absolute inventory adjustments apply this long
	// after they are accepted, as BigCommerce applies them asynchronously
	// (default 0: at once).
	InventoryDelay time.Duration
	// ConsignmentLineCap is how many line items a consignment embeds at
	// most with include=consignments.line_items (default 50, as BigCommerce;
	// bigcommerce/docs issue #960); one with more says so in "__warning__".
	ConsignmentLineCap int
	// SlowDelay is how long a FaultSlow answer takes (default 2 s).
	SlowDelay time.Duration
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Store is one fake BigCommerce store. Its methods are safe for concurrent
// use with the handler.
type Store struct {
	opts Options
	log  *slog.Logger

	mu        sync.Mutex
	gen       *generator
	products  []*product
	customers []*customer
	orders    []*order // ascending id
	byID      map[int64]*order
	refunds   []*refund // ascending id
	seq       struct {
		order, line, address, txn, refund, refundPay, variant, coupon, giftCert, inventory, hook, event, fee int64
	}
	hooks      []*hook
	pending    []pendingAdjustments
	deliveries sync.WaitGroup
	limit      limiter
	faults     []Fault
	stats      ServerStats
}

// ServerStats counts what the handler served.
type ServerStats struct {
	Requests    int64 // every request that reached the handler
	RateLimited int64 // 429s sent because the quota ran out (not injected ones)
	Injected    int64 // faults served
	// WebhooksSent and WebhooksFailed count callback deliveries.
	WebhooksSent   int64
	WebhooksFailed int64
}

// New builds the store: catalog, customers, then the seeded orders.
func New(opts Options) *Store {
	if opts.Orders == 0 {
		opts.Orders = 100
	}
	if opts.Products <= 0 {
		opts.Products = 40
	}
	if opts.Customers <= 0 {
		opts.Customers = max(opts.Orders/4, 10)
	}
	if opts.StoreHash == "" {
		opts.StoreHash = "fakestore"
	}
	if opts.Quota <= 0 {
		opts.Quota = 150
	}
	if opts.Window <= 0 {
		opts.Window = 30 * time.Second
	}
	if opts.Epoch.IsZero() {
		opts.Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SlowDelay <= 0 {
		opts.SlowDelay = 2 * time.Second
	}
	if opts.ConsignmentLineCap <= 0 {
		opts.ConsignmentLineCap = 50
	}
	s := &Store{opts: opts, log: opts.Logger, byID: map[int64]*order{}}
	if s.log == nil {
		s.log = slog.Default()
	}
	seed := uint64(opts.Seed)
	s.gen = &generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	s.limit = limiter{quota: opts.Quota, window: opts.Window}
	s.seq.order, s.seq.line, s.seq.address, s.seq.txn = 99, 0, 0, 1000
	s.genCatalog(s.gen, opts.Products)
	s.genCustomers(s.gen, opts.Customers)

	// Seeded orders: placed over the year before Epoch (ending two weeks
	// before it, so every later event of their lives is in the past too).
	if opts.Orders > 0 {
		end := opts.Epoch.Add(-15 * 24 * time.Hour)
		start := end.Add(-365 * 24 * time.Hour)
		step := end.Sub(start) / time.Duration(opts.Orders)
		t := start
		for i := 0; i < opts.Orders; i++ {
			t = t.Add(time.Duration(s.gen.r.Int64N(int64(2*step) + 1))).Truncate(time.Second)
			if t.After(end) {
				t = end
			}
			s.put(s.newOrder(s.gen, t, s.gen.status()))
		}
	}
	return s
}

func (s *Store) put(o *order) {
	s.orders = append(s.orders, o)
	s.byID[o.ID] = o
}

// now is the store clock, truncated to BigCommerce's one-second precision.
func (s *Store) now() time.Time { return s.opts.Now().UTC().Truncate(time.Second) }

// ErrNoOrder is returned by the change methods for an unknown order id.
var ErrNoOrder = errors.New("bcfake: no such order")

func (s *Store) order(id int64) (*order, error) {
	o := s.byID[id]
	if o == nil {
		return nil, fmt.Errorf("%w: %d", ErrNoOrder, id)
	}
	return o, nil
}

// AddOrders places n new orders at the store clock's now, as shoppers would:
// most paid by card at once, some awaiting payment or pending an offline
// payment, a few incomplete. It returns their ids.
func (s *Store) AddOrders(n int) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int64, 0, n)
	for i := 0; i < n; i++ {
		status := []int{11, 11, 11, 11, 7, 7, 1, 9, 0}[s.gen.pick(9)]
		o := s.newOrder(s.gen, s.now(), status)
		// newOrder plays events at "later" times; a live order's events
		// happen now, so pull them back.
		now := s.now()
		for _, t := range o.Txns {
			t.Created = now
		}
		o.Modified = now
		s.put(o)
		ids = append(ids, o.ID)
		if o.StatusID != 0 {
			s.emit("store/order/created", map[string]any{"type": "order", "id": o.ID})
		}
	}
	return ids
}

// MarkPaid takes the payment of an order awaiting it (status 7, 12 or 1): the
// authorization is captured, or the offline payment arrives. The order
// becomes Awaiting Fulfillment and its date_modified moves to now.
func (s *Store) MarkPaid(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.order(id)
	if err != nil {
		return err
	}
	prev := o.StatusID
	if err := s.markPaid(o, s.now()); err != nil {
		return err
	}
	s.orderChanged(o, prev)
	return nil
}

// Cancel cancels an unpaid order and voids its authorization. A paid order
// must be refunded instead.
func (s *Store) Cancel(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.order(id)
	if err != nil {
		return err
	}
	prev := o.StatusID
	if err := s.cancel(o, s.now()); err != nil {
		return err
	}
	s.orderChanged(o, prev)
	return nil
}

// SetChannel moves an order to a sales channel (channel_id), as an order
// that came from Amazon, eBay or a point of sale is; it counts as a change.
func (s *Store) SetChannel(id, channel int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.order(id)
	if err != nil {
		return err
	}
	o.Channel = channel
	o.Modified = s.now()
	s.orderChanged(o, o.StatusID)
	return nil
}

// Ship ships a paid order's physical lines (status Shipped).
func (s *Store) Ship(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.order(id)
	if err != nil {
		return err
	}
	if !o.captured() {
		return fmt.Errorf("bcfake: order %d is not paid", id)
	}
	prev := o.StatusID
	s.ship(o, s.now(), false)
	s.orderChanged(o, prev)
	return nil
}

// Refund refunds a paid order as req says and returns the refund id. The
// order becomes Refunded when nothing is left, Partially Refunded otherwise.
func (s *Store) Refund(id int64, req RefundRequest) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.order(id)
	if err != nil {
		return 0, err
	}
	prev := o.StatusID
	r, err := s.refund(o, req, s.now())
	if err != nil {
		return 0, err
	}
	s.emit("store/order/refund/created", map[string]any{"type": "order", "id": o.ID, "refund": map[string]any{"refund_id": r.ID}})
	s.orderChanged(o, prev)
	return r.ID, nil
}

// SetStaffNotes edits an order's staff notes: a change with no money in it,
// which still moves date_modified (so it shows up in the next pull).
func (s *Store) SetStaffNotes(id int64, notes string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.order(id)
	if err != nil {
		return err
	}
	o.StaffNotes = notes
	o.touch(s.now())
	s.orderChanged(o, o.StatusID)
	return nil
}

// OrderIDs lists the ids of orders with the given statuses (all when none).
func (s *Store) OrderIDs(statuses ...int) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []int64
	for _, o := range s.orders {
		if len(statuses) == 0 || containsInt(statuses, o.StatusID) {
			ids = append(ids, o.ID)
		}
	}
	return ids
}

// OrderStatus returns an order's status id.
func (s *Store) OrderStatus(id int64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.order(id)
	if err != nil {
		return 0, err
	}
	return o.StatusID, nil
}

// InventoryLevel returns the stock of a product (tracked by product) or a
// variant (tracked by variant; pass its id as variantID).
func (s *Store) InventoryLevel(productID, variantID int64) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyDue(time.Now())
	for _, p := range s.products {
		if p.ID != productID {
			continue
		}
		if variantID == 0 {
			return p.Level, nil
		}
		for _, v := range p.Variants {
			if v.ID == variantID {
				return v.Level, nil
			}
		}
	}
	return 0, fmt.Errorf("bcfake: no product %d variant %d", productID, variantID)
}

// SpendQuota uses n requests of the current rate-limit window, as another
// app installed on the store would.
func (s *Store) SpendQuota(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	s.limit.roll(now)
	s.limit.used = min(s.limit.used+n, s.limit.quota)
}

// Stats returns what the handler has served so far.
func (s *Store) Stats() ServerStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Grow keeps the store alive for a demo: every interval it takes a new
// order and moves an older one along its life (paid, shipped, cancelled or
// refunded). It returns when ctx ends.
func (s *Store) Grow(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ids := s.AddOrders(1)
		s.mu.Lock()
		var candidates []*order
		for _, o := range s.orders[max(0, len(s.orders)-50):] {
			if o.ID != ids[0] {
				candidates = append(candidates, o)
			}
		}
		if len(candidates) > 0 {
			o := candidates[s.gen.pick(len(candidates))]
			now := s.now()
			prev, refundsBefore := o.StatusID, len(o.Refunds)
			switch o.StatusID {
			case 7, 1:
				if s.gen.chance(80) {
					_ = s.markPaid(o, now)
				} else {
					_ = s.cancel(o, now)
				}
			case 11, 9:
				s.ship(o, now, false)
			case 2, 10:
				if s.gen.chance(30) {
					_, _ = s.refund(o, RefundRequest{Kind: RefundOneItem, Reason: "Return"}, now)
				}
			}
			if len(o.Refunds) > refundsBefore {
				s.emit("store/order/refund/created", map[string]any{"type": "order", "id": o.ID, "refund": map[string]any{"refund_id": o.Refunds[len(o.Refunds)-1].ID}})
			}
			if o.StatusID != prev || len(o.Refunds) > refundsBefore {
				s.orderChanged(o, prev)
			}
		}
		s.mu.Unlock()
		s.log.InfoContext(ctx, "bcfake: new order", "id", ids[0])
	}
}

// Run is `bcqb fakestore`: it builds the store from opts, lets it take a new
// order every growEvery (none when 0) and serves it on addr until ctx ends.
func Run(ctx context.Context, addr string, opts Options, growEvery time.Duration) error {
	s := New(opts)
	if growEvery > 0 {
		go s.Grow(ctx, growEvery)
	}
	return s.Serve(ctx, addr)
}

// Serve runs the store on addr until ctx ends: what `bcqb fakestore` calls.
// It logs the base URL to point the client at.
func (s *Store) Serve(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("bcfake: listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sh, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sh)
	}()
	s.log.InfoContext(ctx, "bcfake: serving", "base_url", fmt.Sprintf("http://%s/stores/%s/", ln.Addr(), s.opts.StoreHash), "orders", len(s.orders))
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("bcfake: serve: %w", err)
	}
	return nil
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// sortedOrders returns the orders sorted by key then id.
func sortedOrders(os []*order, key func(*order) int64, desc bool) []*order {
	out := append([]*order(nil), os...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := key(out[i]), key(out[j])
		if a == b {
			return out[i].ID < out[j].ID
		}
		if desc {
			return a > b
		}
		return a < b
	})
	return out
}
