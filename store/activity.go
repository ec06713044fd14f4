package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// This file is what the activity pages read and do: the dashboard's counts
// and live progress, the postings needing attention with Retry and Skip, the
// orders list, the sync log and the reconciliation.

// PostingRow is a posting as the pages list it: with its store, the SKUs it
// waits for a mapping of, who skipped it, its job, and what the ledger holds
// for it in QuickBooks.
type PostingRow struct {
	Posting
	StoreHash string
	// SKUs are the SKUs the posting waits for a mapping of.
	SKUs []string
	// SkippedBy is set when the user skipped the posting on the page.
	SkippedBy string
	SkippedAt time.Time
	// PostedAmount is the amount the ledger holds for the document's
	// transaction in QuickBooks (BigCommerce's total as posted); "" when
	// nothing is in QuickBooks for it.
	PostedAmount string
	// CancelAmount is the amount of the credit memo that undid a cancelled
	// order in QuickBooks; "" when there is none.
	CancelAmount string
	// JobState and JobError are those of the posting's job ("" without one).
	JobState string
	JobError string
}

// PostingQuery selects postings for a page. Zero fields do not filter.
type PostingQuery struct {
	StoreID   int64
	CompanyID int64
	States    []string
	Kind      string
	// Number finds an order and its refunds by the order's number, or a
	// document by its QuickBooks RefNumber.
	Number string
	// From and To bound the document's date: From <= date < To.
	From, To time.Time
	// Newest orders by the last change, newest first; otherwise by the
	// document's date, newest first.
	Newest bool
	Limit  int
	Offset int
}

// The ledger keys of a document's transactions are the jobs package's
// (orderKey, refundKey, the cancel credit memo's): "<kind>:<store>:<id>".
// They are stored in every database, so they are part of the schema.
const postingRowFrom = ` FROM postings p JOIN bc_stores s ON s.id = p.store_id
	LEFT JOIN ledger l ON l.company_id = p.company_id AND l.key = p.doc_kind || ':' || p.store_id || ':' || p.bc_id AND l.qb_id <> ''
	LEFT JOIN ledger c ON c.company_id = p.company_id AND p.doc_kind = 'order' AND c.key = 'cancel:' || p.store_id || ':' || p.bc_id AND c.qb_id <> ''
	LEFT JOIN jobs j ON j.id = p.job_id`

const postingRowColumns = `p.id, p.store_id, p.company_id, p.doc_kind, p.bc_id, p.parent_bc_id, p.document_id, p.version,
	p.state, p.txn_type, p.txn_id, p.ref_number, p.bc_total, p.credits, p.rounding, p.reason, COALESCE(p.job_id, 0), p.doc_date,
	p.updated_at, p.posted_at, s.store_hash, p.skus, p.skipped_by, p.skipped_at, COALESCE(l.amount, ''), COALESCE(c.amount, ''),
	COALESCE(j.state, ''), COALESCE(j.last_error, '')`

// extraScanner scans a posting's columns with scanPosting and the columns
// after them into extra.
type extraScanner struct {
	row   scanner
	extra []any
}

func (e extraScanner) Scan(dest ...any) error { return e.row.Scan(append(dest, e.extra...)...) }

func scanPostingRow(row scanner) (PostingRow, error) {
	var r PostingRow
	var skus string
	var skipped sql.NullString
	p, err := scanPosting(extraScanner{row, []any{&r.StoreHash, &skus, &r.SkippedBy, &skipped, &r.PostedAmount,
		&r.CancelAmount, &r.JobState, &r.JobError}})
	if err != nil {
		return PostingRow{}, err
	}
	r.Posting = p
	if r.SkippedAt, err = parseNullTime(skipped); err != nil {
		return PostingRow{}, err
	}
	if r.SKUs, err = decodeSKUs(skus); err != nil {
		return PostingRow{}, fmt.Errorf("posting %d: %w", p.ID, err)
	}
	return r, nil
}

