package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/bcqb/bcqb/jobs"
	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/store"
)

// API is what the JSON API and its tokens need from the store.
type API interface {
	CreateAPIToken(ctx context.Context, name string) (string, store.APIToken, error)
	APITokens(ctx context.Context) ([]store.APIToken, error)
	RevokeAPIToken(ctx context.Context, id int64) error
	APITokenByValue(ctx context.Context, token string) (store.APIToken, error)
	BCStore(ctx context.Context, id int64) (store.BCStore, error)
	Postings(ctx context.Context, companyID int64, state string, limit int) ([]store.Posting, error)
	SetBCStoreSettings(ctx context.Context, storeID int64, settingsJSON string) error
}

// APIDeps are what the API does besides reading the store.
type APIDeps struct {
	// Replan plans a store's unposted documents again after its settings
	// changed; nil leaves them to the planner's next pass.
	Replan func(ctx context.Context, storeID int64) (int, error)
}

// maxAPIBody bounds a request body: settings are a few KB.
const maxAPIBody = 1 << 20

// apiPostingsLimit is the most postings one call lists.
const apiPostingsLimit = 1000

func (s *server) apiRoutes(r *mux.Router) {
	r.HandleFunc("/tokens", s.requireLogin(s.tokensPage)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/tokens", s.requireLogin(s.createToken)).Methods(http.MethodPost)
	r.HandleFunc("/tokens/{id:[0-9]+}/revoke", s.requireLogin(s.revokeToken)).Methods(http.MethodPost)

	api := r.PathPrefix("/api").Subrouter()
	api.HandleFunc("/", s.requireAPI(s.apiIndex)).Methods(http.MethodGet)
	api.HandleFunc("/companies", s.requireAPI(s.apiCompanies)).Methods(http.MethodGet)
	api.HandleFunc("/stores", s.requireAPI(s.apiStores)).Methods(http.MethodGet)
	api.HandleFunc("/stores/{id:[0-9]+}/settings", s.requireAPI(s.apiSettings)).Methods(http.MethodGet)
	api.HandleFunc("/stores/{id:[0-9]+}/settings", s.requireAPI(s.apiPutSettings)).Methods(http.MethodPut)
	api.HandleFunc("/companies/{id:[0-9]+}/postings", s.requireAPI(s.apiPostings)).Methods(http.MethodGet)
	api.HandleFunc("/stores/{id:[0-9]+}/mappings", s.requireAPI(s.apiMappings)).Methods(http.MethodGet)
	api.HandleFunc("/stores/{id:[0-9]+}/mappings/{sku:.+}", s.requireAPI(s.apiPutMapping)).Methods(http.MethodPut, http.MethodDelete)
}

// isAPI tells the API's requests, whose errors are JSON.
func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/api"
}

// csrfHeader carries the session's form token on the page's own API writes.
const csrfHeader = "X-CSRF-Token"

