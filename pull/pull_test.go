package pull_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/bigcommerce/bcfake"
	"github.com/bcqb/bcqb/pull"
	"github.com/bcqb/bcqb/store"
)

const token = "tok-4f1c9e0b7d2a-never-in-clear"

// clock is the fake store's clock: BigCommerce's time, months away from
// this machine's, so a watermark taken from the local clock would show.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// holds records Hold calls: how many are active and which companies were held.
type holds struct {
	mu        sync.Mutex
	active    int
	companies []int64
}

func (h *holds) Hold(companyID int64) func() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.active++
	h.companies = append(h.companies, companyID)
	var once sync.Once
	return func() {
		once.Do(func() {
			h.mu.Lock()
			h.active--
			h.mu.Unlock()
		})
	}
}

type fixture struct {
	fake   *bcfake.Store
	clock  *clock
	srv    *httptest.Server
	db     *store.DB
	p      *pull.Puller
	sealer *store.Sealer
	st     store.BCStore
	holds  *holds

	mu sync.Mutex
	// queries records the query of every GET v2/orders.
	queries []url.Values
	n       int
	// faults are injected when the fake has served at this many requests.
	faults map[int][]bcfake.Fault
}

type setup struct {
	orders       int
	backfillFrom time.Time
	maxRetries   int
	token        string
	dupHooks     bool
	// window is the fake's quota window (default 50 ms: the Standard plan 600 times faster).
	window time.Duration
}

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newFixture(t testing.TB, s setup) *fixture {
	t.Helper()
	if s.orders == 0 {
		s.orders = 40
	}
	if s.window == 0 {
		s.window = 50 * time.Millisecond
	}
	f := &fixture{clock: &clock{t: epoch}, holds: &holds{}, faults: map[int][]bcfake.Fault{}}
	f.fake = bcfake.New(bcfake.Options{Seed: 11, Orders: s.orders, Token: token, StoreHash: "abc123", Window: s.window,
		Now: f.clock.Now, WebhookDuplicates: s.dupHooks, Logger: quiet()})
	h := f.fake.Handler()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.n++
		if fs := f.faults[f.n]; len(fs) > 0 {
			f.fake.InjectFaults(fs...)
		}
		if strings.HasSuffix(r.URL.Path, "/v2/orders") {
			f.queries = append(f.queries, r.URL.Query())
		}
		f.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	ctx := context.Background()
	var err error
	f.db, err = store.Open(ctx, filepath.Join(t.TempDir(), "bcqb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	key, err := store.LoadOrCreateKey(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := store.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	f.sealer = sealer
	u, err := f.db.PutUser(ctx, "qb", "password1")
	if err != nil {
		t.Fatal(err)
	}
	tok := token
	if s.token != "" {
		tok = s.token
	}
	f.st, err = f.db.PutBCStore(ctx, sealer, store.BCStoreInput{StoreHash: "abc123", Token: tok, CompanyID: u.CompanyID,
		BackfillFrom: s.backfillFrom})
	if err != nil {
		t.Fatal(err)
	}
	f.p, err = pull.New(pull.Options{Store: f.db, Sealer: sealer, Hold: f.holds.Hold, APIURL: f.srv.URL + "/stores/{store_hash}/",
		Log: quiet(), Poll: 20 * time.Millisecond, Tune: func(c *bigcommerce.Config) {
			c.BackoffBase, c.BackoffMax, c.MaxRetries = time.Millisecond, 10*time.Millisecond, s.maxRetries
		}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// at injects faults when the fake has served n requests from now.
func (f *fixture) at(n int, faults ...bcfake.Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[f.n+n] = faults
}

func (f *fixture) store(t testing.TB) store.BCStore {
	t.Helper()
	st, err := f.db.BCStore(context.Background(), f.st.ID)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (f *fixture) counts(t testing.TB) map[string]store.DocumentCount {
	t.Helper()
	cs, err := f.db.DocumentCounts(context.Background(), f.st.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.DocumentCount{}
	for _, c := range cs {
		out[c.Kind] = c
	}
	return out
}

func (f *fixture) versions(t testing.TB, kind string, id int64) []store.Document {
	t.Helper()
	vs, err := f.db.DocumentVersions(context.Background(), f.st.ID, kind, id)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// listed counts the orders BigCommerce lists: all but the incomplete ones
// (status 0, a checkout never finished), which are no sale to book.
func (f *fixture) listed() int { return len(f.fake.OrderIDs()) - len(f.fake.OrderIDs(0)) }

var longAgo = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func TestPullTwiceStoresNoNewVersions(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, setup{backfillFrom: longAgo})
	first, err := f.p.Pull(ctx, f.st.ID)
	if err != nil {
		t.Fatal(err)
	}
	all := f.listed()
	if first.Orders != all || first.NewVersions == 0 || first.Customers == 0 || first.Products == 0 {
		t.Fatalf("first pull = %+v; the store has %d orders", first, all)
	}
	before := f.counts(t)
	if before[store.DocOrder].Documents != all || before[store.DocRefund].Documents == 0 {
		t.Errorf("stored %+v", before)
	}
	st := f.store(t)
	// The watermark is BigCommerce's clock, not ours.
	if !st.Watermark.Equal(epoch) || !st.CoveredFrom.Equal(longAgo) || st.PullState != store.PullOK || st.LastPullError != "" {
		t.Errorf("after the first pull: watermark %v covered %v state %s %q", st.Watermark, st.CoveredFrom, st.PullState, st.LastPullError)
	}
	f.clock.Add(time.Hour)
	second, err := f.p.Pull(ctx, f.st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if second.NewVersions != 0 {
		t.Errorf("second pull stored %d new versions of unchanged documents", second.NewVersions)
	}
	after := f.counts(t)
	for kind, c := range before {
		if after[kind] != c {
			t.Errorf("%s: %+v then %+v", kind, c, after[kind])
		}
	}
	// The second pull asked from the watermark less the overlap window.
	f.mu.Lock()
	last := f.queries[len(f.queries)-1]
	f.mu.Unlock()
	want := epoch.Add(-store.DefaultOverlap)
	got, err := time.Parse(time.RFC3339, last.Get("min_date_modified"))
	if err != nil || !got.Equal(want) {
		t.Errorf("second pull's min_date_modified = %q, want %v", last.Get("min_date_modified"), want)
	}
	if st := f.store(t); !st.Watermark.Equal(epoch.Add(time.Hour)) {
		t.Errorf("watermark after the second pull = %v", st.Watermark)
	}
	f.holds.mu.Lock()
	defer f.holds.mu.Unlock()
	if f.holds.active != 0 || len(f.holds.companies) != 2 || f.holds.companies[0] != f.st.CompanyID {
		t.Errorf("holds: %d still active, companies %v (want two holds of %d)", f.holds.active, f.holds.companies, f.st.CompanyID)
	}
}

func TestFirstPullWithoutBackfillTakesOnlyNewOrders(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, setup{})
	res, err := f.p.Pull(ctx, f.st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Orders != 0 {
		t.Errorf("first pull without a backfill date took %d old orders", res.Orders)
	}
	f.clock.Add(time.Minute)
	old := map[int64]bool{}
	for _, id := range f.fake.OrderIDs() {
		old[id] = true
	}
	f.fake.AddOrders(6)
	f.clock.Add(time.Minute)
	res, err = f.p.Pull(ctx, f.st.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, id := range f.fake.OrderIDs() {
		if st, _ := f.fake.OrderStatus(id); st != 0 && !old[id] {
			ids = append(ids, id)
		}
	}
	if res.Orders != len(ids) || len(ids) == 0 {
		t.Errorf("pulled %d orders, want the %d new ones", res.Orders, len(ids))
	}
	for _, id := range ids {
		if len(f.versions(t, store.DocOrder, id)) != 1 {
			t.Errorf("order %d not stored", id)
		}
	}
	// A backfill reaches back, widens what is covered, keeps the watermark.
	wm := f.store(t).Watermark
	res, err = f.p.Backfill(ctx, f.st.ID, longAgo)
	if err != nil {
		t.Fatal(err)
	}
	if res.Orders != f.listed() {
		t.Errorf("backfill pulled %d orders, want %d", res.Orders, f.listed())
	}
	st := f.store(t)
	if st.Watermark.Before(wm) || !st.CoveredFrom.Equal(longAgo) {
		t.Errorf("after backfill: watermark %v (was %v), covered %v", st.Watermark, wm, st.CoveredFrom)
	}
}

func TestBackfillChosenLaterIsQueuedAndRun(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, setup{})
	if _, err := f.p.Pull(ctx, f.st.ID); err != nil {
		t.Fatal(err)
	}
	// The user then picks a backfill date before what was pulled.
	if _, err := f.db.PutBCStore(ctx, f.sealer, store.BCStoreInput{StoreHash: "abc123", Token: token, BackfillFrom: longAgo}); err != nil {
		t.Fatal(err)
	}
	n, err := f.p.EnqueueAll(ctx)
	if err != nil || n != 2 {
		t.Fatalf("EnqueueAll queued %d, %v; want an incremental pull and a backfill", n, err)
	}
	for {
		ran, err := f.p.RunNext(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			break
		}
	}
	st := f.store(t)
	if !st.CoveredFrom.Equal(longAgo) || st.PullState != store.PullOK {
		t.Errorf("after the backfill: covered from %v, state %s %q", st.CoveredFrom, st.PullState, st.LastPullError)
	}
	if got := f.counts(t)[store.DocOrder].Documents; got != f.listed() {
		t.Errorf("%d orders stored, want %d", got, f.listed())
	}
	// Covered now: the next cron tick queues no backfill.
	if n, err := f.p.EnqueueAll(ctx); err != nil || n != 1 {
		t.Errorf("EnqueueAll queued %d, %v; want the incremental pull only", n, err)
	}
}

// TestEnqueueStoreQueuesOneStore: the page queues one store's pull (and
// its backfill, chosen before what was pulled) at once; asking again while
// they wait queues nothing more.
func TestEnqueueStoreQueuesOneStore(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, setup{})
	if _, err := f.p.Pull(ctx, f.st.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.PutBCStore(ctx, f.sealer, store.BCStoreInput{StoreHash: "abc123", Token: token, BackfillFrom: longAgo}); err != nil {
		t.Fatal(err)
	}
	if n, err := f.p.EnqueueStore(ctx, f.st.ID); err != nil || n != 2 {
		t.Fatalf("EnqueueStore queued %d, %v; want an incremental pull and a backfill", n, err)
	}
	if n, err := f.p.EnqueueStore(ctx, f.st.ID); err != nil || n != 0 {
		t.Errorf("EnqueueStore again queued %d, %v; want nothing", n, err)
	}
	tasks, err := f.db.PullTasks(ctx, f.st.ID, 10)
	if err != nil || len(tasks) != 2 || tasks[0].Kind != store.PullBackfill || !tasks[0].Since.Equal(longAgo) {
		t.Errorf("queued tasks = %+v, %v", tasks, err)
	}
	if _, err := f.p.EnqueueStore(ctx, f.st.ID+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("EnqueueStore of no store = %v; want ErrNotFound", err)
	}
}

func TestTokenSealedUnderAnotherKeyIsExplained(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, setup{})
	key, err := store.LoadOrCreateKey(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	other, err := store.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.PutBCStore(ctx, other, store.BCStoreInput{StoreHash: "abc123", Token: token}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.p.Pull(ctx, f.st.ID); !errors.Is(err, store.ErrSealed) {
		t.Fatalf("err = %v, want ErrSealed", err)
	}
	if st := f.store(t); st.PullState != store.PullError || !strings.Contains(st.LastPullError, "BCQB_BIGCOMMERCE_TOKEN") {
		t.Errorf("store row: %s %q", st.PullState, st.LastPullError)
	}
}

func TestChangedOrderIsANewVersion(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, setup{orders: 80, backfillFrom: longAgo})
	if _, err := f.p.Pull(ctx, f.st.ID); err != nil {
		t.Fatal(err)
	}
	pick := func(statuses ...int) int64 {
		for _, id := range f.fake.OrderIDs(statuses...) {
			if len(f.versions(t, store.DocOrder, id)) == 1 {
				return id
			}
		}
		t.Fatalf("no order with status %v to change", statuses)
		return 0
	}
	for _, tc := range []struct {
		name        string
		change      func(id int64) error
		statuses    []int
		newVersions int // the order, plus a refund document for a refund
	}{
		{"paid later", f.fake.MarkPaid, []int{7}, 1},
		{"cancelled", f.fake.Cancel, []int{7, 1}, 1},
		{"refunded", func(id int64) error {
			_, err := f.fake.Refund(id, bcfake.RefundRequest{Kind: bcfake.RefundOneItem, Reason: "Return"})
			return err
		}, []int{11, 2, 10}, 2},
		{"edited", func(id int64) error { return f.fake.SetStaffNotes(id, "call before delivery") }, []int{11}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := pick(tc.statuses...)
			before, err := f.db.DocumentsAfter(ctx, f.st.ID, 0, 100000)
			if err != nil {
				t.Fatal(err)
			}
			lastID := before[len(before)-1].ID
			f.clock.Add(time.Minute)
			if err := tc.change(id); err != nil {
				t.Fatal(err)
			}
			f.clock.Add(time.Minute)
			res, err := f.p.Pull(ctx, f.st.ID)
			if err != nil {
				t.Fatal(err)
			}
			vs := f.versions(t, store.DocOrder, id)
			if len(vs) != 2 || vs[1].Version != 2 {
				t.Fatalf("order %d has %d versions, want 2", id, len(vs))
			}
			// Customers and products re-pulled with the order may carry a
			// changed store credit or stock level; count orders and refunds.
			orderish := 0
			docs, err := f.db.DocumentsAfter(ctx, f.st.ID, lastID, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range docs {
				if d.Kind == store.DocOrder || d.Kind == store.DocRefund {
					orderish++
				}
			}
			if orderish != tc.newVersions {
				t.Errorf("%d new order/refund versions, want %d (pull: %v)", orderish, tc.newVersions, res)
			}
			old, err := pull.DecodeOrder([]byte(vs[0].Raw))
			if err != nil {
				t.Fatal(err)
			}
			cur, err := pull.DecodeOrder([]byte(vs[1].Raw))
			if err != nil {
				t.Fatal(err)
			}
			if !cur.Order.DateModified.After(old.Order.DateModified) || len(cur.Products) == 0 {
				t.Errorf("versions: modified %v then %v, %d lines", old.Order.DateModified, cur.Order.DateModified, len(cur.Products))
			}
			if tc.newVersions == 2 && len(cur.Refunds) != len(old.Refunds)+1 {
				t.Errorf("refunds in the order: %d then %d", len(old.Refunds), len(cur.Refunds))
			}
		})
	}
}

// reference pulls a clean copy of the same store and returns the content
// hash of every stored order.
func reference(t *testing.T, s setup) (map[int64]string, map[string]store.DocumentCount) {
	t.Helper()
	f := newFixture(t, s)
	if _, err := f.p.Pull(context.Background(), f.st.ID); err != nil {
		t.Fatal(err)
	}
	return f.orderHashes(t), f.counts(t)
}

func (f *fixture) orderHashes(t *testing.T) map[int64]string {
	t.Helper()
	out := map[int64]string{}
	docs, err := f.db.DocumentsAfter(context.Background(), f.st.ID, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if d.Kind == store.DocOrder {
			if _, dup := out[d.BCID]; dup {
				t.Errorf("order %d stored twice", d.BCID)
			}
			out[d.BCID] = string(d.ContentHash)
		}
	}
	return out
}

func TestRateLimitStormAndServerErrorsDoNotReachTheUser(t *testing.T) {
	ctx := context.Background()
	s := setup{backfillFrom: longAgo}
	want, wantCounts := reference(t, s)
	f := newFixture(t, s)
	f.at(5, bcfake.Fault429, bcfake.Fault429, bcfake.Fault429Bare, bcfake.Fault429, bcfake.Fault429)
	f.at(30, bcfake.Fault500, bcfake.Fault503, bcfake.Fault500)
	f.at(60, bcfake.Fault429, bcfake.FaultBadJSON, bcfake.Fault429)
	f.fake.SpendQuota(1000) // another app spent the window
	if _, err := f.p.Pull(ctx, f.st.ID); err != nil {
		t.Fatalf("a 429 storm and a few 5xx reached the user: %v", err)
	}
	if st := f.store(t); st.PullState != store.PullOK || st.LastPullError != "" {
		t.Errorf("store row: %s %q", st.PullState, st.LastPullError)
	}
	if got := f.orderHashes(t); len(got) != len(want) {
		t.Errorf("%d orders stored, want %d", len(got), len(want))
	} else {
		for id, h := range want {
			if got[id] != h {
				t.Errorf("order %d differs from a clean pull's", id)
			}
		}
	}
	if got := f.counts(t); len(got) != len(wantCounts) {
		t.Errorf("counts %v, want %v", got, wantCounts)
	}
	if f.fake.Stats().Injected == 0 {
		t.Error("no fault was served")
	}
}

func TestCutOffBodyMidPull(t *testing.T) {
	ctx := context.Background()
	s := setup{backfillFrom: longAgo, maxRetries: 1}
	want, _ := reference(t, s)
	f := newFixture(t, s)
	f.at(40, bcfake.FaultCutBody, bcfake.FaultCutBody, bcfake.FaultCutBody)
	_, err := f.p.Pull(ctx, f.st.ID)
	if !errors.Is(err, bigcommerce.ErrTruncated) {
		t.Fatalf("pull with a cut-off body: err = %v", err)
	}
	st := f.store(t)
	if st.PullState != store.PullError || !strings.Contains(st.LastPullError, "cut off") || !st.Watermark.IsZero() {
		t.Errorf("store row: %s %q watermark %v", st.PullState, st.LastPullError, st.Watermark)
	}
	// What was stored is whole orders, exactly as a clean pull stores them.
	partial := f.orderHashes(t)
	if len(partial) == 0 || len(partial) >= len(want) {
		t.Errorf("%d of %d orders stored before the cut: the fault did not land mid-pull", len(partial), len(want))
	}
	for id, h := range partial {
		if want[id] != h {
			t.Errorf("order %d stored differs from a clean pull's: half written", id)
		}
	}
	// The next pull completes, from the same place, adding no second versions.
	if _, err := f.p.Pull(ctx, f.st.ID); err != nil {
		t.Fatal(err)
	}
	got := f.orderHashes(t)
	if len(got) != len(want) {
		t.Errorf("after the next pull %d orders, want %d", len(got), len(want))
	}
	if st := f.store(t); st.PullState != store.PullOK || !st.Watermark.Equal(epoch) {
		t.Errorf("after the next pull: %s watermark %v", st.PullState, st.Watermark)
	}
}

func TestPersistentServerErrorsAreRecordedAndLoseNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, setup{backfillFrom: longAgo, maxRetries: 2})
	if _, err := f.p.Pull(ctx, f.st.ID); err != nil {
		t.Fatal(err)
	}
	before := f.counts(t)
	f.clock.Add(time.Hour)
	f.at(3, bcfake.Fault500, bcfake.Fault503, bcfake.Fault500, bcfake.Fault500)
	if _, err := f.p.Pull(ctx, f.st.ID); !errors.Is(err, bigcommerce.ErrServer) {
		t.Fatalf("err = %v, want ErrServer", err)
	}
	st := f.store(t)
	if st.PullState != store.PullError || !strings.Contains(st.LastPullError, "server errors (5xx)") || !st.Watermark.Equal(epoch) {
		t.Errorf("store row: %s %q, watermark %v", st.PullState, st.LastPullError, st.Watermark)
	}
	after := f.counts(t)
	for kind, c := range before {
		if after[kind] != c {
			t.Errorf("%s: %+v then %+v", kind, c, after[kind])
		}
	}
}

func TestBadTokenIsRecordedInWords(t *testing.T) {
	f := newFixture(t, setup{backfillFrom: longAgo, token: "tok-mistyped-0000"})
	if _, _, err := f.p.Enqueue(context.Background(), store.PullTask{StoreID: f.st.ID, Kind: store.PullIncremental}); err != nil {
		t.Fatal(err)
	}
	ran, err := f.p.RunNext(context.Background())
	if !ran || !errors.Is(err, bigcommerce.ErrUnauthorized) {
		t.Fatalf("ran %v err %v", ran, err)
	}
	st := f.store(t)
	if st.PullState != store.PullError || !strings.Contains(st.LastPullError, "401") || strings.Contains(st.LastPullError, "tok-mistyped") {
		t.Errorf("store row: %s %q", st.PullState, st.LastPullError)
	}
	tasks, _ := f.db.PullTasks(context.Background(), f.st.ID, 1)
	if len(tasks) != 1 || tasks[0].State != store.TaskFailed {
		t.Errorf("task = %+v", tasks)
	}
}

func TestCloseInterruptsAPullThatResumesAtTheNextStart(t *testing.T) {
	ctx := context.Background()
	// A quota window of half a second makes the pull last a few seconds.
	f := newFixture(t, setup{orders: 100, backfillFrom: longAgo, window: 500 * time.Millisecond})
	if err := f.p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.p.Enqueue(ctx, store.PullTask{StoreID: f.st.ID, Kind: store.PullIncremental}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for f.counts(t)[store.DocOrder].Documents == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the pull stored nothing")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := f.p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	st := f.store(t)
	if st.PullState != store.PullError || !strings.Contains(st.LastPullError, "interrupted") || !st.Watermark.IsZero() {
		t.Errorf("after Close: %s %q watermark %v", st.PullState, st.LastPullError, st.Watermark)
	}
	tasks, err := f.db.PullTasks(ctx, f.st.ID, 1)
	if err != nil || len(tasks) != 1 || tasks[0].State != store.TaskQueued {
		t.Fatalf("interrupted task = %+v, %v; want it queued again", tasks, err)
	}
	// The next start picks it up and finishes.
	p2, err := pull.New(pull.Options{Store: f.db, Sealer: f.sealer, APIURL: f.srv.URL + "/stores/{store_hash}/", Log: quiet(),
		Poll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := p2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer p2.Close(ctx)
	deadline = time.Now().Add(30 * time.Second)
	for f.store(t).PullState != store.PullOK {
		if time.Now().After(deadline) {
			t.Fatalf("the resumed pull did not finish: %+v", f.store(t))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := f.counts(t)[store.DocOrder]; got.Documents != f.listed() || got.Versions != got.Documents {
		t.Errorf("orders after the resumed pull: %+v, want %d, one version each", got, f.listed())
	}
}
