package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bcqb/bcqb/store"
)

func testSealer(t *testing.T) *store.Sealer {
	t.Helper()
	key, err := store.LoadOrCreateKey(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSecretKeyFileIsCreatedOnceWithMode0600(t *testing.T) {
	dir := t.TempDir()
	k1, err := store.LoadOrCreateKey(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, store.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("secret.key mode = %v, want 0600", fi.Mode().Perm())
	}
	k2, err := store.LoadOrCreateKey(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k1, k2) {
		t.Error("a second start made a new key")
	}
	for name, given := range map[string]string{
		"hex":    strings.Repeat("ab", 32),
		"base64": "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=",
	} {
		t.Run(name, func(t *testing.T) {
			k, err := store.LoadOrCreateKey(dir, given)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(k, bytes.Repeat([]byte{0xab}, 32)) {
				t.Errorf("key = %x", k)
			}
		})
	}
	if _, err := store.LoadOrCreateKey(dir, "too-short"); err == nil || !strings.Contains(err.Error(), "openssl rand") {
		t.Errorf("short key: err = %v, want advice", err)
	}
}

func TestSealerBindsContext(t *testing.T) {
	s := testSealer(t)
	sealed, err := s.Seal([]byte("tok"), "a")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Open(sealed, "a"); err != nil || string(got) != "tok" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := s.Open(sealed, "b"); !errors.Is(err, store.ErrSealed) {
		t.Errorf("other context: err = %v, want ErrSealed", err)
	}
	if _, err := testSealer(t).Open(sealed, "a"); !errors.Is(err, store.ErrSealed) {
		t.Errorf("other key: err = %v, want ErrSealed", err)
	}
}

func TestBCStoreTokenIsEncryptedAtRest(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	sealer := testSealer(t)
	const token = "tok-ZZ9-plural-z-alpha-0123456789"
	st, err := db.PutBCStore(ctx, sealer, store.BCStoreInput{StoreHash: "abc123", Token: token})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.BCStoreToken(ctx, sealer, st.ID)
	if err != nil || got != token {
		t.Fatalf("token = %q, %v", got, err)
	}
	if st.Overlap != store.DefaultOverlap || st.PullState != store.PullNever {
		t.Errorf("new store = %+v", st)
	}
	if _, err := db.BCStoreToken(ctx, testSealer(t), st.ID); !errors.Is(err, store.ErrSealed) {
		t.Errorf("wrong key: err = %v, want ErrSealed", err)
	}
	db.Close()
	for _, f := range []string{db.Path(), db.Path() + "-wal"} {
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(token)) {
			t.Errorf("%s holds the token in clear", filepath.Base(f))
		}
	}
}

func TestPutBCStoreUpdatesAndKeepsLinks(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	sealer := testSealer(t)
	u, err := db.PutUser(ctx, "qb", "password1")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	a, err := db.PutBCStore(ctx, sealer, store.BCStoreInput{StoreHash: "h", Token: "t1", CompanyID: u.CompanyID, BackfillFrom: from})
	if err != nil {
		t.Fatal(err)
	}
	b, err := db.PutBCStore(ctx, sealer, store.BCStoreInput{StoreHash: "h", Token: "t2", Overlap: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != b.ID || b.CompanyID != u.CompanyID || !b.BackfillFrom.Equal(from) || b.Overlap != time.Minute {
		t.Errorf("update lost fields: %+v", b)
	}
	if tok, _ := db.BCStoreToken(ctx, sealer, a.ID); tok != "t2" {
		t.Errorf("token = %q, want the new one", tok)
	}
	if _, err := db.BCStoreByHash(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown hash: %v", err)
	}
}

func TestWatermarkMovesOnlyAfterACompletePullWithoutGap(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	st, err := db.PutBCStore(ctx, testSealer(t), store.BCStoreInput{StoreHash: "h", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	steps := []struct {
		name             string
		res              store.BCPullResult
		watermark, cover time.Time
		state            string
	}{
		{"first pull", store.BCPullResult{Since: day(5), Until: day(10)}, day(10), day(5), store.PullOK},
		{"failed pull keeps it", store.BCPullResult{Err: "boom", Since: day(9), Until: day(20)}, day(10), day(5), store.PullError},
		{"pull with a gap keeps it", store.BCPullResult{Since: day(11), Until: day(20)}, day(10), day(5), store.PullOK},
		{"overlapping pull moves it", store.BCPullResult{Since: day(9), Until: day(12)}, day(12), day(5), store.PullOK},
		{"backfill widens coverage, never moves it back", store.BCPullResult{Since: day(1), Until: day(11)}, day(12), day(1), store.PullOK},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if err := db.FinishBCPull(ctx, st.ID, s.res); err != nil {
				t.Fatal(err)
			}
			got, err := db.BCStore(ctx, st.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Watermark.Equal(s.watermark) || !got.CoveredFrom.Equal(s.cover) || got.PullState != s.state {
				t.Errorf("watermark %v covered %v state %s; want %v %v %s", got.Watermark, got.CoveredFrom, got.PullState,
					s.watermark, s.cover, s.state)
			}
			if s.res.Err != "" && got.LastPullError != s.res.Err {
				t.Errorf("error = %q", got.LastPullError)
			}
		})
	}
}

func TestPutDocumentsVersions(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	st, err := db.PutBCStore(ctx, testSealer(t), store.BCStoreInput{StoreHash: "h", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	put := func(raw string) store.PutResult {
		t.Helper()
		res, err := db.PutDocuments(ctx, st.ID, []store.DocumentInput{{Kind: store.DocOrder, BCID: 100, Raw: []byte(raw)}})
		if err != nil {
			t.Fatal(err)
		}
		return res[0]
	}
	steps := []struct {
		raw     string
		created bool
		version int
	}{
		{`{"id":100,"status":"Awaiting Payment","total":"10.0000"}`, true, 1},
		{`{"id":100,"status":"Awaiting Payment","total":"10.0000"}`, false, 1},
		{`{ "total":"10.0000", "id":100, "status":"Awaiting Payment" }`, false, 1}, // same content, other key order
		{`{"id":100,"status":"Awaiting Fulfillment","total":"10.0000"}`, true, 2},
		{`{"id":100,"status":"Awaiting Fulfillment","total":"10.00"}`, true, 3}, // numbers kept as written
	}
	for i, s := range steps {
		r := put(s.raw)
		if r.Created != s.created || r.Version != s.version {
			t.Errorf("step %d: created %v version %d, want %v %d", i, r.Created, r.Version, s.created, s.version)
		}
	}
	vs, err := db.DocumentVersions(ctx, st.ID, store.DocOrder, 100)
	if err != nil || len(vs) != 3 {
		t.Fatalf("versions = %d, %v", len(vs), err)
	}
	// All or nothing: a bad document in a batch writes none of it.
	_, err = db.PutDocuments(ctx, st.ID, []store.DocumentInput{
		{Kind: store.DocRefund, BCID: 1, ParentID: 100, Raw: []byte(`{"id":1}`)},
		{Kind: store.DocOrder, BCID: 101, Raw: []byte(`{"id":`)},
	})
	if err == nil {
		t.Fatal("a cut-off document was accepted")
	}
	if _, err := db.LatestDocument(ctx, st.ID, store.DocRefund, 1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("half a batch was written: %v", err)
	}
	if _, err := db.PutDocuments(ctx, st.ID, []store.DocumentInput{
		{Kind: store.DocRefund, BCID: 1, ParentID: 100, Raw: []byte(`{"id":1,"a":1}`)},
		{Kind: store.DocRefund, BCID: 2, ParentID: 100, Raw: []byte(`{"id":2}`)},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutDocuments(ctx, st.ID, []store.DocumentInput{
		{Kind: store.DocRefund, BCID: 1, ParentID: 100, Raw: []byte(`{"id":1,"a":2}`)},
	}); err != nil {
		t.Fatal(err)
	}
	kids, err := db.LatestChildren(ctx, st.ID, store.DocRefund, 100)
	if err != nil || len(kids) != 2 || kids[0].Version != 2 || kids[1].Version != 1 {
		t.Errorf("children = %+v, %v", kids, err)
	}
	after, err := db.DocumentsAfter(ctx, st.ID, vs[2].ID, 10)
	if err != nil || len(after) != 3 {
		t.Errorf("documents after the last order version = %d, %v", len(after), err)
	}
}

func TestPullQueue(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	st, err := db.PutBCStore(ctx, testSealer(t), store.BCStoreInput{StoreHash: "h", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	inc, created, err := db.EnqueuePull(ctx, store.PullTask{StoreID: st.ID, Kind: store.PullIncremental})
	if err != nil || !created {
		t.Fatal(err)
	}
	if again, created, err := db.EnqueuePull(ctx, store.PullTask{StoreID: st.ID, Kind: store.PullIncremental}); err != nil || created || again.ID != inc.ID {
		t.Errorf("second cron tick queued another pull: %v %v", created, err)
	}
	d1, d2 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, _, err := db.EnqueuePull(ctx, store.PullTask{StoreID: st.ID, Kind: store.PullBackfill, Since: d1}); err != nil {
		t.Fatal(err)
	}
	bf, created, err := db.EnqueuePull(ctx, store.PullTask{StoreID: st.ID, Kind: store.PullBackfill, Since: d2})
	if err != nil || created || !bf.Since.Equal(d2) {
		t.Errorf("queued backfill = %+v created %v: want one, from the earlier date", bf, created)
	}
	if _, _, err := db.EnqueuePull(ctx, store.PullTask{StoreID: st.ID, Kind: store.PullOneOrder, OrderID: 7}); err != nil {
		t.Fatal(err)
	}
	// Order pulls first; then the incremental; the backfill waits for it.
	var got []string
	for {
		task, err := db.ClaimPull(ctx)
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, task.Kind)
	}
	if strings.Join(got, ",") != "order,incremental" {
		t.Errorf("claimed %v, want order then incremental (backfill waits for the running pull)", got)
	}
	if err := db.FinishPull(ctx, inc.ID, "", time.Time{}); err != nil {
		t.Fatal(err)
	}
	task, err := db.ClaimPull(ctx)
	if err != nil || task.Kind != store.PullBackfill {
		t.Fatalf("after the pull ended: %+v %v", task, err)
	}
	// A retry later puts it back, not before its time.
	if err := db.FinishPull(ctx, task.ID, "503", db.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimPull(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a task delayed an hour was claimed: %v", err)
	}
	// A restart requeues what was left running.
	if _, _, err := db.EnqueuePull(ctx, store.PullTask{StoreID: st.ID, Kind: store.PullIncremental}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimPull(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := db.RequeueRunningPulls(ctx); err != nil || n != 2 {
		t.Errorf("requeued %d, %v; want the order and the incremental pull", n, err)
	}
}

func TestClaimPullIsExclusive(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	st, err := db.PutBCStore(ctx, testSealer(t), store.BCStoreInput{StoreHash: "h", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	for i := 1; i <= n; i++ {
		if _, _, err := db.EnqueuePull(ctx, store.PullTask{StoreID: st.ID, Kind: store.PullOneOrder, OrderID: int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				task, err := db.ClaimPull(ctx)
				if err != nil {
					return
				}
				mu.Lock()
				seen[task.OrderID]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("claimed %d distinct tasks, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("order %d claimed %d times", id, c)
		}
	}
}

func TestRecordWebhookDedupes(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	st, err := db.PutBCStore(ctx, testSealer(t), store.BCStoreInput{StoreHash: "h", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	ev := store.WebhookEvent{StoreID: st.ID, Hash: "abc", CreatedAt: 1000, Scope: "store/order/updated", OrderID: 5, Payload: []byte(`{}`)}
	task := &store.PullTask{StoreID: st.ID, Kind: store.PullOneOrder, OrderID: 5}
	for i, want := range []bool{true, false} {
		fresh, err := db.RecordWebhook(ctx, ev, task)
		if err != nil || fresh != want {
			t.Errorf("delivery %d: fresh %v, %v", i, fresh, err)
		}
	}
	// The same order updated again later: same hash, new created_at.
	ev.CreatedAt = 2000
	if fresh, err := db.RecordWebhook(ctx, ev, task); err != nil || !fresh {
		t.Errorf("later update: fresh %v, %v", fresh, err)
	}
	tasks, err := db.PullTasks(ctx, st.ID, 0)
	if err != nil || len(tasks) != 1 {
		t.Errorf("tasks = %d, %v; want one queued order pull", len(tasks), err)
	}
	if n, _ := db.CountWebhookEvents(ctx, st.ID); n != 2 {
		t.Errorf("events = %d", n)
	}
	// Pruning keeps what is recent and what is still queued.
	if n, err := db.PruneBCHistory(ctx, db.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Errorf("pruned %d recent rows, %v", n, err)
	}
	if n, err := db.PruneBCHistory(ctx, db.Now().Add(time.Hour)); err != nil || n != 2 {
		t.Errorf("pruned %d, %v; want the two events and not the queued task", n, err)
	}
	if tasks, _ := db.PullTasks(ctx, st.ID, 0); len(tasks) != 1 {
		t.Errorf("the queued task was pruned")
	}
}
