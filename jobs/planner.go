package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/pull"
	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/store"
)

// PlanStore is what the planner needs from the store.
type PlanStore interface {
	BCStores(ctx context.Context) ([]store.BCStore, error)
	Company(ctx context.Context, id int64) (store.Company, error)
	DocumentsAfter(ctx context.Context, storeID, afterID int64, limit int) ([]store.Document, error)
	LatestDocument(ctx context.Context, storeID int64, kind string, bcID int64) (store.Document, error)
	Lists(ctx context.Context, companyID int64) ([]store.ListEntry, error)
	LedgerEntries(ctx context.Context, companyID int64) ([]store.LedgerEntry, error)
	PlannedThrough(ctx context.Context, storeID int64) (int64, error)
	Unplanned(ctx context.Context, companyID int64) (bool, error)
	Update(ctx context.Context, fn func(tx *store.Tx) error) error
	SetBCStoreSettings(ctx context.Context, storeID int64, settingsJSON string) error
	Now() time.Time
}

// PlanBatch is how many document versions one planning transaction takes.
const PlanBatch = 200

// Planner turns pulled BigCommerce documents into postings and the jobs
// that carry them out. Cron and pulls only wake it; its one goroutine, owned
// by Start and Close, does the work.
type Planner struct {
	db   PlanStore
	log  *slog.Logger
	wake chan struct{}

	stop context.CancelFunc
	wg   sync.WaitGroup
	// mu serialises planning passes (the loop, and Plan called directly).
	mu sync.Mutex
}

// NewPlanner returns a planner; it runs nothing until Start.
func NewPlanner(db PlanStore, log *slog.Logger) *Planner {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Planner{db: db, log: log, wake: make(chan struct{}, 1)}
}

// Start runs the planning loop until Close.
func (p *Planner) Start(ctx context.Context) {
	loop, stop := context.WithCancel(context.WithoutCancel(ctx))
	p.stop = stop
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(30 * time.Second)
		defer t.Stop()
		for {
			if err := p.Plan(loop); err != nil && loop.Err() == nil {
				p.log.ErrorContext(loop, "planning failed", "err", err)
			}
			select {
			case <-loop.Done():
				return
			case <-p.wake:
			case <-t.C:
			}
		}
	}()
}

// Close stops the loop, waiting for a pass under way to finish (within ctx).
func (p *Planner) Close(ctx context.Context) error {
	if p.stop == nil {
		return nil
	}
	p.stop()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return errors.New("jobs: the planner did not stop in time")
	}
}

// Wake asks the loop for a pass now (a pull finished, lists were read).
func (p *Planner) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Busy implements Waiter: a company whose lists are read and whose stores
// have documents not planned yet is about to get jobs.
func (p *Planner) Busy(ctx context.Context, companyID int64) (bool, error) {
	c, err := p.db.Company(ctx, companyID)
	if err != nil {
		return false, err
	}
	if c.ListsReadAt.IsZero() {
		return false, nil
	}
	busy, err := p.db.Unplanned(ctx, companyID)
	if busy {
		p.Wake()
	}
	return busy, err
}

// Plan runs one pass over every connected store: a company whose lists were
// never read gets the job that reads them; the others get their new
// document versions planned.
func (p *Planner) Plan(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	stores, err := p.db.BCStores(ctx)
	if err != nil {
		return err
	}
	perCompany := map[int64]int{}
	for _, st := range stores {
		if st.CompanyID != 0 {
			perCompany[st.CompanyID]++
		}
	}
	var errs []error
	for _, st := range stores {
		if st.CompanyID == 0 {
			continue
		}
		if err := p.planStore(ctx, st, perCompany[st.CompanyID] > 1); err != nil {
			errs = append(errs, fmt.Errorf("store %s: %w", st.StoreHash, err))
		}
	}
	return errors.Join(errs...)
}

