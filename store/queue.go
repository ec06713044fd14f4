package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Tx is one write transaction. The sync engine fills a message and plans
// documents through it, so that everything one step decides commits
// together or not at all.
type Tx struct {
	tx  *sql.Tx
	now time.Time
}

// Update runs fn in one write transaction.
func (db *DB) Update(ctx context.Context, fn func(tx *Tx) error) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		return fn(&Tx{tx: tx, now: db.now()})
	})
}

// Now is the transaction's clock.
func (t *Tx) Now() time.Time { return t.now }

// Enqueue adds a job that waits for the jobs in deps (those already done
// are left out). As DB.Enqueue, a live job with the same dedupe key is
// returned with created false instead.
func (t *Tx) Enqueue(ctx context.Context, j Job, deps ...int64) (Job, bool, error) {
	if j.CompanyID == 0 || j.Kind == "" {
		return Job{}, false, errors.New("store: enqueue: a job needs a company and a kind")
	}
	now := t.now
	if j.NotBefore.IsZero() {
		j.NotBefore = now
	}
	if j.Priority == 0 {
		j.Priority = 100
	}
	got, err := scanJob(t.tx.QueryRowContext(ctx, `INSERT INTO jobs(company_id, kind, dedupe_key, priority, state, payload,
		not_before, created_at, updated_at) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?)
		ON CONFLICT DO NOTHING RETURNING `+jobColumns,
		j.CompanyID, j.Kind, j.DedupeKey, j.Priority, j.Payload, formatTime(j.NotBefore), formatTime(now), formatTime(now)))
	if errors.Is(err, sql.ErrNoRows) {
		got, err = t.LiveJob(ctx, j.CompanyID, j.Kind, j.DedupeKey)
		return got, false, err
	}
	if err != nil {
		return Job{}, false, fmt.Errorf("store: enqueue %s: %w", j.Kind, err)
	}
	if err := t.depend(ctx, got.ID, deps); err != nil {
		return Job{}, false, fmt.Errorf("store: enqueue %s: %w", j.Kind, err)
	}
	return got, true, nil
}

