// Package pull brings BigCommerce into the store: it pulls each connected
// store's orders (with their lines, addresses, coupons and refunds, and the
// tax rows and transactions the store's posting reads), refunds, customers
// and products into versioned documents, where the sync engine plans
// postings from them.
//
// Work arrives as pull tasks in the store's queue (cron enqueues an
// incremental pull per store, a webhook enqueues one order, the user a
// backfill) and a Puller's workers claim and run them. A pull reads
// BigCommerce's own clock first, asks for changes since the watermark less
// an overlap window, writes each order with its refunds in one transaction,
// and moves the watermark only when everything up to it is stored: a 500 or a
// cut-off body mid-pull leaves whole orders behind it and the next pull
// starts from the same place.
//
// The jobs package is QuickBooks' side; this package only writes documents.
package pull

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/store"
)

// Options configure a Puller.
type Options struct {
	Store  *store.DB
	Sealer *store.Sealer
	// Hold marks a company busy while its store's pull runs, so that Web
	// Connector sessions wait (NoOp) for the postings the pull will make
	// instead of ending (jobs.Source.Hold). Nil means no one waits.
	Hold func(companyID int64) (release func())
	// APIURL overrides BigCommerce's API base (BCQB_BIGCOMMERCE_API_URL);
	// "{store_hash}" in it is replaced by each store's hash.
	APIURL string
	// HTTPClient is used by the BigCommerce clients (default: theirs).
	HTTPClient *http.Client
	// Tune adjusts each BigCommerce client's settings before it is built
	// (headroom, retries); tests shorten the backoff with it.
	Tune func(*bigcommerce.Config)
	// Workers is how many tasks run at once (default 2): one store's long
	// pull and webhook-triggered order pulls beside it.
	Workers int
	// Poll is how often idle workers look for due tasks (default 5 s);
	// Enqueue and webhooks wake them at once.
	Poll time.Duration
	// RetryDelay is the first delay before a failed backfill is tried again
	// (default 1 minute, growing with attempts).
	RetryDelay time.Duration
	Log        *slog.Logger
}

// MaxBackfillAttempts bounds the retries of a failing backfill.
const MaxBackfillAttempts = 5

// Puller runs pull tasks. Start its workers with Start and stop them with
// Close; Pull, Backfill and PullOrder run one pull at once, synchronously.
type Puller struct {
	opts Options
	db   *store.DB
	log  *slog.Logger
	wake chan struct{}

	mu      sync.Mutex
	clients map[int64]*storeClient

	stop context.CancelFunc
	wg   sync.WaitGroup
}

// storeClient is a store's BigCommerce client, kept across pulls: its pacer
// knows the store's quota, and two clients for one store would each spend
// the whole of it.
type storeClient struct {
	token  string
	client *bigcommerce.Client
}

// New returns a Puller; it runs nothing until Start.
func New(opts Options) (*Puller, error) {
	if opts.Store == nil || opts.Sealer == nil {
		return nil, errors.New("pull: a store and a sealer are required")
	}
	if opts.Workers <= 0 {
		opts.Workers = 2
	}
	if opts.Poll <= 0 {
		opts.Poll = 5 * time.Second
	}
	if opts.RetryDelay <= 0 {
		opts.RetryDelay = time.Minute
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Puller{opts: opts, db: opts.Store, log: opts.Log, wake: make(chan struct{}, 1),
		clients: map[int64]*storeClient{}}, nil
}

// Start requeues the tasks a previous run left running and starts the
// workers. They stop when Close is called (not when ctx ends: ctx only
// bounds the start).
func (p *Puller) Start(ctx context.Context) error {
	if n, err := p.db.RequeueRunningPulls(ctx); err != nil {
		return err
	} else if n > 0 {
		p.log.InfoContext(ctx, "pull: requeued pulls interrupted by the last stop", "count", n)
	}
	loop, stop := context.WithCancel(context.WithoutCancel(ctx))
	p.stop = stop
	for i := 0; i < p.opts.Workers; i++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.work(loop)
		}()
	}
	return nil
}

