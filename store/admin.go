package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// The administrator's password rules. 72 bytes is bcrypt's limit: a longer
// password would be cut silently, so it is refused instead.
const (
	AdminPasswordMinChars = 10
	AdminPasswordMaxBytes = 72
)

// A browser session lasts AdminSessionIdle without a request and
// AdminSessionMax at most, whatever its use.
const (
	AdminSessionIdle = 12 * time.Hour
	AdminSessionMax  = 7 * 24 * time.Hour
	// adminSessionTouch is how stale last_seen_at may be before a request
	// writes it again: a page load then costs no write, and the idle limit
	// is kept to within a minute.
	adminSessionTouch = time.Minute
)

// LoginFailuresAllowed failed logins from one address within
// LoginFailureWindow lock that address out for LoginLockout.
const (
	LoginFailuresAllowed = 5
	LoginFailureWindow   = 15 * time.Minute
	LoginLockout         = 15 * time.Minute
)

// PasswordError is a password that breaks the rules; its message is for the user.
type PasswordError struct{ msg string }

func (e *PasswordError) Error() string { return e.msg }

// CheckAdminPassword reports, in words, why a password cannot be the
// administrator's; nil when it can.
func CheckAdminPassword(password string) error {
	switch {
	case utf8.RuneCountInString(password) < AdminPasswordMinChars:
		return &PasswordError{fmt.Sprintf("The password must be at least %d characters long.", AdminPasswordMinChars)}
	case len(password) > AdminPasswordMaxBytes:
		return &PasswordError{fmt.Sprintf("The password must be at most %d bytes long (bcrypt's limit).", AdminPasswordMaxBytes)}
	}
	return nil
}

// AdminPasswordSet reports whether the administrator's password exists yet;
// until it does, the page asks for one.
func (db *DB) AdminPasswordSet(ctx context.Context) (bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM admin").Scan(&n); err != nil {
		return false, fmt.Errorf("store: admin password: %w", err)
	}
	return n > 0, nil
}

