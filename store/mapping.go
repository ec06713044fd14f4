package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SettingsChange replaces a store's posting settings (and, from the
// settings page, its backfill date) in one write.
type SettingsChange struct {
	StoreID int64
	// Old is the settings JSON the change was made from: when the stored
	// JSON differs (changed in another tab, or the planner stored the
	// defaults it chose meanwhile), nothing is written and the error wraps
	// ErrConflict, so no change is lost without a word.
	Old string
	New string
	// Backfill, when not nil, replaces the backfill date; the zero time clears it.
	Backfill *time.Time
}

// ChangeBCStoreSettings applies a settings change, or nothing.
func (db *DB) ChangeBCStoreSettings(ctx context.Context, c SettingsChange) error {
	var backfill any
	if c.Backfill != nil {
		backfill = nullTime(*c.Backfill)
	}
	res, err := db.write.ExecContext(ctx, `UPDATE bc_stores SET settings_json = ?,
		backfill_from = CASE WHEN ? THEN ? ELSE backfill_from END, updated_at = ?
		WHERE id = ? AND settings_json = ?`,
		c.New, c.Backfill != nil, backfill, formatTime(db.now()), c.StoreID, c.Old)
	if err != nil {
		return fmt.Errorf("store: settings of store %d: %w", c.StoreID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: settings of store %d: %w", c.StoreID, err)
	}
	if n == 1 {
		return nil
	}
	var one int
	err = db.write.QueryRowContext(ctx, "SELECT 1 FROM bc_stores WHERE id = ?", c.StoreID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: BigCommerce store %d: %w", c.StoreID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: settings of store %d: %w", c.StoreID, err)
	}
	return fmt.Errorf("store: the settings of store %d changed since they were read: %w", c.StoreID, ErrConflict)
}

// maxSeenNames bounds the distinct names OrderPaymentMethods and
// OrderTaxNames return: the page lists them to map, a handful in practice.
const maxSeenNames = 500

// OrderPaymentMethods lists the payment methods (order.payment_method) of
// the store's pulled orders, sorted, blanks left out.
func (db *DB) OrderPaymentMethods(ctx context.Context, storeID int64) ([]string, error) {
	return queryAll(ctx, db.read, "payment methods", scanString, `SELECT DISTINCT m FROM (
		SELECT trim(json_extract(raw, '$.order.payment_method')) AS m FROM bc_documents
		WHERE store_id = ? AND kind = 'order' AND json_valid(raw) AND json_type(raw, '$.order.payment_method') = 'text')
		WHERE m <> '' ORDER BY m LIMIT ?`, storeID, maxSeenNames)
}

// OrderTaxNames lists the names of the tax rates in the store's pulled
// orders' tax rows (the keys of Settings.TaxItems), sorted, blanks left out.
func (db *DB) OrderTaxNames(ctx context.Context, storeID int64) ([]string, error) {
	return queryAll(ctx, db.read, "tax names", scanString, `SELECT DISTINCT n FROM (
		SELECT CASE WHEN t.type = 'object' AND json_type(t.value, '$.name') = 'text'
			THEN trim(json_extract(t.value, '$.name')) END AS n
		FROM bc_documents d, json_each(d.raw, '$.taxes') t WHERE d.store_id = ? AND d.kind = 'order')
		WHERE n <> '' ORDER BY n LIMIT ?`, storeID, maxSeenNames)
}

func scanString(r scanner) (string, error) {
	var s string
	err := r.Scan(&s)
	return s, err
}