func (p *Planner) planStore(ctx context.Context, st store.BCStore, shared bool) error {
	c, err := p.db.Company(ctx, st.CompanyID)
	if err != nil {
		return err
	}
	if c.ListsReadAt.IsZero() {
		return p.db.Update(ctx, func(tx *store.Tx) error {
			_, _, err := tx.Enqueue(ctx, store.Job{CompanyID: c.ID, Kind: KindLists, DedupeKey: "lists", Priority: PriorityLists})
			return err
		})
	}
	settings, err := StoreSettings(st, shared)
	if err != nil {
		return err
	}
	if st.SettingsJSON == "" || st.SettingsJSON == "{}" {
		snap, err := newSnapshot(ctx, p.db, c, settings)
		if err != nil {
			return err
		}
		if settings, err = p.settleDefaults(ctx, st, settings, snap); err != nil {
			return err
		}
	}
	for {
		after, err := p.db.PlannedThrough(ctx, st.ID)
		if err != nil {
			return err
		}
		docs, err := p.db.DocumentsAfter(ctx, st.ID, after, PlanBatch)
		if err != nil {
			return err
		}
		if len(docs) == 0 {
			return nil
		}
		snap, err := newSnapshot(ctx, p.db, c, settings)
		if err != nil {
			return err
		}
		deferred := false
		err = p.db.Update(ctx, func(tx *store.Tx) error {
			pl := &planning{tx: tx, db: p.db, st: st, company: c, s: snap.settings(settings), snap: snap, log: p.log}
			last := after
			for _, d := range docs {
				ok, err := pl.document(ctx, d)
				if err != nil {
					return fmt.Errorf("%s %d version %d: %w", d.Kind, d.BCID, d.Version, err)
				}
				if !ok {
					deferred = true
					break
				}
				last = d.ID
			}
			return tx.SetPlannedThrough(ctx, st.ID, last)
		})
		if err != nil || deferred {
			return err
		}
	}
}

// Replan plans again, with the store's current settings and QuickBooks'
// lists, every document of the store that is not in QuickBooks yet and whose
// job has not been sent: after a mapping was fixed, or when the user asks
// to retry. Failed jobs of those documents are superseded by new ones.
func (p *Planner) Replan(ctx context.Context, storeID int64) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	stores, err := p.db.BCStores(ctx)
	if err != nil {
		return 0, err
	}
	perCompany := map[int64]int{}
	var st store.BCStore
	for _, s := range stores {
		perCompany[s.CompanyID]++
		if s.ID == storeID {
			st = s
		}
	}
	if st.ID == 0 || st.CompanyID == 0 {
		return 0, fmt.Errorf("jobs: store %d is not connected to a company file", storeID)
	}
	c, err := p.db.Company(ctx, st.CompanyID)
	if err != nil {
		return 0, err
	}
	settings, err := StoreSettings(st, perCompany[st.CompanyID] > 1)
	if err != nil {
		return 0, err
	}
	snap, err := newSnapshot(ctx, p.db, c, settings)
	if err != nil {
		return 0, err
	}
	n := 0
	err = p.db.Update(ctx, func(tx *store.Tx) error {
		pl := &planning{tx: tx, db: p.db, st: st, company: c, s: snap.settings(settings), snap: snap, log: p.log}
		// The user fixed QuickBooks or the mapping: the customers, items and
		// accounts whose creation failed are tried again.
		if _, err := tx.RetryReserved(ctx, c.ID); err != nil {
			return err
		}
		unsent, err := tx.Unsent(ctx, st.ID)
		if err != nil {
			return err
		}
		for _, u := range unsent {
			d, err := p.db.LatestDocument(ctx, st.ID, u.DocKind, u.BCID)
			if err != nil {
				return err
			}
			if _, err := pl.document(ctx, d); err != nil {
				return fmt.Errorf("%s %d: %w", d.Kind, d.BCID, err)
			}
			n++
		}
		return nil
	})
	return n, err
}

