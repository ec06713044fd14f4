package web

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/store"
)

// Connect is what the connect page reads and writes in the store.
type Connect interface {
	Users(ctx context.Context) ([]store.User, error)
	UserByName(ctx context.Context, username string) (store.User, error)
	CreateUser(ctx context.Context, username, password string) (store.User, error)
	PutUser(ctx context.Context, username, password string) (store.User, error)
	Companies(ctx context.Context) ([]store.Company, error)
	BCStores(ctx context.Context) ([]store.BCStore, error)
	BCStoreByHash(ctx context.Context, hash string) (store.BCStore, error)
	BCStoreToken(ctx context.Context, sealer *store.Sealer, id int64) (string, error)
	BCStoreInfos(ctx context.Context) (map[int64]store.BCStoreInfo, error)
	ConnectBCStore(ctx context.Context, sealer *store.Sealer, in store.BCStoreInput, info store.BCStoreInfo) (store.BCStore, error)
	LatestSessions(ctx context.Context) (map[int64]store.Session, error)
}

// ConnectDeps are what the connect page needs beyond the store.
type ConnectDeps struct {
	// BigCommerceAPIURL is BigCommerce's API base, "{store_hash}" in it
	// replaced by the store's hash (BCQB_BIGCOMMERCE_API_URL, the offline
	// store); empty is BigCommerce's own.
	BigCommerceAPIURL string
	// BigCommerceHTTP sends the connection tests (nil: a client with a 10 s timeout).
	BigCommerceHTTP *http.Client
	// Sealer seals the tokens the page stores, and opens them to test a
	// store again or to show their last four characters; the pull's own.
	Sealer *store.Sealer
	// QueuePull queues a pull of a store at once (after it is connected or
	// its backfill date changes); nil leaves it to the schedule.
	QueuePull func(ctx context.Context, storeID int64) error
	// CAThumbprint and CAName describe bcqb's own root certificate (empty when
	// bcqb does not run its own CA): the thumbprint the user compares in Windows.
	CAThumbprint string
	CAName       string
	// SelfCheckHTTP fetches the base URL's /support as the Web Connector
	// would, trusting what the Windows PC is told to trust (bcqb's root, or
	// the certificate bcqb was given) besides the system's roots. Nil: a
	// client with the system's roots.
	SelfCheckHTTP *http.Client
	// ConfiguredStores and ConfiguredUsers are the store hashes and Web
	// Connector users bcqb's configuration (BCQB_… variables, BCQB_SETUP)
	// sets again at every start: edits made here last until the next restart.
	ConfiguredStores []string
	ConfiguredUsers  []string
}

func (s *server) connectRoutes(r *mux.Router) {
	r.HandleFunc("/connect", s.requireLogin(s.connectPage)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/connect/store", s.requireLogin(s.connectStore)).Methods(http.MethodPost)
	r.HandleFunc("/connect/users", s.requireLogin(s.connectAddUser)).Methods(http.MethodPost)
	r.HandleFunc("/connect/password", s.requireLogin(s.connectPassword)).Methods(http.MethodPost)
}

// Form field names of the connect page.
const (
	fieldStoreHash = "store_hash"
	fieldToken     = "token"
	fieldUser      = "user"
	fieldBackfill  = "backfill_from"
	fieldAction    = "action"
	fieldNewUser   = "username"
)

// Input limits. A store hash is a short code, but a pasted API path
// (https://api.bigcommerce.com/stores/abc123/v3/) is accepted and cut down
// to it. 72 bytes is bcrypt's limit: a longer password would be cut silently.
const (
	maxStoreHashInput  = 200
	maxStoreHash       = 32
	maxToken           = 200
	maxUsername        = 64
	minQBWCPassword    = 8
	maxQBWCPassword    = 72
	bigCommerceTimeout = 20 * time.Second
	selfCheckTimeout   = 4 * time.Second
	// certWarnBefore is how close to its expiry a certificate is flagged;
	// bcqb's own CA renews the server certificate 30 days before.
	certWarnBefore = 30 * 24 * time.Hour
)

// bigCommerceScopes are the API account's scopes bcqb needs, in the
// control panel's words.
const bigCommerceScopes = "read-only access to Information & settings, Orders, Order transactions and Customers; Products read-only " +
	"(modify, with Inventory modify, if bcqb sends QuickBooks' quantities to BigCommerce)"

var (
	storeHashRE = regexp.MustCompile(`^[a-z0-9]+$`)
	tokenRE     = regexp.MustCompile(`^[A-Za-z0-9._~-]+$`)
	usernameRE  = regexp.MustCompile(`^[A-Za-z0-9._@-]+$`)
	// apiPathRE finds the hash in a pasted API path.
	apiPathRE = regexp.MustCompile(`(?i)stores/([^/?#\s]+)`)
)

// storeForm is the connect-a-store form as typed (never the token).
type storeForm struct {
	StoreHash string
	User      string
	Backfill  string
	// Existing is the masked token of the connected store the hash names:
	// the token field may then stay empty to keep it.
	Existing string
	Errors   map[string]string
	// Problem is the connection test's failure, or why saving failed.
	Problem string
	// Tested is the store a test-only press found.
	Tested *bigcommerce.StoreInfo
}

type userForm struct {
	Username string
	Errors   map[string]string
}

type passwordForm struct {
	User   string
	Errors map[string]string
}

type connectPage struct {
	pageData
	Flash      string
	FlashError bool
	Stores     []connectStoreRow
	Users      []connectUserRow
	StoreForm  storeForm
	UserForm   userForm
	Password   passwordForm
	// PasswordRule is the Web Connector password rule, in words.
	PasswordRule string
	MinPassword  int
	// Scopes are the API account's scopes bcqb needs, in words.
	Scopes       string
	CAThumbprint string
	CAName       string
	Checks       []check
	ChecksFailed int
}

// connectStoreRow shows a connected store; its token only masked.
type connectStoreRow struct {
	store.BCStore
	Info         store.BCStoreInfo
	User         string
	CompanyFile  string
	Token        string
	TokenProblem string
	FromConfig   bool
}

type connectUserRow struct {
	Username    string
	CompanyFile string
	CompanyName string
	Stores      []string
	FromConfig  bool
	Call        sessionWords
}

// sessionWords is the Web Connector's last call, in words.
type sessionWords struct {
	At     time.Time
	From   string
	What   string
	Error  string
	Called bool
}

// check is one of the Web Connector's rules, checked against bcqb's
// configuration or by fetching bcqb's own address.
type check struct {
	Rule string
	OK   bool
	Warn bool
	// Skipped marks a check that could not run (the certificate, when the
	// fetch failed before any certificate was seen).
	Skipped bool
	Detail  string
	Fix     string
}

func (s *server) connectPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.connectData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	if hash := q.Get("edit"); hash != "" {
		for _, st := range d.Stores {
			if st.StoreHash == hash {
				d.StoreForm.StoreHash, d.StoreForm.User, d.StoreForm.Existing = st.StoreHash, st.User, st.Token
				if !st.BackfillFrom.IsZero() {
					d.StoreForm.Backfill = st.BackfillFrom.Format(time.DateOnly)
				}
			}
		}
	}
	d.Flash, d.FlashError = s.connectFlash(q, d)
	s.renderConnect(w, r, http.StatusOK, d)
}