// depend makes a job wait for deps (those done already are left out),
// counting each new one in jobs.blocked.
func (t *Tx) depend(ctx context.Context, id int64, deps []int64) error {
	for _, d := range deps {
		if d == 0 || d == id {
			continue
		}
		res, err := t.tx.ExecContext(ctx, `INSERT INTO job_deps(job_id, depends_on)
			SELECT ?, id FROM jobs WHERE id = ? AND state <> 'done' ON CONFLICT DO NOTHING`, id, d)
		if err != nil {
			return fmt.Errorf("dependency on job %d: %w", d, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			if _, err := t.tx.ExecContext(ctx, "UPDATE jobs SET blocked = blocked + 1 WHERE id = ?", id); err != nil {
				return fmt.Errorf("dependency on job %d: %w", d, err)
			}
		}
	}
	return nil
}

// done releases the jobs waiting for a job that has just become done.
func (t *Tx) done(ctx context.Context, id int64) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE jobs SET blocked = blocked - 1
		WHERE id IN (SELECT job_id FROM job_deps WHERE depends_on = ?) AND blocked > 0`, id); err != nil {
		return fmt.Errorf("store: release the jobs waiting for job %d: %w", id, err)
	}
	return nil
}

// LiveJob returns the queued, sent or unknown job with the dedupe key.
func (t *Tx) LiveJob(ctx context.Context, companyID int64, kind, key string) (Job, error) {
	j, err := scanJob(t.tx.QueryRowContext(ctx, "SELECT "+jobColumns+` FROM jobs WHERE company_id = ? AND kind = ?
		AND dedupe_key = ? AND state IN ('queued', 'sent', 'unknown')`, companyID, kind, key))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, fmt.Errorf("store: live %s job %q: %w", kind, key, ErrNotFound)
	}
	if err != nil {
		return Job{}, fmt.Errorf("store: live %s job %q: %w", kind, key, err)
	}
	return j, nil
}

// Job returns a job by id, as this transaction sees it.
func (t *Tx) Job(ctx context.Context, id int64) (Job, error) {
	j, err := scanJob(t.tx.QueryRowContext(ctx, "SELECT "+jobColumns+" FROM jobs WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, fmt.Errorf("store: job %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Job{}, fmt.Errorf("store: job %d: %w", id, err)
	}
	return j, nil
}

// Requeue gives a job that has not been sent, or that failed, a new
// payload and puts it back in the queue, waiting also for deps: a document's
// new version (or its retry after a fix) reuses its job, so whatever waits
// for that job goes on waiting for it. It reports false when the job is out
// (sent, unknown) or done.
func (t *Tx) Requeue(ctx context.Context, id int64, payload string, deps ...int64) (bool, error) {
	now := formatTime(t.now)
	res, err := t.tx.ExecContext(ctx, `UPDATE jobs SET payload = ?, state = 'queued', step = 0, step_state = '',
		alone = 0, last_error = '', not_before = ?, finished_at = NULL, updated_at = ? WHERE id = ? AND state IN ('queued', 'failed')`,
		payload, now, now, id)
	if err != nil {
		return false, fmt.Errorf("store: requeue job %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if err := t.depend(ctx, id, deps); err != nil {
		return false, fmt.Errorf("store: requeue job %d: %w", id, err)
	}
	return true, nil
}

// RetryReserved puts back in the queue the failed jobs that create objects
// reserved in the company's ledger (customers, items, accounts), and returns
// how many.
func (t *Tx) RetryReserved(ctx context.Context, companyID int64) (int, error) {
	now := formatTime(t.now)
	res, err := t.tx.ExecContext(ctx, `UPDATE jobs SET state = 'queued', last_error = '', finished_at = NULL,
		not_before = ?, updated_at = ? WHERE state = 'failed' AND id IN
		(SELECT job_id FROM ledger WHERE company_id = ? AND qb_id = '' AND job_id IS NOT NULL)`, now, now, companyID)
	if err != nil {
		return 0, fmt.Errorf("store: retry reserved: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// SetJobPayload replaces the payload of a job that is still queued (a newer
// version of its document, planned before anything was sent). It reports
// false when the job has left the queue.
func (t *Tx) SetJobPayload(ctx context.Context, id int64, payload string) (bool, error) {
	res, err := t.tx.ExecContext(ctx, `UPDATE jobs SET payload = ?, updated_at = ? WHERE id = ? AND state = 'queued'`,
		payload, formatTime(t.now), id)
	if err != nil {
		return false, fmt.Errorf("store: job %d payload: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// EndJob ends a job that has not been sent (superseded, skipped, or one that
// cannot be built) with a state and reason.
func (t *Tx) EndJob(ctx context.Context, id int64, state, reason string) error {
	if state != JobDone && state != JobFailed {
		return fmt.Errorf("store: end job %d: bad state %q", id, state)
	}
	now := formatTime(t.now)
	res, err := t.tx.ExecContext(ctx, `UPDATE jobs SET state = ?, last_error = ?, session_id = NULL, finished_at = ?,
		updated_at = ? WHERE id = ? AND state <> 'done'`, state, reason, now, now, id)
	if err != nil {
		return fmt.Errorf("store: end job %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n > 0 && state == JobDone {
		if err := t.done(ctx, id); err != nil {
			return err
		}
	}
	if state == JobFailed {
		return t.attention(ctx, id, reason)
	}
	return nil
}

// attention marks the postings a failed job carries as needing attention, with the reason.
func (t *Tx) attention(ctx context.Context, jobID int64, reason string) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE postings SET state = 'attention', reason = ?, updated_at = ?
		WHERE job_id = ? AND state <> 'posted'`, reason, formatTime(t.now), jobID); err != nil {
		return fmt.Errorf("store: posting of job %d: %w", jobID, err)
	}
	// The documents waiting for this job (a customer, an item, the sale of a
	// refund) say so, so the page shows why they do not move.
	if _, err := t.tx.ExecContext(ctx, `WITH RECURSIVE blocked(id) AS (
			SELECT job_id FROM job_deps WHERE depends_on = ?
			UNION SELECT d.job_id FROM job_deps d JOIN blocked b ON d.depends_on = b.id)
		UPDATE postings SET state = 'attention', reason = ?, updated_at = ?
		WHERE job_id IN (SELECT id FROM blocked) AND state = 'planned'`,
		jobID, "waits for what needs attention first: "+reason, formatTime(t.now)); err != nil {
		return fmt.Errorf("store: postings waiting for job %d: %w", jobID, err)
	}
	return nil
}

