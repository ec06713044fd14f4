package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Inventory reading states.
const (
	ReadingReading    = "reading"
	ReadingRead       = "read"
	ReadingProcessed  = "processed"
	ReadingSuperseded = "superseded"
)

// InventoryReading is one reading of a company's inventory items.
type InventoryReading struct {
	ID         int64
	CompanyID  int64
	JobID      int64
	State      string
	Summary    string
	StartedAt  time.Time
	FinishedAt time.Time
}

// ItemQuantity is an inventory item's quantity on hand at a reading, with
// what was about to change it at that instant (decimal strings).
type ItemQuantity struct {
	ListID   string
	FullName string
	OnHand   string
	// Unposted is the quantity of the item in orders not posted yet.
	Unposted string
	// Adjusting is bcqb's adjustments of the item not applied yet.
	Adjusting string
	// Uncertain says why the quantity cannot be trusted ("" when it can).
	Uncertain string
	// AdjustmentsThrough is the last adjustment id when the quantity was read.
	AdjustmentsThrough int64
}

// StartReading records a new reading of the company's inventory by a job.
func (t *Tx) StartReading(ctx context.Context, companyID, jobID int64) (int64, error) {
	var job any
	if jobID != 0 {
		job = jobID
	}
	res, err := t.tx.ExecContext(ctx, `INSERT INTO inventory_readings(company_id, job_id, state, started_at)
		VALUES (?, ?, 'reading', ?)`, companyID, job, formatTime(t.now))
	if err != nil {
		return 0, fmt.Errorf("store: start inventory reading: %w", err)
	}
	return res.LastInsertId()
}

// PutQuantities records items' quantities at a reading (a page of it).
func (t *Tx) PutQuantities(ctx context.Context, readingID int64, qs []ItemQuantity) error {
	for _, q := range qs {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO inventory_quantities(reading_id, list_id, full_name, on_hand,
			unposted, adjusting, uncertain, adjustments_through) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (reading_id, list_id) DO UPDATE SET full_name = excluded.full_name, on_hand = excluded.on_hand,
			unposted = excluded.unposted, adjusting = excluded.adjusting, uncertain = excluded.uncertain,
			adjustments_through = excluded.adjustments_through`,
			readingID, q.ListID, q.FullName, orZero(q.OnHand), orZero(q.Unposted), orZero(q.Adjusting), q.Uncertain,
			q.AdjustmentsThrough); err != nil {
			return fmt.Errorf("store: inventory quantity of %s: %w", q.FullName, err)
		}
	}
	return nil
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// FinishReading marks a reading complete: every inventory item was read.
func (t *Tx) FinishReading(ctx context.Context, readingID int64) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE inventory_readings SET state = 'read', finished_at = ?
		WHERE id = ? AND state = 'reading'`, formatTime(t.now), readingID)
	if err != nil {
		return fmt.Errorf("store: finish inventory reading %d: %w", readingID, err)
	}
	return mustAffect(res, fmt.Sprintf("inventory reading %d", readingID))
}

