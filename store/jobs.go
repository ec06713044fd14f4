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
	// Alone is set when a message QuickBooks could not read carried this
	// job: it goes in a message of its own next.
	Alone      bool
	SessionID  int64
	NotBefore  time.Time
	LastError  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt time.Time
}

const jobColumns = `id, company_id, kind, dedupe_key, priority, state, payload, step, step_state, attempts,
	recovering, alone, COALESCE(session_id, 0), not_before, last_error, created_at, updated_at, finished_at`

func scanJob(row scanner) (Job, error) {
	var j Job
	var notBefore, created, updated string
	var finished sql.NullString
	if err := row.Scan(&j.ID, &j.CompanyID, &j.Kind, &j.DedupeKey, &j.Priority, &j.State, &j.Payload, &j.Step,
		&j.StepState, &j.Attempts, &j.Recovering, &j.Alone, &j.SessionID, &notBefore, &j.LastError, &created, &updated,
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

// JobCounts counts a company's jobs that are due now and those that wait for
// a later time.
type JobCounts struct {
	Due     int
	Waiting int
	// NextAt is when the earliest waiting job becomes due (zero if none).
	NextAt time.Time
}

// unblocked is the condition on a jobs row that every job it depends on is
// done (jobs.blocked counts those that are not).
const unblocked = `blocked = 0`

// CountJobs counts the company's jobs that a session could still claim: a
// job waiting for another is not counted until that one is done.
func (db *DB) CountJobs(ctx context.Context, companyID int64) (JobCounts, error) {
	now := formatTime(db.now())
	var c JobCounts
	var next sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(not_before <= ?), 0), COALESCE(SUM(not_before > ?), 0),
		MIN(CASE WHEN not_before > ? THEN not_before END)
		FROM jobs WHERE company_id = ? AND state IN ('queued', 'unknown') AND `+unblocked, now, now, now, companyID).
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
	ID        int64
	SessionID int64
	// MessageSetID is the newMessageSetID the message was sent with.
	MessageSetID string
	// Jobs are the jobs whose requests the message carried.
	Jobs        []RequestJob
	XML         string
	ResponseXML string
	HResult     string
	Message     string
	State       string
	SentAt      time.Time
	AnsweredAt  time.Time
}

// OutstandingRequest returns the session's request still waiting for its answer.
func (db *DB) OutstandingRequest(ctx context.Context, sessionID int64) (Request, error) {
	var r Request
	var sent string
	err := db.read.QueryRowContext(ctx, `SELECT id, session_id, request_xml, state, sent_at
		FROM qbwc_requests WHERE session_id = ? AND state = 'sent' ORDER BY id DESC LIMIT 1`, sessionID).
		Scan(&r.ID, &r.SessionID, &r.XML, &r.State, &sent)
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, fmt.Errorf("store: outstanding request of session %d: %w", sessionID, ErrNotFound)
	}
	if err != nil {
		return Request{}, fmt.Errorf("store: outstanding request of session %d: %w", sessionID, err)
	}
	if r.SentAt, err = parseTime(sent); err != nil {
		return Request{}, err
	}
	r.Jobs, err = queryAll(ctx, db.read, "request jobs", func(row scanner) (RequestJob, error) {
		var rj RequestJob
		err := row.Scan(&rj.JobID, &rj.Step)
		return rj, err
	}, "SELECT job_id, step FROM qbwc_request_jobs WHERE request_id = ? ORDER BY job_id", r.ID)
	if err != nil {
		return Request{}, err
	}
	return r, nil
}

// RequestJob is one job whose requests a message carried, at the step it was on.
type RequestJob struct {
	JobID int64
	Step  int
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

	// What the response taught, written in the same transaction as the
	// job's new state, so that a crash can never leave a posted document
	// without its ledger entry or the other way round.
	Ledger []LedgerEntry
	Lists  []ListEntry
	// Posting, when set, updates the posting this job carries out.
	Posting *PostingUpdate
	// ListsRead marks the company's lists as read (the first sync's reading is complete).
	ListsRead bool
	// Recovering marks a job whose request may have reached QuickBooks
	// without an answer: before writing again it must ask QuickBooks.
	Recovering bool
	// Alone sends the job in a message of its own next (see Job.Alone).
	Alone bool
}

// CountHeld counts the jobs a session holds for a next step.
func (db *DB) CountHeld(ctx context.Context, sessionID int64) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM jobs WHERE session_id = ? AND state = 'sent'", sessionID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count held jobs: %w", err)
	}
	return n, nil
}

// KindCount counts jobs of one kind in one state. What is the part of the
// jobs' dedupe key before its first colon ("order", "customer"...), which
// names what a sync job does.
type KindCount struct {
	Kind  string
	What  string
	State string
	Count int
}

// SessionOutcomes counts, by kind, what and state, the jobs that a session
// sent a request for and that have ended (done or failed).
func (db *DB) SessionOutcomes(ctx context.Context, sessionID int64) ([]KindCount, error) {
	return queryAll(ctx, db.read, "session outcomes", func(r scanner) (KindCount, error) {
		var k KindCount
		err := r.Scan(&k.Kind, &k.What, &k.State, &k.Count)
		return k, err
	}, `SELECT j.kind, CASE WHEN instr(j.dedupe_key, ':') > 0 THEN substr(j.dedupe_key, 1, instr(j.dedupe_key, ':') - 1) ELSE '' END,
		j.state, count(DISTINCT j.id) FROM jobs j
		JOIN qbwc_request_jobs rj ON rj.job_id = j.id JOIN qbwc_requests r ON r.id = rj.request_id
		WHERE r.session_id = ? AND j.state IN ('done', 'failed')
		GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, sessionID)
}