// Continuing lists the jobs the session holds for a next step sent at once
// (a query paging through an iterator, which lives only in this session).
func (t *Tx) Continuing(ctx context.Context, sessionID int64) ([]Job, error) {
	return queryAll(ctx, t.tx, "continuing jobs", scanJob, "SELECT "+jobColumns+` FROM jobs
		WHERE session_id = ? AND state = 'sent' ORDER BY priority, id`, sessionID)
}

// Due lists up to limit jobs of the company that a session may claim now,
// in claim order (priority, then age), leaving out those waiting for another
// job and those whose id is in skip.
func (t *Tx) Due(ctx context.Context, companyID int64, limit int, skip []int64) ([]Job, error) {
	q := "SELECT " + jobColumns + ` FROM jobs WHERE company_id = ? AND state IN ('queued', 'unknown') AND not_before <= ?
		AND ` + unblocked
	args := []any{companyID, formatTime(t.now)}
	if len(skip) > 0 {
		q += " AND id NOT IN (" + strings.TrimSuffix(strings.Repeat("?,", len(skip)), ",") + ")"
		for _, id := range skip {
			args = append(args, id)
		}
	}
	q += " ORDER BY priority, id LIMIT ?"
	args = append(args, limit)
	return queryAll(ctx, t.tx, "due jobs", scanJob, q, args...)
}

