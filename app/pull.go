package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/bcqb/bcqb/config"
	"github.com/bcqb/bcqb/pull"
	"github.com/bcqb/bcqb/store"
)

// pullService is the BigCommerce side of a running bcqb: the store
// connected from the configuration, the puller's workers, and the cron entry
// that queues a pull of every store. Cron only enqueues; the workers pull.
type pullService struct {
	cfg    *config.Config
	db     *store.DB
	log    *slog.Logger
	puller *pull.Puller
	// sealer opens the stored BigCommerce tokens (the inventory push uses it too).
	sealer *store.Sealer
}

// newPullService loads the secret key (BCQB_SECRET_KEY, or <data>/secret.key
// created once), connects the store given by BCQB_BIGCOMMERCE_STORE_HASH and
// _TOKEN (created or updated, linked to the company of BCQB_QBWC_USER) and
// builds the puller. hold is jobs.Source.Hold: sessions of a company wait
// while its store is pulled.
func newPullService(ctx context.Context, cfg *config.Config, db *store.DB, hold func(int64) func(), log *slog.Logger) (*pullService, error) {
	key, err := store.LoadOrCreateKey(cfg.Data, cfg.SecretKey)
	if err != nil {
		return nil, fmt.Errorf("BCQB_SECRET_KEY: %w", err)
	}
	sealer, err := store.NewSealer(key)
	if err != nil {
		return nil, err
	}
	p := &pullService{cfg: cfg, db: db, log: log, sealer: sealer}
	if cfg.BigCommerceStoreHash != "" {
		if err := p.connect(ctx, sealer); err != nil {
			return nil, err
		}
	}
	if err := p.connectSetup(ctx, sealer); err != nil {
		return nil, err
	}
	p.puller, err = pull.New(pull.Options{Store: db, Sealer: sealer, Hold: hold, APIURL: cfg.BigCommerceAPIURL, Log: log})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// connect creates or updates the configured store, linked to the company of
// the configured Web Connector user (or of the only one there is).
func (p *pullService) connect(ctx context.Context, sealer *store.Sealer) error {
	var companyID int64
	switch {
	case p.cfg.QBWCUser != "":
		u, err := p.db.UserByName(ctx, p.cfg.QBWCUser)
		if err != nil {
			return fmt.Errorf("the company of Web Connector user %q: %w", p.cfg.QBWCUser, err)
		}
		companyID = u.CompanyID
	default:
		users, err := p.db.Users(ctx)
		if err != nil {
			return err
		}
		if len(users) == 1 {
			companyID = users[0].CompanyID
		}
	}
	st, err := p.db.PutBCStore(ctx, sealer, store.BCStoreInput{StoreHash: p.cfg.BigCommerceStoreHash,
		Token: p.cfg.BigCommerceToken, CompanyID: companyID, BackfillFrom: p.cfg.BackfillFrom})
	if err != nil {
		return fmt.Errorf("BCQB_BIGCOMMERCE_STORE_HASH: %w", err)
	}
	if st.CompanyID == 0 {
		p.log.WarnContext(ctx, "BigCommerce store connected but not linked to a QuickBooks company: set BCQB_QBWC_USER",
			"store", st.StoreHash)
	} else {
		p.log.InfoContext(ctx, "BigCommerce store connected", "store", st.StoreHash, "company", st.CompanyID)
	}
	return nil
}

// start queues a first pull of every store, adds the cron entry that queues
// the next ones every BCQB_PULL_EVERY, and starts the workers.
// connectSetup connects the stores of the setup file (BCQB_SETUP), each to
// the company of its Web Connector user. Settings given in the file replace
// the store's at every start: the file is the source of truth for what it names.
func (p *pullService) connectSetup(ctx context.Context, sealer *store.Sealer) error {
	if p.cfg.Setup == nil {
		return nil
	}
	for _, c := range p.cfg.Setup.Companies {
		u, err := p.db.UserByName(ctx, c.QBWCUser)
		if err != nil {
			return fmt.Errorf("BCQB_SETUP: the company of Web Connector user %q: %w", c.QBWCUser, err)
		}
		for _, s := range c.Stores {
			st, err := p.db.PutBCStore(ctx, sealer, store.BCStoreInput{StoreHash: s.StoreHash, Token: s.Token,
				CompanyID: u.CompanyID, BackfillFrom: s.BackfillDate})
			if err != nil {
				return fmt.Errorf("BCQB_SETUP: store %s: %w", s.StoreHash, err)
			}
			if len(s.Settings) > 0 {
				if err := p.db.SetBCStoreSettings(ctx, st.ID, string(s.Settings)); err != nil {
					return fmt.Errorf("BCQB_SETUP: store %s: %w", s.StoreHash, err)
				}
			}
			p.log.InfoContext(ctx, "BigCommerce store connected", "store", st.StoreHash, "user", c.QBWCUser, "company", u.CompanyID)
		}
	}
	return nil
}

func (p *pullService) start(ctx context.Context, c *cron.Cron) error {
	enqueue := func() {
		if n, err := p.puller.EnqueueAll(ctx); err != nil && ctx.Err() == nil {
			p.log.ErrorContext(ctx, "queue BigCommerce pulls", "err", err)
		} else if n > 0 {
			p.log.DebugContext(ctx, "queued BigCommerce pulls", "tasks", n)
		}
	}
	if _, err := c.AddFunc("@every "+p.cfg.PullEvery.String(), enqueue); err != nil {
		return fmt.Errorf("BCQB_PULL_EVERY: %w", err)
	}
	if err := p.puller.Start(ctx); err != nil {
		return err
	}
	enqueue()
	return nil
}

// close stops the workers; pulls in flight are queued again for the next start.
func (p *pullService) close(ctx context.Context) error {
	if p == nil || p.puller == nil {
		return nil
	}
	return p.puller.Close(ctx)
}

// webhooks is the handler of POST /webhooks/bigcommerce.
func (p *pullService) webhooks() http.Handler {
	if p == nil || p.puller == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "BigCommerce is not set up", http.StatusServiceUnavailable)
		})
	}
	return p.puller.WebhookHandler()
}