// encodeSKUs is how postings.skus holds a list: a JSON array, or "" for none.
func encodeSKUs(skus []string) string {
	if len(skus) == 0 {
		return ""
	}
	b, _ := json.Marshal(skus) // a []string always encodes
	return string(b)
}

func decodeSKUs(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("store: stored SKUs %q: %w", s, err)
	}
	return out, nil
}

func (q PostingQuery) where() (string, []any) {
	var conds []string
	var args []any
	if q.StoreID != 0 {
		conds, args = append(conds, "p.store_id = ?"), append(args, q.StoreID)
	}
	if q.CompanyID != 0 {
		conds, args = append(conds, "p.company_id = ?"), append(args, q.CompanyID)
	}
	if len(q.States) > 0 {
		conds = append(conds, "p.state IN ("+placeholders(len(q.States))+")")
		for _, s := range q.States {
			args = append(args, s)
		}
	}
	if q.Kind != "" {
		conds, args = append(conds, "p.doc_kind = ?"), append(args, q.Kind)
	}
	if n := strings.TrimSpace(q.Number); n != "" {
		conds, args = append(conds, "(p.bc_id = ? OR p.parent_bc_id = ? OR p.ref_number = ?)"), append(args, n, n, n)
	}
	if !q.From.IsZero() {
		conds, args = append(conds, "p.doc_date >= ?"), append(args, formatTime(q.From))
	}
	if !q.To.IsZero() {
		conds, args = append(conds, "p.doc_date < ?"), append(args, formatTime(q.To))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// PostingRows lists the postings q selects and counts them all (for the
// page numbers).
func (db *DB) PostingRows(ctx context.Context, q PostingQuery) ([]PostingRow, int, error) {
	where, args := q.where()
	var total int
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM postings p"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count postings: %w", err)
	}
	order := " ORDER BY p.doc_date DESC, p.id DESC"
	if q.Newest {
		order = " ORDER BY p.updated_at DESC, p.id DESC"
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	rows, err := queryAll(ctx, db.read, "postings", scanPostingRow, "SELECT "+postingRowColumns+postingRowFrom+where+order+
		" LIMIT ? OFFSET ?", append(args, limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	return rows, total, nil
}

// PostingRowsByID returns the postings with the ids (those that exist).
func (db *DB) PostingRowsByID(ctx context.Context, ids []int64) ([]PostingRow, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return queryAll(ctx, db.read, "postings", scanPostingRow, "SELECT "+postingRowColumns+postingRowFrom+
		" WHERE p.id IN ("+placeholders(len(ids))+") ORDER BY p.id", args...)
}

// skippedPrefix starts the reason of a posting the user skipped and the
// last error of the jobs that skipping ended, so that those jobs are not
// counted among the failed ones that need attention.
const skippedPrefix = "Skipped by "

// notSkipped is the condition on a jobs row (aliased j) that it was not
// ended by a skip.
const notSkipped = `j.last_error NOT LIKE '` + skippedPrefix + `%'`

// jobPosting is the posting a job's payload says it carries out (the jobs
// package's qb.add and qb.void payloads have "posting"), NULL for others.
const jobPosting = `(CASE WHEN json_valid(j.payload) THEN json_extract(j.payload, '$.posting') END)`

// jobWhat is what a job's payload names for people ("BigCommerce order 100",
// "customer Jane Doe"), "" when it names nothing.
const jobWhat = `COALESCE(CASE WHEN json_valid(j.payload) THEN json_extract(j.payload, '$.what') END, '')`

// JobStates counts a company's jobs for the dashboard.
type JobStates struct {
	// Due can be sent now; Later waits for a retry time; Blocked waits for
	// another job (a sale for its customer).
	Due, Later, Blocked int
	// Out is sent, or unknown after a session died (to be asked again).
	Out int
	// Failed needs attention (jobs ended by the user's skip are not counted).
	Failed int
	// Done counts the jobs done that are still kept (the sync history).
	Done int
}

// CountJobStates counts a company's jobs by state.
func (db *DB) CountJobStates(ctx context.Context, companyID int64) (JobStates, error) {
	now := formatTime(db.now())
	var c JobStates
	err := db.read.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(j.state = 'queued' AND j.blocked = 0 AND j.not_before <= ?), 0),
		COALESCE(SUM(j.state = 'queued' AND j.blocked = 0 AND j.not_before > ?), 0),
		COALESCE(SUM(j.state = 'queued' AND j.blocked > 0), 0),
		COALESCE(SUM(j.state IN ('sent', 'unknown')), 0),
		COALESCE(SUM(j.state = 'failed' AND `+notSkipped+`), 0),
		COALESCE(SUM(j.state = 'done'), 0)
		FROM jobs j WHERE j.company_id = ?`, now, now, companyID).
		Scan(&c.Due, &c.Later, &c.Blocked, &c.Out, &c.Failed, &c.Done)
	if err != nil {
		return JobStates{}, fmt.Errorf("store: count job states: %w", err)
	}
	return c, nil
}

// FailedJob is a failed job that carries no document of its own (a
// customer, an item or an account to create, the lists to read): the
// documents waiting for it need attention because of it.
type FailedJob struct {
	Job
	// What names the job's object for people ("customer Jane Doe").
	What string
	// Waiting counts the postings whose jobs wait for this one.
	Waiting int
}

// FailedJobs lists the failed jobs that carry no posting (those that do
// show through their posting), newest first; companyID 0 lists every company's.
func (db *DB) FailedJobs(ctx context.Context, companyID int64, limit int) ([]FailedJob, error) {
	if limit <= 0 {
		limit = 100
	}
	return queryAll(ctx, db.read, "failed jobs", func(r scanner) (FailedJob, error) {
		var f FailedJob
		j, err := scanJob(extraScanner{r, []any{&f.What, &f.Waiting}})
		f.Job = j
		return f, err
	}, `SELECT `+prefixedJobColumns+`, `+jobWhat+`,
		(WITH RECURSIVE w(id) AS (SELECT job_id FROM job_deps WHERE depends_on = j.id
			UNION SELECT d.job_id FROM job_deps d JOIN w ON d.depends_on = w.id)
		SELECT count(*) FROM postings p WHERE p.job_id IN (SELECT id FROM w))
		FROM jobs j WHERE j.state = 'failed' AND `+notSkipped+` AND COALESCE(`+jobPosting+`, 0) = 0
		AND (? = 0 OR j.company_id = ?) ORDER BY j.updated_at DESC, j.id DESC LIMIT ?`, companyID, companyID, limit)
}

// prefixedJobColumns is jobColumns for a query where jobs is aliased j.
const prefixedJobColumns = `j.id, j.company_id, j.kind, j.dedupe_key, j.priority, j.state, j.payload, j.step, j.step_state,
	j.attempts, j.recovering, j.alone, COALESCE(j.session_id, 0), j.not_before, j.last_error, j.created_at, j.updated_at,
	j.finished_at`

// FailedJobsOf returns the failed jobs that hold the postings back: their
// own, and those their jobs wait for (a customer that could not be
// created). Retrying them, and planning again, moves the postings on.
func (db *DB) FailedJobsOf(ctx context.Context, postingIDs []int64) ([]int64, error) {
	if len(postingIDs) == 0 {
		return nil, nil
	}
	args := make([]any, 0, 2*len(postingIDs))
	for range 2 {
		for _, id := range postingIDs {
			args = append(args, id)
		}
	}
	ph := placeholders(len(postingIDs))
	return queryAll(ctx, db.read, "failed jobs of postings", func(r scanner) (int64, error) {
		var id int64
		err := r.Scan(&id)
		return id, err
	}, `WITH RECURSIVE own(id) AS (
			SELECT job_id FROM postings WHERE id IN (`+ph+`) AND job_id IS NOT NULL
			UNION SELECT j.id FROM jobs j WHERE j.state = 'failed' AND `+jobPosting+` IN (`+ph+`)),
		up(id) AS (SELECT id FROM own UNION SELECT d.depends_on FROM job_deps d JOIN up ON d.job_id = up.id)
		SELECT j.id FROM jobs j JOIN up ON up.id = j.id WHERE j.state = 'failed' AND `+notSkipped+` ORDER BY j.id`, args...)
}

// SkipResult says what SkipPostings did.
type SkipResult struct {
	Skipped int
	// InFlight counts the postings left alone because a job of theirs is
	// out to QuickBooks right now: it may be posted already.
	InFlight int
	// Closed counts the postings with nothing to skip (posted, voided,
	// skipped already, or gone).
	Closed int
}

// SkipPostings marks postings skipped by the user (by says who, for the
// reason), in one transaction. Their jobs not sent yet are ended and their
// reservations in the ledger released, so nothing sends them again (not a
// retry, not planning again); the planner leaves a skipped posting alone
// when its document changes. A posting already in QuickBooks (a later
// version needs attention) stays posted: only the later version is skipped.
func (db *DB) SkipPostings(ctx context.Context, ids []int64, by string) (SkipResult, error) {
	var res SkipResult
	err := db.Update(ctx, func(t *Tx) error {
		res = SkipResult{}
		when := t.now.UTC().Format("2006-01-02 15:04 UTC")
		for _, id := range ids {
			p, err := scanPosting(t.tx.QueryRowContext(ctx, "SELECT "+postingColumns+" FROM postings WHERE id = ?", id))
			if errors.Is(err, sql.ErrNoRows) {
				res.Closed++
				continue
			}
			if err != nil {
				return fmt.Errorf("store: skip posting %d: %w", id, err)
			}
			switch p.State {
			case PostingAttention, PostingPlanned, PostingWaiting:
			default:
				res.Closed++
				continue
			}
			type own struct {
				id    int64
				state string
			}
			jobs, err := queryAll(ctx, t.tx, "jobs of posting", func(r scanner) (own, error) {
				var o own
				err := r.Scan(&o.id, &o.state)
				return o, err
			}, `SELECT j.id, j.state FROM jobs j WHERE j.state <> 'done' AND (j.id = ? OR (j.company_id = ?
				AND j.state IN ('queued', 'sent', 'unknown', 'failed') AND `+jobPosting+` = ?))`, p.JobID, p.CompanyID, p.ID)
			if err != nil {
				return err
			}
			busy := false
			for _, j := range jobs {
				busy = busy || j.state == JobSent || j.state == JobUnknown
			}
			if busy {
				res.InFlight++
				continue
			}
			reason := skippedPrefix + by + " on " + when + ": bcqb will not post it."
			state, skippedBy, skippedAt := PostingSkipped, by, any(formatTime(t.now))
			if p.TxnID != "" {
				reason = "Posted; the later version was s" + strings.TrimPrefix(reason, "S")
				state, skippedBy, skippedAt = PostingPosted, "", nil
			}
			if p.State == PostingAttention && p.Reason != "" {
				reason += " It needed attention: " + p.Reason
			}
			for _, j := range jobs {
				if j.state == JobQueued {
					if err := t.EndJob(ctx, j.id, JobFailed, reason); err != nil {
						return err
					}
				} else if _, err := t.tx.ExecContext(ctx, "UPDATE jobs SET last_error = ?, updated_at = ? WHERE id = ?",
					reason, formatTime(t.now), j.id); err != nil {
					return fmt.Errorf("store: skip job %d: %w", j.id, err)
				}
				// Released, so that planning again (RetryReserved) never
				// sends the job: nothing is in QuickBooks for its key.
				if _, err := t.tx.ExecContext(ctx, "DELETE FROM ledger WHERE company_id = ? AND job_id = ? AND qb_id = ''",
					p.CompanyID, j.id); err != nil {
					return fmt.Errorf("store: release the reservation of job %d: %w", j.id, err)
				}
			}
			// The job link goes too: a job this one waited for failing later
			// must not mark it as needing attention again.
			if _, err := t.tx.ExecContext(ctx, `UPDATE postings SET state = ?, reason = ?, skipped_by = ?, skipped_at = ?,
				skus = '', job_id = NULL, updated_at = ? WHERE id = ?`, state, reason, skippedBy, skippedAt,
				formatTime(t.now), p.ID); err != nil {
				return fmt.Errorf("store: skip posting %d: %w", p.ID, err)
			}
			res.Skipped++
		}
		return nil
	})
	return res, err
}

// UnskipPostings undoes the user's skip of postings: they need attention
// again until the caller plans their stores again (it gets the stores).
func (db *DB) UnskipPostings(ctx context.Context, ids []int64) (int, []int64, error) {
	n := 0
	var stores []int64
	seen := map[int64]bool{}
	err := db.Update(ctx, func(t *Tx) error {
		n, stores = 0, nil
		clear(seen)
		for _, id := range ids {
			var store int64
			err := t.tx.QueryRowContext(ctx, `UPDATE postings SET state = 'attention', reason = ?, skipped_by = '',
				skipped_at = NULL, updated_at = ? WHERE id = ? AND state = 'skipped' AND skipped_by <> '' RETURNING store_id`,
				"The skip was undone: bcqb plans it again.", formatTime(t.now), id).Scan(&store)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("store: undo the skip of posting %d: %w", id, err)
			}
			n++
			if !seen[store] {
				seen[store] = true
				stores = append(stores, store)
			}
		}
		return nil
	})
	return n, stores, err
}

// SkippedByUser reports whether the user skipped the document's posting
// (the planner then leaves it alone).
func (t *Tx) SkippedByUser(ctx context.Context, storeID int64, kind string, bcID int64) (bool, error) {
	var by string
	err := t.tx.QueryRowContext(ctx, "SELECT skipped_by FROM postings WHERE store_id = ? AND doc_kind = ? AND bc_id = ?",
		storeID, kind, bcID).Scan(&by)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: posting of %s %d: %w", kind, bcID, err)
	}
	return by != "", nil
}

// DayCount is a count on one day (UTC, "2006-01-02").
type DayCount struct {
	Day   string
	Count int
}

// PostedPerDay counts the orders posted to QuickBooks per day (UTC) since
// from; companyID 0 counts every company's.
func (db *DB) PostedPerDay(ctx context.Context, companyID int64, from time.Time) ([]DayCount, error) {
	return queryAll(ctx, db.read, "posted per day", func(r scanner) (DayCount, error) {
		var d DayCount
		err := r.Scan(&d.Day, &d.Count)
		return d, err
	}, `SELECT substr(posted_at, 1, 10), count(*) FROM postings WHERE posted_at >= ? AND doc_kind = 'order'
		AND (? = 0 OR company_id = ?) GROUP BY 1 ORDER BY 1`, formatTime(from), companyID, companyID)
}

// SessionProgress is an open Web Connector session and how far it got.
type SessionProgress struct {
	Session
	// Sent counts the session's qbXML messages, Answered those answered.
	Sent, Answered int
	// Outstanding is the message out to QuickBooks now ("" when none), sent at OutstandingAt.
	Outstanding   string
	OutstandingAt time.Time
}

// OpenSessions lists the Web Connector sessions open now (not expired),
// newest first.
func (db *DB) OpenSessions(ctx context.Context) ([]SessionProgress, error) {
	return queryAll(ctx, db.read, "open sessions", func(r scanner) (SessionProgress, error) {
		var p SessionProgress
		var at sql.NullString
		s, err := scanSession(extraScanner{r, []any{&p.Sent, &p.Answered, &p.Outstanding, &at}})
		if err != nil {
			return p, err
		}
		p.Session = s
		p.OutstandingAt, err = parseNullTime(at)
		return p, err
	}, "SELECT "+sessionColumns+`,
		(SELECT count(*) FROM qbwc_requests r WHERE r.session_id = qbwc_sessions.id),
		(SELECT count(*) FROM qbwc_requests r WHERE r.session_id = qbwc_sessions.id AND r.state = 'answered'),
		COALESCE((SELECT request_xml FROM qbwc_requests r WHERE r.session_id = qbwc_sessions.id AND r.state = 'sent' ORDER BY id DESC LIMIT 1), ''),
		(SELECT sent_at FROM qbwc_requests r WHERE r.session_id = qbwc_sessions.id AND r.state = 'sent' ORDER BY id DESC LIMIT 1)
		FROM qbwc_sessions WHERE state = 'open' AND expires_at > ? ORDER BY id DESC`, formatTime(db.now()))
}

// PullProgress is how far a store's running (or last) pull got.
type PullProgress struct {
	StoreID int64
	// Kind is the pull's kind (PullIncremental, PullBackfill).
	Kind string
	// Since and Until bound the changes the pull asks for; Reached is the
	// date_modified of the last order stored (orders come oldest change first).
	Since, Until, Reached time.Time
	// Orders counts the orders stored so far.
	Orders    int
	UpdatedAt time.Time
}

// SetBCPullProgress records how far a store's pull got.
func (db *DB) SetBCPullProgress(ctx context.Context, p PullProgress) error {
	res, err := db.write.ExecContext(ctx, `UPDATE bc_stores SET pull_kind = ?, pull_since = ?, pull_until = ?, pull_reached = ?,
		pull_orders = ?, pull_progress_at = ? WHERE id = ?`, p.Kind, nullTime(p.Since), nullTime(p.Until), nullTime(p.Reached),
		p.Orders, formatTime(db.now()), p.StoreID)
	if err != nil {
		return fmt.Errorf("store: pull progress of BigCommerce store %d: %w", p.StoreID, err)
	}
	return mustAffect(res, fmt.Sprintf("BigCommerce store %d", p.StoreID))
}

// PullProgresses returns the pull progress of every store that has one, by store id.
func (db *DB) PullProgresses(ctx context.Context) (map[int64]PullProgress, error) {
	list, err := queryAll(ctx, db.read, "pull progress", func(r scanner) (PullProgress, error) {
		var p PullProgress
		var since, until, reached, at sql.NullString
		if err := r.Scan(&p.StoreID, &p.Kind, &since, &until, &reached, &p.Orders, &at); err != nil {
			return p, err
		}
		return p, parseTimes(&p.Since, since, &p.Until, until, &p.Reached, reached, &p.UpdatedAt, at)
	}, `SELECT id, pull_kind, pull_since, pull_until, pull_reached, pull_orders, pull_progress_at FROM bc_stores
		WHERE pull_progress_at IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]PullProgress, len(list))
	for _, p := range list {
		out[p.StoreID] = p
	}
	return out, nil
}