// PutAdminPassword sets the administrator's password or changes it
// (BCQB_ADMIN_PASSWORD at start). A password that already matches is left
// alone, so a restart keeps everyone logged in; a change ends every session.
func (db *DB) PutAdminPassword(ctx context.Context, password string) (changed bool, err error) {
	if err := CheckAdminPassword(password); err != nil {
		return false, err
	}
	var old string
	err = db.read.QueryRowContext(ctx, "SELECT password_hash FROM admin WHERE id = 1").Scan(&old)
	switch {
	case err == nil:
		if bcrypt.CompareHashAndPassword([]byte(old), []byte(password)) == nil {
			return false, nil
		}
	case !errors.Is(err, sql.ErrNoRows):
		return false, fmt.Errorf("store: admin password: %w", err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return false, fmt.Errorf("store: hash admin password: %w", err)
	}
	now := formatTime(db.now())
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO admin(id, password_hash, created_at, updated_at) VALUES (1, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at`,
			string(hash), now, now); err != nil {
			return fmt.Errorf("store: set admin password: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM admin_sessions"); err != nil {
			return fmt.Errorf("store: end admin sessions: %w", err)
		}
		return nil
	})
	return err == nil, err
}

// SetFirstAdminPassword sets the administrator's password only when there is
// none: of two browsers racing through the first visit, one wins and the
// other gets an error wrapping ErrConflict.
func (db *DB) SetFirstAdminPassword(ctx context.Context, password string) error {
	if err := CheckAdminPassword(password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return fmt.Errorf("store: hash admin password: %w", err)
	}
	now := formatTime(db.now())
	res, err := db.write.ExecContext(ctx, `INSERT INTO admin(id, password_hash, created_at, updated_at) VALUES (1, ?, ?, ?)
		ON CONFLICT(id) DO NOTHING`, string(hash), now, now)
	if err != nil {
		return fmt.Errorf("store: set admin password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: the admin password is already set: %w", ErrConflict)
	}
	return nil
}

// AuthenticateAdmin checks the administrator's password: ErrBadCredentials
// when it is wrong, an error wrapping ErrNotFound when none is set.
func (db *DB) AuthenticateAdmin(ctx context.Context, password string) error {
	var hash string
	err := db.read.QueryRowContext(ctx, "SELECT password_hash FROM admin WHERE id = 1").Scan(&hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("store: admin password: %w", ErrNotFound)
	case err != nil:
		return fmt.Errorf("store: admin password: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return ErrBadCredentials
	}
	return nil
}

// AdminSession is a logged-in browser.
type AdminSession struct {
	// Token is the cookie's value; set only by CreateAdminSession, as the
	// store keeps its SHA-256 alone.
	Token string
	// CSRFToken is echoed by every form the session posts.
	CSRFToken  string
	RemoteHost string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// randomToken is 256 random bits, URL-safe.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("store: random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CreateAdminSession starts a session after a successful login, with a new
// token each time (a token planted before the login is worth nothing), and
// drops the sessions that expired.
func (db *DB) CreateAdminSession(ctx context.Context, remoteHost string) (AdminSession, error) {
	token, err := randomToken()
	if err != nil {
		return AdminSession{}, err
	}
	csrf, err := randomToken()
	if err != nil {
		return AdminSession{}, err
	}
	now := db.now()
	s := AdminSession{Token: token, CSRFToken: csrf, RemoteHost: remoteHost, CreatedAt: now, LastSeenAt: now}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM admin_sessions WHERE last_seen_at < ? OR created_at < ?",
			formatTime(now.Add(-AdminSessionIdle)), formatTime(now.Add(-AdminSessionMax))); err != nil {
			return fmt.Errorf("store: drop expired admin sessions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO admin_sessions(token_hash, csrf_token, remote_host, created_at, last_seen_at)
			VALUES (?, ?, ?, ?, ?)`, tokenHash(token), csrf, remoteHost, formatTime(now), formatTime(now)); err != nil {
			return fmt.Errorf("store: create admin session: %w", err)
		}
		return nil
	})
	if err != nil {
		return AdminSession{}, err
	}
	return s, nil
}

// AdminSessionByToken returns the live session of a cookie's token and
// marks it used; an unknown or expired token is an error wrapping ErrNotFound.
func (db *DB) AdminSessionByToken(ctx context.Context, token string) (AdminSession, error) {
	notFound := fmt.Errorf("store: admin session: %w", ErrNotFound)
	if token == "" {
		return AdminSession{}, notFound
	}
	h := tokenHash(token)
	var s AdminSession
	var created, seen string
	err := db.read.QueryRowContext(ctx, "SELECT csrf_token, remote_host, created_at, last_seen_at FROM admin_sessions WHERE token_hash = ?",
		h).Scan(&s.CSRFToken, &s.RemoteHost, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return AdminSession{}, notFound
	}
	if err != nil {
		return AdminSession{}, fmt.Errorf("store: admin session: %w", err)
	}
	if s.CreatedAt, err = parseTime(created); err != nil {
		return AdminSession{}, err
	}
	if s.LastSeenAt, err = parseTime(seen); err != nil {
		return AdminSession{}, err
	}
	now := db.now()
	if now.Sub(s.LastSeenAt) > AdminSessionIdle || now.Sub(s.CreatedAt) > AdminSessionMax {
		if _, err := db.write.ExecContext(ctx, "DELETE FROM admin_sessions WHERE token_hash = ?", h); err != nil {
			return AdminSession{}, fmt.Errorf("store: drop expired admin session: %w", err)
		}
		return AdminSession{}, notFound
	}
	if now.Sub(s.LastSeenAt) > adminSessionTouch {
		if _, err := db.write.ExecContext(ctx, "UPDATE admin_sessions SET last_seen_at = ? WHERE token_hash = ?",
			formatTime(now), h); err != nil {
			return AdminSession{}, fmt.Errorf("store: touch admin session: %w", err)
		}
		s.LastSeenAt = now
	}
	return s, nil
}

