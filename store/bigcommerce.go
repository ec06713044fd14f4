package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// BCStore is a connected BigCommerce store. It carries no token: the token
// is read, decrypted, only by BCStoreToken, so a BCStore can be logged or
// shown on the page without leaking it.
type BCStore struct {
	ID        int64
	StoreHash string
	// CompanyID is the QuickBooks company the store's documents post to (0: none yet).
	CompanyID int64
	// Watermark is BigCommerce's clock at the start of the last pull that
	// stored every change since CoveredFrom (zero before the first).
	Watermark   time.Time
	CoveredFrom time.Time
	// Overlap is how far before the watermark the next pull starts, so a
	// change BigCommerce lists late is still seen.
	Overlap time.Duration
	// BackfillFrom is the date the user chose to pull history from (zero: only
	// changes from the first pull on).
	BackfillFrom time.Time
	// WebhookSecretHash is the SHA-256 of the secret header registered with
	// BigCommerce's webhooks (nil when webhooks are off).
	WebhookSecretHash  []byte
	WebhookIDs         []int64
	WebhookDestination string
	SettingsJSON       string
	// PullState is never, running, ok or error; LastPullError says why in
	// words for the page.
	PullState       string
	LastPullAt      time.Time
	LastPullOKAt    time.Time
	LastPullError   string
	LastPullSummary string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Pull states of a store.
const (
	PullNever   = "never"
	PullRunning = "running"
	PullOK      = "ok"
	PullError   = "error"
)

// DefaultOverlap is the overlap window of a newly connected store.
const DefaultOverlap = 5 * time.Minute

const bcStoreColumns = `id, store_hash, COALESCE(company_id, 0), watermark, covered_from, overlap_seconds,
	backfill_from, webhook_secret_hash, webhook_ids, webhook_destination, settings_json, pull_state, last_pull_at,
	last_pull_ok_at, last_pull_error, last_pull_summary, created_at, updated_at`

func scanBCStore(row scanner) (BCStore, error) {
	var s BCStore
	var watermark, covered, backfill, lastAt, lastOK, created, updated sql.NullString
	var overlap int64
	var ids string
	if err := row.Scan(&s.ID, &s.StoreHash, &s.CompanyID, &watermark, &covered, &overlap, &backfill,
		&s.WebhookSecretHash, &ids, &s.WebhookDestination, &s.SettingsJSON, &s.PullState, &lastAt, &lastOK,
		&s.LastPullError, &s.LastPullSummary, &created, &updated); err != nil {
		return BCStore{}, err
	}
	s.Overlap = time.Duration(overlap) * time.Second
	for _, f := range strings.Split(ids, ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			s.WebhookIDs = append(s.WebhookIDs, id)
		}
	}
	if err := parseTimes(&s.Watermark, watermark, &s.CoveredFrom, covered, &s.BackfillFrom, backfill,
		&s.LastPullAt, lastAt, &s.LastPullOKAt, lastOK, &s.CreatedAt, created, &s.UpdatedAt, updated); err != nil {
		return BCStore{}, err
	}
	return s, nil
}

// parseTimes parses stored times, given as pairs of a destination and a
// column (sql.NullString, or string for a NOT NULL column).
func parseTimes(pairs ...any) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		var src sql.NullString
		switch v := pairs[i+1].(type) {
		case sql.NullString:
			src = v
		case string:
			src = sql.NullString{String: v, Valid: true}
		default:
			return fmt.Errorf("store: parseTimes: %T is not a stored time", v)
		}
		t, err := parseNullTime(src)
		if err != nil {
			return err
		}
		*pairs[i].(*time.Time) = t
	}
	return nil
}

// BCStoreInput connects a store, or updates a connected one.
type BCStoreInput struct {
	StoreHash string
	Token     string
	// CompanyID links the store to a QuickBooks company (0 keeps the current link).
	CompanyID int64
	// BackfillFrom, when not zero, replaces the chosen backfill date.
	BackfillFrom time.Time
	// Overlap, when not zero, replaces the overlap window.
	Overlap time.Duration
}