// StoreSettings reads a store's posting settings over the defaults. Where
// several stores share a company file, a store without a RefNumber prefix
// gets "B<id>-" so that two stores' order 100 never share a RefNumber.
func StoreSettings(st store.BCStore, shared bool) (plan.Settings, error) {
	s := plan.DefaultSettings()
	if st.SettingsJSON != "" && st.SettingsJSON != "{}" {
		if err := json.Unmarshal([]byte(st.SettingsJSON), &s); err != nil {
			return s, fmt.Errorf("the settings of store %s cannot be read: %w", st.StoreHash, err)
		}
	}
	if shared && s.RefPrefix == "" {
		s.RefPrefix = fmt.Sprintf("B%d-", st.ID)
	}
	return s, nil
}

// planning is one planning transaction.
type planning struct {
	tx      *store.Tx
	db      PlanStore
	st      store.BCStore
	company store.Company
	s       plan.Settings
	snap    *snapshot
	log     *slog.Logger
}

func orderKey(storeID, id int64) string   { return fmt.Sprintf("order:%d:%d", storeID, id) }
func paymentKey(storeID, id int64) string { return fmt.Sprintf("payment:%d:%d", storeID, id) }
func refundKey(storeID, id int64) string  { return fmt.Sprintf("refund:%d:%d", storeID, id) }
func refundPayKey(storeID, id int64) string {
	return fmt.Sprintf("refundpay:%d:%d", storeID, id)
}

// document plans one document version. It reports false when the version
// must wait (its posting's request is out): planning stops there and
// resumes with it on the next pass.
func (pl *planning) document(ctx context.Context, d store.Document) (bool, error) {
	switch d.Kind {
	case store.DocOrder:
		return pl.order(ctx, d)
	case store.DocRefund:
		return pl.refund(ctx, d)
	}
	// Customers and products feed matching and inventory, not postings.
	return true, nil
}

// current returns the document's posting and whether its job is in flight.
func (pl *planning) current(ctx context.Context, kind string, bcID int64) (store.Posting, bool, bool, error) {
	p, err := pl.tx.Posting(ctx, pl.st.ID, kind, bcID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Posting{}, false, false, nil
	}
	if err != nil {
		return store.Posting{}, false, false, err
	}
	if p.JobID != 0 {
		j, err := pl.tx.Job(ctx, p.JobID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return p, true, false, err
		}
		if err == nil && (j.State == store.JobSent || j.State == store.JobUnknown) {
			return p, true, true, nil
		}
	}
	return p, true, false, nil
}

// posted reads from the ledger, inside the planning transaction, what of an
// order is in QuickBooks: the ledger is written with each job's outcome, so
// this is the truth even while sessions run beside the planner.
func (pl *planning) posted(ctx context.Context, orderID int64) (plan.Posted, error) {
	var p plan.Posted
	e, err := pl.tx.Ledger(ctx, pl.company.ID, orderKey(pl.st.ID, orderID))
	if errors.Is(err, store.ErrNotFound) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	if e.QBID == "" {
		return p, nil
	}
	p.TxnType, p.TxnID = e.QBType, e.QBID
	if p.Total, err = decimalOf(e.Amount); err != nil {
		return p, fmt.Errorf("ledger amount of order %d: %w", orderID, err)
	}
	pay, err := pl.tx.Ledger(ctx, pl.company.ID, paymentKey(pl.st.ID, orderID))
	if err == nil {
		p.PaymentTxnID = pay.QBID
	} else if !errors.Is(err, store.ErrNotFound) {
		return p, err
	}
	return p, nil
}