// connectFlash is the message of a finished action (POST → redirect → GET),
// made here from a fixed code and a name that exists, so a link cannot put
// words of its own on the page.
func (s *server) connectFlash(q url.Values, d connectPage) (string, bool) {
	switch q.Get("done") {
	case "connected", "connected-unqueued", "connected-later":
		for _, st := range d.Stores {
			if st.StoreHash != q.Get("store") {
				continue
			}
			msg := fmt.Sprintf("Store %s (%s) is connected", st.StoreHash, st.Info.Name)
			if st.User != "" {
				msg += " and posts to the company file of Web Connector user " + st.User
			}
			switch q.Get("done") {
			case "connected-unqueued":
				return msg + ". Its first pull could not be queued now (see the bcqb log); it starts at the next scheduled pull.", true
			case "connected-later":
				return msg + ". Its first pull starts at the next scheduled pull.", false
			}
			return msg + ". Its first pull is queued: see “Last pull” below.", false
		}
	case "user", "password":
		for _, u := range d.Users {
			if u.Username != q.Get("user") {
				continue
			}
			if q.Get("done") == "user" {
				return "Web Connector user " + u.Username + " is created. Download its .qwc file below and open it on the QuickBooks PC.", false
			}
			return "The password of " + u.Username + " is changed. Type the new one in the Web Connector (the password field of its row) before the next update.", false
		}
	}
	return "", false
}

func (s *server) renderConnect(w http.ResponseWriter, r *http.Request, status int, d connectPage) {
	d.PasswordRule = fmt.Sprintf("%d to %d characters", minQBWCPassword, maxQBWCPassword)
	d.MinPassword, d.Scopes = minQBWCPassword, bigCommerceScopes
	d.CAThumbprint, d.CAName = s.Connect.CAThumbprint, s.Connect.CAName
	d.Checks = s.selfCheck(r.Context())
	for _, c := range d.Checks {
		if !c.OK && !c.Skipped {
			d.ChecksFailed++
		}
	}
	if d.StoreForm.User == "" && len(d.Users) == 1 {
		d.StoreForm.User = d.Users[0].Username
	}
	if d.Password.User == "" && len(d.Users) == 1 {
		d.Password.User = d.Users[0].Username
	}
	s.render(w, r, status, "connect.html", d)
}

