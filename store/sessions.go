package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Session states.
const (
	SessionOpen    = "open"
	SessionClosed  = "closed"
	SessionRefused = "refused"
)

// Session is one Web Connector session, from authenticate to closeConnection.
type Session struct {
	ID int64
	// PublicID names the session in logs and on the page; the ticket never appears there.
	PublicID   string
	UserID     int64
	CompanyID  int64
	RemoteHost string
	State      string
	// AuthResult is what authenticate answered in its second slot ("", "none", "busy").
	AuthResult   string
	CompanyFile  string
	Country      string
	QBXMLMajor   int
	QBXMLMinor   int
	QBXMLVersion string
	DoneCount    int
	FailedCount  int
	LastError    string
	LastHResult  string
	Summary      string
	CreatedAt    time.Time
	LastSeenAt   time.Time
	ExpiresAt    time.Time
	ClosedAt     time.Time
}

// HashTicket is how a ticket is kept: only its SHA-256.
func HashTicket(ticket string) []byte {
	h := sha256.Sum256([]byte(ticket))
	return h[:]
}

// NewTicket returns 128 random bits in the GUID-like form the Web Connector shows.
func NewTicket() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("ticket: %w", err)
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

func newPublicID() (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("session id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// NewSession describes a session to create.
type NewSession struct {
	UserID     int64
	CompanyID  int64
	RemoteHost string
	State      string
	AuthResult string
	TTL        time.Duration
}

// CreateSession stores a new session and returns its ticket.
func (db *DB) CreateSession(ctx context.Context, ns NewSession) (string, Session, error) {
	ticket, err := NewTicket()
	if err != nil {
		return "", Session{}, err
	}
	pub, err := newPublicID()
	if err != nil {
		return "", Session{}, err
	}
	now := db.now()
	var closed any
	if ns.State != SessionOpen {
		closed = formatTime(now)
	}
	res, err := db.write.ExecContext(ctx, `INSERT INTO qbwc_sessions(public_id, ticket_hash, user_id, company_id,
		remote_host, state, auth_result, created_at, last_seen_at, expires_at, closed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		pub, HashTicket(ticket), ns.UserID, ns.CompanyID, ns.RemoteHost, ns.State, ns.AuthResult,
		formatTime(now), formatTime(now), formatTime(now.Add(ns.TTL)), closed)
	if err != nil {
		return "", Session{}, fmt.Errorf("store: create session: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return "", Session{}, fmt.Errorf("store: create session: %w", err)
	}
	s, err := db.sessionWhere(ctx, "id = ?", id)
	return ticket, s, err
}

const sessionColumns = `id, public_id, user_id, company_id, remote_host, state, auth_result, company_file, country,
	qbxml_major, qbxml_minor, qbxml_version, done_count, failed_count, last_error, last_hresult, summary,
	created_at, last_seen_at, expires_at, closed_at`

func scanSession(row scanner) (Session, error) {
	var s Session
	var created, seen, expires string
	var closed sql.NullString
	if err := row.Scan(&s.ID, &s.PublicID, &s.UserID, &s.CompanyID, &s.RemoteHost, &s.State, &s.AuthResult,
		&s.CompanyFile, &s.Country, &s.QBXMLMajor, &s.QBXMLMinor, &s.QBXMLVersion, &s.DoneCount, &s.FailedCount,
		&s.LastError, &s.LastHResult, &s.Summary, &created, &seen, &expires, &closed); err != nil {
		return Session{}, err
	}
	var err error
	if s.CreatedAt, err = parseTime(created); err != nil {
		return Session{}, err
	}
	if s.LastSeenAt, err = parseTime(seen); err != nil {
		return Session{}, err
	}
	if s.ExpiresAt, err = parseTime(expires); err != nil {
		return Session{}, err
	}
	if s.ClosedAt, err = parseNullTime(closed); err != nil {
		return Session{}, err
	}
	return s, nil
}

func (db *DB) sessionWhere(ctx context.Context, where string, args ...any) (Session, error) {
	s, err := scanSession(db.read.QueryRowContext(ctx, "SELECT "+sessionColumns+" FROM qbwc_sessions WHERE "+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fmt.Errorf("store: session: %w", ErrNotFound)
	}
	if err != nil {
		return Session{}, fmt.Errorf("store: session: %w", err)
	}
	return s, nil
}

// SessionByTicket returns the session a ticket belongs to, whatever its state;
// the caller decides what an expired or closed session means.
func (db *DB) SessionByTicket(ctx context.Context, ticket string) (Session, error) {
	return db.sessionWhere(ctx, "ticket_hash = ?", HashTicket(ticket))
}

// SessionByID returns a session by its row id.
func (db *DB) SessionByID(ctx context.Context, id int64) (Session, error) {
	return db.sessionWhere(ctx, "id = ?", id)
}

// LiveSession returns an open, unexpired session of the company that was seen
// after since, if there is one.
func (db *DB) LiveSession(ctx context.Context, companyID int64, since time.Time) (Session, error) {
	return db.sessionWhere(ctx, `company_id = ? AND state = 'open' AND expires_at > ? AND last_seen_at > ?
		ORDER BY last_seen_at DESC LIMIT 1`, companyID, formatTime(db.now()), formatTime(since))
}

// TouchSession records activity on a session and pushes its expiry out by ttl.
func (db *DB) TouchSession(ctx context.Context, id int64, ttl time.Duration) error {
	now := db.now()
	res, err := db.write.ExecContext(ctx, "UPDATE qbwc_sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?",
		formatTime(now), formatTime(now.Add(ttl)), id)
	if err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return mustAffect(res, fmt.Sprintf("session %d", id))
}

// SessionConnection is what the first sendRequestXML says about the company file.
type SessionConnection struct {
	CompanyFile  string
	Country      string
	QBXMLMajor   int
	QBXMLMinor   int
	QBXMLVersion string
}

// SetSessionConnection records the company file, country and qbXML version of a session.
func (db *DB) SetSessionConnection(ctx context.Context, id int64, c SessionConnection) error {
	res, err := db.write.ExecContext(ctx, `UPDATE qbwc_sessions SET company_file = ?, country = ?, qbxml_major = ?,
		qbxml_minor = ?, qbxml_version = ? WHERE id = ?`, c.CompanyFile, c.Country, c.QBXMLMajor, c.QBXMLMinor,
		c.QBXMLVersion, id)
	if err != nil {
		return fmt.Errorf("store: set session connection: %w", err)
	}
	return mustAffect(res, fmt.Sprintf("session %d", id))
}

// SetSessionError records the error getLastError will report ("" clears it).
func (db *DB) SetSessionError(ctx context.Context, id int64, message, hresult string) error {
	res, err := db.write.ExecContext(ctx, "UPDATE qbwc_sessions SET last_error = ?, last_hresult = ? WHERE id = ?",
		message, hresult, id)
	if err != nil {
		return fmt.Errorf("store: set session error: %w", err)
	}
	return mustAffect(res, fmt.Sprintf("session %d", id))
}

// CloseSession closes a session with the summary closeConnection reported.
// Jobs it left unanswered become unknown.
func (db *DB) CloseSession(ctx context.Context, id int64, summary string) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		now := formatTime(db.now())
		if _, err := tx.ExecContext(ctx, `UPDATE qbwc_sessions SET state = CASE WHEN state = 'open' THEN 'closed' ELSE state END,
			summary = ?, closed_at = COALESCE(closed_at, ?) WHERE id = ?`, summary, now, id); err != nil {
			return fmt.Errorf("store: close session: %w", err)
		}
		return abandonSession(ctx, tx, id, now)
	})
}

// ExpireSessions closes every open session whose ticket expired before now,
// so that their unanswered jobs become unknown. It returns how many it closed.
func (db *DB) ExpireSessions(ctx context.Context) (int, error) {
	now := formatTime(db.now())
	var n int
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT id FROM qbwc_sessions WHERE state = 'open' AND expires_at <= ?", now)
		if err != nil {
			return fmt.Errorf("store: expire sessions: %w", err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("store: expire sessions: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE qbwc_sessions SET state = 'closed', closed_at = ?,
				summary = CASE WHEN summary = '' THEN 'expired' ELSE summary END WHERE id = ?`, now, id); err != nil {
				return fmt.Errorf("store: expire session %d: %w", id, err)
			}
			if err := abandonSession(ctx, tx, id, now); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// abandonSession marks the session's unanswered requests lost and their jobs
// unknown: the request may or may not have reached QuickBooks.
func abandonSession(ctx context.Context, tx *sql.Tx, sessionID int64, now string) error {
	if _, err := tx.ExecContext(ctx, "UPDATE qbwc_requests SET state = 'lost' WHERE session_id = ? AND state = 'sent'",
		sessionID); err != nil {
		return fmt.Errorf("store: abandon session %d: %w", sessionID, err)
	}
	// A job whose request was out may have reached QuickBooks: unknown, to be
	// recovered by asking QuickBooks first. A job held only for a next step
	// (an iterator that dies with the session) starts that step again.
	if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'unknown', recovering = 1, session_id = NULL, updated_at = ?
		WHERE session_id = ? AND state = 'sent' AND id IN (SELECT rj.job_id FROM qbwc_request_jobs rj
			JOIN qbwc_requests r ON r.id = rj.request_id WHERE r.session_id = ? AND r.state = 'lost')`,
		now, sessionID, sessionID); err != nil {
		return fmt.Errorf("store: abandon session %d: %w", sessionID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'queued', session_id = NULL, updated_at = ?
		WHERE session_id = ? AND state = 'sent'`, now, sessionID); err != nil {
		return fmt.Errorf("store: abandon session %d: %w", sessionID, err)
	}
	return nil
}

// AbandonSession is abandonSession in its own transaction, for a session that
// goes on (connectionError) or that another session of the same Web Connector replaces.
func (db *DB) AbandonSession(ctx context.Context, sessionID int64) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		return abandonSession(ctx, tx, sessionID, formatTime(db.now()))
	})
}

// RecentSessions lists the latest sessions, newest first.
func (db *DB) RecentSessions(ctx context.Context, limit int) ([]Session, error) {
	return queryAll(ctx, db.read, "recent sessions", scanSession,
		"SELECT "+sessionColumns+" FROM qbwc_sessions ORDER BY id DESC LIMIT ?", limit)
}
