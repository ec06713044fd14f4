package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Setting returns a stored setting, or an error wrapping ErrNotFound.
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.read.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: setting %q: %w", key, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: setting %q: %w", key, err)
	}
	return v, nil
}

// SetSetting stores a setting, replacing any previous value.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO settings(key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		key, value, formatTime(db.now()))
	if err != nil {
		return fmt.Errorf("store: set setting %q: %w", key, err)
	}
	return nil
}

// SettingOrCreate returns the setting, storing create()'s value first when it
// is missing. Identifiers that must never change once handed out (the .qwc
// OwnerID, the appliance's secret key) are made this way.
func (db *DB) SettingOrCreate(ctx context.Context, key string, create func() (string, error)) (string, error) {
	v, err := db.Setting(ctx, key)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return "", err
	}
	nv, err := create()
	if err != nil {
		return "", fmt.Errorf("store: create setting %q: %w", key, err)
	}
	// INSERT OR IGNORE then read back: if two callers race, both get the winner's value.
	if _, err := db.write.ExecContext(ctx, "INSERT OR IGNORE INTO settings(key, value, updated_at) VALUES (?, ?, ?)",
		key, nv, formatTime(db.now())); err != nil {
		return "", fmt.Errorf("store: create setting %q: %w", key, err)
	}
	return db.Setting(ctx, key)
}

// NewGUID returns a random (version 4) GUID in the braced upper-case form
// QuickBooks uses for OwnerID and FileID, e.g. {57F3B9B1-86F1-4FCC-B1EE-566DE1813D20}.
func NewGUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("guid: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return strings.ToUpper(fmt.Sprintf("{%x-%x-%x-%x-%x}", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])), nil
}