// EndReading marks a finished reading processed (or superseded) with a
// summary, and supersedes the company's older finished readings not used.
func (t *Tx) EndReading(ctx context.Context, readingID int64, state, summary string) error {
	if state != ReadingProcessed && state != ReadingSuperseded {
		return fmt.Errorf("store: end inventory reading %d: bad state %q", readingID, state)
	}
	now := formatTime(t.now)
	var company int64
	if err := t.tx.QueryRowContext(ctx, `UPDATE inventory_readings SET state = ?, summary = ?, processed_at = ?
		WHERE id = ? AND state = 'read' RETURNING company_id`, state, summary, now, readingID).Scan(&company); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: end inventory reading %d: %w", readingID, ErrConflict)
		}
		return fmt.Errorf("store: end inventory reading %d: %w", readingID, err)
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE inventory_readings SET state = 'superseded', processed_at = ?
		WHERE company_id = ? AND id < ? AND state IN ('read', 'reading')`, now, company, readingID); err != nil {
		return fmt.Errorf("store: supersede inventory readings: %w", err)
	}
	return nil
}

const readingColumns = "id, company_id, COALESCE(job_id, 0), state, summary, started_at, finished_at"

func scanReading(r scanner) (InventoryReading, error) {
	var x InventoryReading
	var started string
	var finished sql.NullString
	if err := r.Scan(&x.ID, &x.CompanyID, &x.JobID, &x.State, &x.Summary, &started, &finished); err != nil {
		return x, err
	}
	var err error
	if x.StartedAt, err = parseTime(started); err != nil {
		return x, err
	}
	x.FinishedAt, err = parseNullTime(finished)
	return x, err
}

// ReadingsToProcess returns, per company, its newest finished reading not
// used yet.
func (db *DB) ReadingsToProcess(ctx context.Context) ([]InventoryReading, error) {
	return queryAll(ctx, db.read, "inventory readings", scanReading, "SELECT "+readingColumns+` FROM inventory_readings r
		WHERE state = 'read' AND id = (SELECT max(id) FROM inventory_readings WHERE company_id = r.company_id AND state = 'read')
		ORDER BY id`)
}

// Reading returns one reading.
func (db *DB) Reading(ctx context.Context, id int64) (InventoryReading, error) {
	x, err := scanReading(db.read.QueryRowContext(ctx, "SELECT "+readingColumns+" FROM inventory_readings WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return x, fmt.Errorf("store: inventory reading %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return x, fmt.Errorf("store: inventory reading %d: %w", id, err)
	}
	return x, nil
}

// LatestReading returns the company's newest reading in a state ("" any).
func (db *DB) LatestReading(ctx context.Context, companyID int64, state string) (InventoryReading, error) {
	x, err := scanReading(db.read.QueryRowContext(ctx, "SELECT "+readingColumns+` FROM inventory_readings
		WHERE company_id = ? AND (? = '' OR state = ?) ORDER BY id DESC LIMIT 1`, companyID, state, state))
	if errors.Is(err, sql.ErrNoRows) {
		return x, fmt.Errorf("store: inventory reading of company %d: %w", companyID, ErrNotFound)
	}
	if err != nil {
		return x, fmt.Errorf("store: inventory reading of company %d: %w", companyID, err)
	}
	return x, nil
}

// Quantities lists the items read at a reading.
func (db *DB) Quantities(ctx context.Context, readingID int64) ([]ItemQuantity, error) {
	return queryAll(ctx, db.read, "inventory quantities", func(r scanner) (ItemQuantity, error) {
		var q ItemQuantity
		err := r.Scan(&q.ListID, &q.FullName, &q.OnHand, &q.Unposted, &q.Adjusting, &q.Uncertain, &q.AdjustmentsThrough)
		return q, err
	}, `SELECT list_id, full_name, on_hand, unposted, adjusting, uncertain, adjustments_through FROM inventory_quantities
		WHERE reading_id = ? ORDER BY full_name`, readingID)
}

// UnpostedOrder is an order document whose sale is not in QuickBooks,
// with the state of the job that posts the sale (empty when none).
type UnpostedOrder struct {
	Posting  Posting
	Raw      string
	JobID    int64
	JobState string
	// Recovering and SessionID are the sale job's.
	Recovering bool
	SessionID  int64
}

// UnpostedOrders lists the company's order postings whose sale is not in
// QuickBooks (not skipped or voided), with the document planned and the sale
// job's state: the inventory reading counts their lines as stock QuickBooks
// still holds but BigCommerce sold.
func (db *DB) UnpostedOrders(ctx context.Context, companyID int64) ([]UnpostedOrder, error) {
	return queryAll(ctx, db.read, "unposted orders", func(r scanner) (UnpostedOrder, error) {
		var u UnpostedOrder
		var date, posted sql.NullString
		var updated string
		p := &u.Posting
		if err := r.Scan(&p.ID, &p.StoreID, &p.CompanyID, &p.DocKind, &p.BCID, &p.ParentBCID, &p.DocumentID, &p.Version,
			&p.State, &p.TxnType, &p.TxnID, &p.RefNumber, &p.BCTotal, &p.Credits, &p.Rounding, &p.Reason, &p.JobID, &date, &updated,
			&posted, &u.Raw, &u.JobID, &u.JobState, &u.Recovering, &u.SessionID); err != nil {
			return u, err
		}
		var err error
		if p.DocDate, err = parseNullTime(date); err != nil {
			return u, err
		}
		if p.PostedAt, err = parseNullTime(posted); err != nil {
			return u, err
		}
		p.UpdatedAt, err = parseTime(updated)
		return u, err
	}, `SELECT p.id, p.store_id, p.company_id, p.doc_kind, p.bc_id, p.parent_bc_id, p.document_id, p.version, p.state,
		p.txn_type, p.txn_id, p.ref_number, p.bc_total, p.credits, p.rounding, p.reason, COALESCE(p.job_id, 0), p.doc_date,
		p.updated_at, p.posted_at, d.raw, COALESCE(j.id, 0), COALESCE(j.state, ''), COALESCE(j.recovering, 0),
		COALESCE(j.session_id, 0)
		FROM postings p JOIN bc_documents d ON d.id = p.document_id
		LEFT JOIN ledger l ON l.company_id = p.company_id AND l.key = 'order:' || p.store_id || ':' || p.bc_id
		LEFT JOIN jobs j ON j.id = l.job_id
		WHERE p.company_id = ? AND p.doc_kind = 'order' AND p.txn_id = '' AND p.state NOT IN ('skipped', 'voided')
		AND COALESCE(l.qb_id, '') = '' ORDER BY p.id`, companyID)
}

// InventoryAdjustment is an adjustment bcqb decided for an item at a
// reading, with its job's state.
type InventoryAdjustment struct {
	ID         int64
	CompanyID  int64
	ListID     string
	FullName   string
	ReadingID  int64
	Difference string
	JobID      int64
	JobState   string
	Recovering bool
	SessionID  int64
}

// AddAdjustment records an adjustment for an item at a reading; created is
// false when that item already has one at that reading (then its id is returned).
func (t *Tx) AddAdjustment(ctx context.Context, a InventoryAdjustment) (int64, bool, error) {
	var id int64
	err := t.tx.QueryRowContext(ctx, `INSERT INTO inventory_adjustments(company_id, list_id, full_name, reading_id,
		difference, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
		a.CompanyID, a.ListID, a.FullName, a.ReadingID, a.Difference, formatTime(t.now)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = t.tx.QueryRowContext(ctx, `SELECT id FROM inventory_adjustments WHERE company_id = ? AND list_id = ?
			AND reading_id = ?`, a.CompanyID, a.ListID, a.ReadingID).Scan(&id)
		if err != nil {
			return 0, false, fmt.Errorf("store: inventory adjustment of %s: %w", a.FullName, err)
		}
		return id, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: inventory adjustment of %s: %w", a.FullName, err)
	}
	return id, true, nil
}

