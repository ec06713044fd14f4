package bcfake

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Webhooks: the fake keeps /v3/hooks registrations and posts callbacks to
// them when an order changes through the Store's methods (never for the
// seeded history). Like BigCommerce it sends the registered headers back,
// carries ids only, and with Options.WebhookDuplicates delivers every
// callback twice with the same hash. Unlike BigCommerce it accepts http://
// destinations on any port, so tests can receive on httptest servers.

type hook struct {
	ID      int64
	Scope   string
	Dest    string
	Headers map[string]string
	Active  bool
	Created time.Time
	Updated time.Time
}

func (s *Store) renderHook(h *hook) map[string]any {
	var headers any
	if h.Headers != nil {
		headers = h.Headers
	}
	return map[string]any{
		"id": h.ID, "client_id": "bcqb-fake-client", "store_hash": s.opts.StoreHash, "scope": h.Scope,
		"destination": h.Dest, "headers": headers, "is_active": h.Active,
		"created_at": h.Created.Unix(), "updated_at": h.Updated.Unix(),
	}
}

// routeHooks serves /v3/hooks and /v3/hooks/{id}; s.mu is held.
func (s *Store) routeHooks(r *http.Request, path string, seg []string) reply {
	if len(seg) == 2 {
		switch r.Method {
		case http.MethodGet:
			items := make([]any, 0, len(s.hooks))
			for _, h := range s.hooks {
				items = append(items, s.renderHook(h))
			}
			return v3Page(r.URL.Query(), path, items)
		case http.MethodPost:
			return s.createHook(r)
		}
		return reply{http.StatusMethodNotAllowed, v3Error(405, "method not allowed")}
	}
	id, err := strconv.ParseInt(seg[2], 10, 64)
	for i, h := range s.hooks {
		if err != nil || h.ID != id {
			continue
		}
		switch r.Method {
		case http.MethodGet:
			return reply{200, map[string]any{"data": s.renderHook(h), "meta": map[string]any{}}}
		case http.MethodDelete:
			s.hooks = append(s.hooks[:i], s.hooks[i+1:]...)
			return reply{200, map[string]any{"data": s.renderHook(h), "meta": map[string]any{}}}
		}
		return reply{http.StatusMethodNotAllowed, v3Error(405, "method not allowed")}
	}
	return notFound(path)
}

func (s *Store) createHook(r *http.Request) reply {
	var body struct {
		Scope       string            `json:"scope"`
		Destination string            `json:"destination"`
		IsActive    *bool             `json:"is_active"`
		Headers     map[string]string `json:"headers"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		return reply{http.StatusBadRequest, v3Error(400, "invalid JSON: "+err.Error())}
	}
	u, err := url.Parse(body.Destination)
	if body.Scope == "" || !strings.HasPrefix(body.Scope, "store/") || err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return reply{422, v3Error(422, "scope (store/...) and an absolute destination URL are required")}
	}
	for _, h := range s.hooks {
		if h.Scope == body.Scope && h.Dest == body.Destination {
			return reply{422, v3Error(422, "A webhook with this scope and destination already exists")}
		}
	}
	s.seq.hook++
	now := s.now()
	h := &hook{ID: s.seq.hook, Scope: body.Scope, Dest: body.Destination, Headers: body.Headers, Active: body.IsActive == nil || *body.IsActive, Created: now, Updated: now}
	s.hooks = append(s.hooks, h)
	return reply{200, map[string]any{"data": s.renderHook(h), "meta": map[string]any{}}}
}

// scopeMatches reports whether a hook registered for pattern ("store/order/*"
// or an exact scope) receives scope.
func scopeMatches(pattern, scope string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(scope, prefix)
	}
	return pattern == scope
}

// emit posts a callback to every active hook whose scope matches; s.mu is
// held. The hash covers the event (scope, data and a per-event sequence) so
// two real changes never share one, while a duplicate delivery does.
func (s *Store) emit(scope string, data map[string]any) {
	s.seq.event++
	if len(s.hooks) == 0 {
		return
	}
	raw, _ := json.Marshal(data)
	sum := sha1.Sum([]byte(fmt.Sprintf("%s|%s|%d", scope, raw, s.seq.event)))
	payload, _ := json.Marshal(map[string]any{
		"scope": scope, "store_id": strconv.FormatInt(1000000+s.opts.Seed%1000000, 10), "data": json.RawMessage(raw),
		"hash": hex.EncodeToString(sum[:]), "created_at": s.now().Unix(), "producer": "stores/" + s.opts.StoreHash,
	})
	copies := 1
	if s.opts.WebhookDuplicates {
		copies = 2
	}
	for _, h := range s.hooks {
		if !h.Active || !scopeMatches(h.Scope, scope) {
			continue
		}
		for i := 0; i < copies; i++ {
			s.deliveries.Add(1)
			go s.deliver(h.Dest, h.Headers, payload)
		}
	}
}

func (s *Store) deliver(dest string, headers map[string]string, payload []byte) {
	defer s.deliveries.Done()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ok := false
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, dest, bytes.NewReader(payload))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "bcfake-webhooks")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			ok = resp.StatusCode >= 200 && resp.StatusCode < 300
		}
	}
	s.mu.Lock()
	if ok {
		s.stats.WebhooksSent++
	} else {
		s.stats.WebhooksFailed++
	}
	s.mu.Unlock()
}

// WaitWebhooks blocks until every callback sent so far has been delivered
// (or has failed).
func (s *Store) WaitWebhooks() { s.deliveries.Wait() }

// orderChanged emits store/order/updated and, when the status moved,
// store/order/statusUpdated; s.mu is held.
func (s *Store) orderChanged(o *order, prevStatus int) {
	s.emit("store/order/updated", map[string]any{"type": "order", "id": o.ID})
	if o.StatusID != prevStatus {
		s.emit("store/order/statusUpdated", map[string]any{"type": "order", "id": o.ID,
			"status": map[string]any{"previous_status_id": prevStatus, "new_status_id": o.StatusID}})
	}
}
