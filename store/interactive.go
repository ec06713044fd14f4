package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Interactive visit states: offered to the Web Connector, opened by the
// user's browser, done (the user finished the page), ended (the session
// went on or stopped after it), rejected (declined or timed out).
const (
	VisitOffered  = "offered"
	VisitOpened   = "opened"
	VisitDone     = "done"
	VisitEnded    = "ended"
	VisitRejected = "rejected"
)

// InteractiveVisit is a session that entered interactive mode.
type InteractiveVisit struct {
	ID        int64
	SessionID int64
	CompanyID int64
	State     string
	// Reason is why the Web Connector's user declined, or why it ended.
	Reason    string
	CreatedAt time.Time
	ExpiresAt time.Time
	OpenedAt  time.Time
	DoneAt    time.Time
	EndedAt   time.Time
}

// SetUserInteractive turns interactive mode on or off for a Web Connector user.
func (db *DB) SetUserInteractive(ctx context.Context, userID int64, on bool) error {
	res, err := db.write.ExecContext(ctx, "UPDATE qbwc_users SET interactive = ?, updated_at = ? WHERE id = ?",
		on, formatTime(db.now()), userID)
	if err != nil {
		return fmt.Errorf("store: interactive mode of user %d: %w", userID, err)
	}
	return mustAffect(res, fmt.Sprintf("user %d", userID))
}

// InteractiveUsers returns the ids of the users with interactive mode on.
func (db *DB) InteractiveUsers(ctx context.Context) (map[int64]bool, error) {
	ids, err := queryAll(ctx, db.read, "interactive users", func(r scanner) (int64, error) {
		var id int64
		err := r.Scan(&id)
		return id, err
	}, "SELECT id FROM qbwc_users WHERE interactive = 1")
	if err != nil {
		return nil, err
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// OfferInteractive records that a session enters interactive mode with the
// occurrences (of kind, on the "interactive" channel) it offers, in one
// transaction, the visit expiring after ttl. A session is offered once: a
// second offer returns an error wrapping ErrConflict and records nothing.
func (db *DB) OfferInteractive(ctx context.Context, sessionID, companyID int64, kind string, keys []string, ttl time.Duration) (InteractiveVisit, error) {
	var id int64
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		err := tx.QueryRowContext(ctx, `INSERT INTO interactive_visits(session_id, company_id, state, created_at, expires_at)
			VALUES (?, ?, 'offered', ?, ?) ON CONFLICT (session_id) DO NOTHING RETURNING id`,
			sessionID, companyID, formatTime(now), formatTime(now.Add(ttl))).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: session %d was offered interactive mode already: %w", sessionID, ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("store: offer interactive mode: %w", err)
		}
		return tell(ctx, tx, ChannelInteractive, kind, keys, 0, formatTime(now))
	})
	if err != nil {
		return InteractiveVisit{}, err
	}
	return db.InteractiveVisit(ctx, id)
}

// ChannelInteractive is the channel occurrences offered in interactive mode are recorded under.
const ChannelInteractive = "interactive"

// SetInteractiveToken gives the session's visit a new one-time token
// (only its hash is kept), replacing any unused one.
func (db *DB) SetInteractiveToken(ctx context.Context, sessionID int64, token string) error {
	res, err := db.write.ExecContext(ctx, `UPDATE interactive_visits SET token_hash = ? WHERE session_id = ?
		AND state IN ('offered', 'opened')`, HashTicket(token), sessionID)
	if err != nil {
		return fmt.Errorf("store: interactive token: %w", err)
	}
	return mustAffect(res, fmt.Sprintf("interactive visit of session %d", sessionID))
}

// OpenInteractiveVisit spends a one-time token: it returns its visit,
// opened, and forgets the token. A token used before, unknown or expired
// is an error wrapping ErrNotFound.
func (db *DB) OpenInteractiveVisit(ctx context.Context, token string) (InteractiveVisit, error) {
	var id int64
	now := formatTime(db.now())
	err := db.write.QueryRowContext(ctx, `UPDATE interactive_visits SET token_hash = NULL,
		state = CASE WHEN state = 'offered' THEN 'opened' ELSE state END, opened_at = COALESCE(opened_at, ?)
		WHERE token_hash = ? AND expires_at > ? RETURNING id`, now, HashTicket(token), now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return InteractiveVisit{}, fmt.Errorf("store: interactive link: %w", ErrNotFound)
	}
	if err != nil {
		return InteractiveVisit{}, fmt.Errorf("store: interactive link: %w", err)
	}
	return db.InteractiveVisit(ctx, id)
}

const visitColumns = `id, session_id, company_id, state, reason, created_at, expires_at, opened_at, done_at, ended_at`

func scanVisit(r scanner) (InteractiveVisit, error) {
	var v InteractiveVisit
	var created, expires string
	var opened, done, ended sql.NullString
	if err := r.Scan(&v.ID, &v.SessionID, &v.CompanyID, &v.State, &v.Reason, &created, &expires, &opened, &done, &ended); err != nil {
		return v, err
	}
	var err error
	if v.CreatedAt, err = parseTime(created); err != nil {
		return v, err
	}
	if v.ExpiresAt, err = parseTime(expires); err != nil {
		return v, err
	}
	if v.OpenedAt, err = parseNullTime(opened); err != nil {
		return v, err
	}
	if v.DoneAt, err = parseNullTime(done); err != nil {
		return v, err
	}
	v.EndedAt, err = parseNullTime(ended)
	return v, err
}

func (db *DB) visitWhere(ctx context.Context, where string, arg any) (InteractiveVisit, error) {
	v, err := scanVisit(db.read.QueryRowContext(ctx, "SELECT "+visitColumns+" FROM interactive_visits WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("store: interactive visit: %w", ErrNotFound)
	}
	if err != nil {
		return v, fmt.Errorf("store: interactive visit: %w", err)
	}
	return v, nil
}

// InteractiveVisit returns a visit by id.
func (db *DB) InteractiveVisit(ctx context.Context, id int64) (InteractiveVisit, error) {
	return db.visitWhere(ctx, "id = ?", id)
}

// InteractiveVisitOfSession returns the session's visit.
func (db *DB) InteractiveVisitOfSession(ctx context.Context, sessionID int64) (InteractiveVisit, error) {
	return db.visitWhere(ctx, "session_id = ?", sessionID)
}

// FinishInteractiveVisit records that the user finished the page; a visit
// that ended already is an error wrapping ErrConflict.
func (db *DB) FinishInteractiveVisit(ctx context.Context, id int64) error {
	res, err := db.write.ExecContext(ctx, `UPDATE interactive_visits SET state = 'done', done_at = ?, token_hash = NULL
		WHERE id = ? AND state IN ('offered', 'opened')`, formatTime(db.now()), id)
	if err != nil {
		return fmt.Errorf("store: finish interactive visit %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: interactive visit %d is over: %w", id, ErrConflict)
	}
	return nil
}

// EndInteractiveVisit ends the session's visit as ended or rejected, with
// a reason; a visit over already keeps its first end.
func (db *DB) EndInteractiveVisit(ctx context.Context, sessionID int64, state, reason string) error {
	if state != VisitEnded && state != VisitRejected {
		return fmt.Errorf("store: end interactive visit: bad state %q", state)
	}
	_, err := db.write.ExecContext(ctx, `UPDATE interactive_visits SET state = ?, reason = ?, ended_at = ?, token_hash = NULL
		WHERE session_id = ? AND state IN ('offered', 'opened', 'done')`, state, reason, formatTime(db.now()), sessionID)
	if err != nil {
		return fmt.Errorf("store: end interactive visit: %w", err)
	}
	return nil
}
