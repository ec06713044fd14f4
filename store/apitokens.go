package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// APITokenPrefix starts every API token, so that a leaked one is easy to
// recognise (and to search for in a repository).
const APITokenPrefix = "bcqb_"

// apiTokenTouch is how stale last_used_at may be before a call writes it again.
const apiTokenTouch = time.Minute

// APIToken is a token for the JSON API; the token itself is known only
// when it is created.
type APIToken struct {
	ID   int64
	Name string
	// Prefix is the token's first characters, to tell tokens apart.
	Prefix     string
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// NameError is a name that breaks the rules; its message is for the user.
type NameError struct{ msg string }

func (e *NameError) Error() string { return e.msg }

// CreateAPIToken makes a token named name and returns it: the only time the
// token is seen, as the store keeps its SHA-256 alone.
func (db *DB) CreateAPIToken(ctx context.Context, name string) (string, APIToken, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", APIToken{}, &NameError{"Give the token a name (what will use it, e.g. “nightly report”)."}
	case utf8.RuneCountInString(name) > 100:
		return "", APIToken{}, &NameError{"A token's name is at most 100 characters."}
	}
	secret, err := randomToken()
	if err != nil {
		return "", APIToken{}, err
	}
	token := APITokenPrefix + secret
	now := db.now()
	t := APIToken{Name: name, Prefix: token[:len(APITokenPrefix)+6], CreatedAt: now}
	err = db.write.QueryRowContext(ctx, `INSERT INTO api_tokens(name, token_hash, prefix, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		t.Name, tokenHash(token), t.Prefix, formatTime(now)).Scan(&t.ID)
	if err != nil {
		return "", APIToken{}, fmt.Errorf("store: create API token: %w", err)
	}
	return token, t, nil
}

const apiTokenColumns = "id, name, prefix, created_at, COALESCE(last_used_at, ''), COALESCE(revoked_at, '')"

func scanAPIToken(row interface{ Scan(...any) error }) (APIToken, error) {
	var t APIToken
	var created, used, revoked string
	if err := row.Scan(&t.ID, &t.Name, &t.Prefix, &created, &used, &revoked); err != nil {
		return APIToken{}, err
	}
	var err error
	if t.CreatedAt, err = parseTime(created); err != nil {
		return APIToken{}, err
	}
	if used != "" {
		if t.LastUsedAt, err = parseTime(used); err != nil {
			return APIToken{}, err
		}
	}
	if revoked != "" {
		if t.RevokedAt, err = parseTime(revoked); err != nil {
			return APIToken{}, err
		}
	}
	return t, nil
}

// APITokens lists the tokens, live ones first, newest first.
func (db *DB) APITokens(ctx context.Context) ([]APIToken, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT "+apiTokenColumns+" FROM api_tokens ORDER BY revoked_at IS NOT NULL, id DESC")
	if err != nil {
		return nil, fmt.Errorf("store: API tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, fmt.Errorf("store: API tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeAPIToken ends a token for good; an unknown or revoked one is an
// error wrapping ErrNotFound.
func (db *DB) RevokeAPIToken(ctx context.Context, id int64) error {
	res, err := db.write.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", formatTime(db.now()), id)
	if err != nil {
		return fmt.Errorf("store: revoke API token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: API token %d: %w", id, ErrNotFound)
	}
	return nil
}

// APITokenByValue returns the live token a script sent and marks it used;
// an unknown or revoked token is an error wrapping ErrNotFound.
func (db *DB) APITokenByValue(ctx context.Context, token string) (APIToken, error) {
	notFound := fmt.Errorf("store: API token: %w", ErrNotFound)
	if !strings.HasPrefix(token, APITokenPrefix) {
		return APIToken{}, notFound
	}
	t, err := scanAPIToken(db.read.QueryRowContext(ctx, "SELECT "+apiTokenColumns+" FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL",
		tokenHash(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return APIToken{}, notFound
	}
	if err != nil {
		return APIToken{}, fmt.Errorf("store: API token: %w", err)
	}
	if now := db.now(); now.Sub(t.LastUsedAt) > apiTokenTouch {
		if _, err := db.write.ExecContext(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", formatTime(now), t.ID); err != nil {
			return APIToken{}, fmt.Errorf("store: API token used: %w", err)
		}
		t.LastUsedAt = now
	}
	return t, nil
}