// SetPullTaskResult records what a pull task did, for the sync log: its
// summary in words and how many new document versions it stored.
func (db *DB) SetPullTaskResult(ctx context.Context, id int64, summary string, stored int) error {
	res, err := db.write.ExecContext(ctx, "UPDATE bc_pull_tasks SET summary = ?, stored = ? WHERE id = ?", summary, stored, id)
	if err != nil {
		return fmt.Errorf("store: result of pull %d: %w", id, err)
	}
	return mustAffect(res, fmt.Sprintf("pull task %d", id))
}

// PendingPulls lists the pull tasks queued or running, oldest first.
func (db *DB) PendingPulls(ctx context.Context) ([]PullTask, error) {
	return queryAll(ctx, db.read, "pending pulls", scanPullTask, "SELECT "+pullTaskColumns+` FROM bc_pull_tasks
		WHERE state IN ('queued', 'running') ORDER BY id`)
}

// Kinds of sync log events.
const (
	LogSession = "session"
	LogMessage = "message"
	LogPull    = "pull"
)

// LogEvent is one line of the sync log: a Web Connector session, a qbXML
// message sent in one, or a BigCommerce pull.
type LogEvent struct {
	Kind string
	ID   int64
	At   time.Time
	// Ended is when the session closed, the message was answered or the pull finished.
	Ended time.Time
	State string
	// Who is the Web Connector user (sessions and messages) or the store hash (pulls).
	Who string
	// Session is the public id of the session (of a message: its session's).
	Session    string
	RemoteHost string
	// AuthResult is what authenticate answered a session ("none": nothing to do).
	AuthResult string
	// Summary is the session's closing summary, the message's answer from
	// the Web Connector, or the pull's result.
	Summary string
	Error   string
	// HResult is the message's HRESULT when QuickBooks' request processor failed.
	HResult string
	// Done and Failed count a session's jobs.
	Done, Failed int
	// RequestBytes and ResponseBytes size a message.
	RequestBytes, ResponseBytes int
	// PullKind, Since and OrderID describe a pull; Stored counts the new
	// document versions it stored; Attempts its tries.
	PullKind string
	Since    time.Time
	OrderID  int64
	Stored   int
	Attempts int
	// Jobs are what a message carried (filled by LogJobs).
	Jobs []LogJob
}

