package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Kinds of pull tasks.
const (
	// PullIncremental pulls what changed since the store's watermark.
	PullIncremental = "incremental"
	// PullOneOrder pulls one order at once (a webhook said it changed).
	PullOneOrder = "order"
	// PullBackfill pulls everything changed since a chosen date.
	PullBackfill = "backfill"
)

// Pull task states.
const (
	TaskQueued  = "queued"
	TaskRunning = "running"
	TaskDone    = "done"
	TaskFailed  = "failed"
)

// PullTask is one unit of pull work for one store.
type PullTask struct {
	ID      int64
	StoreID int64
	Kind    string
	// OrderID is the order of a PullOneOrder task.
	OrderID int64
	// Since is the start date of a PullBackfill task.
	Since      time.Time
	State      string
	Attempts   int
	NotBefore  time.Time
	LastError  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt time.Time
}

const pullTaskColumns = `id, store_id, kind, order_id, since, state, attempts, not_before, last_error, created_at,
	updated_at, finished_at`

func scanPullTask(row scanner) (PullTask, error) {
	var t PullTask
	var since, finished sql.NullString
	var notBefore, created, updated string
	if err := row.Scan(&t.ID, &t.StoreID, &t.Kind, &t.OrderID, &since, &t.State, &t.Attempts, &notBefore,
		&t.LastError, &created, &updated, &finished); err != nil {
		return PullTask{}, err
	}
	if err := parseTimes(&t.Since, since, &t.FinishedAt, finished, &t.NotBefore, notBefore, &t.CreatedAt, created,
		&t.UpdatedAt, updated); err != nil {
		return PullTask{}, err
	}
	return t, nil
}

// rowQuerier is a *sql.DB or a *sql.Tx.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// EnqueuePull queues a pull task. When the same task (store, kind, order) is
// already queued nothing is added and that task is returned with created
// false; a queued backfill takes the earlier of the two start dates.
func (db *DB) EnqueuePull(ctx context.Context, t PullTask) (PullTask, bool, error) {
	return db.enqueuePull(ctx, db.write, t)
}

func (db *DB) enqueuePull(ctx context.Context, q rowQuerier, t PullTask) (PullTask, bool, error) {
	switch {
	case t.StoreID == 0:
		return PullTask{}, false, errors.New("store: enqueue pull: no store")
	case t.Kind == PullOneOrder && t.OrderID == 0:
		return PullTask{}, false, errors.New("store: enqueue pull: an order pull needs an order id")
	case t.Kind == PullBackfill && t.Since.IsZero():
		return PullTask{}, false, errors.New("store: enqueue pull: a backfill needs a start date")
	case t.Kind != PullIncremental && t.Kind != PullOneOrder && t.Kind != PullBackfill:
		return PullTask{}, false, fmt.Errorf("store: enqueue pull: kind %q", t.Kind)
	}
	now := db.now()
	if t.NotBefore.IsZero() {
		t.NotBefore = now
	}
	got, err := scanPullTask(q.QueryRowContext(ctx, `INSERT INTO bc_pull_tasks(store_id, kind, order_id, since, state,
		not_before, created_at, updated_at) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)
		ON CONFLICT DO NOTHING RETURNING `+pullTaskColumns,
		t.StoreID, t.Kind, t.OrderID, nullTime(t.Since), formatTime(t.NotBefore), formatTime(now), formatTime(now)))
	if err == nil {
		return got, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return PullTask{}, false, fmt.Errorf("store: enqueue %s pull: %w", t.Kind, err)
	}
	// Already queued. An earlier backfill start widens the queued one.
	got, err = scanPullTask(q.QueryRowContext(ctx, `UPDATE bc_pull_tasks SET
		since = CASE WHEN kind = 'backfill' AND ? < since THEN ? ELSE since END, updated_at = ?
		WHERE store_id = ? AND kind = ? AND order_id = ? AND state = 'queued' RETURNING `+pullTaskColumns,
		nullTime(t.Since), nullTime(t.Since), formatTime(now), t.StoreID, t.Kind, t.OrderID))
	if err != nil {
		return PullTask{}, false, fmt.Errorf("store: enqueue %s pull: find queued duplicate: %w", t.Kind, err)
	}
	return got, false, nil
}

// ClaimPull takes the next due pull task in one statement, so two workers
// never run the same task. Order pulls go first (a webhook wants them now)
// and may run beside a store's long pull; a store never runs two
// incremental or backfill pulls at once. It returns an error wrapping
// ErrNotFound when nothing is due.
func (db *DB) ClaimPull(ctx context.Context) (PullTask, error) {
	now := formatTime(db.now())
	t, err := scanPullTask(db.write.QueryRowContext(ctx, `UPDATE bc_pull_tasks SET state = 'running',
		attempts = attempts + 1, updated_at = ?
		WHERE id = (SELECT t.id FROM bc_pull_tasks t WHERE t.state = 'queued' AND t.not_before <= ?
			AND (t.kind = 'order' OR NOT EXISTS (SELECT 1 FROM bc_pull_tasks r
				WHERE r.store_id = t.store_id AND r.state = 'running' AND r.kind <> 'order'))
			ORDER BY t.kind = 'order' DESC, t.id LIMIT 1)
		RETURNING `+pullTaskColumns, now, now))
	if errors.Is(err, sql.ErrNoRows) {
		return PullTask{}, fmt.Errorf("store: claim pull: %w", ErrNotFound)
	}
	if err != nil {
		return PullTask{}, fmt.Errorf("store: claim pull: %w", err)
	}
	return t, nil
}