func (pl *planning) order(ctx context.Context, d store.Document) (bool, error) {
	_, _, inFlight, err := pl.current(ctx, store.DocOrder, d.BCID)
	if err != nil || inFlight {
		return !inFlight, err
	}
	if skipped, err := pl.tx.SkippedByUser(ctx, pl.st.ID, store.DocOrder, d.BCID); err != nil || skipped {
		return true, err // the user skipped it: a new version does not bring it back
	}
	in := store.PostingInput{StoreID: pl.st.ID, CompanyID: pl.company.ID, DocKind: store.DocOrder, BCID: d.BCID,
		DocumentID: d.ID, Version: d.Version, DocDate: d.DateModified}
	posted, err := pl.posted(ctx, d.BCID)
	if err != nil {
		return false, err
	}
	// Whatever this version needs, a posting that reached QuickBooks stays
	// posted (with a reason) unless a job below undoes it.
	keep := func(state string) string {
		if !posted.IsZero() {
			return store.PostingPosted
		}
		return state
	}
	det, err := pull.DecodeOrder([]byte(d.Raw))
	if err != nil {
		in.State, in.Reason = store.PostingAttention, "The BigCommerce order cannot be read: "+err.Error()
		_, err := pl.tx.PutPosting(ctx, in)
		return true, err
	}
	if !det.Order.DateCreated.IsZero() {
		in.DocDate = det.Order.DateCreated
	}
	o, err := plan.BuildOrder(plan.Store{ID: pl.st.ID, Hash: pl.st.StoreHash}, det, pl.s, pl.snap, posted)
	in.RefNumber, in.BCTotal = o.RefNumber, o.Total.StringFixed(2)
	// What the sale deducts from BigCommerce's total: gift certificates and
	// store credit (money received earlier) and processing fees.
	if d := o.Credits.Add(o.Fees); !d.IsZero() {
		in.Credits = d.StringFixed(2)
	}
	if !o.Rounding.IsZero() {
		in.Rounding = o.Rounding.StringFixed(2)
	}
	if err != nil {
		in.State, in.Reason, in.SKUs = store.PostingAttention, err.Error(), plan.UnmappedSKUs(err)
		if !posted.IsZero() {
			in.Reason = "posted; a later version needs attention: " + err.Error()
		}
		if cerr := pl.cancel(ctx, err.Error(), paymentKey(pl.st.ID, d.BCID), orderKey(pl.st.ID, d.BCID)); cerr != nil {
			return false, cerr
		}
		_, err := pl.tx.PutPosting(ctx, in)
		return true, err
	}
	key := orderKey(pl.st.ID, d.BCID)
	what := fmt.Sprintf("BigCommerce order %d", d.BCID)
	if o.Action != plan.ActionPost && o.Action != plan.ActionPay && o.Action != plan.ActionCredit {
		if err := pl.cancel(ctx, fmt.Sprintf("version %d of the order does not post: %s", d.Version, o.Reason),
			paymentKey(pl.st.ID, d.BCID), key); err != nil {
			return false, err
		}
	}
	switch o.Action {
	case plan.ActionSkip:
		in.State, in.Reason = keep(store.PostingSkipped), o.Reason
	case plan.ActionWait:
		in.State, in.Reason = keep(store.PostingWaiting), o.Reason
	case plan.ActionFlag:
		in.State, in.Reason = store.PostingAttention, o.Reason
	case plan.ActionVoid:
		in.State, in.Reason = store.PostingPlanned, o.Reason
		id, err := pl.tx.PutPosting(ctx, in)
		if err != nil {
			return false, err
		}
		payload, _ := json.Marshal(VoidPayload{Key: key, TxnType: posted.TxnType, TxnID: posted.TxnID,
			PaymentKey: paymentKey(pl.st.ID, d.BCID), Posting: id, Reason: o.Reason, What: what})
		j, _, err := pl.tx.Enqueue(ctx, store.Job{CompanyID: pl.company.ID, Kind: KindVoid, DedupeKey: key,
			Priority: PrioritySale, Payload: string(payload)})
		if err != nil {
			return false, err
		}
		in.JobID = j.ID
	case plan.ActionCredit, plan.ActionPay, plan.ActionPost:
		in.State = store.PostingPlanned
		if o.Action != plan.ActionPost {
			in.Reason = o.Reason
		}
		id, err := pl.tx.PutPosting(ctx, in)
		if err != nil {
			return false, err
		}
		final, err := pl.saleJobs(ctx, d, o, posted, id, key, what)
		if err != nil {
			return false, err
		}
		if final == 0 {
			in.State = keep(store.PostingPosted)
		}
		in.JobID = final
	default:
		in.State, in.Reason = store.PostingAttention, fmt.Sprintf("bcqb does not know what to do (%s): %s", o.Action, o.Reason)
	}
	_, err = pl.tx.PutPosting(ctx, in)
	return true, err
}