// SetAdjustmentJob links an adjustment to the job that carries it out.
func (t *Tx) SetAdjustmentJob(ctx context.Context, id, jobID int64) error {
	res, err := t.tx.ExecContext(ctx, "UPDATE inventory_adjustments SET job_id = ? WHERE id = ?", jobID, id)
	if err != nil {
		return fmt.Errorf("store: inventory adjustment %d: %w", id, err)
	}
	return mustAffect(res, fmt.Sprintf("inventory adjustment %d", id))
}

const adjustmentQuery = `SELECT a.id, a.company_id, a.list_id, a.full_name, a.reading_id, a.difference, COALESCE(a.job_id, 0),
	COALESCE(j.state, ''), COALESCE(j.recovering, 0), COALESCE(j.session_id, 0)
	FROM inventory_adjustments a LEFT JOIN jobs j ON j.id = a.job_id`

func scanAdjustment(r scanner) (InventoryAdjustment, error) {
	var a InventoryAdjustment
	err := r.Scan(&a.ID, &a.CompanyID, &a.ListID, &a.FullName, &a.ReadingID, &a.Difference, &a.JobID, &a.JobState,
		&a.Recovering, &a.SessionID)
	return a, err
}

// OpenAdjustments lists the company's adjustments whose job has not
// finished (queued, sent, unknown, or failed and so possibly retried). An
// adjustment whose job was pruned (done long ago) is not open.
func (db *DB) OpenAdjustments(ctx context.Context, companyID int64) ([]InventoryAdjustment, error) {
	return queryAll(ctx, db.read, "open inventory adjustments", scanAdjustment, adjustmentQuery+`
		WHERE a.company_id = ? AND j.id IS NOT NULL AND j.state <> 'done' ORDER BY a.id`, companyID)
}