// LogQuery selects sync log events. Quiet includes the events that say
// nothing happened: sessions that found nothing to do and pulls that
// stored nothing new.
type LogQuery struct {
	Kinds  []string
	Quiet  bool
	Limit  int
	Offset int
}

// SyncLog lists sync log events, newest first.
func (db *DB) SyncLog(ctx context.Context, q LogQuery) ([]LogEvent, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	offset := max(q.Offset, 0)
	want := map[string]bool{}
	for _, k := range q.Kinds {
		want[k] = true
	}
	all := len(want) == 0
	// Each branch takes at most offset+limit rows by its own index order
	// (ids grow with the time each is ordered by), so the page never sorts
	// the whole history.
	var parts []string
	var args []any
	n := offset + limit
	if all || want[LogSession] {
		parts = append(parts, `SELECT * FROM (SELECT 'session' AS kind, s.id, s.created_at AS at, s.closed_at AS ended, s.state,
			COALESCE(u.username, '') AS who, s.public_id, s.remote_host, s.auth_result, s.summary, s.last_error, s.last_hresult,
			s.done_count, s.failed_count, 0, 0, '', NULL, 0, 0, 0
			FROM qbwc_sessions s LEFT JOIN qbwc_users u ON u.id = s.user_id
			WHERE ? OR NOT (s.state = 'refused' AND s.auth_result = 'none') ORDER BY s.id DESC LIMIT ?)`)
		args = append(args, q.Quiet, n)
	}
	if all || want[LogMessage] {
		parts = append(parts, `SELECT * FROM (SELECT 'message', r.id, r.sent_at, r.answered_at, r.state,
			COALESCE(u.username, ''), COALESCE(s.public_id, ''), '', '', r.message, '', r.hresult,
			0, 0, length(r.request_xml), length(r.response_xml), '', NULL, 0, 0, 0
			FROM qbwc_requests r LEFT JOIN qbwc_sessions s ON s.id = r.session_id LEFT JOIN qbwc_users u ON u.id = s.user_id
			ORDER BY r.id DESC LIMIT ?)`)
		args = append(args, n)
	}
	if all || want[LogPull] {
		parts = append(parts, `SELECT * FROM (SELECT 'pull', t.id, t.created_at, t.finished_at, t.state,
			COALESCE(b.store_hash, ''), '', '', '', t.summary, t.last_error, '',
			0, 0, 0, 0, t.kind, t.since, t.order_id, t.stored, t.attempts
			FROM bc_pull_tasks t LEFT JOIN bc_stores b ON b.id = t.store_id
			WHERE ? OR t.stored > 0 OR t.state = 'failed' OR t.last_error <> '' OR t.kind = 'backfill'
			ORDER BY t.id DESC LIMIT ?)`)
		args = append(args, q.Quiet, n)
	}
	if len(parts) == 0 {
		return nil, nil
	}
	query := strings.Join(parts, " UNION ALL ") + " ORDER BY 3 DESC, 1, 2 DESC LIMIT ? OFFSET ?"
	args = append(args, limit, offset)
	return queryAll(ctx, db.read, "sync log", func(r scanner) (LogEvent, error) {
		var e LogEvent
		var at string
		var ended, since sql.NullString
		if err := r.Scan(&e.Kind, &e.ID, &at, &ended, &e.State, &e.Who, &e.Session, &e.RemoteHost, &e.AuthResult,
			&e.Summary, &e.Error, &e.HResult, &e.Done, &e.Failed, &e.RequestBytes, &e.ResponseBytes, &e.PullKind, &since,
			&e.OrderID, &e.Stored, &e.Attempts); err != nil {
			return e, err
		}
		return e, parseTimes(&e.At, at, &e.Ended, ended, &e.Since, since)
	}, query, args...)
}

