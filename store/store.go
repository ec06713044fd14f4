// Package store is bcqb's ground floor: the SQLite database that holds Web
// Connector users and sessions, company files, the job queue and everything
// pulled and posted. It imports none of bcqb's other packages.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // database/sql driver "sqlite3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// uriPath escapes the characters that end or change a file: URI's path.
var uriPath = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

// ErrNotFound is returned, wrapped, when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned, wrapped, when a write would break a uniqueness rule.
var ErrConflict = errors.New("conflict")

// DB is the SQLite database. Writes go through a pool of one connection, so
// SQLite never sees two writers and never answers SQLITE_BUSY to ourselves;
// reads use a separate pool and run concurrently under WAL.
type DB struct {
	path  string
	write *sql.DB
	read  *sql.DB
	// now is the clock; tests replace it.
	now func() time.Time
}

// Open opens (creating if needed) the database file at path and applies every
// migration not applied yet.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: empty database path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	// Pragmas in the DSN apply to every connection the pool opens, not just the first.
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", "NORMAL")
	q.Set("_txlock", "immediate")
	// The folder is made here so that every command opening the store works
	// on a fresh machine; the path is escaped because a '?' or '#' in it would
	// end the file: URI's path.
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("store: data folder: %w", err)
	}
	dsn := "file:" + uriPath.Replace(abs) + "?" + q.Encode()

	write, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", abs, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	// Readers keep a smaller page cache (1 MiB, not 2) and are at most four:
	// on the small box bcqb runs on, what is read is mostly just written and
	// sits in the OS cache anyway, and SQLite's caches are most of bcqb's
	// memory beyond Go's heap.
	read, err := sql.Open("sqlite3", dsn+"&mode=ro&_cache_size=-1024")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", abs, err)
	}
	read.SetMaxOpenConns(4)
	db := &DB{path: abs, write: write, read: read, now: func() time.Time { return time.Now().UTC() }}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close closes both connection pools.
func (db *DB) Close() error {
	return errors.Join(db.read.Close(), db.write.Close())
}

// Path is the absolute path of the database file.
func (db *DB) Path() string { return db.path }

// SetClock replaces the clock; tests use it to expire sessions without sleeping.
func (db *DB) SetClock(now func() time.Time) { db.now = func() time.Time { return now().UTC() } }

// Now is the store's clock, in UTC.
func (db *DB) Now() time.Time { return db.now() }

// Ping checks that the database answers; /healthz uses it.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// migrate applies the embedded migrations in order, one transaction each.
// Migrations are append-only: a file once released is never edited.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("store: list migrations: %w", err)
	}
	sort.Strings(names)
	seen := map[int]string{}
	for _, name := range names {
		base := filepath.Base(name)
		num, _, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return fmt.Errorf("store: migration %s: name must start with a number and an underscore", base)
		}
		if prev, dup := seen[version]; dup {
			return fmt.Errorf("store: migrations %s and %s share number %d", prev, base, version)
		}
		seen[version] = base
		if err := db.applyMigration(ctx, version, name); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, version int, name string) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin migration %d: %w", version, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = ?", version).Scan(&n); err != nil {
		return fmt.Errorf("store: migration %d: %w", version, err)
	}
	if n > 0 {
		return nil
	}
	body, err := migrations.ReadFile(name)
	if err != nil {
		return fmt.Errorf("store: read %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("store: apply %s: %w", filepath.Base(name), err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
		version, filepath.Base(name), formatTime(db.now())); err != nil {
		return fmt.Errorf("store: record migration %d: %w", version, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit migration %d: %w", version, err)
	}
	return nil
}

// withTx runs fn in one write transaction, committed when fn returns nil.
func (db *DB) withTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// Times are stored as fixed-width RFC 3339 UTC text so that they sort and
// compare correctly as strings inside SQL.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: bad stored time %q: %w", s, err)
	}
	return t, nil
}

func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}

// Pragma reads a PRAGMA's value on a pooled connection; tests use it to check
// that every connection got the DSN's settings.
func (db *DB) Pragma(ctx context.Context, name string) (string, error) {
	var v string
	if err := db.read.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v); err != nil {
		return "", fmt.Errorf("store: pragma %s: %w", name, err)
	}
	return v, nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queryAll runs a query and scans every row; what names the query in errors.
func queryAll[T any](ctx context.Context, q querier, what string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}