// requireAPI lets through a script with a live API token (Authorization:
// Bearer), or a logged-in browser; a browser's writes need the session's
// token in X-CSRF-Token and must come from bcqb's own page, as forms do.
// A bearer token is never sent by a browser on its own, so it needs neither.
func (s *server) requireAPI(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		r.Body = http.MaxBytesReader(w, r.Body, maxAPIBody)
		if auth := r.Header.Get("Authorization"); auth != "" {
			token, ok := strings.CutPrefix(auth, "Bearer ")
			if !ok {
				s.fail(w, r, &httpError{status: http.StatusUnauthorized, msg: "The Authorization header must be \"Bearer <token>\"."})
				return
			}
			if _, err := s.Store.APITokenByValue(r.Context(), strings.TrimSpace(token)); errors.Is(err, store.ErrNotFound) {
				s.fail(w, r, &httpError{status: http.StatusUnauthorized, msg: "This API token is unknown or was revoked; make a new one at " + s.BaseURL + "/tokens."})
				return
			} else if err != nil {
				s.fail(w, r, err)
				return
			}
			next(w, r)
			return
		}
		if !s.hostAllowed(r) {
			s.fail(w, r, &httpError{status: http.StatusMisdirectedRequest, msg: "bcqb answers at " + s.BaseURL + ", not at " + r.Host + "."})
			return
		}
		sess, err := s.Store.AdminSessionByToken(r.Context(), cookieValue(r, s.cookieName(sessionCookie)))
		if errors.Is(err, store.ErrNotFound) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="bcqb"`)
			s.fail(w, r, &httpError{status: http.StatusUnauthorized,
				msg: "Send \"Authorization: Bearer <token>\" (make a token at " + s.BaseURL + "/tokens), or log in on the page."})
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := s.sameOrigin(r); err != nil {
				s.fail(w, r, err)
				return
			}
			if !tokensEqual(r.Header.Get(csrfHeader), sess.CSRFToken) {
				s.fail(w, r, errCSRF)
				return
			}
		}
		next(w, r.WithContext(context.WithValue(r.Context(), sessionKey, sess)))
	}
}

// writeJSON encodes v into a buffer first, so an encoding error never
// sends half an answer.
func (s *server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // JSON for scripts, never embedded in a page
	if err := enc.Encode(v); err != nil {
		s.Log.ErrorContext(r.Context(), "encode API answer", "path", r.URL.Path, "err", err)
		http.Error(w, `{"error": "bcqb could not encode this answer; see the bcqb log."}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// apiError is every error the API answers.
type apiError struct {
	Error  string `json:"error"`
	Status int    `json:"status"`
}

func (s *server) apiIndex(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, r, http.StatusOK, map[string]any{
		"version": s.Version,
		"endpoints": []string{
			"GET /api/status",
			"GET /api/companies",
			"GET /api/stores",
			"GET /api/stores/{id}/settings",
			"PUT /api/stores/{id}/settings",
			"GET /api/stores/{id}/mappings",
			"PUT /api/stores/{id}/mappings/{sku} {\"item\": \"Widget\"} or {\"create\": \"inventory\"}",
			"DELETE /api/stores/{id}/mappings/{sku}",
			"GET /api/companies/{id}/postings?state=attention|posted|planned|waiting|skipped|voided",
		},
	})
}

type apiCompany struct {
	ID          int64          `json:"id"`
	User        string         `json:"web_connector_user"`
	CompanyFile string         `json:"company_file"`
	CompanyName string         `json:"company_name"`
	Postings    map[string]int `json:"postings"`
}

func (s *server) apiCompanies(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	users, err := s.Store.Users(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	byID, err := s.companiesByID(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := []apiCompany{}
	for _, u := range users {
		counts, err := s.Store.PostingCounts(ctx, u.CompanyID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		c := byID[u.CompanyID]
		out = append(out, apiCompany{ID: u.CompanyID, User: u.Username, CompanyFile: c.CompanyFile, CompanyName: c.CompanyName, Postings: counts})
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"companies": out})
}

// apiStore shows a connected store; its token is never read for the API.
type apiStore struct {
	ID          int64      `json:"id"`
	StoreHash   string     `json:"store_hash"`
	CompanyID   int64      `json:"company_id"`
	PullState   string     `json:"pull_state"`
	LastPullAt  *time.Time `json:"last_pull_at"`
	LastError   string     `json:"last_pull_error,omitempty"`
	LastSummary string     `json:"last_pull_summary,omitempty"`
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *server) apiStores(w http.ResponseWriter, r *http.Request) {
	stores, err := s.Store.BCStores(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := []apiStore{}
	for _, st := range stores {
		out = append(out, apiStore{ID: st.ID, StoreHash: st.StoreHash, CompanyID: st.CompanyID, PullState: st.PullState,
			LastPullAt: timeOrNil(st.LastPullAt), LastError: st.LastPullError, LastSummary: st.LastPullSummary})
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"stores": out})
}

// pathID is a route's {id}.
func pathID(r *http.Request) int64 {
	id, _ := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	return id
}

// sharedCompany reports whether another store posts to st's company file
// (its RefNumbers then carry a prefix).
func (s *server) sharedCompany(ctx context.Context, st store.BCStore) (bool, error) {
	stores, err := s.Store.BCStores(ctx)
	if err != nil {
		return false, err
	}
	for _, o := range stores {
		if o.ID != st.ID && o.CompanyID == st.CompanyID && st.CompanyID != 0 {
			return true, nil
		}
	}
	return false, nil
}

// apiSettings answers a store's settings as it posts with them (defaults
// filled in).
func (s *server) apiSettings(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st, err := s.Store.BCStore(ctx, pathID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	shared, err := s.sharedCompany(ctx, st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	settings, err := jobs.StoreSettings(st, shared)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, settings)
}

// apiPutSettings replaces a store's settings with the body (a
// plan.Settings; fields left out take their defaults), after checking
// every field is one bcqb knows, then plans the unposted documents again.
func (s *server) apiPutSettings(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st, err := s.Store.BCStore(ctx, pathID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	settings := plan.DefaultSettings()
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&settings); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.fail(w, r, mbe)
			return
		}
		s.fail(w, r, &httpError{status: http.StatusBadRequest, msg: "The settings are not JSON bcqb can read: " + err.Error()})
		return
	}
	if dec.More() {
		s.fail(w, r, &httpError{status: http.StatusBadRequest, msg: "The body holds more than one JSON value."})
		return
	}
	if err := plan.CheckSettings(settings); err != nil {
		s.fail(w, r, &httpError{status: http.StatusBadRequest, msg: err.Error()})
		return
	}
	raw, err := json.Marshal(settings)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Store.SetBCStoreSettings(ctx, st.ID, string(raw)); err != nil {
		s.fail(w, r, err)
		return
	}
	replanned := 0
	if s.API.Replan != nil && st.CompanyID != 0 {
		if replanned, err = s.API.Replan(ctx, st.ID); err != nil {
			s.fail(w, r, fmt.Errorf("the settings were saved, but planning again failed: %w", err))
			return
		}
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"saved": true, "replanned": replanned,
		"note": "The change applies to documents not posted yet; posted ones stay as they are in QuickBooks."})
}

