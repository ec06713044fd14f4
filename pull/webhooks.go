package pull

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/store"
)

// WebhookPath is where BigCommerce posts callbacks.
const WebhookPath = "/webhooks/bigcommerce"

// WebhookHeader is the custom header bcqb registers with its webhooks.
// BigCommerce signs nothing; it sends back the headers a hook was registered
// with, so a secret in one is what tells a genuine callback from a forged one.
const WebhookHeader = "X-Bcqb-Webhook-Secret"

// WebhookScope is what bcqb listens to: every order event (created,
// updated, status, refunds, transactions).
const WebhookScope = "store/order/*"

// maxWebhookBody bounds a callback body: BigCommerce's carry ids only.
const maxWebhookBody = 64 << 10

// WebhookHandler serves POST /webhooks/bigcommerce: it checks the secret
// header in constant time (401 when missing or wrong), records the event
// once per delivery (BigCommerce repeats some) and queues an immediate pull
// of the order it names. Polling stays the source of truth: a lost callback
// only delays the order to the next pull.
func (p *Puller) WebhookHandler() http.Handler {
	return http.HandlerFunc(p.serveWebhook)
}

func (p *Puller) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	secret := r.Header.Get(WebhookHeader)
	if secret == "" {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody+1))
	if err != nil {
		http.Error(w, "cannot read the body", http.StatusBadRequest)
		return
	}
	if len(body) > maxWebhookBody {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	ev, err := bigcommerce.ParseWebhook(body)
	if err != nil {
		http.Error(w, "not a BigCommerce webhook callback", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	hash, _ := strings.CutPrefix(ev.Producer, "stores/")
	st, err := p.db.BCStoreByHash(ctx, hash)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		p.log.ErrorContext(ctx, "webhook: find store", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	// Compare even for an unknown store, so the answer takes as long.
	want := st.WebhookSecretHash
	if len(want) != sha256.Size {
		want = make([]byte, sha256.Size)
	}
	got := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(got[:], want) != 1 || st.ID == 0 || len(st.WebhookSecretHash) == 0 {
		p.log.WarnContext(ctx, "webhook: refused a callback with a wrong secret", "producer", ev.Producer,
			"scope", ev.Scope, "remote", r.RemoteAddr)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var task *store.PullTask
	orderID := webhookOrderID(ev)
	if orderID != 0 {
		task = &store.PullTask{StoreID: st.ID, Kind: store.PullOneOrder, OrderID: orderID}
	}
	fresh, err := p.db.RecordWebhook(ctx, store.WebhookEvent{StoreID: st.ID, Hash: ev.Hash, CreatedAt: ev.CreatedAt.Unix(),
		Scope: ev.Scope, OrderID: orderID, Payload: body}, task)
	if err != nil {
		p.log.ErrorContext(ctx, "webhook: record", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if fresh && task != nil {
		p.notify()
	}
	p.log.DebugContext(ctx, "webhook: received", "store", st.StoreHash, "scope", ev.Scope, "order", orderID, "duplicate", !fresh)
	w.WriteHeader(http.StatusOK)
}

// webhookOrderID is the order a callback is about (0 for other scopes).
func webhookOrderID(ev bigcommerce.WebhookEvent) int64 {
	if !strings.HasPrefix(ev.Scope, "store/order/") {
		return 0
	}
	if ev.Data.OrderID != 0 { // transaction scopes
		return ev.Data.OrderID
	}
	if ev.Data.Type == "" || ev.Data.Type == "order" {
		return ev.Data.ID
	}
	return 0
}

// EnableWebhooks registers bcqb's order webhook with the store, delivering
// to destination (the public https URL of /webhooks/bigcommerce; BigCommerce
// only delivers to port 443), with a fresh secret header. Hooks that this
// API account registered for the same destination before are replaced.
func (p *Puller) EnableWebhooks(ctx context.Context, storeID int64, destination string) error {
	u, err := url.Parse(destination)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("pull: webhook destination %q is not an absolute URL", destination)
	}
	st, c, err := p.storeAndClient(ctx, storeID)
	if err != nil {
		return err
	}
	if err := p.deleteHooks(ctx, c, st, destination); err != nil {
		return err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return fmt.Errorf("pull: webhook secret: %w", err)
	}
	secret := hex.EncodeToString(raw)
	hook, err := c.CreateWebhook(ctx, bigcommerce.WebhookSpec{Scope: WebhookScope, Destination: destination,
		Headers: map[string]string{WebhookHeader: secret}, IsActive: true})
	if err != nil {
		return fmt.Errorf("pull: register webhook: %w", err)
	}
	sum := sha256.Sum256([]byte(secret))
	return p.db.SetBCWebhooks(ctx, st.ID, sum[:], []int64{hook.ID}, destination)
}

// DisableWebhooks unregisters the store's webhooks; callbacks still in
// flight are refused from then on.
func (p *Puller) DisableWebhooks(ctx context.Context, storeID int64) error {
	st, c, err := p.storeAndClient(ctx, storeID)
	if err != nil {
		return err
	}
	if err := p.deleteHooks(ctx, c, st, st.WebhookDestination); err != nil {
		return err
	}
	return p.db.SetBCWebhooks(ctx, st.ID, nil, nil, "")
}

func (p *Puller) storeAndClient(ctx context.Context, storeID int64) (store.BCStore, *bigcommerce.Client, error) {
	st, err := p.db.BCStore(ctx, storeID)
	if err != nil {
		return store.BCStore{}, nil, err
	}
	c, err := p.client(ctx, st)
	return st, c, err
}

// deleteHooks removes the hooks recorded for the store and any this API
// account registered for destination.
func (p *Puller) deleteHooks(ctx context.Context, c *bigcommerce.Client, st store.BCStore, destination string) error {
	ids := map[int64]bool{}
	for _, id := range st.WebhookIDs {
		ids[id] = true
	}
	if destination != "" {
		hooks, err := c.Webhooks(ctx)
		if err != nil {
			return fmt.Errorf("pull: list webhooks: %w", err)
		}
		for _, h := range hooks {
			if h.Destination == destination {
				ids[h.ID] = true
			}
		}
	}
	for _, id := range sortedKeys(ids) {
		if err := c.DeleteWebhook(ctx, id); err != nil && !errors.Is(err, bigcommerce.ErrNotFound) {
			return fmt.Errorf("pull: delete webhook %d: %w", id, err)
		}
	}
	return nil
}