// tokenContext binds a sealed token to its store.
func tokenContext(hash string) string { return "bc_stores.token:" + hash }

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

// PutBCStore connects the store with the hash, or updates its token (and the
// fields set in in) when it is already connected. The token is sealed with
// sealer before it reaches the database.
func (db *DB) PutBCStore(ctx context.Context, sealer *Sealer, in BCStoreInput) (BCStore, error) {
	return db.putBCStore(ctx, db.write, sealer, in)
}

// putBCStore is PutBCStore on q, so that ConnectBCStore writes the store
// and what its test read in one transaction.
func (db *DB) putBCStore(ctx context.Context, q rowQuerier, sealer *Sealer, in BCStoreInput) (BCStore, error) {
	if in.StoreHash == "" || in.Token == "" {
		return BCStore{}, errors.New("store: a BigCommerce store needs a store hash and an access token")
	}
	if sealer == nil {
		return BCStore{}, errors.New("store: no secret key to seal the BigCommerce token with")
	}
	sealed, err := sealer.Seal([]byte(in.Token), tokenContext(in.StoreHash))
	if err != nil {
		return BCStore{}, err
	}
	var company any
	if in.CompanyID != 0 {
		company = in.CompanyID
	}
	overlap := int64(DefaultOverlap / time.Second)
	if in.Overlap > 0 {
		overlap = int64(in.Overlap / time.Second)
	}
	now := formatTime(db.now())
	s, err := scanBCStore(q.QueryRowContext(ctx, `INSERT INTO bc_stores(store_hash, token_sealed, company_id,
		overlap_seconds, backfill_from, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(store_hash) DO UPDATE SET token_sealed = excluded.token_sealed,
			company_id = COALESCE(excluded.company_id, company_id),
			overlap_seconds = CASE WHEN ? THEN excluded.overlap_seconds ELSE overlap_seconds END,
			backfill_from = COALESCE(excluded.backfill_from, backfill_from),
			updated_at = excluded.updated_at
		RETURNING `+bcStoreColumns,
		in.StoreHash, sealed, company, overlap, nullTime(in.BackfillFrom), now, now, in.Overlap > 0))
	if err != nil {
		return BCStore{}, fmt.Errorf("store: connect BigCommerce store %s: %w", in.StoreHash, err)
	}
	return s, nil
}