type apiPosting struct {
	ID        int64      `json:"id"`
	StoreID   int64      `json:"store_id"`
	Kind      string     `json:"kind"`
	BCID      int64      `json:"bigcommerce_id"`
	OrderID   int64      `json:"order_id,omitempty"`
	State     string     `json:"state"`
	Reason    string     `json:"reason,omitempty"`
	TxnType   string     `json:"qb_txn_type,omitempty"`
	TxnID     string     `json:"qb_txn_id,omitempty"`
	RefNumber string     `json:"ref_number,omitempty"`
	BCTotal   string     `json:"bigcommerce_total,omitempty"`
	DocDate   *time.Time `json:"date,omitempty"`
	PostedAt  *time.Time `json:"posted_at,omitempty"`
}

func (s *server) apiPostings(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	switch state {
	case "", store.PostingAttention, store.PostingPosted, store.PostingPlanned, store.PostingWaiting, store.PostingSkipped, store.PostingVoided:
	default:
		s.fail(w, r, &httpError{status: http.StatusBadRequest, msg: fmt.Sprintf("state %q is not one of attention, posted, planned, waiting, skipped, voided.", state)})
		return
	}
	ps, err := s.Store.Postings(r.Context(), pathID(r), state, apiPostingsLimit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := []apiPosting{}
	for _, p := range ps {
		out = append(out, apiPosting{ID: p.ID, StoreID: p.StoreID, Kind: p.DocKind, BCID: p.BCID, OrderID: p.ParentBCID, State: p.State,
			Reason: p.Reason, TxnType: p.TxnType, TxnID: p.TxnID, RefNumber: p.RefNumber, BCTotal: p.BCTotal,
			DocDate: timeOrNil(p.DocDate), PostedAt: timeOrNil(p.PostedAt)})
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"postings": out, "limit": apiPostingsLimit})
}

type tokensPage struct {
	pageData
	Tokens []store.APIToken
	// New is the token just made, shown this once.
	New     string
	NewName string
	Error   string
}