// connectData reads what the page lists.
func (s *server) connectData(r *http.Request) (connectPage, error) {
	ctx := r.Context()
	d := connectPage{pageData: s.pageData(r, "Connect")}
	users, err := s.Store.Users(ctx)
	if err != nil {
		return d, err
	}
	companies, err := s.Store.Companies(ctx)
	if err != nil {
		return d, err
	}
	stores, err := s.Store.BCStores(ctx)
	if err != nil {
		return d, err
	}
	infos, err := s.Store.BCStoreInfos(ctx)
	if err != nil {
		return d, err
	}
	sessions, err := s.Store.LatestSessions(ctx)
	if err != nil {
		return d, err
	}
	company := map[int64]store.Company{}
	for _, c := range companies {
		company[c.ID] = c
	}
	userOf := map[int64]string{}
	for _, u := range users {
		userOf[u.CompanyID] = u.Username
	}
	storesOf := map[int64][]string{}
	now := s.Store.Now()
	for _, st := range stores {
		row := connectStoreRow{BCStore: st, Info: infos[st.ID], User: userOf[st.CompanyID],
			CompanyFile: company[st.CompanyID].CompanyFile, FromConfig: slices.Contains(s.Connect.ConfiguredStores, st.StoreHash)}
		row.Token, row.TokenProblem = s.maskedToken(ctx, st.ID)
		d.Stores = append(d.Stores, row)
		storesOf[st.CompanyID] = append(storesOf[st.CompanyID], st.StoreHash)
	}
	for _, u := range users {
		c := company[u.CompanyID]
		row := connectUserRow{Username: u.Username, CompanyFile: c.CompanyFile, CompanyName: c.CompanyName,
			Stores: storesOf[u.CompanyID], FromConfig: slices.Contains(s.Connect.ConfiguredUsers, u.Username)}
		if se, ok := sessions[u.CompanyID]; ok {
			row.Call = describeSession(se, now)
		}
		d.Users = append(d.Users, row)
	}
	return d, nil
}

// maskedToken opens a store's token only to show its last four characters,
// or says why it cannot be opened.
func (s *server) maskedToken(ctx context.Context, storeID int64) (string, string) {
	tok, err := s.Store.BCStoreToken(ctx, s.Connect.Sealer, storeID)
	switch {
	case errors.Is(err, store.ErrSealed):
		return "", "bcqb cannot decrypt this store's token (the secret key changed or secret.key was lost): connect the store again with its token."
	case err != nil:
		s.Log.ErrorContext(ctx, "open a BigCommerce token to mask it", "store", storeID, "err", err)
		return "", "bcqb could not read this store's token; see the bcqb log."
	}
	return maskToken(tok), ""
}

// maskToken shows that a token is there and which one, never enough of it
// to use: the last four characters of a long token, nothing of a short one.
func maskToken(tok string) string {
	const dots = "••••••••"
	if utf8.RuneCountInString(tok) < 12 {
		return dots
	}
	r := []rune(tok)
	return dots + string(r[len(r)-4:])
}

// describeSession says when the Web Connector last called and how it went.
func describeSession(se store.Session, now time.Time) sessionWords {
	w := sessionWords{At: se.CreatedAt, From: se.RemoteHost, Error: se.LastError, Called: true}
	switch {
	case se.State == store.SessionRefused && se.AuthResult == "busy":
		w.What = "Turned away: another Web Connector was updating this company file at the time."
	case se.State == store.SessionRefused && se.AuthResult == "none":
		w.What = "Logged in; there was nothing to send to QuickBooks."
	case se.State == store.SessionRefused:
		w.What = "Refused."
	case se.State == store.SessionOpen && se.ExpiresAt.After(now):
		w.What = fmt.Sprintf("Updating now: %d done, %d failed so far (last heard from %s).", se.DoneCount, se.FailedCount,
			se.LastSeenAt.UTC().Format("15:04 UTC"))
	case se.State == store.SessionOpen:
		w.What = fmt.Sprintf("Stopped answering in the middle of an update (%d done, %d failed); what it had not answered is sent again next time.",
			se.DoneCount, se.FailedCount)
	case se.Summary != "":
		w.What = se.Summary
	default:
		w.What = fmt.Sprintf("Finished: %d done, %d failed.", se.DoneCount, se.FailedCount)
	}
	if se.CompanyFile != "" {
		w.What += " Company file: " + se.CompanyFile + "."
	}
	return w
}

// parseStoreHash accepts the hash alone or the API path BigCommerce shows
// with an API account, and says what is wrong in words.
func parseStoreHash(raw string) (string, string) {
	v := strings.TrimSpace(raw)
	switch {
	case v == "":
		return "", "Enter the store hash: the code after /stores/ in the API path BigCommerce shows with the API account (https://api.bigcommerce.com/stores/abc123/v3/ has the hash abc123)."
	case len(v) > maxStoreHashInput:
		return "", fmt.Sprintf("The store hash is too long (%d characters): it is a short code of letters and digits, like abc123.", len(v))
	}
	if m := apiPathRE.FindStringSubmatch(v); m != nil {
		v = m[1]
	}
	v = strings.ToLower(v)
	switch {
	case len(v) > maxStoreHash:
		return "", fmt.Sprintf("The store hash is too long (%d characters; at most %d): it is a short code of letters and digits, like abc123.", len(v), maxStoreHash)
	case !storeHashRE.MatchString(v):
		return "", "The store hash has only letters and digits, like abc123: copy it from the API path (https://api.bigcommerce.com/stores/abc123/v3/)."
	}
	return v, ""
}