// Take claims a due job for the session. Two sessions can never take the
// same job: the update only matches a job still in the queue, and writes are
// serialised.
func (t *Tx) Take(ctx context.Context, id, sessionID int64) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE jobs SET state = 'sent', session_id = ?, attempts = attempts + 1, updated_at = ?
		WHERE id = ? AND (state IN ('queued', 'unknown') OR (state = 'sent' AND session_id = ?))`,
		sessionID, formatTime(t.now), id, sessionID)
	if err != nil {
		return fmt.Errorf("store: take job %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: take job %d: %w", id, ErrConflict)
	}
	return nil
}

// Record stores the message that carries the jobs' requests, before it
// leaves, so that its response can be routed after a restart and a lost one
// is known to be lost.
func (t *Tx) Record(ctx context.Context, sessionID int64, messageSetID, xml string, jobs []RequestJob) (Request, error) {
	res, err := t.tx.ExecContext(ctx, `INSERT INTO qbwc_requests(session_id, message_set_id, request_xml, state, sent_at)
		VALUES (?, ?, ?, 'sent', ?)`, sessionID, messageSetID, xml, formatTime(t.now))
	if err != nil {
		return Request{}, fmt.Errorf("store: record request: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Request{}, fmt.Errorf("store: record request: %w", err)
	}
	for _, j := range jobs {
		if _, err := t.tx.ExecContext(ctx, "INSERT INTO qbwc_request_jobs(request_id, job_id, step) VALUES (?, ?, ?)",
			id, j.JobID, j.Step); err != nil {
			return Request{}, fmt.Errorf("store: record request job %d: %w", j.JobID, err)
		}
	}
	return Request{ID: id, SessionID: sessionID, MessageSetID: messageSetID, Jobs: jobs, XML: xml, State: "sent", SentAt: t.now}, nil
}

// SentAny reports whether a session has sent a message yet.
func (t *Tx) SentAny(ctx context.Context, sessionID int64) (bool, error) {
	var yes bool
	if err := t.tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM qbwc_requests WHERE session_id = ?)", sessionID).Scan(&yes); err != nil {
		return false, fmt.Errorf("store: messages of session %d: %w", sessionID, err)
	}
	return yes, nil
}

// LastMessage returns the last message sent to a company file, in any
// session, with its jobs. QuickBooks keeps the answer to the last message
// set it processed, so when this one was lost its answer can still be had.
func (t *Tx) LastMessage(ctx context.Context, companyID int64) (Request, error) {
	var r Request
	err := t.tx.QueryRowContext(ctx, `SELECT r.id, r.session_id, r.message_set_id, r.state FROM qbwc_requests r
		JOIN qbwc_sessions s ON s.id = r.session_id WHERE s.company_id = ? ORDER BY r.id DESC LIMIT 1`, companyID).
		Scan(&r.ID, &r.SessionID, &r.MessageSetID, &r.State)
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, fmt.Errorf("store: last message of company %d: %w", companyID, ErrNotFound)
	}
	if err != nil {
		return Request{}, fmt.Errorf("store: last message of company %d: %w", companyID, err)
	}
	r.Jobs, err = queryAll(ctx, t.tx, "message jobs", func(row scanner) (RequestJob, error) {
		var rj RequestJob
		err := row.Scan(&rj.JobID, &rj.Step)
		return rj, err
	}, "SELECT job_id, step FROM qbwc_request_jobs WHERE request_id = ? ORDER BY job_id", r.ID)
	return r, err
}

// SettleMessage records the answer to a message and what it did to each of
// its jobs (outcomes by job id), with every ledger entry, list entry and
// posting change they carry, in one transaction: a crash leaves either the
// message unanswered (its jobs to be recovered) or everything settled.
func (db *DB) SettleMessage(ctx context.Context, req Request, responseXML, hresult, message string, outcomes map[int64]Outcome) error {
	for id, o := range outcomes {
		switch o.State {
		case JobDone, JobFailed, JobQueued, JobSent:
		default:
			return fmt.Errorf("store: settle job %d: bad state %q", id, o.State)
		}
	}
	return db.Update(ctx, func(t *Tx) error {
		now := formatTime(t.now)
		res, err := t.tx.ExecContext(ctx, `UPDATE qbwc_requests SET response_xml = ?, hresult = ?, message = ?,
			state = 'answered', answered_at = ? WHERE id = ? AND state = 'sent'`,
			responseXML, hresult, message, now, req.ID)
		if err != nil {
			return fmt.Errorf("store: settle request %d: %w", req.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: settle request %d: %w", req.ID, ErrConflict)
		}
		var done, failed int
		for _, rj := range req.Jobs {
			o, ok := outcomes[rj.JobID]
			if !ok {
				return fmt.Errorf("store: settle request %d: no outcome for job %d", req.ID, rj.JobID)
			}
			if err := t.settleJob(ctx, req.SessionID, rj.JobID, o); err != nil {
				return err
			}
			switch o.State {
			case JobDone:
				done++
			case JobFailed:
				failed++
			}
		}
		if done+failed > 0 {
			if _, err := t.tx.ExecContext(ctx, `UPDATE qbwc_sessions SET done_count = done_count + ?,
				failed_count = failed_count + ? WHERE id = ?`, done, failed, req.SessionID); err != nil {
				return fmt.Errorf("store: count jobs in session: %w", err)
			}
		}
		return nil
	})
}

func (t *Tx) settleJob(ctx context.Context, sessionID, jobID int64, o Outcome) error {
	j, err := t.Job(ctx, jobID)
	if err != nil {
		return err
	}
	notBefore := o.NotBefore
	if notBefore.IsZero() {
		notBefore = t.now
	}
	var finished any
	session := any(sessionID)
	switch o.State {
	case JobDone, JobFailed:
		finished = formatTime(t.now)
		session = nil
	case JobQueued:
		session = nil
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE jobs SET state = ?, step = ?, step_state = ?, not_before = ?,
		last_error = ?, session_id = ?, finished_at = ?, recovering = ?, alone = ?, updated_at = ? WHERE id = ?`,
		o.State, o.Step, o.StepState, formatTime(notBefore), o.LastError, session, finished, o.Recovering, o.Alone,
		formatTime(t.now), jobID); err != nil {
		return fmt.Errorf("store: settle job %d: %w", jobID, err)
	}
	if o.State == JobDone && j.State != JobDone {
		if err := t.done(ctx, jobID); err != nil {
			return err
		}
	}
	for _, l := range o.Lists {
		if err := t.PutList(ctx, j.CompanyID, l); err != nil {
			return err
		}
	}
	for _, e := range o.Ledger {
		e.JobID = jobID
		if err := t.PutLedger(ctx, j.CompanyID, e); err != nil {
			return err
		}
	}
	if o.Posting != nil {
		if err := t.UpdatePosting(ctx, *o.Posting); err != nil {
			return err
		}
	} else if o.State == JobFailed {
		if err := t.attention(ctx, jobID, o.LastError); err != nil {
			return err
		}
	}
	if o.ListsRead {
		if _, err := t.tx.ExecContext(ctx, "UPDATE companies SET lists_read_at = ?, updated_at = ? WHERE id = ?",
			formatTime(t.now), formatTime(t.now), j.CompanyID); err != nil {
			return fmt.Errorf("store: lists read: %w", err)
		}
	}
	return nil
}