func (s *server) renderTokens(w http.ResponseWriter, r *http.Request, status int, p tokensPage) {
	tokens, err := s.Store.APITokens(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.pageData, p.Tokens = s.pageData(r, "API tokens"), tokens
	s.render(w, r, status, "tokens.html", p)
}

func (s *server) tokensPage(w http.ResponseWriter, r *http.Request) {
	s.renderTokens(w, r, http.StatusOK, tokensPage{})
}

func (s *server) createToken(w http.ResponseWriter, r *http.Request) {
	name := r.PostForm.Get("name")
	token, t, err := s.Store.CreateAPIToken(r.Context(), name)
	var ne *store.NameError
	if errors.As(err, &ne) {
		s.renderTokens(w, r, http.StatusBadRequest, tokensPage{Error: ne.Error()})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.Log.InfoContext(r.Context(), "API token created", "name", t.Name, "prefix", t.Prefix)
	s.renderTokens(w, r, http.StatusOK, tokensPage{New: token, NewName: t.Name})
}

func (s *server) revokeToken(w http.ResponseWriter, r *http.Request) {
	if err := s.Store.RevokeAPIToken(r.Context(), pathID(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/tokens", http.StatusSeeOther)
}

// apiMapping is how one SKU posts, as the mapping page shows it.
type apiMapping struct {
	SKU      string `json:"sku"`
	Name     string `json:"name,omitempty"`
	Price    string `json:"price,omitempty"`
	Stock    string `json:"stock,omitempty"`
	How      string `json:"how"`
	Item     string `json:"item,omitempty"`
	ItemKind string `json:"item_kind,omitempty"`
	// Waiting counts the orders not in QuickBooks yet that sell it.
	Waiting int `json:"orders_waiting"`
}

func (s *server) apiMappings(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	m, err := s.loadStoreParam(ctx, mux.Vars(r)["id"])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.loadCatalogue(ctx, m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := []apiMapping{}
	for _, row := range c.rows {
		out = append(out, apiMapping{SKU: row.Key, Name: row.Name, Price: row.Price, Stock: row.Stock, How: row.Posting.How,
			Item: row.Posting.Item, ItemKind: row.Posting.Kind, Waiting: row.Waiting})
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"store_id": m.st.ID, "lists_read": m.listsRead(), "mappings": out})
}

// apiPutMapping maps a SKU ({"item": "Widget"}) or marks it created in
// QuickBooks ({"create": "inventory"}), with the mapping page's checks,
// then plans the store's unposted documents again; DELETE clears it.
func (s *server) apiPutMapping(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	m, err := s.loadStoreParam(ctx, mux.Vars(r)["id"])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sku := strings.TrimSpace(mux.Vars(r)["sku"])
	c, err := s.loadCatalogue(ctx, m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	j, ok := c.lookup(sku)
	if !ok {
		s.fail(w, r, &httpError{status: http.StatusNotFound, msg: fmt.Sprintf("SKU %q is not in store %s's catalogue as last pulled, nor in an order waiting to post.", clip(sku), m.st.StoreHash)})
		return
	}
	sku = c.rows[j].Key
	var body struct {
		Item   string `json:"item"`
		Create string `json:"create"`
	}
	if r.Method == http.MethodPut {
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil {
			s.fail(w, r, &httpError{status: http.StatusBadRequest, msg: `The body must be {"item": "<QuickBooks item>"} or {"create": "noninventory"|"inventory"}: ` + err.Error()})
			return
		}
		if (body.Item == "") == (body.Create == "") {
			s.fail(w, r, &httpError{status: http.StatusBadRequest, msg: `Give either "item" (the QuickBooks item to post to) or "create" (noninventory or inventory), not both.`})
			return
		}
		if body.Item != "" {
			item, msg := m.productItem(body.Item)
			if msg != "" {
				s.fail(w, r, &httpError{status: http.StatusBadRequest, msg: msg})
				return
			}
			body.Item = item
		} else if body.Create != plan.ItemsCreateNonInventory && body.Create != plan.ItemsCreateInventory {
			s.fail(w, r, &httpError{status: http.StatusBadRequest, msg: fmt.Sprintf(`"create" is %q; it must be "noninventory" or "inventory".`, clip(body.Create))})
			return
		}
	}
	err = s.updateSettings(ctx, m, func(st *plan.Settings) {
		delete(st.SKUs, sku)
		delete(st.CreateSKUs, sku)
		switch {
		case body.Item != "":
			if st.SKUs == nil {
				st.SKUs = map[string]string{}
			}
			st.SKUs[sku] = body.Item
		case body.Create != "":
			if st.CreateSKUs == nil {
				st.CreateSKUs = map[string]string{}
			}
			st.CreateSKUs[sku] = body.Create
		}
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	replanned := 0
	if s.API.Replan != nil && m.st.CompanyID != 0 {
		if replanned, err = s.API.Replan(ctx, m.st.ID); err != nil {
			s.fail(w, r, fmt.Errorf("the mapping was saved, but planning again failed: %w", err))
			return
		}
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"sku": sku, "item": body.Item, "create": body.Create, "replanned": replanned})
}