// Adjustments lists the company's adjustments, newest first (limit 0: all).
func (db *DB) Adjustments(ctx context.Context, companyID int64, limit int) ([]InventoryAdjustment, error) {
	if limit <= 0 {
		limit = -1
	}
	return queryAll(ctx, db.read, "inventory adjustments", scanAdjustment, adjustmentQuery+`
		WHERE a.company_id = ? ORDER BY a.id DESC LIMIT ?`, companyID, limit)
}

// LastAdjustmentID returns the id of the newest adjustment of any company (0: none).
func (db *DB) LastAdjustmentID(ctx context.Context) (int64, error) {
	var id int64
	if err := db.read.QueryRowContext(ctx, "SELECT COALESCE(max(id), 0) FROM inventory_adjustments").Scan(&id); err != nil {
		return 0, fmt.Errorf("store: last inventory adjustment: %w", err)
	}
	return id, nil
}

// InventoryPush is the level bcqb last pushed to a BigCommerce product
// (VariantID 0) or variant.
type InventoryPush struct {
	StoreID       int64
	ProductID     int64
	VariantID     int64
	SKU           string
	Item          string
	Quantity      int64
	ReadingID     int64
	TransactionID string
	PushedAt      time.Time
}

// Pushes returns a store's last pushed levels by product and variant id.
func (db *DB) Pushes(ctx context.Context, storeID int64) (map[[2]int64]InventoryPush, error) {
	all, err := queryAll(ctx, db.read, "inventory pushes", func(r scanner) (InventoryPush, error) {
		var p InventoryPush
		var at string
		if err := r.Scan(&p.StoreID, &p.ProductID, &p.VariantID, &p.SKU, &p.Item, &p.Quantity, &p.ReadingID,
			&p.TransactionID, &at); err != nil {
			return p, err
		}
		var err error
		p.PushedAt, err = parseTime(at)
		return p, err
	}, `SELECT store_id, product_id, variant_id, sku, item, quantity, reading_id, transaction_id, pushed_at
		FROM inventory_pushes WHERE store_id = ?`, storeID)
	if err != nil {
		return nil, err
	}
	out := make(map[[2]int64]InventoryPush, len(all))
	for _, p := range all {
		out[[2]int64{p.ProductID, p.VariantID}] = p
	}
	return out, nil
}

// RecordPushes records levels BigCommerce accepted.
func (db *DB) RecordPushes(ctx context.Context, ps []InventoryPush) error {
	return db.Update(ctx, func(t *Tx) error {
		for _, p := range ps {
			if _, err := t.tx.ExecContext(ctx, `INSERT INTO inventory_pushes(store_id, product_id, variant_id, sku, item,
				quantity, reading_id, transaction_id, pushed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (store_id, product_id, variant_id) DO UPDATE SET sku = excluded.sku, item = excluded.item,
				quantity = excluded.quantity, reading_id = excluded.reading_id, transaction_id = excluded.transaction_id,
				pushed_at = excluded.pushed_at`,
				p.StoreID, p.ProductID, p.VariantID, p.SKU, p.Item, p.Quantity, p.ReadingID, p.TransactionID,
				formatTime(t.now)); err != nil {
				return fmt.Errorf("store: inventory push of %s: %w", p.SKU, err)
			}
		}
		return nil
	})
}

// EndReading is Tx.EndReading in its own transaction.
func (db *DB) EndReading(ctx context.Context, readingID int64, state, summary string) error {
	return db.Update(ctx, func(t *Tx) error { return t.EndReading(ctx, readingID, state, summary) })
}

// LatestDocuments returns the newest version of every document of a kind in a store.
func (db *DB) LatestDocuments(ctx context.Context, storeID int64, kind string) ([]Document, error) {
	return queryAll(ctx, db.read, "latest documents", scanDocument, "SELECT "+documentColumns+` FROM bc_documents d
		WHERE store_id = ? AND kind = ? AND version = (SELECT max(version) FROM bc_documents
		WHERE store_id = d.store_id AND kind = d.kind AND bc_id = d.bc_id) ORDER BY bc_id`, storeID, kind)
}
