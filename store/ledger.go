package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// LedgerEntry says what a key (a shopper, an item, an order, a refund) is in
// QuickBooks. An empty QBID reserves the key for the job that will create it.
type LedgerEntry struct {
	Key          string
	QBType       string
	QBID         string
	Name         string
	EditSequence string
	Amount       string
	JobID        int64
	UpdatedAt    time.Time
}

// ListEntry is one object of a QuickBooks list as last read.
type ListEntry struct {
	Type     string
	ListID   string
	FullName string
	// SubType is the account type or the item kind.
	SubType string
	Email   string
	Active  bool
}

// Posting states.
const (
	PostingPlanned   = "planned"
	PostingPosted    = "posted"
	PostingAttention = "attention"
	PostingSkipped   = "skipped"
	PostingWaiting   = "waiting"
	// PostingVoided: posted, then undone in QuickBooks after the order was cancelled.
	PostingVoided = "voided"
)

// Posting is what bcqb intends in QuickBooks for one BigCommerce document,
// and how far it got.
type Posting struct {
	ID         int64
	StoreID    int64
	CompanyID  int64
	DocKind    string
	BCID       int64
	ParentBCID int64
	DocumentID int64
	Version    int
	State      string
	TxnType    string
	TxnID      string
	RefNumber  string
	BCTotal    string
	Credits    string
	Rounding   string
	Reason     string
	JobID      int64
	DocDate    time.Time
	UpdatedAt  time.Time
	PostedAt   time.Time
}

// PostingUpdate changes a posting's state; empty fields are left as they are.
type PostingUpdate struct {
	ID      int64
	State   string
	TxnType string
	TxnID   string
	Reason  string
}

// PutList stores one list object as read from QuickBooks (or just created).
func (t *Tx) PutList(ctx context.Context, companyID int64, l ListEntry) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO qb_lists(company_id, list_type, list_id, full_name, sub_type, email,
		is_active, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (company_id, list_type, list_id) DO UPDATE SET full_name = excluded.full_name,
		sub_type = excluded.sub_type, email = excluded.email, is_active = excluded.is_active, updated_at = excluded.updated_at`,
		companyID, l.Type, l.ListID, l.FullName, l.SubType, l.Email, l.Active, formatTime(t.now))
	if err != nil {
		return fmt.Errorf("store: put %s %q: %w", l.Type, l.FullName, err)
	}
	return nil
}

// PutLedger writes a ledger entry, replacing the key's previous one.
func (t *Tx) PutLedger(ctx context.Context, companyID int64, e LedgerEntry) error {
	var job any
	if e.JobID != 0 {
		job = e.JobID
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO ledger(company_id, key, qb_type, qb_id, name, edit_sequence, amount,
		job_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (company_id, key) DO UPDATE SET qb_type = excluded.qb_type, qb_id = excluded.qb_id,
		name = excluded.name, edit_sequence = excluded.edit_sequence, amount = excluded.amount,
		job_id = excluded.job_id, updated_at = excluded.updated_at`,
		companyID, e.Key, e.QBType, e.QBID, e.Name, e.EditSequence, e.Amount, job, formatTime(t.now), formatTime(t.now))
	if err != nil {
		return fmt.Errorf("store: ledger %q: %w", e.Key, err)
	}
	return nil
}