// LogJob is a job a qbXML message carried, as it stands now.
type LogJob struct {
	RequestID int64
	JobID     int64
	Step      int
	Kind      string
	// What names the job's object ("BigCommerce order 100"), or its dedupe key.
	What      string
	State     string
	LastError string
}

// LogJobs fills in the jobs each message event carried.
func (db *DB) LogJobs(ctx context.Context, events []LogEvent) error {
	var ids []any
	at := map[int64]int{}
	for i, e := range events {
		if e.Kind == LogMessage {
			ids = append(ids, e.ID)
			at[e.ID] = i
		}
	}
	if len(ids) == 0 {
		return nil
	}
	jobs, err := queryAll(ctx, db.read, "log jobs", scanLogJob, `SELECT rj.request_id, j.id, rj.step, j.kind,
		CASE WHEN `+jobWhat+` <> '' THEN `+jobWhat+` ELSE j.dedupe_key END, j.state, j.last_error
		FROM qbwc_request_jobs rj JOIN jobs j ON j.id = rj.job_id WHERE rj.request_id IN (`+placeholders(len(ids))+`)
		ORDER BY rj.request_id, j.id`, ids...)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		e := &events[at[j.RequestID]]
		e.Jobs = append(e.Jobs, j)
	}
	return nil
}

