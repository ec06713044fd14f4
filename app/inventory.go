package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/jobs"
	"github.com/bcqb/bcqb/store"
)

// InventoryEvery is how often the cron queues an inventory reading for
// every company with a store whose inventory sync is on.
const InventoryEvery = 30 * time.Minute

// inventoryPoll is how often the loop looks for finished readings besides
// being woken by one (a push that failed is tried again then).
const inventoryPoll = time.Minute

// startInventory wires the inventory sync into a starting server: the
// reading and adjustment handlers, the cron entry that only queues
// readings, and the loop that acts on finished readings (pushes levels to
// BigCommerce, queues adjustments in QuickBooks) outside any session. The
// loop lives on ctx and s.wg, so Close stops it and waits for it.
func (s *Server) startInventory(ctx context.Context) error {
	inv := jobs.NewInventory(s.db, &bcPusher{db: s.db, sealer: s.pull.sealer, apiURL: s.cfg.BigCommerceAPIURL, log: s.log}, s.log)
	wake := make(chan struct{}, 1)
	poke := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	s.source.Register(jobs.InventoryRead{DB: s.db, OnRead: func(int64, int64) { poke() }})
	s.source.Register(jobs.InventoryAdjust{})
	if _, err := s.cron.AddFunc("@every "+InventoryEvery.String(), func() {
		if n, err := jobs.EnqueueInventoryReads(ctx, s.db); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "queue inventory readings", "err", err)
		} else if n > 0 {
			s.log.InfoContext(ctx, "queued inventory readings", "companies", n)
		}
	}); err != nil {
		return err
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(inventoryPoll)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-wake:
			case <-t.C:
			}
			if err := inv.Process(ctx); err != nil && ctx.Err() == nil {
				s.log.ErrorContext(ctx, "inventory sync", "err", err)
			}
		}
	}()
	return nil
}

// bcPusher sets stock levels through each store's BigCommerce client.
type bcPusher struct {
	db     *store.DB
	sealer *store.Sealer
	apiURL string
	log    *slog.Logger

	mu      sync.Mutex
	clients map[int64]pushClient
}

type pushClient struct {
	token  string
	client *bigcommerce.Client
}

// SetInventoryAbsolute implements jobs.StockPusher.
func (p *bcPusher) SetInventoryAbsolute(ctx context.Context, st store.BCStore, reason string, items []bigcommerce.InventoryItem) ([]string, error) {
	token, err := p.db.BCStoreToken(ctx, p.sealer, st.ID)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	c, ok := p.clients[st.ID]
	if !ok || c.token != token {
		bc, err := bigcommerce.New(bigcommerce.Config{StoreHash: st.StoreHash, Token: token, BaseURL: p.apiURL, Logger: p.log})
		if err != nil {
			p.mu.Unlock()
			return nil, err
		}
		if p.clients == nil {
			p.clients = map[int64]pushClient{}
		}
		c = pushClient{token: token, client: bc}
		p.clients[st.ID] = c
	}
	p.mu.Unlock()
	return c.client.SetInventoryAbsolute(ctx, reason, items)
}