// saleJobs queues the jobs of a sale (its prerequisites, the sale, its
// payment, or the credit memo that undoes it) and returns the job that
// completes the posting (0: nothing to do).
func (pl *planning) saleJobs(ctx context.Context, d store.Document, o plan.Order, posted plan.Posted, posting int64, key, what string) (int64, error) {
	amount := o.Total.StringFixed(2)
	if o.CreditMemo != nil {
		deps, err := pl.prerequisites(ctx, o.Customer, o.Items, o.CreditMemo)
		if err != nil {
			return 0, err
		}
		return pl.addJob(ctx, AddPayload{Key: fmt.Sprintf("cancel:%d:%d", pl.st.ID, d.BCID), Type: qbxml.TxnTypeCreditMemo,
			Name: o.CreditMemo.RefNumber, Memo: o.CreditMemo.Memo, Posting: posting, Final: true, What: "the credit memo undoing " + what},
			&qbxml.CreditMemoAddRq{CreditMemoAdd: *o.CreditMemo}, PriorityRefund, deps)
	}
	deps, err := pl.prerequisites(ctx, o.Customer, o.Items, o.SalesReceipt, o.Invoice, o.Payment)
	if err != nil {
		return 0, err
	}
	var saleJob int64
	if posted.IsZero() {
		switch {
		case o.SalesReceipt != nil:
			saleJob, err = pl.addJob(ctx, AddPayload{Key: key, Type: qbxml.TxnTypeSalesReceipt, Name: o.RefNumber, Memo: o.Memo,
				Posting: posting, Final: true, Primary: true, What: what, Amount: amount}, &qbxml.SalesReceiptAddRq{SalesReceiptAdd: *o.SalesReceipt}, PrioritySale, deps)
		case o.Invoice != nil:
			saleJob, err = pl.addJob(ctx, AddPayload{Key: key, Type: qbxml.TxnTypeInvoice, Name: o.RefNumber, Memo: o.Memo,
				Posting: posting, Final: o.Payment == nil, Primary: true, What: what, Amount: amount}, &qbxml.InvoiceAddRq{InvoiceAdd: *o.Invoice}, PrioritySale, deps)
		}
		if err != nil {
			return 0, err
		}
	}
	if o.Payment == nil || posted.PaymentTxnID != "" {
		return saleJob, nil
	}
	pay := *o.Payment
	fill := ""
	if len(pay.AppliedToTxns) == 0 || pay.AppliedToTxns[0].TxnID == "" {
		fill = key
	}
	if len(pay.AppliedToTxns) == 0 {
		pay.AppliedToTxns = []qbxml.AppliedToTxnAdd{{PaymentAmount: pay.TotalAmount}}
	}
	if pay.RefNumber == "" {
		pay.RefNumber = o.RefNumber
	}
	if saleJob != 0 {
		deps = append(deps, saleJob)
	}
	return pl.addJob(ctx, AddPayload{Key: paymentKey(pl.st.ID, d.BCID), Type: qbxml.TxnTypeReceivePayment,
		Name: pay.RefNumber, Memo: pay.Memo, Fill: fill, Posting: posting, Final: true,
		What: "the payment of " + what}, &qbxml.ReceivePaymentAddRq{ReceivePaymentAdd: pay}, PriorityPayment, deps)
}

