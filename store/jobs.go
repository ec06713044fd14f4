package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Job states. A job is queued until a session claims it; sent while its
// request is out; unknown when the session died before the answer came (the
// request may have reached QuickBooks); done or failed at the end.
const (
	JobQueued  = "queued"
	JobSent    = "sent"
	JobUnknown = "unknown"
	JobDone    = "done"
	JobFailed  = "failed"
)

// Job is one unit of work for one company file.
type Job struct {
	ID        int64
	CompanyID int64
	Kind      string
	// DedupeKey, when set, allows one live (queued, sent or unknown) job per
	// company, kind and key.
	DedupeKey string
	// Priority orders claims: lower first.
	Priority int
	State    string
	Payload  string
	// Step and StepState carry a job across round trips (query, then add).
	Step      int
	StepState string
	Attempts  int
	// Recovering is set when a session died with this job's request
	// unanswered: before writing again the job must learn what QuickBooks holds.
	Recovering bool
	SessionID  int64
	NotBefore  time.Time
	LastError  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt time.Time
}

const jobColumns = `id, company_id, kind, dedupe_key, priority, state, payload, step, step_state, attempts,
	recovering, COALESCE(session_id, 0), not_before, last_error, created_at, updated_at, finished_at`

func scanJob(row scanner) (Job, error) {
	var j Job
	var notBefore, created, updated string
	var finished sql.NullString
	if err := row.Scan(&j.ID, &j.CompanyID, &j.Kind, &j.DedupeKey, &j.Priority, &j.State, &j.Payload, &j.Step,
		&j.StepState, &j.Attempts, &j.Recovering, &j.SessionID, &notBefore, &j.LastError, &created, &updated,
		&finished); err != nil {
		return Job{}, err
	}
	var err error
	if j.NotBefore, err = parseTime(notBefore); err != nil {
		return Job{}, err
	}
	if j.CreatedAt, err = parseTime(created); err != nil {
		return Job{}, err
	}
	if j.UpdatedAt, err = parseTime(updated); err != nil {
		return Job{}, err
	}
	if j.FinishedAt, err = parseNullTime(finished); err != nil {
		return Job{}, err
	}
	return j, nil
}

// Enqueue adds a job. When a live job with the same company, kind and
// non-empty dedupe key exists, nothing is added and that job is returned with
// created false.
func (db *DB) Enqueue(ctx context.Context, j Job) (Job, bool, error) {
	if j.CompanyID == 0 || j.Kind == "" {
		return Job{}, false, errors.New("store: enqueue: a job needs a company and a kind")
	}
	now := db.now()
	if j.NotBefore.IsZero() {
		j.NotBefore = now
	}
	if j.Priority == 0 {
		j.Priority = 100
	}
	row := db.write.QueryRowContext(ctx, `INSERT INTO jobs(company_id, kind, dedupe_key, priority, state, payload,
		not_before, created_at, updated_at) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?)
		ON CONFLICT DO NOTHING RETURNING `+jobColumns,
		j.CompanyID, j.Kind, j.DedupeKey, j.Priority, j.Payload, formatTime(j.NotBefore), formatTime(now), formatTime(now))
	got, err := scanJob(row)
	if err == nil {
		return got, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Job{}, false, fmt.Errorf("store: enqueue %s: %w", j.Kind, err)
	}
	got, err = scanJob(db.write.QueryRowContext(ctx, "SELECT "+jobColumns+` FROM jobs WHERE company_id = ? AND kind = ?
		AND dedupe_key = ? AND state IN ('queued', 'sent', 'unknown')`, j.CompanyID, j.Kind, j.DedupeKey))
	if err != nil {
		return Job{}, false, fmt.Errorf("store: enqueue %s: find live duplicate: %w", j.Kind, err)
	}
	return got, false, nil
}

// Job returns a job by id.
func (db *DB) Job(ctx context.Context, id int64) (Job, error) {
	j, err := scanJob(db.read.QueryRowContext(ctx, "SELECT "+jobColumns+" FROM jobs WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, fmt.Errorf("store: job %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Job{}, fmt.Errorf("store: job %d: %w", id, err)
	}
	return j, nil
}

// Claim takes the next job of the company that is due, for the session, in
// one statement: two sessions can never claim the same job. It returns an
// error wrapping ErrNotFound when nothing is due.
func (db *DB) Claim(ctx context.Context, companyID, sessionID int64) (Job, error) {
	now := formatTime(db.now())
	j, err := scanJob(db.write.QueryRowContext(ctx, `UPDATE jobs SET state = 'sent', session_id = ?,
		attempts = attempts + 1, updated_at = ?
		WHERE id = (SELECT id FROM jobs WHERE company_id = ? AND state IN ('queued', 'unknown') AND not_before <= ?
			ORDER BY priority, id LIMIT 1)
		RETURNING `+jobColumns, sessionID, now, companyID, now))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, fmt.Errorf("store: claim for company %d: %w", companyID, ErrNotFound)
	}
	if err != nil {
		return Job{}, fmt.Errorf("store: claim for company %d: %w", companyID, err)
	}
	return j, nil
}