// storeInput is a validated store form.
type storeInput struct {
	hash, token string
	existing    *store.BCStore
	companyID   int64
	backfill    time.Time
}

// readStoreForm validates the store form; a nil error with field errors
// set means the input is bad.
func (s *server) readStoreForm(r *http.Request, f *storeForm) (storeInput, error) {
	ctx := r.Context()
	form := r.PostForm
	f.StoreHash, f.User, f.Backfill = strings.TrimSpace(form.Get(fieldStoreHash)), form.Get(fieldUser), strings.TrimSpace(form.Get(fieldBackfill))
	f.Errors = map[string]string{}
	var in storeInput
	hash, msg := parseStoreHash(f.StoreHash)
	if msg != "" {
		f.Errors[fieldStoreHash] = msg
	} else {
		in.hash, f.StoreHash = hash, hash
		st, err := s.Store.BCStoreByHash(ctx, hash)
		switch {
		case err == nil:
			in.existing = &st
			f.Existing, _ = s.maskedToken(ctx, st.ID)
		case !errors.Is(err, store.ErrNotFound):
			return in, err
		}
	}
	tok := strings.TrimSpace(form.Get(fieldToken))
	switch {
	case tok == "" && in.existing == nil && msg == "":
		f.Errors[fieldToken] = "Enter the access token of the store's API account (BigCommerce shows it once, when the API account is created)."
	case tok == "" && in.existing == nil:
		f.Errors[fieldToken] = "Enter the access token of the store's API account."
	case len(tok) > maxToken:
		f.Errors[fieldToken] = fmt.Sprintf("The access token is too long (%d characters; at most %d): copy the Access Token alone, not the whole file BigCommerce downloads.", len(tok), maxToken)
	case tok != "" && !tokenRE.MatchString(tok):
		f.Errors[fieldToken] = "The access token has only letters and digits: copy the Access Token alone (not the Client ID or Client Secret, and without spaces)."
	}
	in.token = tok
	switch {
	case f.User == "":
		f.Errors[fieldUser] = "Choose the Web Connector user whose company file this store posts to (add one under “Web Connector users” first if there is none)."
	case len(f.User) > maxUsername:
		f.Errors[fieldUser] = "There is no Web Connector user of that name."
	default:
		u, err := s.Store.UserByName(ctx, f.User)
		switch {
		case errors.Is(err, store.ErrNotFound):
			f.Errors[fieldUser] = fmt.Sprintf("There is no Web Connector user %q: choose one from the list.", f.User)
		case err != nil:
			return in, err
		default:
			in.companyID = u.CompanyID
		}
	}
	if t, problem := parseBackfill(f.Backfill, s.Store.Now()); problem != "" {
		f.Errors[fieldBackfill] = "The backfill date " + problem
	} else {
		in.backfill = t
	}
	return in, nil
}

// parseBackfill reads the date history is pulled from: empty (only new
// orders), or a day from 2000 to today; problem says what is wrong, to
// follow the field's name.
func parseBackfill(v string, now time.Time) (t time.Time, problem string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, ""
	}
	t, err := time.Parse(time.DateOnly, v)
	switch {
	case len(v) > len(time.DateOnly) || err != nil:
		return time.Time{}, "is not a date like 2025-01-31."
	case t.After(now):
		return time.Time{}, "is in the future: choose the first day whose orders should reach QuickBooks, or leave it empty to post only new orders."
	case t.Year() < 2000:
		return time.Time{}, "is before 2000: choose the first day whose orders should reach QuickBooks."
	}
	return t, ""
}

// testToken is the token to test: the one typed, or the stored one.
func (s *server) testToken(ctx context.Context, in storeInput) (string, string, error) {
	if in.token != "" {
		return in.token, "", nil
	}
	tok, err := s.Store.BCStoreToken(ctx, s.Connect.Sealer, in.existing.ID)
	if errors.Is(err, store.ErrSealed) {
		return "", "bcqb cannot decrypt this store's saved token (the secret key changed or secret.key was lost): type the access token again.", nil
	}
	return tok, "", err
}