func (pl *planning) refund(ctx context.Context, d store.Document) (bool, error) {
	prev, exists, inFlight, err := pl.current(ctx, store.DocRefund, d.BCID)
	if err != nil || inFlight {
		return !inFlight, err
	}
	if skipped, err := pl.tx.SkippedByUser(ctx, pl.st.ID, store.DocRefund, d.BCID); err != nil || skipped {
		return true, err // the user skipped it
	}
	in := store.PostingInput{StoreID: pl.st.ID, CompanyID: pl.company.ID, DocKind: store.DocRefund, BCID: d.BCID,
		ParentBCID: d.ParentID, DocumentID: d.ID, Version: d.Version, DocDate: d.DateModified}
	if exists && prev.TxnID != "" {
		// A refund is never changed in BigCommerce once made; a new version is bookkeeping noise.
		in.State, in.Reason = store.PostingPosted, prev.Reason
		_, err := pl.tx.PutPosting(ctx, in)
		return true, err
	}
	var rf bigcommerce.Refund
	if err := json.Unmarshal([]byte(d.Raw), &rf); err != nil {
		in.State, in.Reason = store.PostingAttention, "The BigCommerce refund cannot be read: "+err.Error()
		_, err := pl.tx.PutPosting(ctx, in)
		return true, err
	}
	if !rf.Created.IsZero() {
		in.DocDate = rf.Created
	}
	orderPosting, hasOrder, _, err := pl.current(ctx, store.DocOrder, d.ParentID)
	if err != nil {
		return false, err
	}
	if !hasOrder || orderPosting.State == store.PostingSkipped || orderPosting.State == store.PostingWaiting {
		in.State = store.PostingSkipped
		in.Reason = fmt.Sprintf("BigCommerce order %d was not posted to QuickBooks, so its refund is not either", d.ParentID)
		if hasOrder && orderPosting.State == store.PostingWaiting {
			in.State, in.Reason = store.PostingWaiting, fmt.Sprintf("waits for BigCommerce order %d", d.ParentID)
		}
		_, err := pl.tx.PutPosting(ctx, in)
		return true, err
	}
	odoc, err := pl.db.LatestDocument(ctx, pl.st.ID, store.DocOrder, d.ParentID)
	if err != nil {
		return false, err
	}
	det, err := pull.DecodeOrder([]byte(odoc.Raw))
	if err != nil {
		in.State, in.Reason = store.PostingAttention, "The refund's order cannot be read: "+err.Error()
		_, err := pl.tx.PutPosting(ctx, in)
		return true, err
	}
	orderPosted, err := pl.posted(ctx, d.ParentID)
	if err != nil {
		return false, err
	}
	// An invoice whose payment is queued is as good as paid: the refund's
	// money goes back rather than its credit onto the invoice.
	if orderPosted.PaymentTxnID == "" {
		if e, err := pl.tx.Ledger(ctx, pl.company.ID, paymentKey(pl.st.ID, d.ParentID)); err == nil && e.JobID != 0 {
			orderPosted.PaymentTxnID = "(queued)"
		}
	}
	r, err := plan.BuildRefund(plan.Store{ID: pl.st.ID, Hash: pl.st.StoreHash}, det, rf, pl.s, pl.snap, orderPosted)
	if err != nil {
		in.State, in.Reason, in.SKUs = store.PostingAttention, err.Error(), plan.UnmappedSKUs(err)
		_, err := pl.tx.PutPosting(ctx, in)
		return true, err
	}
	in.RefNumber, in.BCTotal = r.RefNumber, r.Total.StringFixed(2)
	if r.Action != plan.ActionPost || r.CreditMemo == nil {
		in.State, in.Reason = store.PostingSkipped, r.Reason
		_, err := pl.tx.PutPosting(ctx, in)
		return true, err
	}
	in.State = store.PostingPlanned
	id, err := pl.tx.PutPosting(ctx, in)
	if err != nil {
		return false, err
	}
	deps, err := pl.prerequisites(ctx, r.Customer, r.Items, r.CreditMemo, r.CardRefund, r.Check)
	if err != nil {
		return false, err
	}
	// The refund waits for its order's sale (and payment), never fails for it.
	if orderPosting.JobID != 0 {
		deps = append(deps, orderPosting.JobID)
	}
	key := refundKey(pl.st.ID, d.BCID)
	what := fmt.Sprintf("BigCommerce refund %d of order %d", d.BCID, d.ParentID)
	memoJob, err := pl.addJob(ctx, AddPayload{Key: key, Type: qbxml.TxnTypeCreditMemo, Name: r.RefNumber, Memo: r.Memo,
		Posting: id, Final: r.CardRefund == nil && r.Check == nil && r.Apply == nil, Primary: true, What: what, Amount: r.Total.StringFixed(2)},
		&qbxml.CreditMemoAddRq{CreditMemoAdd: *r.CreditMemo}, PriorityRefund, deps)
	if err != nil {
		return false, err
	}
	final := memoJob
	payDeps := append(deps, memoJob)
	switch {
	case r.CardRefund != nil:
		final, err = pl.addJob(ctx, AddPayload{Key: refundPayKey(pl.st.ID, d.BCID), Type: qbxml.TxnTypeARRefundCreditCard,
			Name: r.CardRefund.RefNumber, Memo: r.CardRefund.Memo, Fill: key, Posting: id, Final: true, What: "the money back of " + what},
			&qbxml.ARRefundCreditCardAddRq{ARRefundCreditCardAdd: *r.CardRefund}, PriorityRefundPay, payDeps)
	case r.Apply != nil:
		// No money was taken for the order's open invoice: the credit memo
		// is applied to it instead of paid out.
		final, err = pl.addJob(ctx, AddPayload{Key: fmt.Sprintf("refundapply:%d:%d", pl.st.ID, d.BCID), Type: qbxml.TxnTypeReceivePayment,
			Name: r.Apply.RefNumber, Memo: r.Apply.Memo, FillCredit: key, Posting: id, Final: true, What: "the credit of " + what + " applied to its invoice"},
			&qbxml.ReceivePaymentAddRq{ReceivePaymentAdd: *r.Apply}, PriorityRefundPay, payDeps)
	case r.Check != nil:
		final, err = pl.addJob(ctx, AddPayload{Key: refundPayKey(pl.st.ID, d.BCID), Type: qbxml.TxnTypeCheck,
			Name: r.Check.RefNumber, Memo: r.Check.Memo, Fill: key, Posting: id, Final: true, What: "the check of " + what},
			&qbxml.CheckAddRq{CheckAdd: *r.Check}, PriorityRefundPay, payDeps)
	}
	if err != nil {
		return false, err
	}
	in.JobID = final
	_, err = pl.tx.PutPosting(ctx, in)
	return true, err
}