// BCStore returns a connected store by id.
func (db *DB) BCStore(ctx context.Context, id int64) (BCStore, error) {
	s, err := scanBCStore(db.read.QueryRowContext(ctx, "SELECT "+bcStoreColumns+" FROM bc_stores WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return BCStore{}, fmt.Errorf("store: BigCommerce store %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return BCStore{}, fmt.Errorf("store: BigCommerce store %d: %w", id, err)
	}
	return s, nil
}

// BCStoreByHash returns a connected store by its store hash.
func (db *DB) BCStoreByHash(ctx context.Context, hash string) (BCStore, error) {
	s, err := scanBCStore(db.read.QueryRowContext(ctx, "SELECT "+bcStoreColumns+" FROM bc_stores WHERE store_hash = ?", hash))
	if errors.Is(err, sql.ErrNoRows) {
		return BCStore{}, fmt.Errorf("store: BigCommerce store %q: %w", hash, ErrNotFound)
	}
	if err != nil {
		return BCStore{}, fmt.Errorf("store: BigCommerce store %q: %w", hash, err)
	}
	return s, nil
}

// BCStores lists the connected stores, oldest first.
func (db *DB) BCStores(ctx context.Context) ([]BCStore, error) {
	return queryAll(ctx, db.read, "BigCommerce stores", scanBCStore, "SELECT "+bcStoreColumns+" FROM bc_stores ORDER BY id")
}

// BCStoreToken decrypts a store's access token. A wrong key (secret.key lost
// or BCQB_SECRET_KEY changed) is an error wrapping ErrSealed.
func (db *DB) BCStoreToken(ctx context.Context, sealer *Sealer, id int64) (string, error) {
	var hash string
	var sealed []byte
	err := db.read.QueryRowContext(ctx, "SELECT store_hash, token_sealed FROM bc_stores WHERE id = ?", id).Scan(&hash, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: BigCommerce store %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: BigCommerce store %d token: %w", id, err)
	}
	if sealer == nil {
		return "", errors.New("store: no secret key to open the BigCommerce token with")
	}
	tok, err := sealer.Open(sealed, tokenContext(hash))
	if err != nil {
		return "", fmt.Errorf("store: BigCommerce store %s token (reconnect the store with its token): %w", hash, err)
	}
	return string(tok), nil
}

// StartBCPull marks a store's pull as running, for the page.
func (db *DB) StartBCPull(ctx context.Context, id int64) error {
	now := formatTime(db.now())
	res, err := db.write.ExecContext(ctx, `UPDATE bc_stores SET pull_state = 'running', last_pull_at = ?, updated_at = ?
		WHERE id = ?`, now, now, id)
	if err != nil {
		return fmt.Errorf("store: start pull of BigCommerce store %d: %w", id, err)
	}
	return mustAffect(res, fmt.Sprintf("BigCommerce store %d", id))
}

// BCPullResult is how a pull of a store ended.
type BCPullResult struct {
	// Err, when not empty, is the failure in words for the page; the
	// watermark does not move.
	Err     string
	Summary string
	// Since and Until bound the changes the pull stored completely (Until is
	// BigCommerce's clock when the pull started). When both are set and the
	// pull succeeded, the watermark moves to Until, provided Since leaves no
	// gap after the current watermark.
	Since, Until time.Time
}

// FinishBCPull records the end of a pull and, for a complete one, moves the
// watermark: only after everything up to it is stored, and never backwards.
func (db *DB) FinishBCPull(ctx context.Context, id int64, r BCPullResult) error {
	now := db.now()
	return db.withTx(ctx, func(tx *sql.Tx) error {
		s, err := scanBCStore(tx.QueryRowContext(ctx, "SELECT "+bcStoreColumns+" FROM bc_stores WHERE id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: finish pull of BigCommerce store %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: finish pull of BigCommerce store %d: %w", id, err)
		}
		if r.Err != "" {
			_, err := tx.ExecContext(ctx, `UPDATE bc_stores SET pull_state = 'error', last_pull_error = ?,
				last_pull_summary = ?, updated_at = ? WHERE id = ?`, r.Err, r.Summary, formatTime(now), id)
			if err != nil {
				return fmt.Errorf("store: finish pull of BigCommerce store %d: %w", id, err)
			}
			return nil
		}
		watermark, covered := s.Watermark, s.CoveredFrom
		if !r.Until.IsZero() && (watermark.IsZero() || !r.Since.After(watermark)) {
			if r.Until.After(watermark) {
				watermark = r.Until
			}
			if covered.IsZero() || r.Since.Before(covered) {
				covered = r.Since
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE bc_stores SET pull_state = 'ok', last_pull_error = '', last_pull_summary = ?,
			last_pull_ok_at = ?, watermark = ?, covered_from = ?, updated_at = ? WHERE id = ?`,
			r.Summary, formatTime(now), nullTime(watermark), nullTime(covered), formatTime(now), id)
		if err != nil {
			return fmt.Errorf("store: finish pull of BigCommerce store %d: %w", id, err)
		}
		return nil
	})
}

// SetBCWebhooks records the webhooks registered for a store: the SHA-256 of
// the secret header they carry, their ids and destination. A nil secretHash
// records that webhooks are off.
func (db *DB) SetBCWebhooks(ctx context.Context, id int64, secretHash []byte, ids []int64, destination string) error {
	parts := make([]string, len(ids))
	for i, v := range ids {
		parts[i] = strconv.FormatInt(v, 10)
	}
	res, err := db.write.ExecContext(ctx, `UPDATE bc_stores SET webhook_secret_hash = ?, webhook_ids = ?,
		webhook_destination = ?, updated_at = ? WHERE id = ?`,
		secretHash, strings.Join(parts, ","), destination, formatTime(db.now()), id)
	if err != nil {
		return fmt.Errorf("store: webhooks of BigCommerce store %d: %w", id, err)
	}
	return mustAffect(res, fmt.Sprintf("BigCommerce store %d", id))
}

// Kinds of BigCommerce documents.
const (
	DocOrder    = "order"
	DocRefund   = "refund"
	DocCustomer = "customer"
	DocProduct  = "product"
)

// DocumentInput is a BigCommerce document as just pulled.
type DocumentInput struct {
	Kind string
	BCID int64
	// ParentID is the order of a refund (0 otherwise).
	ParentID int64
	// Raw is the document's JSON as BigCommerce sent it (an order's is the
	// order with its sub-resources).
	Raw          []byte
	DateModified time.Time
}

// Document is one stored version of a BigCommerce document.
type Document struct {
	ID       int64
	StoreID  int64
	Kind     string
	BCID     int64
	ParentID int64
	// Version counts the distinct contents pulled for this document, from 1.
	Version      int
	ContentHash  []byte
	Raw          string
	DateModified time.Time
	PulledAt     time.Time
}

// PutResult is what PutDocuments did with one document.
type PutResult struct {
	Document
	// Created is true when the content was new (a new version); false when
	// the latest version already had it.
	Created bool
}

const documentColumns = `id, store_id, kind, bc_id, parent_id, version, content_hash, raw, date_modified, pulled_at`

func scanDocument(row scanner) (Document, error) {
	var d Document
	var modified sql.NullString
	var pulled string
	if err := row.Scan(&d.ID, &d.StoreID, &d.Kind, &d.BCID, &d.ParentID, &d.Version, &d.ContentHash, &d.Raw,
		&modified, &pulled); err != nil {
		return Document{}, err
	}
	var err error
	if d.DateModified, err = parseNullTime(modified); err != nil {
		return Document{}, err
	}
	if d.PulledAt, err = parseTime(pulled); err != nil {
		return Document{}, err
	}
	return d, nil
}

// ContentHash is the SHA-256 of a JSON document's canonical form (object keys
// sorted, insignificant space dropped, numbers kept as written), so that the
// same content sent with its keys in another order is not a new version.
func ContentHash(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("store: document is not JSON: %w", err)
	}
	canon, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("store: canonical JSON: %w", err)
	}
	sum := sha256.Sum256(canon)
	return sum[:], nil
}

// PutDocuments stores the documents pulled together (an order and its
// refunds) in one transaction: all or none. A document whose content equals
// its latest version's adds nothing; a changed one becomes the next version.
func (db *DB) PutDocuments(ctx context.Context, storeID int64, docs []DocumentInput) ([]PutResult, error) {
	type prepared struct {
		in   DocumentInput
		hash []byte
	}
	prep := make([]prepared, len(docs))
	for i, d := range docs {
		switch d.Kind {
		case DocOrder, DocRefund, DocCustomer, DocProduct:
		default:
			return nil, fmt.Errorf("store: document kind %q", d.Kind)
		}
		h, err := ContentHash(d.Raw)
		if err != nil {
			return nil, fmt.Errorf("store: %s %d: %w", d.Kind, d.BCID, err)
		}
		prep[i] = prepared{d, h}
	}
	now := db.now()
	out := make([]PutResult, 0, len(docs))
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		for _, p := range prep {
			latest, err := scanDocument(tx.QueryRowContext(ctx, "SELECT "+documentColumns+` FROM bc_documents
				WHERE store_id = ? AND kind = ? AND bc_id = ? ORDER BY version DESC LIMIT 1`, storeID, p.in.Kind, p.in.BCID))
			switch {
			case err == nil && bytes.Equal(latest.ContentHash, p.hash):
				out = append(out, PutResult{Document: latest})
				continue
			case err != nil && !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("store: latest %s %d: %w", p.in.Kind, p.in.BCID, err)
			}
			d, err := scanDocument(tx.QueryRowContext(ctx, `INSERT INTO bc_documents(store_id, kind, bc_id, parent_id,
				version, content_hash, raw, date_modified, pulled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
				RETURNING `+documentColumns, storeID, p.in.Kind, p.in.BCID, p.in.ParentID, latest.Version+1, p.hash,
				string(p.in.Raw), nullTime(p.in.DateModified), formatTime(now)))
			if err != nil {
				return fmt.Errorf("store: put %s %d: %w", p.in.Kind, p.in.BCID, err)
			}
			out = append(out, PutResult{Document: d, Created: true})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// LatestDocument returns the latest version of a document.
func (db *DB) LatestDocument(ctx context.Context, storeID int64, kind string, bcID int64) (Document, error) {
	d, err := scanDocument(db.read.QueryRowContext(ctx, "SELECT "+documentColumns+` FROM bc_documents
		WHERE store_id = ? AND kind = ? AND bc_id = ? ORDER BY version DESC LIMIT 1`, storeID, kind, bcID))
	if errors.Is(err, sql.ErrNoRows) {
		return Document{}, fmt.Errorf("store: %s %d: %w", kind, bcID, ErrNotFound)
	}
	if err != nil {
		return Document{}, fmt.Errorf("store: %s %d: %w", kind, bcID, err)
	}
	return d, nil
}

// DocumentVersions lists every version of a document, oldest first.
func (db *DB) DocumentVersions(ctx context.Context, storeID int64, kind string, bcID int64) ([]Document, error) {
	return queryAll(ctx, db.read, "document versions", scanDocument, "SELECT "+documentColumns+` FROM bc_documents
		WHERE store_id = ? AND kind = ? AND bc_id = ? ORDER BY version`, storeID, kind, bcID)
}

// LatestChildren returns the latest version of each document of a kind
// whose parent is parentID (an order's refunds), by BigCommerce id.
func (db *DB) LatestChildren(ctx context.Context, storeID int64, kind string, parentID int64) ([]Document, error) {
	return queryAll(ctx, db.read, "child documents", scanDocument, "SELECT "+documentColumns+` FROM bc_documents d
		WHERE store_id = ? AND kind = ? AND parent_id = ? AND version =
			(SELECT max(version) FROM bc_documents m WHERE m.store_id = d.store_id AND m.kind = d.kind AND m.bc_id = d.bc_id)
		ORDER BY bc_id`, storeID, kind, parentID)
}

// DocumentsAfter lists the document versions stored after the one with id
// afterID, in the order they were stored, at most limit: the sync engine
// walks new versions this way, keeping the last id it planned.
func (db *DB) DocumentsAfter(ctx context.Context, storeID, afterID int64, limit int) ([]Document, error) {
	if limit <= 0 {
		limit = 100
	}
	return queryAll(ctx, db.read, "documents after", scanDocument, "SELECT "+documentColumns+` FROM bc_documents
		WHERE store_id = ? AND id > ? ORDER BY id LIMIT ?`, storeID, afterID, limit)
}

// DocumentCount counts a kind's documents and their versions in a store.
type DocumentCount struct {
	Kind      string
	Documents int
	Versions  int
}

// DocumentCounts counts a store's documents by kind.
func (db *DB) DocumentCounts(ctx context.Context, storeID int64) ([]DocumentCount, error) {
	return queryAll(ctx, db.read, "document counts", func(r scanner) (DocumentCount, error) {
		var c DocumentCount
		err := r.Scan(&c.Kind, &c.Documents, &c.Versions)
		return c, err
	}, `SELECT kind, count(DISTINCT bc_id), count(*) FROM bc_documents WHERE store_id = ? GROUP BY kind ORDER BY kind`, storeID)
}
