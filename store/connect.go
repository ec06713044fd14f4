package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// BCStoreInfo is what a connection test read from a BigCommerce store
// (GET /v2/store).
type BCStoreInfo struct {
	Name     string
	Domain   string
	Currency string
	Plan     string
	// TestedAt is when the test passed (zero: never tested from the page).
	TestedAt time.Time
}

// RelinkError refuses to move a store whose documents already posted to one
// company file over to another: its refunds and edits would then post where
// the sale is not.
type RelinkError struct {
	StoreHash string
	Postings  int
}

func (e *RelinkError) Error() string {
	return fmt.Sprintf("store: BigCommerce store %s already has %d posting(s) in its company file; it cannot move to another one",
		e.StoreHash, e.Postings)
}

// Unwrap makes a RelinkError an ErrConflict.
func (e *RelinkError) Unwrap() error { return ErrConflict }

// ConnectBCStore connects or updates a store as PutBCStore does, and records
// what its connection test read, in one transaction: a store is never
// stored without the test that let it in. Moving a store with postings to
// another company is refused with a *RelinkError and changes nothing.
func (db *DB) ConnectBCStore(ctx context.Context, sealer *Sealer, in BCStoreInput, info BCStoreInfo) (BCStore, error) {
	var out BCStore
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		if in.CompanyID != 0 {
			var company sql.NullInt64
			var postings int
			err := tx.QueryRowContext(ctx, `SELECT s.company_id, (SELECT count(*) FROM postings p WHERE p.store_id = s.id)
				FROM bc_stores s WHERE s.store_hash = ?`, in.StoreHash).Scan(&company, &postings)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return fmt.Errorf("store: connect BigCommerce store %s: %w", in.StoreHash, err)
			case company.Valid && company.Int64 != in.CompanyID && postings > 0:
				return &RelinkError{StoreHash: in.StoreHash, Postings: postings}
			}
		}
		st, err := db.putBCStore(ctx, tx, sealer, in)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE bc_stores SET info_name = ?, info_domain = ?, info_currency = ?,
			info_plan = ?, info_tested_at = ? WHERE id = ?`,
			info.Name, info.Domain, info.Currency, info.Plan, nullTime(info.TestedAt), st.ID); err != nil {
			return fmt.Errorf("store: connect BigCommerce store %s: %w", in.StoreHash, err)
		}
		out = st
		return nil
	})
	if err != nil {
		return BCStore{}, err
	}
	return out, nil
}

// BCStoreInfos returns what each store's last connection test read, by store id.
func (db *DB) BCStoreInfos(ctx context.Context) (map[int64]BCStoreInfo, error) {
	type row struct {
		id   int64
		info BCStoreInfo
	}
	rows, err := queryAll(ctx, db.read, "BigCommerce store infos", func(r scanner) (row, error) {
		var x row
		var tested sql.NullString
		if err := r.Scan(&x.id, &x.info.Name, &x.info.Domain, &x.info.Currency, &x.info.Plan, &tested); err != nil {
			return row{}, err
		}
		var err error
		x.info.TestedAt, err = parseNullTime(tested)
		return x, err
	}, "SELECT id, info_name, info_domain, info_currency, info_plan, info_tested_at FROM bc_stores")
	if err != nil {
		return nil, err
	}
	out := make(map[int64]BCStoreInfo, len(rows))
	for _, x := range rows {
		out[x.id] = x.info
	}
	return out, nil
}

// LatestSessions returns each company's latest Web Connector session, by
// company id (one Web Connector user per company): when the Web Connector
// last called, and how that call went.
func (db *DB) LatestSessions(ctx context.Context) (map[int64]Session, error) {
	sessions, err := queryAll(ctx, db.read, "latest sessions", scanSession, "SELECT "+sessionColumns+
		" FROM qbwc_sessions WHERE id IN (SELECT max(id) FROM qbwc_sessions GROUP BY company_id)")
	if err != nil {
		return nil, err
	}
	out := make(map[int64]Session, len(sessions))
	for _, s := range sessions {
		out[s.CompanyID] = s
	}
	return out, nil
}