// ReserveLedger reserves a key for the job that will create its object,
// unless the key already names an object in QuickBooks.
func (t *Tx) ReserveLedger(ctx context.Context, companyID int64, e LedgerEntry) error {
	var job any
	if e.JobID != 0 {
		job = e.JobID
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO ledger(company_id, key, qb_type, qb_id, name, job_id, created_at, updated_at)
		VALUES (?, ?, ?, '', ?, ?, ?, ?)
		ON CONFLICT (company_id, key) DO UPDATE SET qb_type = excluded.qb_type, name = excluded.name,
		job_id = excluded.job_id, updated_at = excluded.updated_at WHERE ledger.qb_id = ''`,
		companyID, e.Key, e.QBType, e.Name, job, formatTime(t.now), formatTime(t.now))
	if err != nil {
		return fmt.Errorf("store: reserve %q: %w", e.Key, err)
	}
	return nil
}

const ledgerColumns = "key, qb_type, qb_id, name, edit_sequence, amount, COALESCE(job_id, 0), updated_at"

func scanLedger(row scanner) (LedgerEntry, error) {
	var e LedgerEntry
	var updated string
	if err := row.Scan(&e.Key, &e.QBType, &e.QBID, &e.Name, &e.EditSequence, &e.Amount, &e.JobID, &updated); err != nil {
		return LedgerEntry{}, err
	}
	var err error
	e.UpdatedAt, err = parseTime(updated)
	return e, err
}

// Ledger returns the ledger entry of a key.
func (db *DB) Ledger(ctx context.Context, companyID int64, key string) (LedgerEntry, error) {
	return ledgerEntry(ctx, db.read, companyID, key)
}

func ledgerEntry(ctx context.Context, q querier, companyID int64, key string) (LedgerEntry, error) {
	e, err := scanLedger(q.QueryRowContext(ctx, "SELECT "+ledgerColumns+" FROM ledger WHERE company_id = ? AND key = ?",
		companyID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return LedgerEntry{}, fmt.Errorf("store: ledger %q: %w", key, ErrNotFound)
	}
	if err != nil {
		return LedgerEntry{}, fmt.Errorf("store: ledger %q: %w", key, err)
	}
	return e, nil
}

// Ledger returns the ledger entry of a key as this transaction sees it: the
// planner decides from it whether a document is in QuickBooks already.
func (t *Tx) Ledger(ctx context.Context, companyID int64, key string) (LedgerEntry, error) {
	return ledgerEntry(ctx, t.tx, companyID, key)
}

// LedgerEntries lists a company's whole ledger, for the planner's snapshot.
func (db *DB) LedgerEntries(ctx context.Context, companyID int64) ([]LedgerEntry, error) {
	return queryAll(ctx, db.read, "ledger", scanLedger, "SELECT "+ledgerColumns+" FROM ledger WHERE company_id = ?", companyID)
}

// Lists returns every list object read from a company.
func (db *DB) Lists(ctx context.Context, companyID int64) ([]ListEntry, error) {
	return queryAll(ctx, db.read, "lists", func(r scanner) (ListEntry, error) {
		var l ListEntry
		err := r.Scan(&l.Type, &l.ListID, &l.FullName, &l.SubType, &l.Email, &l.Active)
		return l, err
	}, "SELECT list_type, list_id, full_name, sub_type, email, is_active FROM qb_lists WHERE company_id = ? ORDER BY list_type, full_name",
		companyID)
}

// PostingInput is a posting as the planner decides it.
type PostingInput struct {
	StoreID    int64
	CompanyID  int64
	DocKind    string
	BCID       int64
	ParentBCID int64
	DocumentID int64
	Version    int
	State      string
	TxnType    string
	RefNumber  string
	BCTotal    string
	Credits    string
	Rounding   string
	Reason     string
	JobID      int64
	DocDate    time.Time

	// SKUs are the SKUs the document waits for a mapping of (with Reason).
	SKUs []string
}

// PutPosting creates or replaces the posting of a document (the TxnID of a
// posted one is kept: a new version never forgets what was posted). The
// credits and rounding of a posted one are kept too when the new version
// has none of its own: a later version that posts nothing (a status change)
// is not planned as a sale, so it knows neither, and they describe the
// QuickBooks document, which did not change.
func (t *Tx) PutPosting(ctx context.Context, p PostingInput) (int64, error) {
	var job, date any
	if p.JobID != 0 {
		job = p.JobID
	}
	if !p.DocDate.IsZero() {
		date = formatTime(p.DocDate)
	}
	now := formatTime(t.now)
	var id int64
	err := t.tx.QueryRowContext(ctx, `INSERT INTO postings(store_id, company_id, doc_kind, bc_id, parent_bc_id, document_id,
		version, state, txn_type, ref_number, bc_total, credits, rounding, reason, skus, job_id, doc_date, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (store_id, doc_kind, bc_id) DO UPDATE SET document_id = excluded.document_id,
		version = excluded.version, state = excluded.state,
		txn_type = CASE WHEN postings.txn_id = '' THEN excluded.txn_type ELSE postings.txn_type END,
		ref_number = excluded.ref_number, bc_total = excluded.bc_total,
		credits = CASE WHEN postings.txn_id != '' AND excluded.credits = '' THEN postings.credits ELSE excluded.credits END,
		rounding = CASE WHEN postings.txn_id != '' AND excluded.rounding = '' THEN postings.rounding ELSE excluded.rounding END,
		reason = excluded.reason, skus = excluded.skus, job_id = COALESCE(excluded.job_id, postings.job_id), doc_date = excluded.doc_date,
		updated_at = excluded.updated_at
		RETURNING id`,
		p.StoreID, p.CompanyID, p.DocKind, p.BCID, p.ParentBCID, p.DocumentID, p.Version, p.State, p.TxnType,
		p.RefNumber, p.BCTotal, p.Credits, p.Rounding, p.Reason, encodeSKUs(p.SKUs), job, date, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: posting %s %d: %w", p.DocKind, p.BCID, err)
	}
	return id, nil
}

// UpdatePosting records a posting's progress.
func (t *Tx) UpdatePosting(ctx context.Context, u PostingUpdate) error {
	now := formatTime(t.now)
	var posted any
	if u.State == PostingPosted {
		posted = now
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE postings SET state = COALESCE(NULLIF(?, ''), state),
		txn_type = COALESCE(NULLIF(?, ''), txn_type), txn_id = COALESCE(NULLIF(?, ''), txn_id), reason = ?,
		posted_at = COALESCE(?, posted_at), updated_at = ? WHERE id = ?`,
		u.State, u.TxnType, u.TxnID, u.Reason, posted, now, u.ID)
	if err != nil {
		return fmt.Errorf("store: posting %d: %w", u.ID, err)
	}
	return mustAffect(res, fmt.Sprintf("posting %d", u.ID))
}

const postingColumns = `id, store_id, company_id, doc_kind, bc_id, parent_bc_id, document_id, version, state, txn_type,
	txn_id, ref_number, bc_total, credits, rounding, reason, COALESCE(job_id, 0), doc_date, updated_at, posted_at`

func scanPosting(row scanner) (Posting, error) {
	var p Posting
	var date, posted sql.NullString
	var updated string
	if err := row.Scan(&p.ID, &p.StoreID, &p.CompanyID, &p.DocKind, &p.BCID, &p.ParentBCID, &p.DocumentID, &p.Version,
		&p.State, &p.TxnType, &p.TxnID, &p.RefNumber, &p.BCTotal, &p.Credits, &p.Rounding, &p.Reason, &p.JobID, &date, &updated,
		&posted); err != nil {
		return Posting{}, err
	}
	var err error
	if p.DocDate, err = parseNullTime(date); err != nil {
		return Posting{}, err
	}
	if p.PostedAt, err = parseNullTime(posted); err != nil {
		return Posting{}, err
	}
	p.UpdatedAt, err = parseTime(updated)
	return p, err
}

// Posting returns the posting of a document (an error wrapping ErrNotFound
// when it was never planned).
func (t *Tx) Posting(ctx context.Context, storeID int64, kind string, bcID int64) (Posting, error) {
	p, err := scanPosting(t.tx.QueryRowContext(ctx, "SELECT "+postingColumns+
		" FROM postings WHERE store_id = ? AND doc_kind = ? AND bc_id = ?", storeID, kind, bcID))
	if errors.Is(err, sql.ErrNoRows) {
		return Posting{}, fmt.Errorf("store: posting of %s %d: %w", kind, bcID, ErrNotFound)
	}
	if err != nil {
		return Posting{}, fmt.Errorf("store: posting of %s %d: %w", kind, bcID, err)
	}
	return p, nil
}

// Postings lists a company's postings, newest document first, optionally in one state.
func (db *DB) Postings(ctx context.Context, companyID int64, state string, limit int) ([]Posting, error) {
	return queryAll(ctx, db.read, "postings", scanPosting, "SELECT "+postingColumns+
		` FROM postings WHERE company_id = ? AND (? = '' OR state = ?) ORDER BY doc_kind, bc_id DESC LIMIT ?`,
		companyID, state, state, limit)
}

// PostingCounts counts a company's postings by state.
func (db *DB) PostingCounts(ctx context.Context, companyID int64) (map[string]int, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT state, count(*) FROM postings WHERE company_id = ? GROUP BY state", companyID)
	if err != nil {
		return nil, fmt.Errorf("store: posting counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("store: posting counts: %w", err)
		}
		out[s] = n
	}
	return out, rows.Err()
}

// SetPlannedThrough moves a store's planner past the document versions up to id.
func (t *Tx) SetPlannedThrough(ctx context.Context, storeID, id int64) error {
	_, err := t.tx.ExecContext(ctx, "UPDATE bc_stores SET planned_through = ? WHERE id = ? AND planned_through < ?", id, storeID, id)
	if err != nil {
		return fmt.Errorf("store: planned through: %w", err)
	}
	return nil
}

// PlannedThrough returns the last document version the planner handled for a store.
func (db *DB) PlannedThrough(ctx context.Context, storeID int64) (int64, error) {
	var id int64
	if err := db.read.QueryRowContext(ctx, "SELECT planned_through FROM bc_stores WHERE id = ?", storeID).Scan(&id); err != nil {
		return 0, fmt.Errorf("store: planned through: %w", err)
	}
	return id, nil
}

// Unplanned reports whether a store of the company has document versions
// the planner has not handled yet.
func (db *DB) Unplanned(ctx context.Context, companyID int64) (bool, error) {
	var yes bool
	err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM bc_stores s JOIN bc_documents d
		ON d.store_id = s.id AND d.id > s.planned_through WHERE s.company_id = ?)`, companyID).Scan(&yes)
	if err != nil {
		return false, fmt.Errorf("store: unplanned documents: %w", err)
	}
	return yes, nil
}

// SetBCStoreSettings replaces a store's posting settings (JSON, as the jobs
// package reads them). The page and the import of a settings file write them.
func (db *DB) SetBCStoreSettings(ctx context.Context, storeID int64, settingsJSON string) error {
	res, err := db.write.ExecContext(ctx, "UPDATE bc_stores SET settings_json = ?, updated_at = ? WHERE id = ?",
		settingsJSON, formatTime(db.now()), storeID)
	if err != nil {
		return fmt.Errorf("store: settings of store %d: %w", storeID, err)
	}
	return mustAffect(res, fmt.Sprintf("store %d", storeID))
}

// Unsent lists the postings of a store that are not in QuickBooks and whose
// job, if any, has not left the queue (attention, planned, waiting): those a
// changed mapping or a retry plans again.
func (t *Tx) Unsent(ctx context.Context, storeID int64) ([]Posting, error) {
	return queryAll(ctx, t.tx, "unsent postings", scanPosting, "SELECT "+postingColumns+` FROM postings p
		WHERE store_id = ? AND state IN ('attention', 'planned', 'waiting') AND txn_id = ''
		AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = p.job_id AND j.state IN ('sent', 'unknown'))
		ORDER BY id`, storeID)
}
