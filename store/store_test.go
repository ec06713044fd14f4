package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bcqb/bcqb/store"
)

func openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "bcqb.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenIsIdempotentAndSetsPragmas(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bcqb.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutUser(ctx, "qb", "secret"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Reopening applies no migration twice and keeps the data.
	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if _, err := db.UserByName(ctx, "qb"); err != nil {
		t.Fatalf("user lost across reopen: %v", err)
	}
	for _, tc := range []struct{ pragma, want string }{
		{"journal_mode", "wal"}, {"foreign_keys", "1"}, {"busy_timeout", "10000"},
	} {
		t.Run(tc.pragma, func(t *testing.T) {
			got, err := db.Pragma(ctx, tc.pragma)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("PRAGMA %s = %q, want %q", tc.pragma, got, tc.want)
			}
		})
	}
}

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	u, err := db.PutUser(ctx, "qb", "right")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(ctx, "qb", "right"); err != nil {
		t.Errorf("right password: %v", err)
	}
	for name, tc := range map[string][2]string{"wrong password": {"qb", "wrong"}, "unknown user": {"nobody", "right"}} {
		t.Run(name, func(t *testing.T) {
			if _, err := db.Authenticate(ctx, tc[0], tc[1]); !errors.Is(err, store.ErrBadCredentials) {
				t.Errorf("err = %v, want ErrBadCredentials", err)
			}
		})
	}
	// Updating the password keeps the user's company (and so its FileID).
	u2, err := db.PutUser(ctx, "qb", "new")
	if err != nil {
		t.Fatal(err)
	}
	if u2.CompanyID != u.CompanyID {
		t.Errorf("company changed on password update: %d -> %d", u.CompanyID, u2.CompanyID)
	}
	if _, err := db.Authenticate(ctx, "qb", "right"); !errors.Is(err, store.ErrBadCredentials) {
		t.Errorf("old password still accepted")
	}
}