// Retry puts failed jobs back in the queue (the user fixed what they needed).
func (db *DB) Retry(ctx context.Context, ids ...int64) (int, error) {
	n := 0
	err := db.Update(ctx, func(t *Tx) error {
		for _, id := range ids {
			res, err := t.tx.ExecContext(ctx, `UPDATE jobs SET state = 'queued', not_before = ?, last_error = '',
				finished_at = NULL, updated_at = ? WHERE id = ? AND state = 'failed'`, formatTime(t.now), formatTime(t.now), id)
			if err != nil {
				return fmt.Errorf("store: retry job %d: %w", id, err)
			}
			k, _ := res.RowsAffected()
			n += int(k)
			if _, err := t.tx.ExecContext(ctx, `UPDATE postings SET state = 'planned', reason = '', updated_at = ?
				WHERE job_id = ? AND state = 'attention'`, formatTime(t.now), id); err != nil {
				return fmt.Errorf("store: retry job %d: %w", id, err)
			}
		}
		return nil
	})
	return n, err
}

// PruneSync deletes what the sync no longer needs and that would otherwise
// grow without bound over a year of orders: the qbXML messages answered (or
// lost) before cutoff, and the jobs done before cutoff. Failed jobs stay
// (they need attention), and so do the ledger and the postings, which are
// what makes exactly once hold.
func (db *DB) PruneSync(ctx context.Context, cutoff time.Time) (messages, jobs int, err error) {
	err = db.Update(ctx, func(t *Tx) error {
		c := formatTime(cutoff)
		res, err := t.tx.ExecContext(ctx, `DELETE FROM qbwc_requests WHERE state IN ('answered', 'lost')
			AND COALESCE(answered_at, sent_at) < ?`, c)
		if err != nil {
			return fmt.Errorf("store: prune messages: %w", err)
		}
		n, _ := res.RowsAffected()
		messages = int(n)
		res, err = t.tx.ExecContext(ctx, `DELETE FROM jobs WHERE state = 'done' AND finished_at < ?
			AND NOT EXISTS (SELECT 1 FROM qbwc_request_jobs rj JOIN qbwc_requests r ON r.id = rj.request_id
				WHERE rj.job_id = jobs.id AND r.state = 'sent')`, c)
		if err != nil {
			return fmt.Errorf("store: prune jobs: %w", err)
		}
		n, _ = res.RowsAffected()
		jobs = int(n)
		return nil
	})
	return messages, jobs, err
}