// addJob queues a qb.add job for a key and reserves the key in the ledger
// and the snapshot. The key's earlier job, when it has not been sent or has
// failed, is reused with the new payload (a new version, a retry after a
// fix), so what waits for it goes on waiting for it.
func (pl *planning) addJob(ctx context.Context, p AddPayload, rq qbxml.Request, priority int, deps []int64) (int64, error) {
	payload, err := NewAddPayload(p, rq)
	if err != nil {
		return 0, err
	}
	var id int64
	if e, err := pl.tx.Ledger(ctx, pl.company.ID, p.Key); err == nil && e.QBID == "" && e.JobID != 0 {
		ok, err := pl.tx.Requeue(ctx, e.JobID, payload, deps...)
		if err != nil {
			return 0, err
		}
		if ok {
			id = e.JobID
		}
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	if id == 0 {
		j, _, err := pl.tx.Enqueue(ctx, store.Job{CompanyID: pl.company.ID, Kind: KindAdd, DedupeKey: p.Key,
			Priority: priority, Payload: payload}, deps...)
		if err != nil {
			return 0, err
		}
		id = j.ID
	}
	e := store.LedgerEntry{Key: p.Key, QBType: p.Type, Name: p.Name, JobID: id}
	if err := pl.tx.ReserveLedger(ctx, pl.company.ID, e); err != nil {
		return 0, err
	}
	pl.snap.reserve(e)
	return id, nil
}

// cancel ends the jobs of keys that a new version no longer needs (the
// order is now skipped, waits, or needs attention) while they have not been
// sent; whatever waits for them goes on waiting.
func (pl *planning) cancel(ctx context.Context, reason string, keys ...string) error {
	for _, k := range keys {
		e, err := pl.tx.Ledger(ctx, pl.company.ID, k)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if e.QBID != "" || e.JobID == 0 {
			continue
		}
		j, err := pl.tx.Job(ctx, e.JobID)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			return err
		}
		if j.State == store.JobQueued {
			if err := pl.tx.EndJob(ctx, j.ID, store.JobFailed, reason); err != nil {
				return err
			}
		}
	}
	return nil
}