func TestClaimIsAtomic(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	u, err := db.PutUser(ctx, "qb", "pw")
	if err != nil {
		t.Fatal(err)
	}
	const jobs = 40
	for i := 0; i < jobs; i++ {
		if _, _, err := db.Enqueue(ctx, store.Job{CompanyID: u.CompanyID, Kind: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	var sessions []int64
	for i := 0; i < 4; i++ {
		_, s, err := db.CreateSession(ctx, store.NewSession{UserID: u.ID, CompanyID: u.CompanyID, State: store.SessionOpen, TTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		sessions = append(sessions, s.ID)
	}
	var mu sync.Mutex
	claimed := map[int64]int64{}
	var wg sync.WaitGroup
	for _, sid := range sessions {
		wg.Add(1)
		go func(sid int64) {
			defer wg.Done()
			for {
				j, err := claim(ctx, db, u.CompanyID, sid)
				if errors.Is(err, store.ErrNotFound) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if prev, dup := claimed[j.ID]; dup {
					t.Errorf("job %d claimed by sessions %d and %d", j.ID, prev, sid)
				}
				claimed[j.ID] = sid
				mu.Unlock()
			}
		}(sid)
	}
	wg.Wait()
	if len(claimed) != jobs {
		t.Errorf("claimed %d jobs, want %d", len(claimed), jobs)
	}
}

func TestEnqueueDedupe(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	u, _ := db.PutUser(ctx, "qb", "pw")
	j1, created, err := db.Enqueue(ctx, store.Job{CompanyID: u.CompanyID, Kind: "k", DedupeKey: "x"})
	if err != nil || !created {
		t.Fatalf("first enqueue: created=%v err=%v", created, err)
	}
	j2, created, err := db.Enqueue(ctx, store.Job{CompanyID: u.CompanyID, Kind: "k", DedupeKey: "x"})
	if err != nil || created || j2.ID != j1.ID {
		t.Fatalf("second enqueue: id=%d created=%v err=%v, want the first job back", j2.ID, created, err)
	}
	if _, created, _ := db.Enqueue(ctx, store.Job{CompanyID: u.CompanyID, Kind: "k", DedupeKey: "y"}); !created {
		t.Error("another key was deduped")
	}
}

// claim takes the next due job for a session, as the job source does.
func claim(ctx context.Context, db *store.DB, companyID, sessionID int64) (store.Job, error) {
	var got store.Job
	err := db.Update(ctx, func(tx *store.Tx) error {
		due, err := tx.Due(ctx, companyID, 1, nil)
		if err != nil {
			return err
		}
		if len(due) == 0 {
			return store.ErrNotFound
		}
		got = due[0]
		return tx.Take(ctx, got.ID, sessionID)
	})
	return got, err
}

// send claims the next due job and records a message for it in one transaction.
func send(ctx context.Context, t *testing.T, db *store.DB, companyID, sessionID int64) (store.Job, store.Request) {
	t.Helper()
	var j store.Job
	var req store.Request
	err := db.Update(ctx, func(tx *store.Tx) error {
		due, err := tx.Due(ctx, companyID, 1, nil)
		if err != nil || len(due) == 0 {
			return fmt.Errorf("nothing due: %w", err)
		}
		j = due[0]
		if err := tx.Take(ctx, j.ID, sessionID); err != nil {
			return err
		}
		req, err = tx.Record(ctx, sessionID, "", "<QBXML/>", []store.RequestJob{{JobID: j.ID}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return j, req
}

func TestSettleAndAbandon(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	db.SetClock(func() time.Time { return now })
	u, _ := db.PutUser(ctx, "qb", "pw")
	for i := 0; i < 2; i++ {
		db.Enqueue(ctx, store.Job{CompanyID: u.CompanyID, Kind: "k"})
	}
	_, s, _ := db.CreateSession(ctx, store.NewSession{UserID: u.ID, CompanyID: u.CompanyID, State: store.SessionOpen, TTL: time.Minute})

	j, req := send(ctx, t, db, u.CompanyID, s.ID)
	out, err := db.OutstandingRequest(ctx, s.ID)
	if err != nil || out.ID != req.ID || len(out.Jobs) != 1 || out.Jobs[0].JobID != j.ID {
		t.Fatalf("outstanding = %+v, %v", out, err)
	}
	done := map[int64]store.Outcome{j.ID: {State: store.JobDone,
		Ledger: []store.LedgerEntry{{Key: "order:1:100", QBType: "SalesReceipt", QBID: "T-1", Name: "100"}}}}
	if err := db.SettleMessage(ctx, out, "<QBXML/>", "", "", done); err != nil {
		t.Fatal(err)
	}
	if err := db.SettleMessage(ctx, out, "<QBXML/>", "", "", done); !errors.Is(err, store.ErrConflict) {
		t.Errorf("settling twice: err = %v, want ErrConflict", err)
	}
	if e, err := db.Ledger(ctx, u.CompanyID, "order:1:100"); err != nil || e.QBID != "T-1" || e.JobID != j.ID {
		t.Errorf("ledger after settle = %+v, %v; want T-1 written with the outcome", e, err)
	}
	if _, err := db.OutstandingRequest(ctx, s.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("outstanding after settle: %v", err)
	}
	got, _ := db.SessionByID(ctx, s.ID)
	if got.DoneCount != 1 {
		t.Errorf("session done count = %d, want 1", got.DoneCount)
	}

	// The second job is sent, then the session expires unanswered: the job is unknown, not lost.
	j2, _ := send(ctx, t, db, u.CompanyID, s.ID)
	now = now.Add(2 * time.Minute)
	if n, err := db.ExpireSessions(ctx); err != nil || n != 1 {
		t.Fatalf("ExpireSessions = %d, %v", n, err)
	}
	j2, _ = db.Job(ctx, j2.ID)
	if j2.State != store.JobUnknown || !j2.Recovering {
		t.Errorf("job after expiry: state %s recovering %v, want unknown and recovering", j2.State, j2.Recovering)
	}
	c, err := db.CountJobs(ctx, u.CompanyID)
	if err != nil || c.Due != 1 {
		t.Errorf("CountJobs = %+v, %v; the unknown job must be claimable", c, err)
	}
}

func TestDependencies(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	u, _ := db.PutUser(ctx, "qb", "pw")
	_, s, _ := db.CreateSession(ctx, store.NewSession{UserID: u.ID, CompanyID: u.CompanyID, State: store.SessionOpen, TTL: time.Hour})
	var customer, sale store.Job
	err := db.Update(ctx, func(tx *store.Tx) error {
		var err error
		if customer, _, err = tx.Enqueue(ctx, store.Job{CompanyID: u.CompanyID, Kind: "list.add", DedupeKey: "customer:a", Priority: 30}); err != nil {
			return err
		}
		// The sale is older in the queue order (lower priority number) but waits for its customer.
		sale, _, err = tx.Enqueue(ctx, store.Job{CompanyID: u.CompanyID, Kind: "txn.add", Priority: 10}, customer.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := db.CountJobs(ctx, u.CompanyID); c.Due != 1 {
		t.Errorf("due = %d, want 1: the sale waits for its customer", c.Due)
	}
	j, req := send(ctx, t, db, u.CompanyID, s.ID)
	if j.ID != customer.ID {
		t.Fatalf("first job sent = %d, want the customer %d", j.ID, customer.ID)
	}
	if _, err := claim(ctx, db, u.CompanyID, s.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a job waiting for one in flight was claimable: %v", err)
	}
	if err := db.SettleMessage(ctx, req, "", "", "", map[int64]store.Outcome{j.ID: {State: store.JobDone}}); err != nil {
		t.Fatal(err)
	}
	next, err := claim(ctx, db, u.CompanyID, s.ID)
	if err != nil || next.ID != sale.ID {
		t.Errorf("after the customer: claimed %d, %v; want the sale %d", next.ID, err, sale.ID)
	}
}

func TestNotFoundIsAnError(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	for name, err := range map[string]error{
		"session": func() error { _, err := db.SessionByTicket(ctx, "nope"); return err }(),
		"user":    func() error { _, err := db.UserByName(ctx, "nope"); return err }(),
		"job":     func() error { _, err := db.Job(ctx, 42); return err }(),
		"setting": func() error { _, err := db.Setting(ctx, "nope"); return err }(),
	} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
}

// TestAttentionReachesWaitingDocuments: when a job fails, the postings of
// the jobs waiting for it say why they do not move.
func TestAttentionReachesWaitingDocuments(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	u, _ := db.PutUser(ctx, "qb", "pw")
	st, err := db.PutBCStore(ctx, testSealer(t), store.BCStoreInput{StoreHash: "abc", Token: "t", CompanyID: u.CompanyID})
	if err != nil {
		t.Fatal(err)
	}
	docs, err := db.PutDocuments(ctx, st.ID, []store.DocumentInput{{Kind: store.DocOrder, BCID: 100, Raw: []byte(`{"order":{"id":100}}`), DateModified: time.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	var customer, sale store.Job
	var posting int64
	err = db.Update(ctx, func(tx *store.Tx) error {
		customer, _, err = tx.Enqueue(ctx, store.Job{CompanyID: u.CompanyID, Kind: "qb.add", DedupeKey: "customer:email:a@b.c"})
		if err != nil {
			return err
		}
		sale, _, err = tx.Enqueue(ctx, store.Job{CompanyID: u.CompanyID, Kind: "qb.add", DedupeKey: "order:1:100"}, customer.ID)
		if err != nil {
			return err
		}
		posting, err = tx.PutPosting(ctx, store.PostingInput{StoreID: st.ID, CompanyID: u.CompanyID, DocKind: store.DocOrder,
			BCID: 100, DocumentID: docs[0].ID, Version: 1, State: store.PostingPlanned, JobID: sale.ID})
		if err != nil {
			return err
		}
		return tx.EndJob(ctx, customer.ID, store.JobFailed, "customer Jane: the name is too long")
	})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := db.Postings(ctx, u.CompanyID, store.PostingAttention, 10)
	if err != nil || len(ps) != 1 || ps[0].ID != posting || !strings.Contains(ps[0].Reason, "the name is too long") {
		t.Errorf("postings needing attention = %+v, %v; want the order, saying what it waits for", ps, err)
	}
}

func TestPruneSync(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	db.SetClock(func() time.Time { return now })
	u, _ := db.PutUser(ctx, "qb", "pw")
	_, s, _ := db.CreateSession(ctx, store.NewSession{UserID: u.ID, CompanyID: u.CompanyID, State: store.SessionOpen, TTL: time.Hour})
	for i := 0; i < 3; i++ {
		db.Enqueue(ctx, store.Job{CompanyID: u.CompanyID, Kind: "k"})
	}
	j, req := send(ctx, t, db, u.CompanyID, s.ID)
	if err := db.SettleMessage(ctx, req, "<QBXML/>", "", "", map[int64]store.Outcome{j.ID: {State: store.JobDone,
		Ledger: []store.LedgerEntry{{Key: "order:1:1", QBType: "SalesReceipt", QBID: "T-1"}}}}); err != nil {
		t.Fatal(err)
	}
	_, out := send(ctx, t, db, u.CompanyID, s.ID) // still out: kept
	now = now.Add(40 * 24 * time.Hour)
	m, n, err := db.PruneSync(ctx, now.Add(-30*24*time.Hour))
	if err != nil || m != 1 || n != 1 {
		t.Fatalf("PruneSync = %d messages, %d jobs, %v; want the answered message and the done job", m, n, err)
	}
	if _, err := db.OutstandingRequest(ctx, s.ID); err != nil {
		t.Errorf("the message still out was pruned: %v (%d)", err, out.ID)
	}
	if e, err := db.Ledger(ctx, u.CompanyID, "order:1:1"); err != nil || e.QBID != "T-1" {
		t.Errorf("the ledger must outlive its job: %+v, %v", e, err)
	}
	if c, _ := db.CountJobs(ctx, u.CompanyID); c.Due != 1 {
		t.Errorf("queued jobs after pruning: %+v", c)
	}
}