// errNoPull is returned by the page's calls when the pull side is not running.
var errNoPull = errors.New("the BigCommerce pull is not running")

// enableWebhooks registers the store's webhooks to this bcqb's public URL
// (the page calls it when the user turns webhooks on).
func (p *pullService) enableWebhooks(ctx context.Context, storeID int64) error {
	if p == nil || p.puller == nil {
		return errNoPull
	}
	return p.puller.EnableWebhooks(ctx, storeID, p.cfg.BaseURL+pull.WebhookPath)
}

// disableWebhooks unregisters them.
func (p *pullService) disableWebhooks(ctx context.Context, storeID int64) error {
	if p == nil || p.puller == nil {
		return errNoPull
	}
	return p.puller.DisableWebhooks(ctx, storeID)
}

// Busy implements jobs.Waiter. A session waits (NoOp) while a pull of one of
// its company's stores runs; and when the last complete pull is older than
// twice the pull interval, bcqb starts one and waits for it, so that a
// session never ends before an order BigCommerce already has is posted. A
// store whose pull just failed is not waited for: QuickBooks gets what bcqb
// has, and the failure is on the page.
func (p *pullService) Busy(ctx context.Context, companyID int64) (bool, error) {
	if p == nil || p.puller == nil {
		return false, nil
	}
	stores, err := p.db.BCStores(ctx)
	if err != nil {
		return false, err
	}
	now := p.db.Now()
	busy := false
	for _, st := range stores {
		if st.CompanyID != companyID {
			continue
		}
		// A pull that claims to run for longer than any pull takes died with
		// an earlier bcqb; it is not waited for.
		if st.PullState == store.PullRunning && now.Sub(st.LastPullAt) < 10*time.Minute {
			busy = true
			continue
		}
		stale := st.LastPullOKAt.IsZero() || now.Sub(st.LastPullOKAt) > 2*p.cfg.PullEvery
		if !stale || (st.PullState == store.PullError && now.Sub(st.LastPullAt) < p.cfg.PullEvery) {
			continue
		}
		if _, _, err := p.puller.Enqueue(ctx, store.PullTask{StoreID: st.ID, Kind: store.PullIncremental}); err != nil {
			return false, err
		}
		busy = true
	}
	return busy, nil
}