// FinishPull ends a running task: done when errMsg is empty, failed
// otherwise, or queued again at retryAt when that is set (unless the same
// task is queued already, which then stands for it).
func (db *DB) FinishPull(ctx context.Context, id int64, errMsg string, retryAt time.Time) error {
	now := formatTime(db.now())
	return db.withTx(ctx, func(tx *sql.Tx) error {
		state := TaskDone
		if errMsg != "" {
			state = TaskFailed
		}
		if !retryAt.IsZero() {
			var dup int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM bc_pull_tasks q JOIN bc_pull_tasks t
				ON q.store_id = t.store_id AND q.kind = t.kind AND q.order_id = t.order_id
				WHERE t.id = ? AND q.state = 'queued'`, id).Scan(&dup); err != nil {
				return fmt.Errorf("store: finish pull %d: %w", id, err)
			}
			if dup == 0 {
				res, err := tx.ExecContext(ctx, `UPDATE bc_pull_tasks SET state = 'queued', not_before = ?,
					last_error = ?, updated_at = ? WHERE id = ? AND state = 'running'`, formatTime(retryAt), errMsg, now, id)
				if err != nil {
					return fmt.Errorf("store: requeue pull %d: %w", id, err)
				}
				return mustAffect(res, fmt.Sprintf("running pull task %d", id))
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE bc_pull_tasks SET state = ?, last_error = ?, finished_at = ?,
			updated_at = ? WHERE id = ? AND state = 'running'`, state, errMsg, now, now, id)
		if err != nil {
			return fmt.Errorf("store: finish pull %d: %w", id, err)
		}
		return mustAffect(res, fmt.Sprintf("running pull task %d", id))
	})
}

// RequeueRunningPulls puts back the tasks left running by a bcqb that
// stopped mid-pull; call it once at start, before the workers claim. It
// returns how many it requeued.
func (db *DB) RequeueRunningPulls(ctx context.Context) (int, error) {
	now := formatTime(db.now())
	var n int
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		// A running task whose twin is already queued is simply done: the
		// queued one does its work.
		if _, err := tx.ExecContext(ctx, `UPDATE bc_pull_tasks SET state = 'done', finished_at = ?, updated_at = ?,
			last_error = 'interrupted; superseded by a queued pull'
			WHERE state = 'running' AND EXISTS (SELECT 1 FROM bc_pull_tasks q WHERE q.state = 'queued'
				AND q.store_id = bc_pull_tasks.store_id AND q.kind = bc_pull_tasks.kind
				AND q.order_id = bc_pull_tasks.order_id)`, now, now); err != nil {
			return fmt.Errorf("store: requeue running pulls: %w", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE bc_pull_tasks SET state = 'queued', not_before = ?, updated_at = ?
			WHERE state = 'running'`, now, now)
		if err != nil {
			return fmt.Errorf("store: requeue running pulls: %w", err)
		}
		m, err := res.RowsAffected()
		n = int(m)
		return err
	})
	return n, err
}

// PullTasks lists a store's most recent pull tasks, newest first.
func (db *DB) PullTasks(ctx context.Context, storeID int64, limit int) ([]PullTask, error) {
	if limit <= 0 {
		limit = 50
	}
	return queryAll(ctx, db.read, "pull tasks", scanPullTask, "SELECT "+pullTaskColumns+` FROM bc_pull_tasks
		WHERE store_id = ? ORDER BY id DESC LIMIT ?`, storeID, limit)
}

// WebhookEvent is a webhook callback received from BigCommerce.
type WebhookEvent struct {
	StoreID int64
	Hash    string
	// CreatedAt is the callback's created_at (Unix seconds).
	CreatedAt int64
	Scope     string
	OrderID   int64
	Payload   []byte
}

// RecordWebhook stores a callback and, when it is the first delivery of that
// event, queues task (if not nil) in the same transaction: a repeated
// delivery queues nothing. It reports whether the event was new.
//
// An event is known by its hash and created_at together: BigCommerce's hash
// is the SHA-1 of the data alone, so every later update of the same order
// carries the same hash, while a repeated delivery also repeats created_at.
func (db *DB) RecordWebhook(ctx context.Context, ev WebhookEvent, task *PullTask) (bool, error) {
	fresh := false
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO bc_webhook_events(store_id, hash, created_at, scope, order_id,
			payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			ev.StoreID, ev.Hash, ev.CreatedAt, ev.Scope, ev.OrderID, string(ev.Payload), formatTime(db.now()))
		if err != nil {
			return fmt.Errorf("store: record webhook: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		fresh = true
		if task == nil {
			return nil
		}
		_, _, err = db.enqueuePull(ctx, tx, *task)
		return err
	})
	return fresh, err
}

// CountWebhookEvents counts the distinct callbacks recorded for a store.
func (db *DB) CountWebhookEvents(ctx context.Context, storeID int64) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM bc_webhook_events WHERE store_id = ?", storeID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count webhook events: %w", err)
	}
	return n, nil
}

// PruneBCHistory deletes pull tasks that ended before cutoff and webhook
// events received before it, so the queue's history does not grow forever
// (a pull every 5 minutes is 100,000 rows a year). Keep a cutoff well past
// BigCommerce's 48 hours of redeliveries so dedupe still sees repeats.
func (db *DB) PruneBCHistory(ctx context.Context, cutoff time.Time) (int, error) {
	c := formatTime(cutoff)
	var n int64
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM bc_pull_tasks WHERE state IN ('done', 'failed') AND finished_at < ?`, c)
		if err != nil {
			return fmt.Errorf("store: prune pull tasks: %w", err)
		}
		a, _ := res.RowsAffected()
		res, err = tx.ExecContext(ctx, `DELETE FROM bc_webhook_events WHERE received_at < ?`, c)
		if err != nil {
			return fmt.Errorf("store: prune webhook events: %w", err)
		}
		b, _ := res.RowsAffected()
		n = a + b
		return nil
	})
	return int(n), err
}
