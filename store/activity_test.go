package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/store"
)

// sale is an order's posting with the jobs the planner makes for it: a
// customer to create, then the sale (carrying the posting, its key reserved
// in the ledger) waiting for the customer.
type sale struct {
	posting, customer, job int64
}

func planSale(ctx context.Context, t *testing.T, db *store.DB, companyID, storeID, orderID int64) sale {
	t.Helper()
	docs, err := db.PutDocuments(ctx, storeID, []store.DocumentInput{{Kind: store.DocOrder, BCID: orderID,
		Raw: []byte(fmt.Sprintf(`{"order":{"id":%d}}`, orderID)), DateModified: time.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	var s sale
	err = db.Update(ctx, func(tx *store.Tx) error {
		c, _, err := tx.Enqueue(ctx, store.Job{CompanyID: companyID, Kind: "qb.add", DedupeKey: fmt.Sprintf("customer:email:%d@example.com", orderID),
			Payload: fmt.Sprintf(`{"key":"customer:email:%d@example.com","what":"customer %d"}`, orderID, orderID)})
		if err != nil {
			return err
		}
		key := fmt.Sprintf("order:%d:%d", storeID, orderID)
		if s.posting, err = tx.PutPosting(ctx, store.PostingInput{StoreID: storeID, CompanyID: companyID, DocKind: store.DocOrder,
			BCID: orderID, DocumentID: docs[0].ID, Version: 1, State: store.PostingPlanned, BCTotal: "10.00", DocDate: time.Now()}); err != nil {
			return err
		}
		j, _, err := tx.Enqueue(ctx, store.Job{CompanyID: companyID, Kind: "qb.add", DedupeKey: key,
			Payload: fmt.Sprintf(`{"key":%q,"posting":%d,"what":"BigCommerce order %d"}`, key, s.posting, orderID)}, c.ID)
		if err != nil {
			return err
		}
		if err := tx.ReserveLedger(ctx, companyID, store.LedgerEntry{Key: key, QBType: "SalesReceipt", JobID: j.ID}); err != nil {
			return err
		}
		s.customer, s.job = c.ID, j.ID
		_, err = tx.PutPosting(ctx, store.PostingInput{StoreID: storeID, CompanyID: companyID, DocKind: store.DocOrder,
			BCID: orderID, DocumentID: docs[0].ID, Version: 1, State: store.PostingPlanned, BCTotal: "10.00", JobID: j.ID, DocDate: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSkipPostings: a skipped posting's jobs are ended and their ledger
// reservations released, so neither a retry nor planning again sends them;
// one whose job is out to QuickBooks is left alone.
func TestSkipPostings(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	u, _ := db.PutUser(ctx, "qb", "pw")
	st, err := db.PutBCStore(ctx, testSealer(t), store.BCStoreInput{StoreHash: "abc", Token: "t", CompanyID: u.CompanyID})
	if err != nil {
		t.Fatal(err)
	}
	a := planSale(ctx, t, db, u.CompanyID, st.ID, 100)
	b := planSale(ctx, t, db, u.CompanyID, st.ID, 101)

	// The customer of order 100 fails: its sale needs attention, waiting for it.
	if err := db.Update(ctx, func(tx *store.Tx) error {
		return tx.EndJob(ctx, a.customer, store.JobFailed, "customer 100: the name is in use")
	}); err != nil {
		t.Fatal(err)
	}
	if ids, err := db.FailedJobsOf(ctx, []int64{a.posting}); err != nil || len(ids) != 1 || ids[0] != a.customer {
		t.Errorf("FailedJobsOf(order 100) = %v, %v; want its customer's job %d", ids, err, a.customer)
	}
	if fj, err := db.FailedJobs(ctx, u.CompanyID, 10); err != nil || len(fj) != 1 || fj[0].What != "customer 100" || fj[0].Waiting != 1 {
		t.Errorf("FailedJobs = %+v, %v; want the customer with one posting waiting", fj, err)
	}

	res, err := db.SkipPostings(ctx, []int64{a.posting, b.posting, 999}, "the admin (from 192.0.2.1)")
	if err != nil || res != (store.SkipResult{Skipped: 2, Closed: 1}) {
		t.Fatalf("SkipPostings = %+v, %v", res, err)
	}
	rows, err := db.PostingRowsByID(ctx, []int64{a.posting, b.posting})
	if err != nil || len(rows) != 2 {
		t.Fatal(rows, err)
	}
	for _, r := range rows {
		if r.State != store.PostingSkipped || r.SkippedBy != "the admin (from 192.0.2.1)" || r.SkippedAt.IsZero() ||
			!strings.Contains(r.Reason, "Skipped by the admin (from 192.0.2.1) on ") || r.JobID != 0 {
			t.Errorf("skipped posting = %+v", r)
		}
	}
	for _, id := range []int64{a.job, b.job} {
		if j, _ := db.Job(ctx, id); j.State != store.JobFailed || !strings.HasPrefix(j.LastError, "Skipped by") {
			t.Errorf("job of a skipped posting = %s %q, want failed", j.State, j.LastError)
		}
		if _, err := db.Ledger(ctx, u.CompanyID, fmt.Sprintf("order:%d:%d", st.ID, map[int64]int64{a.job: 100, b.job: 101}[id])); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the reservation of job %d is kept: %v", id, err)
		}
	}
	// Planning again retries what is reserved and failed: not the skipped sale.
	if err := db.Update(ctx, func(tx *store.Tx) error { _, err := tx.RetryReserved(ctx, u.CompanyID); return err }); err != nil {
		t.Fatal(err)
	}
	if n, err := db.Retry(ctx, a.customer); err != nil || n != 1 {
		t.Fatalf("Retry(customer) = %d, %v", n, err)
	}
	_, s, _ := db.CreateSession(ctx, store.NewSession{UserID: u.ID, CompanyID: u.CompanyID, State: store.SessionOpen, TTL: time.Hour})
	for {
		j, err := claim(ctx, db, u.CompanyID, s.ID)
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if j.ID == a.job || j.ID == b.job {
			t.Fatalf("the job of a skipped posting was claimed")
		}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.EndJob(ctx, j.ID, store.JobDone, "") }); err != nil {
			t.Fatal(err)
		}
	}
	if c, _ := db.CountJobStates(ctx, u.CompanyID); c.Failed != 0 || c.Due != 0 {
		t.Errorf("job counts after skipping = %+v; the skipped jobs are not failures to look at", c)
	}
	if fj, _ := db.FailedJobs(ctx, u.CompanyID, 10); len(fj) != 0 {
		t.Errorf("failed jobs after skipping = %+v", fj)
	}
	if ids, _ := db.FailedJobsOf(ctx, []int64{a.posting, b.posting}); len(ids) != 0 {
		t.Errorf("FailedJobsOf(skipped) = %v", ids)
	}

	t.Run("a new version leaves it skipped", func(t *testing.T) {
		var skipped bool
		if err := db.Update(ctx, func(tx *store.Tx) error {
			var err error
			skipped, err = tx.SkippedByUser(ctx, st.ID, store.DocOrder, 100)
			return err
		}); err != nil || !skipped {
			t.Errorf("SkippedByUser = %v, %v", skipped, err)
		}
	})
	t.Run("undo", func(t *testing.T) {
		n, stores, err := db.UnskipPostings(ctx, []int64{a.posting, 999})
		if err != nil || n != 1 || len(stores) != 1 || stores[0] != st.ID {
			t.Fatalf("UnskipPostings = %d %v %v", n, stores, err)
		}
		if rows, _ := db.PostingRowsByID(ctx, []int64{a.posting}); rows[0].State != store.PostingAttention || rows[0].SkippedBy != "" {
			t.Errorf("after undo: %+v", rows[0])
		}
	})
	t.Run("a job out to QuickBooks is not skipped", func(t *testing.T) {
		c := planSale(ctx, t, db, u.CompanyID, st.ID, 102)
		// The customer goes first; then the sale is out.
		for _, want := range []int64{c.customer, c.job} {
			j, err := claim(ctx, db, u.CompanyID, s.ID)
			if err != nil || j.ID != want {
				t.Fatalf("claim = %d, %v; want %d", j.ID, err, want)
			}
			if want == c.customer {
				db.Update(ctx, func(tx *store.Tx) error { return tx.EndJob(ctx, j.ID, store.JobDone, "") })
			}
		}
		if res, err := db.SkipPostings(ctx, []int64{c.posting}, "the admin"); err != nil || res != (store.SkipResult{InFlight: 1}) {
			t.Errorf("SkipPostings(in flight) = %+v, %v", res, err)
		}
		if rows, _ := db.PostingRowsByID(ctx, []int64{c.posting}); rows[0].State != store.PostingPlanned {
			t.Errorf("in flight posting = %s", rows[0].State)
		}
	})
}