type testAnswer struct {
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

func (s *server) connectStore(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	action := r.PostForm.Get(fieldAction)
	var f storeForm
	in, err := s.readStoreForm(r, &f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	answer := func(status int) {
		if wantsJSON(r) {
			a := testAnswer{OK: status == http.StatusOK, Message: f.Problem}
			if f.Tested != nil {
				a.Message = testedWords(*f.Tested)
			}
			if len(f.Errors) > 0 {
				a.Message = strings.Join(sortedValues(f.Errors), " ")
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(a)
			return
		}
		s.renderConnectWith(w, r, status, func(d *connectPage) { d.StoreForm = f })
	}
	if len(f.Errors) > 0 {
		answer(http.StatusUnprocessableEntity)
		return
	}
	tok, problem, err := s.testToken(ctx, in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if problem != "" {
		f.Errors[fieldToken] = problem
		answer(http.StatusUnprocessableEntity)
		return
	}
	info, problem := s.testBigCommerce(ctx, in.hash, tok)
	if problem != "" {
		f.Problem = problem
		answer(http.StatusUnprocessableEntity)
		return
	}
	if action == "test" {
		f.Tested = &info
		answer(http.StatusOK)
		return
	}
	st, err := s.Store.ConnectBCStore(ctx, s.Connect.Sealer,
		store.BCStoreInput{StoreHash: in.hash, Token: tok, CompanyID: in.companyID, BackfillFrom: in.backfill},
		store.BCStoreInfo{Name: info.Name, Domain: info.Domain, Currency: info.Currency, Plan: info.PlanName, TestedAt: s.Store.Now()})
	var relink *store.RelinkError
	switch {
	case errors.As(err, &relink):
		f.Errors[fieldUser] = fmt.Sprintf("Store %s already has %d document(s) in its company file, so it cannot move to the company file of %s: "+
			"its refunds and changes would post where its sales are not. Keep its Web Connector user.", in.hash, relink.Postings, f.User)
		answer(http.StatusConflict)
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	s.Log.InfoContext(ctx, "BigCommerce store connected from the page", "store", st.StoreHash, "company", st.CompanyID,
		"new_token", in.token != "")
	done := "connected-later"
	if s.Connect.QueuePull != nil {
		done = "connected"
		if err := s.Connect.QueuePull(ctx, st.ID); err != nil {
			s.Log.ErrorContext(ctx, "queue the first pull of a store connected from the page", "store", st.StoreHash, "err", err)
			done = "connected-unqueued"
		}
	}
	http.Redirect(w, r, "/connect?"+url.Values{"done": {done}, "store": {st.StoreHash}}.Encode()+"#stores", http.StatusSeeOther)
}

func testedWords(info bigcommerce.StoreInfo) string {
	name := info.Name
	if info.Domain != "" {
		name += " (" + info.Domain + ")"
	}
	return fmt.Sprintf("The connection works: store %s, currency %s, plan %s.", name, orUnknown(info.Currency), orUnknown(info.PlanName))
}

func orUnknown(s string) string {
	if s == "" {
		return "not given"
	}
	return s
}

func sortedValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, k := range []string{fieldStoreHash, fieldToken, fieldUser, fieldBackfill, fieldNewUser, fieldPassword, fieldConfirm} {
		if v, ok := m[k]; ok {
			out = append(out, v)
		}
	}
	return out
}

// statusRecorder remembers the last HTTP status BigCommerce answered, so
// that a test cut short by its deadline while waiting out 429s still says so.
type statusRecorder struct {
	rt     http.RoundTripper
	mu     sync.Mutex
	status int
}

func (s *statusRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.rt.RoundTrip(req)
	if err == nil {
		s.mu.Lock()
		s.status = resp.StatusCode
		s.mu.Unlock()
	}
	return resp, err
}

func (s *statusRecorder) last() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// testBigCommerce asks BigCommerce for the store's settings (GET /v2/store)
// with the credentials, and says what went wrong in words. It retries
// little: the user is waiting.
func (s *server) testBigCommerce(ctx context.Context, hash, token string) (bigcommerce.StoreInfo, string) {
	hc := &http.Client{Timeout: 10 * time.Second}
	if s.Connect.BigCommerceHTTP != nil {
		*hc = *s.Connect.BigCommerceHTTP
	}
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	rec := &statusRecorder{rt: rt}
	hc.Transport = rec
	c, err := bigcommerce.New(bigcommerce.Config{StoreHash: hash, Token: token, BaseURL: s.Connect.BigCommerceAPIURL,
		HTTPClient: hc, MaxRetries: 1, BackoffBase: 250 * time.Millisecond, BackoffMax: time.Second, Logger: s.Log})
	if err != nil {
		return bigcommerce.StoreInfo{}, "bcqb's BigCommerce API address is wrong (BCQB_BIGCOMMERCE_API_URL): " + err.Error()
	}
	ctx, cancel := context.WithTimeout(ctx, bigCommerceTimeout)
	defer cancel()
	info, err := c.Store(ctx)
	if err != nil {
		return info, s.describeTestError(hash, err, rec.last())
	}
	// BigCommerce names the store the token belongs to; a token of another
	// store is refused before it could pull the wrong orders.
	if info.ID != "" && !strings.EqualFold(info.ID, hash) {
		return info, fmt.Sprintf("This access token belongs to store %s (%s), not to store %s: use that store's hash, or the token of an API account of store %s.",
			info.ID, info.Name, hash, hash)
	}
	return info, ""
}

// bigCommerceHost is the host the tests call, for the messages.
func (s *server) bigCommerceHost() string {
	if s.Connect.BigCommerceAPIURL == "" {
		return "api.bigcommerce.com"
	}
	if u, err := url.Parse(s.Connect.BigCommerceAPIURL); err == nil && u.Host != "" {
		return u.Host
	}
	return s.Connect.BigCommerceAPIURL
}

func (s *server) describeTestError(hash string, err error, lastStatus int) string {
	var apiErr *bigcommerce.APIError
	said := ""
	if errors.As(err, &apiErr) && apiErr.Message != "" {
		said = " BigCommerce said: “" + strings.TrimRight(apiErr.Message, ".") + "”."
	}
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var unknownCA x509.UnknownAuthorityError
	var badName x509.HostnameError
	var invalid x509.CertificateInvalidError
	host := s.bigCommerceHost()
	switch {
	case errors.Is(err, bigcommerce.ErrUnauthorized):
		return "BigCommerce refused the access token (401 Unauthorized): it is mistyped, was revoked, or belongs to another store. " +
			"Copy the Access Token of a store-level API account (Settings → API → Store-level API accounts) again." + said
	case errors.Is(err, bigcommerce.ErrForbidden):
		return "BigCommerce accepted the token but refused to show the store's settings (403 Forbidden): the API account lacks a scope. " +
			"Edit the API account to give it " + bigCommerceScopes + "." + said
	case errors.Is(err, bigcommerce.ErrNotFound):
		return fmt.Sprintf("BigCommerce has no store with the hash %s (404 Not Found). The store hash is the code after /stores/ in the API path "+
			"shown with the API account (https://api.bigcommerce.com/stores/abc123/v3/ has the hash abc123).", hash) + said
	case errors.Is(err, bigcommerce.ErrRateLimited) || (lastStatus == http.StatusTooManyRequests && errors.Is(err, context.DeadlineExceeded)):
		return "BigCommerce answered 429 Too Many Requests, again after waiting: other apps are using the store's API quota. Test again in a minute."
	case errors.Is(err, bigcommerce.ErrServer):
		code := lastStatus
		if apiErr != nil {
			code = apiErr.StatusCode
		}
		return fmt.Sprintf("BigCommerce answered with a server error (%d %s), again when asked a second time: the problem is on BigCommerce's side. "+
			"Test again in a few minutes (status.bigcommerce.com shows outages).", code, http.StatusText(code)) + said
	case errors.Is(err, bigcommerce.ErrTruncated):
		return "BigCommerce's answer was cut off before its end, twice: the network between bcqb and BigCommerce dropped it. Test again."
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("bcqb could not look up %s (DNS: %v): check this machine's internet connection and DNS settings.", host, dnsErr)
	case errors.As(err, &unknownCA), errors.As(err, &badName), errors.As(err, &invalid):
		return fmt.Sprintf("bcqb does not trust the certificate %s answered with (%v): a proxy or firewall may be intercepting HTTPS, or this machine's clock is wrong.", host, err)
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Sprintf("BigCommerce (%s) did not answer within %d seconds: check this machine's internet connection, firewall and proxy, then test again.",
			host, int(bigCommerceTimeout/time.Second))
	case errors.As(err, &opErr):
		return fmt.Sprintf("bcqb could not connect to %s (%v): check this machine's internet connection, firewall and proxy.", host, opErr.Err)
	}
	return "The test failed: " + err.Error()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// readUsername validates a new Web Connector user's name.
func readUsername(raw string) (string, string) {
	name := strings.TrimSpace(raw)
	switch {
	case name == "":
		return "", "Enter a user name: the name the Web Connector logs in with, for example qb."
	case len(name) > maxUsername:
		return "", fmt.Sprintf("The user name is too long (%d characters; at most %d).", len(name), maxUsername)
	case !usernameRE.MatchString(name):
		return "", "The user name may have letters, digits and . _ @ - only (no spaces)."
	}
	return name, ""
}

// readQBWCPassword validates a Web Connector password typed twice; the
// password is never put back into the form.
func readQBWCPassword(form url.Values, errs map[string]string) string {
	pw := form.Get(fieldPassword)
	switch {
	case pw == "":
		errs[fieldPassword] = "Enter a password: the Web Connector asks for it once and keeps it."
	case utf8.RuneCountInString(pw) < minQBWCPassword:
		errs[fieldPassword] = fmt.Sprintf("The password is too short: at least %d characters.", minQBWCPassword)
	case len(pw) > maxQBWCPassword:
		errs[fieldPassword] = fmt.Sprintf("The password is too long: at most %d bytes (bcrypt's limit).", maxQBWCPassword)
	case pw != form.Get(fieldConfirm):
		errs[fieldConfirm] = "The two passwords differ: type the same one twice."
	}
	return pw
}

func (s *server) connectAddUser(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := userForm{Username: strings.TrimSpace(r.PostForm.Get(fieldNewUser)), Errors: map[string]string{}}
	name, msg := readUsername(f.Username)
	if msg != "" {
		f.Errors[fieldNewUser] = msg
	}
	pw := readQBWCPassword(r.PostForm, f.Errors)
	status := http.StatusUnprocessableEntity
	if len(f.Errors) == 0 {
		_, err := s.Store.CreateUser(ctx, name, pw)
		switch {
		case errors.Is(err, store.ErrConflict):
			status = http.StatusConflict
			f.Errors[fieldNewUser] = fmt.Sprintf("There is already a Web Connector user %s: choose another name, or change its password below.", name)
		case err != nil:
			s.fail(w, r, err)
			return
		default:
			s.Log.InfoContext(ctx, "Web Connector user created from the page", "user", name)
			http.Redirect(w, r, "/connect?"+url.Values{"done": {"user"}, "user": {name}}.Encode()+"#users", http.StatusSeeOther)
			return
		}
	}
	s.renderConnectWith(w, r, status, func(d *connectPage) { d.UserForm = f })
}

func (s *server) connectPassword(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := passwordForm{User: r.PostForm.Get(fieldUser), Errors: map[string]string{}}
	if f.User == "" {
		f.Errors[fieldUser] = "Choose the Web Connector user whose password changes."
	} else if _, err := s.Store.UserByName(ctx, f.User); errors.Is(err, store.ErrNotFound) {
		f.Errors[fieldUser] = fmt.Sprintf("There is no Web Connector user %q: choose one from the list.", f.User)
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	pw := readQBWCPassword(r.PostForm, f.Errors)
	if len(f.Errors) == 0 {
		if _, err := s.Store.PutUser(ctx, f.User, pw); err != nil {
			s.fail(w, r, err)
			return
		}
		s.Log.InfoContext(ctx, "Web Connector password changed from the page", "user", f.User)
		http.Redirect(w, r, "/connect?"+url.Values{"done": {"password"}, "user": {f.User}}.Encode()+"#users", http.StatusSeeOther)
		return
	}
	s.renderConnectWith(w, r, http.StatusUnprocessableEntity, func(d *connectPage) { d.Password = f })
}

// renderConnectWith renders the page again with a refused form's input and
// errors in place.
func (s *server) renderConnectWith(w http.ResponseWriter, r *http.Request, status int, set func(*connectPage)) {
	d, err := s.connectData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	set(&d)
	s.renderConnect(w, r, status, d)
}

// selfCheck checks the Web Connector's rules against the base URL: the
// rules it applies when the .qwc file is added, then a real fetch of
// /support (the AppSupport URL it checks) and the certificate that answered.
func (s *server) selfCheck(ctx context.Context) []check {
	u, err := url.Parse(s.BaseURL)
	if err != nil || u.Host == "" {
		return []check{{Rule: "bcqb's address is a URL", Detail: fmt.Sprintf("BCQB_BASE_URL is %q.", s.BaseURL),
			Fix: "Set BCQB_BASE_URL to the address the QuickBooks PC reaches bcqb at, like https://qb-server.local:8443, and restart bcqb."}}
	}
	host := u.Hostname()
	local := strings.EqualFold(host, "localhost")
	ip := net.ParseIP(host) != nil
	var out []check

	https := check{Rule: "The address is HTTPS (plain http only on localhost)"}
	switch scheme := strings.ToLower(u.Scheme); {
	case scheme == "https":
		https.OK, https.Detail = true, "bcqb's address is "+s.BaseURL+"."
	case scheme == "http" && local:
		https.OK, https.Detail = true, "Plain http is allowed because the address is localhost: QuickBooks and the Web Connector run on this machine."
	default:
		https.Detail = fmt.Sprintf("bcqb's address %s is %s on %s: the Web Connector allows plain http only for localhost (QBWC1010), and would send its password in clear.",
			s.BaseURL, scheme, host)
		https.Fix = "Set BCQB_BASE_URL=https://" + nameHint(host) + portOf(u) + " and restart bcqb: bcqb then serves HTTPS with a certificate of its own " +
			"(or the one in BCQB_TLS_CERT), and this page shows how to trust it on the QuickBooks PC."
	}
	out = append(out, https)

	name := check{Rule: "The host is a name, not an IP address"}
	if ip {
		name.Detail = fmt.Sprintf("bcqb's address uses the IP address %s: the Web Connector refuses IP addresses for https (QBWC1001), even on a LAN.", host)
		name.Fix = "Use this machine's name instead (its Windows or network name, or one you add to DNS or to C:\\Windows\\System32\\drivers\\etc\\hosts " +
			"on the QuickBooks PC), set BCQB_BASE_URL=" + strings.ToLower(u.Scheme) + "://<that name>" + portOf(u) + " and restart bcqb."
	} else {
		name.OK, name.Detail = true, "The host is "+host+"."
	}
	out = append(out, name)

	support, cert := s.checkSupport(ctx, u)
	out = append(out, support)
	if cert != nil {
		out = append(out, *cert)
	}
	return out
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return ":" + p
	}
	return ""
}

func nameHint(host string) string {
	if net.ParseIP(host) != nil {
		return "<this machine's name>"
	}
	return host
}

// checkSupport fetches <base>/support as the Web Connector does when the
// .qwc file is added, and checks the certificate that answered.
func (s *server) checkSupport(ctx context.Context, u *url.URL) (check, *check) {
	target := strings.TrimSuffix(s.BaseURL, "/") + "/support"
	c := check{Rule: "The support page answers 200 (the AppSupport URL in the .qwc file)"}
	hc := s.Connect.SelfCheckHTTP
	if hc == nil {
		hc = &http.Client{}
	}
	ctx, cancel := context.WithTimeout(ctx, selfCheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		c.Detail, c.Fix = "bcqb could not make a request for "+target+": "+err.Error(), "Correct BCQB_BASE_URL and restart bcqb."
		return c, nil
	}
	https := strings.EqualFold(u.Scheme, "https")
	var certCheck *check
	if https {
		certCheck = &check{Rule: "The certificate names " + u.Hostname() + " and is not expiring"}
	}
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		c.Detail, c.Fix = describeFetchError(target, u.Hostname(), err, certCheck)
		if certCheck != nil && certCheck.Detail == "" {
			certCheck.Skipped, certCheck.Detail = true, "Not checked: no certificate was seen, as the support page could not be fetched."
		}
		return c, certCheck
	}
	resp.Body.Close()
	took := time.Since(start).Round(time.Millisecond)
	if resp.StatusCode == http.StatusOK {
		c.OK, c.Detail = true, fmt.Sprintf("GET %s answered 200 in %s.", target, took)
	} else {
		c.Detail = fmt.Sprintf("GET %s answered %d %s, not 200: the Web Connector refuses to add the .qwc file then.", target, resp.StatusCode, http.StatusText(resp.StatusCode))
		c.Fix = "Something other than bcqb answers at that address (a proxy, or another program on the port). Make " + s.BaseURL + " reach bcqb, or set BCQB_BASE_URL to the address that does."
	}
	if certCheck != nil && resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		*certCheck = s.describeCert(u.Hostname(), resp.TLS.PeerCertificates[0])
	}
	return c, certCheck
}

func (s *server) describeCert(host string, leaf *x509.Certificate) check {
	c := check{Rule: "The certificate names " + host + " and is not expiring"}
	now := s.Store.Now()
	expires := leaf.NotAfter.UTC().Format(time.DateOnly)
	switch {
	case leaf.VerifyHostname(host) != nil:
		c.Detail = fmt.Sprintf("The certificate names %s, not %s.", strings.Join(leaf.DNSNames, ", "), host)
		c.Fix = "Give bcqb a certificate for " + host + " (BCQB_TLS_CERT), or let bcqb issue its own (leave BCQB_TLS_CERT unset)."
	case now.After(leaf.NotAfter):
		c.Detail = "The certificate expired on " + expires + "."
		c.Fix = s.renewFix()
	case leaf.NotAfter.Sub(now) < certWarnBefore:
		c.OK, c.Warn = true, true
		c.Detail = fmt.Sprintf("The certificate names %s but expires on %s, in %d days.", host, expires, int(leaf.NotAfter.Sub(now)/(24*time.Hour)))
		c.Fix = s.renewFix()
	default:
		c.OK, c.Detail = true, fmt.Sprintf("The certificate names %s and is valid until %s.", host, expires)
	}
	return c
}

func (s *server) renewFix() string {
	if s.Connect.CAThumbprint != "" {
		return "bcqb renews its own certificate 30 days before it expires, once a day: restart bcqb, and look in the bcqb log for “renew certificate” if it persists."
	}
	return "Replace the certificate in BCQB_TLS_CERT (and its key) with a new one before it expires; bcqb picks the new files up without a restart."
}

// describeFetchError explains why fetching bcqb's own address failed; a
// certificate failure is also the certificate check's.
func describeFetchError(target, host string, err error, cert *check) (string, string) {
	var dnsErr *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var badName x509.HostnameError
	var invalid x509.CertificateInvalidError
	certFail := func(detail, fix string) (string, string) {
		if cert != nil {
			cert.Detail, cert.Fix = detail, fix
		}
		return "GET " + target + " failed on the certificate (see the next check).", fix
	}
	switch {
	case errors.As(err, &badName):
		return certFail(fmt.Sprintf("The certificate that answered names %s, not %s.", strings.Join(badName.Certificate.DNSNames, ", "), host),
			"Give bcqb a certificate for "+host+" (BCQB_TLS_CERT), or let bcqb issue its own (leave BCQB_TLS_CERT unset).")
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return certFail("The certificate that answered has expired (or is not valid yet): "+invalid.Error()+".",
			"Renew the certificate, and check this machine's clock.")
	case errors.As(err, &unknownCA), errors.As(err, &invalid):
		return certFail("The certificate that answered is not issued by bcqb's own root nor by one this machine trusts: "+err.Error()+".",
			"Something else answers at "+host+" (a proxy serving its own certificate?): make the address reach bcqb, or give bcqb that proxy's certificate in BCQB_TLS_CERT.")
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("GET %s failed: this machine cannot look up %s (%v).", target, host, dnsErr),
			"The QuickBooks PC must find " + host + " too: add it to your DNS (or to C:\\Windows\\System32\\drivers\\etc\\hosts on that PC and /etc/hosts here), " +
				"or set BCQB_BASE_URL to a name that is found, and restart bcqb."
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Sprintf("GET %s did not answer within %d seconds.", target, int(selfCheckTimeout/time.Second)),
			"A firewall may drop connections to the port, or the name points to another machine: open the port and make " + host + " point to this machine."
	}
	return "GET " + target + " failed: " + err.Error() + ".",
		"Make " + host + " point to this machine and the port reach bcqb (BCQB_ADDR), or set BCQB_BASE_URL to the address that does, and restart bcqb."
}