// Close stops the workers: pulls in flight are cancelled (what they stored
// stays; their tasks are queued again for the next start) and Close waits
// for them, or for ctx.
func (p *Puller) Close(ctx context.Context) error {
	if p.stop == nil {
		return nil
	}
	p.stop()
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("pull: workers did not stop in time: %w", ctx.Err())
	}
}

func (p *Puller) work(ctx context.Context) {
	for {
		ran, err := p.RunNext(ctx)
		if err != nil && ctx.Err() == nil {
			p.log.ErrorContext(ctx, "pull: task", "err", err)
		}
		if ran {
			continue
		}
		t := time.NewTimer(p.opts.Poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-p.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// notify wakes an idle worker.
func (p *Puller) notify() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Enqueue queues a pull task and wakes a worker.
func (p *Puller) Enqueue(ctx context.Context, t store.PullTask) (store.PullTask, bool, error) {
	got, created, err := p.db.EnqueuePull(ctx, t)
	if err == nil {
		p.notify()
	}
	return got, created, err
}

// EnqueueAll queues an incremental pull of every connected store, and a
// backfill where the chosen date lies before what was pulled so far, and
// prunes old task history; cron calls it. It returns how many tasks it queued.
func (p *Puller) EnqueueAll(ctx context.Context) (int, error) {
	stores, err := p.db.BCStores(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, st := range stores {
		m, err := p.enqueueStore(ctx, st)
		n += m
		if err != nil {
			return n, err
		}
	}
	if n > 0 {
		p.notify()
	}
	if _, err := p.db.PruneBCHistory(ctx, p.db.Now().Add(-HistoryKept)); err != nil {
		return n, err
	}
	return n, nil
}

// EnqueueStore queues what EnqueueAll queues, for one store: the page calls
// it when a store is connected or its backfill date changes, so the pull
// starts at once instead of at the next cron tick.
func (p *Puller) EnqueueStore(ctx context.Context, storeID int64) (int, error) {
	st, err := p.db.BCStore(ctx, storeID)
	if err != nil {
		return 0, err
	}
	n, err := p.enqueueStore(ctx, st)
	if n > 0 {
		p.notify()
	}
	return n, err
}

// enqueueStore queues an incremental pull of the store, and a backfill when
// its chosen date lies before what was pulled so far.
func (p *Puller) enqueueStore(ctx context.Context, st store.BCStore) (int, error) {
	n := 0
	if _, created, err := p.db.EnqueuePull(ctx, store.PullTask{StoreID: st.ID, Kind: store.PullIncremental}); err != nil {
		return n, err
	} else if created {
		n++
	}
	if !st.BackfillFrom.IsZero() && !st.CoveredFrom.IsZero() && st.BackfillFrom.Before(st.CoveredFrom) {
		if _, created, err := p.db.EnqueuePull(ctx, store.PullTask{StoreID: st.ID, Kind: store.PullBackfill, Since: st.BackfillFrom}); err != nil {
			return n, err
		} else if created {
			n++
		}
	}
	return n, nil
}

// HistoryKept is how long finished pull tasks and received webhook events
// are kept (for the page, and to drop redeliveries: BigCommerce retries a
// callback for up to 48 hours).
const HistoryKept = 7 * 24 * time.Hour

// RunNext claims one due task and runs it. It reports false when nothing
// was due. A task's failure is recorded on the task and on the store's row;
// the error returned is only for the log.
func (p *Puller) RunNext(ctx context.Context) (bool, error) {
	task, err := p.db.ClaimPull(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	p.notify() // another worker may take the next one
	var res Result
	var runErr error
	switch task.Kind {
	case store.PullIncremental:
		res, runErr = p.Pull(ctx, task.StoreID)
	case store.PullBackfill:
		res, runErr = p.Backfill(ctx, task.StoreID, task.Since)
	case store.PullOneOrder:
		res, runErr = p.PullOrder(ctx, task.StoreID, task.OrderID)
	default:
		runErr = fmt.Errorf("pull: unknown task kind %q", task.Kind)
	}
	// Record the outcome even when ctx was cancelled by Close.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var retryAt time.Time
	msg := ""
	switch {
	case runErr == nil:
	case ctx.Err() != nil:
		// Stopped by Close: run it again at the next start.
		msg, retryAt = "interrupted by bcqb stopping", p.db.Now()
	default:
		msg = Describe(runErr)
		if task.Kind == store.PullBackfill && task.Attempts < MaxBackfillAttempts && retryable(runErr) {
			retryAt = p.db.Now().Add(p.opts.RetryDelay * time.Duration(task.Attempts))
		}
	}
	// What it stored, for the sync log (a failed pull keeps whole orders).
	if err := p.db.SetPullTaskResult(fctx, task.ID, res.String(), res.NewVersions); err != nil {
		return true, errors.Join(runErr, err)
	}
	if err := p.db.FinishPull(fctx, task.ID, msg, retryAt); err != nil {
		return true, errors.Join(runErr, err)
	}
	return true, runErr
}

// client returns the store's BigCommerce client, built on first use and
// rebuilt when the token changes.
func (p *Puller) client(ctx context.Context, st store.BCStore) (*bigcommerce.Client, error) {
	token, err := p.db.BCStoreToken(ctx, p.opts.Sealer, st.ID)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if sc := p.clients[st.ID]; sc != nil && sc.token == token {
		return sc.client, nil
	}
	cfg := bigcommerce.Config{StoreHash: st.StoreHash, Token: token, BaseURL: p.opts.APIURL,
		HTTPClient: p.opts.HTTPClient, Logger: p.log}
	if p.opts.Tune != nil {
		p.opts.Tune(&cfg)
	}
	c, err := bigcommerce.New(cfg)
	if err != nil {
		return nil, err
	}
	p.clients[st.ID] = &storeClient{token: token, client: c}
	return c, nil
}

// Describe says what went wrong in words for the page. It never contains
// the token: the client's errors name the call, not its headers.
func Describe(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, store.ErrSealed):
		return "bcqb cannot decrypt this store's access token (the secret key changed or secret.key was lost): " +
			"set BCQB_BIGCOMMERCE_TOKEN again and restart"
	case errors.Is(err, bigcommerce.ErrUnauthorized):
		return "BigCommerce refused the access token (401): it was revoked or mistyped; create an API account " +
			"token in the BigCommerce control panel and reconnect the store"
	case errors.Is(err, bigcommerce.ErrForbidden):
		return "BigCommerce refused a call (403): the API account lacks a scope bcqb needs (orders, transactions, " +
			"customers, products and information, read-only) or the plan does not allow it: " + err.Error()
	case errors.Is(err, bigcommerce.ErrRateLimited):
		return "BigCommerce kept answering 429 (too many requests) after waiting each time: other apps are using " +
			"most of the store's API quota; bcqb will try again at the next pull"
	case errors.Is(err, bigcommerce.ErrServer):
		return "BigCommerce answered with server errors (5xx) after several retries; nothing partial was stored and " +
			"bcqb will try again at the next pull: " + err.Error()
	case errors.Is(err, bigcommerce.ErrTruncated):
		return "BigCommerce's answer was cut off before its end, several times; nothing partial was stored and bcqb " +
			"will try again at the next pull: " + err.Error()
	case errors.Is(err, context.Canceled):
		return "interrupted: bcqb was stopping; the pull runs again at the next start"
	case errors.Is(err, context.DeadlineExceeded):
		return "BigCommerce did not answer in time; bcqb will try again at the next pull"
	}
	return "pull failed: " + err.Error()
}

// retryable reports whether trying again later may help.
func retryable(err error) bool {
	return !errors.Is(err, bigcommerce.ErrUnauthorized) && !errors.Is(err, bigcommerce.ErrForbidden) &&
		!errors.Is(err, store.ErrSealed)
}