// JobCounts counts a company's jobs that are due now and those that wait for
// a later time.
type JobCounts struct {
	Due     int
	Waiting int
	// NextAt is when the earliest waiting job becomes due (zero if none).
	NextAt time.Time
}

// CountJobs counts the company's jobs that a session could still claim.
func (db *DB) CountJobs(ctx context.Context, companyID int64) (JobCounts, error) {
	now := formatTime(db.now())
	var c JobCounts
	var next sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(not_before <= ?), 0), COALESCE(SUM(not_before > ?), 0),
		MIN(CASE WHEN not_before > ? THEN not_before END)
		FROM jobs WHERE company_id = ? AND state IN ('queued', 'unknown')`, now, now, now, companyID).
		Scan(&c.Due, &c.Waiting, &next)
	if err != nil {
		return JobCounts{}, fmt.Errorf("store: count jobs: %w", err)
	}
	if c.NextAt, err = parseNullTime(next); err != nil {
		return JobCounts{}, err
	}
	return c, nil
}

// Request is one qbXML message sent to QuickBooks in a session.
type Request struct {
	ID          int64
	SessionID   int64
	JobID       int64
	XML         string
	ResponseXML string
	HResult     string
	Message     string
	State       string
	SentAt      time.Time
	AnsweredAt  time.Time
}

// RecordRequest stores the message sent for a claimed job, before it leaves,
// so that a response arriving after a restart can still be routed to the job.
func (db *DB) RecordRequest(ctx context.Context, sessionID, jobID int64, xml string) (Request, error) {
	now := db.now()
	res, err := db.write.ExecContext(ctx, `INSERT INTO qbwc_requests(session_id, job_id, request_xml, state, sent_at)
		VALUES (?, ?, ?, 'sent', ?)`, sessionID, jobID, xml, formatTime(now))
	if err != nil {
		return Request{}, fmt.Errorf("store: record request: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Request{}, fmt.Errorf("store: record request: %w", err)
	}
	return Request{ID: id, SessionID: sessionID, JobID: jobID, XML: xml, State: "sent", SentAt: now}, nil
}

// OutstandingRequest returns the session's request still waiting for its answer.
func (db *DB) OutstandingRequest(ctx context.Context, sessionID int64) (Request, error) {
	var r Request
	var sent string
	err := db.read.QueryRowContext(ctx, `SELECT id, session_id, COALESCE(job_id, 0), request_xml, state, sent_at
		FROM qbwc_requests WHERE session_id = ? AND state = 'sent' ORDER BY id DESC LIMIT 1`, sessionID).
		Scan(&r.ID, &r.SessionID, &r.JobID, &r.XML, &r.State, &sent)
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, fmt.Errorf("store: outstanding request of session %d: %w", sessionID, ErrNotFound)
	}
	if err != nil {
		return Request{}, fmt.Errorf("store: outstanding request of session %d: %w", sessionID, err)
	}
	if r.SentAt, err = parseTime(sent); err != nil {
		return Request{}, err
	}
	return r, nil
}

// Outcome is what a response did to its job.
type Outcome struct {
	// State is the job's next state: JobDone, JobFailed, JobQueued (retry or
	// next step) or JobSent (next step at once, in the same session).
	State     string
	Step      int
	StepState string
	// NotBefore delays a queued job (a retry later).
	NotBefore time.Time
	LastError string
}

// Settle records the answer to a request and what it did to its job, and
// counts the job in its session, all in one transaction: a crash leaves
// either the request unanswered or everything settled.
func (db *DB) Settle(ctx context.Context, req Request, responseXML, hresult, message string, o Outcome) error {
	now := db.now()
	switch o.State {
	case JobDone, JobFailed, JobQueued, JobSent:
	default:
		return fmt.Errorf("store: settle: bad job state %q", o.State)
	}
	return db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE qbwc_requests SET response_xml = ?, hresult = ?, message = ?,
			state = 'answered', answered_at = ? WHERE id = ? AND state = 'sent'`,
			responseXML, hresult, message, formatTime(now), req.ID)
		if err != nil {
			return fmt.Errorf("store: settle request %d: %w", req.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: settle request %d: %w", req.ID, ErrConflict)
		}
		if req.JobID == 0 {
			return nil
		}
		notBefore := o.NotBefore
		if notBefore.IsZero() {
			notBefore = now
		}
		var finished any
		sessionID := any(req.SessionID)
		switch o.State {
		case JobDone, JobFailed:
			finished = formatTime(now)
			sessionID = nil
		case JobQueued:
			sessionID = nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = ?, step = ?, step_state = ?, not_before = ?,
			last_error = ?, session_id = ?, finished_at = ?, recovering = 0, updated_at = ? WHERE id = ?`,
			o.State, o.Step, o.StepState, formatTime(notBefore), o.LastError, sessionID, finished,
			formatTime(now), req.JobID); err != nil {
			return fmt.Errorf("store: settle job %d: %w", req.JobID, err)
		}
		var col string
		switch o.State {
		case JobDone:
			col = "done_count"
		case JobFailed:
			col = "failed_count"
		default:
			return nil
		}
		if _, err := tx.ExecContext(ctx, "UPDATE qbwc_sessions SET "+col+" = "+col+" + 1 WHERE id = ?", req.SessionID); err != nil {
			return fmt.Errorf("store: count job in session: %w", err)
		}
		return nil
	})
}

// ContinueJob returns a job this session already holds (state sent, a next
// step due at once) so that it is asked for its next request before any other.
func (db *DB) ContinueJob(ctx context.Context, sessionID int64) (Job, error) {
	j, err := scanJob(db.write.QueryRowContext(ctx, "SELECT "+jobColumns+` FROM jobs WHERE session_id = ? AND state = 'sent'
		AND NOT EXISTS (SELECT 1 FROM qbwc_requests r WHERE r.job_id = jobs.id AND r.session_id = ? AND r.state = 'sent')
		ORDER BY id LIMIT 1`, sessionID, sessionID))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, fmt.Errorf("store: job to continue in session %d: %w", sessionID, ErrNotFound)
	}
	if err != nil {
		return Job{}, fmt.Errorf("store: job to continue in session %d: %w", sessionID, err)
	}
	return j, nil
}

// ReleaseJob puts a claimed job back in the queue without sending it, for
// a job whose request could not be built now.
func (db *DB) ReleaseJob(ctx context.Context, id int64, o Outcome) error {
	now := db.now()
	notBefore := o.NotBefore
	if notBefore.IsZero() {
		notBefore = now
	}
	var finished any
	if o.State == JobFailed || o.State == JobDone {
		finished = formatTime(now)
	}
	res, err := db.write.ExecContext(ctx, `UPDATE jobs SET state = ?, not_before = ?, last_error = ?, session_id = NULL,
		finished_at = ?, updated_at = ? WHERE id = ?`, o.State, formatTime(notBefore), o.LastError, finished,
		formatTime(now), id)
	if err != nil {
		return fmt.Errorf("store: release job %d: %w", id, err)
	}
	return mustAffect(res, fmt.Sprintf("job %d", id))
}

// CountContinuing counts the jobs a session holds for a next step.
func (db *DB) CountContinuing(ctx context.Context, sessionID int64) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE session_id = ? AND state = 'sent'
		AND NOT EXISTS (SELECT 1 FROM qbwc_requests r WHERE r.job_id = jobs.id AND r.session_id = ? AND r.state = 'sent')`,
		sessionID, sessionID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count continuing jobs: %w", err)
	}
	return n, nil
}

// KindCount counts jobs of one kind in one state.
type KindCount struct {
	Kind  string
	State string
	Count int
}

// SessionOutcomes counts, by kind and state, the jobs that a session sent a
// request for and that have ended (done or failed).
func (db *DB) SessionOutcomes(ctx context.Context, sessionID int64) ([]KindCount, error) {
	return queryAll(ctx, db.read, "session outcomes", func(r scanner) (KindCount, error) {
		var k KindCount
		err := r.Scan(&k.Kind, &k.State, &k.Count)
		return k, err
	}, `SELECT j.kind, j.state, count(DISTINCT j.id) FROM jobs j
		JOIN qbwc_requests r ON r.job_id = j.id WHERE r.session_id = ? AND j.state IN ('done', 'failed')
		GROUP BY j.kind, j.state ORDER BY j.kind, j.state`, sessionID)
}