// DeleteAdminSession ends a session (logout); an unknown token is no error.
func (db *DB) DeleteAdminSession(ctx context.Context, token string) error {
	if _, err := db.write.ExecContext(ctx, "DELETE FROM admin_sessions WHERE token_hash = ?", tokenHash(token)); err != nil {
		return fmt.Errorf("store: delete admin session: %w", err)
	}
	return nil
}

// AdminLockedUntil is when a remote address may try to log in again; zero
// when it may now.
func (db *DB) AdminLockedUntil(ctx context.Context, remoteHost string) (time.Time, error) {
	var locked sql.NullString
	err := db.read.QueryRowContext(ctx, "SELECT locked_until FROM admin_login_failures WHERE remote_host = ?", remoteHost).Scan(&locked)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("store: login lockout: %w", err)
	}
	until, err := parseNullTime(locked)
	if err != nil || !until.After(db.now()) {
		return time.Time{}, err
	}
	return until, nil
}

// RecordAdminLoginFailure counts a failed login from a remote address and
// returns when that address is locked out until (zero: not locked). The
// count runs from the first failure for LoginFailureWindow, and the
// LoginFailuresAllowed-th failure in it locks the address for LoginLockout.
func (db *DB) RecordAdminLoginFailure(ctx context.Context, remoteHost string) (time.Time, error) {
	now := db.now()
	var until time.Time
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		// Old rows of addresses that stopped trying would otherwise stay for good.
		if _, err := tx.ExecContext(ctx, `DELETE FROM admin_login_failures WHERE first_failure_at < ?
			AND (locked_until IS NULL OR locked_until < ?)`, formatTime(now.Add(-LoginFailureWindow)), formatTime(now)); err != nil {
			return fmt.Errorf("store: drop old login failures: %w", err)
		}
		var failures int
		var first string
		var locked sql.NullString
		err := tx.QueryRowContext(ctx, "SELECT failures, first_failure_at, locked_until FROM admin_login_failures WHERE remote_host = ?",
			remoteHost).Scan(&failures, &first, &locked)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: login failures: %w", err)
		}
		lockedUntil, perr := parseNullTime(locked)
		if perr != nil {
			return perr
		}
		firstAt := now
		switch {
		case lockedUntil.After(now):
			// Already locked: the attempt was refused unread, so it counts for nothing.
			until = lockedUntil
			return nil
		case errors.Is(err, sql.ErrNoRows) || !lockedUntil.IsZero():
			failures = 1
		default:
			if firstAt, perr = parseTime(first); perr != nil {
				return perr
			}
			failures++
		}
		var lockedText any
		if failures >= LoginFailuresAllowed {
			until = now.Add(LoginLockout)
			lockedText = formatTime(until)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO admin_login_failures(remote_host, failures, first_failure_at, locked_until)
			VALUES (?, ?, ?, ?) ON CONFLICT(remote_host) DO UPDATE SET failures = excluded.failures,
			first_failure_at = excluded.first_failure_at, locked_until = excluded.locked_until`,
			remoteHost, failures, formatTime(firstAt), lockedText); err != nil {
			return fmt.Errorf("store: record login failure: %w", err)
		}
		return nil
	})
	return until, err
}

// ClearAdminLoginFailures forgets an address's failed logins (after a
// successful one).
func (db *DB) ClearAdminLoginFailures(ctx context.Context, remoteHost string) error {
	if _, err := db.write.ExecContext(ctx, "DELETE FROM admin_login_failures WHERE remote_host = ?", remoteHost); err != nil {
		return fmt.Errorf("store: clear login failures: %w", err)
	}
	return nil
}
