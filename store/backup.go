package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrExists is returned, wrapped, when a file to be written already exists.
var ErrExists = errors.New("already exists")

// Backup writes a consistent copy of the whole database to path while bcqb
// runs: VACUUM INTO reads one snapshot (a read transaction, so writers go
// on under WAL) and writes it as a compact database of its own, with no WAL
// to carry along. path must not exist: the file is created first with
// O_EXCL (0600, as it holds the page's sessions and the sealed tokens), so
// no backup ever overwrites another file, even one made at the same instant.
func (db *DB) Backup(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if abs == db.path {
		return fmt.Errorf("store: backup to %s: that is the database itself: %w", abs, ErrExists)
	}
	f, err := os.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("store: backup to %s: the file %w; choose another name", abs, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(abs)
		return fmt.Errorf("store: backup: %w", err)
	}
	// VACUUM INTO accepts an empty file. It runs on a reading connection:
	// the one writer stays free for the sync meanwhile.
	if _, err := db.read.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		os.Remove(abs)
		return fmt.Errorf("store: backup to %s: %w", abs, err)
	}
	return nil
}