func scanLogJob(r scanner) (LogJob, error) {
	var j LogJob
	err := r.Scan(&j.RequestID, &j.JobID, &j.Step, &j.Kind, &j.What, &j.State, &j.LastError)
	return j, err
}

// LogRequest returns one qbXML message, with its response and the jobs it
// carried, for the sync log's detail.
func (db *DB) LogRequest(ctx context.Context, id int64) (Request, []LogJob, error) {
	var r Request
	var sent string
	var answered sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT id, session_id, message_set_id, request_xml, response_xml, hresult, message,
		state, sent_at, answered_at FROM qbwc_requests WHERE id = ?`, id).
		Scan(&r.ID, &r.SessionID, &r.MessageSetID, &r.XML, &r.ResponseXML, &r.HResult, &r.Message, &r.State, &sent, &answered)
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, nil, fmt.Errorf("store: qbXML message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Request{}, nil, fmt.Errorf("store: qbXML message %d: %w", id, err)
	}
	if err := parseTimes(&r.SentAt, sent, &r.AnsweredAt, answered); err != nil {
		return Request{}, nil, err
	}
	jobs, err := queryAll(ctx, db.read, "message jobs", scanLogJob, `SELECT rj.request_id, j.id, rj.step, j.kind,
		CASE WHEN `+jobWhat+` <> '' THEN `+jobWhat+` ELSE j.dedupe_key END, j.state, j.last_error
		FROM qbwc_request_jobs rj JOIN jobs j ON j.id = rj.job_id WHERE rj.request_id = ? ORDER BY j.id`, id)
	if err != nil {
		return Request{}, nil, err
	}
	for _, j := range jobs {
		r.Jobs = append(r.Jobs, RequestJob{JobID: j.JobID, Step: j.Step})
	}
	return r, jobs, nil
}
