package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/bigcommerce/bcfake"
	"github.com/bcqb/bcqb/pull"
	"github.com/bcqb/bcqb/store"
	"github.com/bcqb/bcqb/web"
)

// The offline store's credentials in these tests.
const (
	fakeHash  = "abc123"
	fakeToken = "bcfaketoken0123456789abcdef3f9a"
)

// bigCommerce is the offline store over HTTP, answering like BigCommerce's
// gateway: only its own store hash exists (any other is 404), beside one
// whose token lacks every scope (403).
type bigCommerce struct {
	*bcfake.Store
	srv *httptest.Server
}

func newBigCommerce(t *testing.T) *bigCommerce {
	t.Helper()
	fake := bcfake.New(bcfake.Options{Seed: 9, Orders: 12, Token: fakeToken, StoreHash: fakeHash,
		Window: 50 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	mux := http.NewServeMux()
	mux.Handle("/stores/"+fakeHash+"/", fake.Handler())
	// A second store whose API account was made without the scopes bcqb needs.
	mux.HandleFunc("/stores/noscope1/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"status":403,"title":"You don't have a required scope to access the endpoint","type":"https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"}`)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"status":404,"title":"Store not found","type":"https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &bigCommerce{Store: fake, srv: srv}
}

func (bc *bigCommerce) apiURL() string { return bc.srv.URL + "/stores/{store_hash}/" }

// connectServer is a server whose connect page reaches bc and queues pulls
// on a real puller against it.
type connectServer struct {
	*testServer
	sealer *store.Sealer
	puller *pull.Puller
}

func newConnectServer(t *testing.T, bc *bigCommerce, o options, users ...string) *connectServer {
	t.Helper()
	key, err := store.LoadOrCreateKey(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := store.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	cs := &connectServer{sealer: sealer}
	next := o.connect
	o.connect = func(ts *testServer) web.ConnectDeps {
		var d web.ConnectDeps
		if next != nil {
			d = next(ts)
		}
		d.Sealer = sealer
		if bc != nil {
			d.BigCommerceAPIURL = bc.apiURL()
			p, err := pull.New(pull.Options{Store: ts.db, Sealer: sealer, APIURL: bc.apiURL(), Poll: 20 * time.Millisecond,
				Log: slog.New(slog.DiscardHandler), Tune: func(c *bigcommerce.Config) { c.BackoffBase, c.BackoffMax = time.Millisecond, 10*time.Millisecond }})
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { p.Close(context.Background()) })
			cs.puller = p
			d.QueuePull = func(ctx context.Context, id int64) error {
				_, err := p.EnqueueStore(ctx, id)
				return err
			}
		}
		return d
	}
	cs.testServer = newServer(t, o, users...)
	return cs
}

// loggedIn is a browser logged in to the page, with its form token.
func (ts *testServer) loggedIn(t *testing.T) (*browser, string) {
	t.Helper()
	if _, err := ts.db.PutAdminPassword(context.Background(), adminPassword); err != nil {
		t.Fatal(err)
	}
	b := ts.browser(t)
	return b, b.login(adminPassword)
}

func storeForm(csrf, action, hash, token, user, backfill string) url.Values {
	return url.Values{"csrf": {csrf}, "action": {action}, "store_hash": {hash}, "token": {token}, "user": {user}, "backfill_from": {backfill}}
}

func TestConnectNeedsLoginAndToken(t *testing.T) {
	bc := newBigCommerce(t)
	ts := newConnectServer(t, bc, options{}, "qb")
	if _, err := ts.db.PutAdminPassword(context.Background(), adminPassword); err != nil {
		t.Fatal(err)
	}
	anon := ts.browser(t)
	if a := anon.get("/connect"); a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != "/login?next=%2Fconnect" {
		t.Errorf("GET /connect without a login = %d %q", a.StatusCode, a.Header.Get("Location"))
	}
	posts := map[string]url.Values{
		"/connect/store":    storeForm("", "connect", fakeHash, fakeToken, "qb", ""),
		"/connect/users":    {"username": {"intruder"}, "password": {"password-x1"}, "confirm": {"password-x1"}},
		"/connect/password": {"user": {"qb"}, "password": {"password-x1"}, "confirm": {"password-x1"}},
	}
	for path, form := range posts {
		t.Run("POST "+path+" without a login", func(t *testing.T) {
			if a := anon.post(path, form); a.StatusCode != http.StatusUnauthorized {
				t.Errorf("= %d %q", a.StatusCode, a.body)
			}
		})
	}
	b, tok := ts.loggedIn(t)
	for path, form := range posts {
		for name, csrf := range map[string]string{"no token": "", "a wrong token": tok + "x"} {
			t.Run("POST "+path+" with "+name, func(t *testing.T) {
				f := url.Values{}
				for k, v := range form {
					f[k] = v
				}
				f.Set("csrf", csrf)
				if a := b.post(path, f); a.StatusCode != http.StatusForbidden || !strings.Contains(a.body, "security token") {
					t.Errorf("= %d %q", a.StatusCode, a.body)
				}
			})
		}
	}
	// Refused means nothing happened.
	ctx := context.Background()
	if stores, _ := ts.db.BCStores(ctx); len(stores) != 0 {
		t.Errorf("a refused post connected %+v", stores)
	}
	if users, _ := ts.db.Users(ctx); len(users) != 1 {
		t.Errorf("a refused post created users: %+v", users)
	}
	if _, err := ts.db.Authenticate(ctx, "qb", "password-qb"); err != nil {
		t.Errorf("a refused post changed the password: %v", err)
	}
}

func TestConnectAStore(t *testing.T) {
	ctx := context.Background()
	bc := newBigCommerce(t)
	ts := newConnectServer(t, bc, options{}, "qb")
	b, tok := ts.loggedIn(t)

	// Testing alone shows the store and stores nothing.
	a := b.post("/connect/store", storeForm(tok, "test", fakeHash, fakeToken, "qb", "2025-01-01"))
	for _, want := range []string{"The connection works", "bcqb Offline Store", "currency USD", "plan Standard", `value="abc123"`, `value="2025-01-01"`} {
		if a.StatusCode != http.StatusOK || !strings.Contains(a.body, want) {
			t.Errorf("test connection = %d, want %q in:\n%s", a.StatusCode, want, a.body)
		}
	}
	if stores, _ := ts.db.BCStores(ctx); len(stores) != 0 {
		t.Errorf("testing stored %+v", stores)
	}
	// The script's variant answers JSON.
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/connect/store", strings.NewReader(storeForm(tok, "test", fakeHash, fakeToken, "qb", "").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Origin", ts.URL)
	a = b.do(req)
	var ans struct {
		OK      bool   `json:"ok"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(a.body), &ans); err != nil || !ans.OK || !strings.Contains(ans.Message, "bcqb Offline Store") {
		t.Errorf("JSON test = %d %q (%v)", a.StatusCode, a.body, err)
	}

	// Connecting tests, stores the token sealed, and queues a pull at once.
	a = b.post("/connect/store", storeForm(tok, "connect", "https://api.bigcommerce.com/stores/ABC123/v3/", fakeToken, "qb", "2025-01-01"))
	if a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != "/connect?done=connected&store=abc123#stores" {
		t.Fatalf("connect = %d %q %q", a.StatusCode, a.Header.Get("Location"), a.body)
	}
	st, err := ts.db.BCStoreByHash(ctx, fakeHash)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := ts.db.UserByName(ctx, "qb")
	if st.CompanyID != u.CompanyID || !st.BackfillFrom.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("stored %+v; want company %d, backfill 2025-01-01", st, u.CompanyID)
	}
	if got, err := ts.db.BCStoreToken(ctx, ts.sealer, st.ID); err != nil || got != fakeToken {
		t.Errorf("stored token = %q, %v", got, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, _ = ts.db.BCStore(ctx, st.ID)
		if st.PullState == store.PullOK {
			break
		}
		if time.Now().After(deadline) {
			tasks, _ := ts.db.PullTasks(ctx, st.ID, 10)
			t.Fatalf("the store was not pulled after connecting: %+v, tasks %+v", st, tasks)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if counts, _ := ts.db.DocumentCounts(ctx, st.ID); len(counts) == 0 {
		t.Error("the first pull stored no document")
	}

	page := b.get("/connect?done=connected&store=abc123")
	for _, want := range []string{"Store abc123 (bcqb Offline Store) is connected", "••••••••3f9a", "USD · Standard plan", "fake.bcqb.test"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the page after connecting lacks %q:\n%s", want, page.body)
		}
	}

	// Editing without a new token keeps the old one (and tests with it).
	edit := b.get("/connect?edit=abc123")
	if !strings.Contains(edit.body, `Leave empty to keep the saved token <code class="token">••••••••3f9a</code>`) || !strings.Contains(edit.body, `value="abc123"`) {
		t.Errorf("the edit form:\n%s", edit.body)
	}
	a = b.post("/connect/store", storeForm(tok, "connect", fakeHash, "", "qb", "2024-06-01"))
	if a.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit without a token = %d %q", a.StatusCode, a.body)
	}
	if got, err := ts.db.BCStoreToken(ctx, ts.sealer, st.ID); err != nil || got != fakeToken {
		t.Errorf("token after an edit without one = %q, %v", got, err)
	}
	if st, _ = ts.db.BCStore(ctx, st.ID); !st.BackfillFrom.Equal(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("backfill after the edit = %v", st.BackfillFrom)
	}

	// The token is never on a page, nor in the log.
	pages := []answer{page, edit, b.get("/connect"), b.get("/"), a}
	for _, p := range pages {
		if strings.Contains(p.body, fakeToken) || strings.Contains(p.body, fakeToken[:20]) {
			t.Errorf("%s shows the token", p.Request.URL)
		}
	}
	if strings.Contains(ts.log.String(), fakeToken) {
		t.Errorf("the log shows the token:\n%s", ts.log.String())
	}
}

func TestConnectBadInput(t *testing.T) {
	ctx := context.Background()
	bc := newBigCommerce(t)
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close() // nothing listens there any more: a network error

	tests := []struct {
		name                    string
		hash, token, user, date string
		faults                  []bcfake.Fault
		apiURL                  string
		status                  int
		want                    string
	}{
		{name: "empty hash", token: fakeToken, user: "qb", status: 422, want: "Enter the store hash"},
		{name: "hash too long", hash: strings.Repeat("a", 201), token: fakeToken, user: "qb", status: 422, want: "The store hash is too long (201 characters)"},
		{name: "hash too long after the path", hash: "stores/" + strings.Repeat("a", 40), token: fakeToken, user: "qb", status: 422, want: "at most 32"},
		{name: "hash with spaces", hash: "abc 123", token: fakeToken, user: "qb", status: 422, want: "only letters and digits"},
		{name: "empty token", hash: fakeHash, user: "qb", status: 422, want: "Enter the access token"},
		{name: "token too long", hash: fakeHash, token: strings.Repeat("t", 201), user: "qb", status: 422, want: "The access token is too long"},
		{name: "token with a space", hash: fakeHash, token: "abc def", user: "qb", status: 422, want: "not the Client ID"},
		{name: "no user", hash: fakeHash, token: fakeToken, status: 422, want: "Choose the Web Connector user"},
		{name: "unknown user", hash: fakeHash, token: fakeToken, user: "ghost", status: 422, want: "There is no Web Connector user &#34;ghost&#34;"},
		{name: "not a date", hash: fakeHash, token: fakeToken, user: "qb", date: "31/01/2025", status: 422, want: "not a date like 2025-01-31"},
		{name: "a future date", hash: fakeHash, token: fakeToken, user: "qb", date: "2999-01-01", status: 422, want: "in the future"},
		{name: "wrong token", hash: fakeHash, token: "wrongtoken0123456789", user: "qb", status: 422, want: "BigCommerce refused the access token (401 Unauthorized)"},
		{name: "store hash that does not exist", hash: "nosuch1", token: fakeToken, user: "qb", status: 422, want: "BigCommerce has no store with the hash nosuch1 (404 Not Found)"},
		{name: "token without the scopes", hash: "noscope1", token: fakeToken, user: "qb", status: 422, want: "lacks a scope. Edit the API account to give it read-only access to Information &amp; settings"},
		{name: "rate limited", hash: fakeHash, token: fakeToken, user: "qb", status: 422, want: "429 Too Many Requests",
			faults: []bcfake.Fault{bcfake.Fault429, bcfake.Fault429, bcfake.Fault429, bcfake.Fault429, bcfake.Fault429}},
		{name: "server error", hash: fakeHash, token: fakeToken, user: "qb", status: 422, want: "server error (500 Internal Server Error)",
			faults: []bcfake.Fault{bcfake.Fault500, bcfake.Fault500}},
		{name: "network error", hash: fakeHash, token: fakeToken, user: "qb", apiURL: downURL + "/stores/{store_hash}/", status: 422, want: "bcqb could not connect to 127.0.0.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ts *connectServer
			if tc.apiURL == "" {
				ts = newConnectServer(t, bc, options{}, "qb")
			} else {
				ts = newConnectServer(t, nil, options{connect: func(*testServer) web.ConnectDeps {
					return web.ConnectDeps{BigCommerceAPIURL: tc.apiURL}
				}}, "qb")
			}
			b, tok := ts.loggedIn(t)
			bc.InjectFaults(tc.faults...)
			a := b.post("/connect/store", storeForm(tok, "connect", tc.hash, tc.token, tc.user, tc.date))
			if a.StatusCode != tc.status || !strings.Contains(a.body, tc.want) || !strings.Contains(a.body, "Nothing was saved") {
				t.Errorf("= %d, want %d with %q:\n%s", a.StatusCode, tc.status, tc.want, a.body)
			}
			// The form is kept, except the token.
			if tc.hash != "" && len(tc.hash) < 100 && !strings.Contains(a.body, `value="`+strings.ToLower(strings.TrimSpace(tc.hash))+`"`) &&
				!strings.Contains(a.body, `value="`+tc.hash+`"`) {
				t.Errorf("the store hash %q is not kept in the form", tc.hash)
			}
			if tc.date != "" && !strings.Contains(a.body, `value="`+tc.date+`"`) {
				t.Errorf("the date %q is not kept in the form", tc.date)
			}
			if tc.token != "" && strings.Contains(a.body, tc.token) {
				t.Errorf("the page shows the token typed")
			}
			if stores, _ := ts.db.BCStores(ctx); len(stores) != 0 {
				t.Errorf("bad input stored %+v", stores)
			}
		})
	}
}

// TestConnectRefusesToMoveAPostedStore: a store whose documents posted to one
// company file does not move to another, and nothing changes.
func TestConnectRefusesToMoveAPostedStore(t *testing.T) {
	ctx := context.Background()
	bc := newBigCommerce(t)
	ts := newConnectServer(t, bc, options{}, "qb", "other")
	b, tok := ts.loggedIn(t)
	if a := b.post("/connect/store", storeForm(tok, "connect", fakeHash, fakeToken, "qb", "")); a.StatusCode != http.StatusSeeOther {
		t.Fatalf("connect = %d %q", a.StatusCode, a.body)
	}
	st, _ := ts.db.BCStoreByHash(ctx, fakeHash)
	docs, err := ts.db.PutDocuments(ctx, st.ID, []store.DocumentInput{{Kind: store.DocOrder, BCID: 9001, Raw: []byte(`{"id":9001}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.PutPosting(ctx, store.PostingInput{StoreID: st.ID, CompanyID: st.CompanyID, DocKind: store.DocOrder,
			BCID: 9001, DocumentID: docs[0].ID, Version: 1, State: store.PostingPosted})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	a := b.post("/connect/store", storeForm(tok, "connect", fakeHash, "", "other", ""))
	if a.StatusCode != http.StatusConflict || !strings.Contains(a.body, "cannot move to the company file of other") {
		t.Errorf("moving = %d:\n%s", a.StatusCode, a.body)
	}
	if got, _ := ts.db.BCStore(ctx, st.ID); got.CompanyID != st.CompanyID {
		t.Errorf("the store moved: %+v", got)
	}
}

func TestConnectWebConnectorUsers(t *testing.T) {
	ctx := context.Background()
	ts := newConnectServer(t, nil, options{}, "qb")
	b, tok := ts.loggedIn(t)
	form := func(name, pw, confirm string) url.Values {
		return url.Values{"csrf": {tok}, "username": {name}, "password": {pw}, "confirm": {confirm}}
	}

	a := b.post("/connect/users", form("shop2", "new-password-1", "new-password-1"))
	if a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != "/connect?done=user&user=shop2#users" {
		t.Fatalf("add a user = %d %q %q", a.StatusCode, a.Header.Get("Location"), a.body)
	}
	if _, err := ts.db.Authenticate(ctx, "shop2", "new-password-1"); err != nil {
		t.Errorf("the new user cannot log in: %v", err)
	}
	page := b.get("/connect?done=user&user=shop2")
	for _, want := range []string{"Web Connector user shop2 is created", `href="/qwc?user=shop2"`, "Never called"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the page lacks %q:\n%s", want, page.body)
		}
	}
	if q := b.get("/qwc?user=shop2"); q.StatusCode != 200 || !strings.Contains(q.body, "<UserName>shop2</UserName>") {
		t.Errorf("the new user's .qwc = %d %q", q.StatusCode, q.body)
	}

	bad := []struct {
		name, user, pw, confirm string
		status                  int
		want                    string
	}{
		{"duplicate user", "qb", "another-password", "another-password", 409, "There is already a Web Connector user qb"},
		{"empty name", "", "a-password-1", "a-password-1", 422, "Enter a user name"},
		{"name too long", strings.Repeat("n", 65), "a-password-1", "a-password-1", 422, "The user name is too long (65 characters; at most 64)"},
		{"name with a space", "my user", "a-password-1", "a-password-1", 422, "no spaces"},
		{"empty password", "newuser", "", "", 422, "Enter a password"},
		{"short password", "newuser", "sh0rt!", "sh0rt!", 422, "too short: at least 8"},
		{"password too long", "newuser", strings.Repeat("p", 73), strings.Repeat("p", 73), 422, "too long: at most 72 bytes"},
		{"passwords differ", "newuser", "a-password-1", "a-password-2", 422, "The two passwords differ"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			a := b.post("/connect/users", form(tc.user, tc.pw, tc.confirm))
			if a.StatusCode != tc.status || !strings.Contains(a.body, tc.want) || !strings.Contains(a.body, "The user was not created") {
				t.Errorf("= %d, want %d with %q:\n%s", a.StatusCode, tc.status, tc.want, a.body)
			}
			if tc.user != "" && !strings.Contains(a.body, `name="username" value="`+tc.user+`"`) {
				t.Errorf("the name %q is not kept in the form", tc.user)
			}
			if tc.pw != "" && strings.Contains(a.body, tc.pw) {
				t.Errorf("the page shows the password typed")
			}
			if users, _ := ts.db.Users(ctx); len(users) != 2 {
				t.Errorf("users after bad input = %+v", users)
			}
		})
	}
	if _, err := ts.db.Authenticate(ctx, "qb", "password-qb"); err != nil {
		t.Errorf("the duplicate changed qb's password: %v", err)
	}

	// Changing a password.
	pwForm := func(user, pw, confirm string) url.Values {
		return url.Values{"csrf": {tok}, "user": {user}, "password": {pw}, "confirm": {confirm}}
	}
	for _, tc := range []struct{ name, user, pw, confirm, want string }{
		{"unknown user", "ghost", "changed-password", "changed-password", "There is no Web Connector user &#34;ghost&#34;"},
		{"no user", "", "changed-password", "changed-password", "Choose the Web Connector user"},
		{"passwords differ", "qb", "changed-password", "changed-passwort", "The two passwords differ"},
		{"short", "qb", "sh0rt!", "sh0rt!", "too short"},
	} {
		t.Run("password: "+tc.name, func(t *testing.T) {
			a := b.post("/connect/password", pwForm(tc.user, tc.pw, tc.confirm))
			if a.StatusCode != 422 || !strings.Contains(a.body, tc.want) || !strings.Contains(a.body, "The password was not changed") || strings.Contains(a.body, tc.pw) {
				t.Errorf("= %d, want 422 with %q:\n%s", a.StatusCode, tc.want, a.body)
			}
			if _, err := ts.db.Authenticate(ctx, "qb", "password-qb"); err != nil {
				t.Errorf("bad input changed the password: %v", err)
			}
		})
	}
	a = b.post("/connect/password", pwForm("qb", "changed-password", "changed-password"))
	if a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != "/connect?done=password&user=qb#users" {
		t.Fatalf("change = %d %q", a.StatusCode, a.body)
	}
	if _, err := ts.db.Authenticate(ctx, "qb", "changed-password"); err != nil {
		t.Errorf("the new password does not work: %v", err)
	}
	if _, err := ts.db.Authenticate(ctx, "qb", "password-qb"); err == nil {
		t.Error("the old password still works")
	}
	for _, secret := range []string{"changed-password", "new-password-1", "another-password"} {
		if strings.Contains(ts.log.String(), secret) {
			t.Errorf("the log shows %q", secret)
		}
	}
}

func TestConnectShowsTheLastCall(t *testing.T) {
	ctx := context.Background()
	ts := newConnectServer(t, nil, options{}, "qb", "idle")
	u, _ := ts.db.UserByName(ctx, "qb")
	_, se, err := ts.db.CreateSession(ctx, store.NewSession{UserID: u.ID, CompanyID: u.CompanyID, RemoteHost: "192.168.1.20",
		State: store.SessionOpen, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.db.SetSessionError(ctx, se.ID, "QuickBooks could not open the company file", "0x80040408"); err != nil {
		t.Fatal(err)
	}
	if err := ts.db.CloseSession(ctx, se.ID, "3 done, 1 failed"); err != nil {
		t.Fatal(err)
	}
	b, _ := ts.loggedIn(t)
	page := b.get("/connect")
	row := regexp.MustCompile(`(?s)<td><code>qb</code>.*?</tr>`).FindString(page.body)
	for _, want := range []string{"from 192.168.1.20", "3 done, 1 failed", "QuickBooks could not open the company file"} {
		if !strings.Contains(row, want) {
			t.Errorf("qb's row lacks %q:\n%s", want, row)
		}
	}
	if row := regexp.MustCompile(`(?s)<td><code>idle</code>.*?</tr>`).FindString(page.body); !strings.Contains(row, "Never called") {
		t.Errorf("idle's row:\n%s", row)
	}
}

var checkItem = regexp.MustCompile(`(?s)<li class="(ok|warn|fail|skipped)">\s*<strong>[^<]*</strong> ([^<]*?)\.\s*<br>(.*?)</li>`)

// checks reads the self-check's results: rule → state and what it says.
func checks(body string) map[string][2]string {
	out := map[string][2]string{}
	for _, m := range checkItem.FindAllStringSubmatch(body, -1) {
		out[m[2]] = [2]string{m[1], m[3]}
	}
	return out
}

// dialTo resolves every name to addr, as a DNS or hosts entry would.
func dialTo(addr string, base *http.Transport) *http.Transport {
	tr := base.Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	return tr
}

func TestConnectSelfCheck(t *testing.T) {
	const (
		ruleHTTPS   = "The address is HTTPS (plain http only on localhost)"
		ruleName    = "The host is a name, not an IP address"
		ruleSupport = "The support page answers 200 (the AppSupport URL in the .qwc file)"
	)
	tests := []struct {
		name    string
		tls     bool
		base    func(port string) string
		mapDNS  bool
		want    map[string]string // rule → state
		details map[string]string // rule → words it must say
	}{
		{name: "http on localhost", base: func(p string) string { return "http://localhost:" + p },
			want: map[string]string{ruleHTTPS: "ok", ruleName: "ok", ruleSupport: "ok"}},
		{name: "http on a LAN name", base: func(p string) string { return "http://qb-server.lan:" + p }, mapDNS: true,
			want:    map[string]string{ruleHTTPS: "fail", ruleName: "ok", ruleSupport: "ok"},
			details: map[string]string{ruleHTTPS: "allows plain http only for localhost (QBWC1010)"}},
		{name: "an IP address", tls: true, base: func(p string) string { return "https://127.0.0.1:" + p },
			want: map[string]string{ruleHTTPS: "ok", ruleName: "fail", ruleSupport: "ok",
				"The certificate names 127.0.0.1 and is not expiring": "ok"},
			details: map[string]string{ruleName: "refuses IP addresses for https (QBWC1001)"}},
		{name: "a certificate for another name", tls: true, base: func(p string) string { return "https://qb-server.lan:" + p }, mapDNS: true,
			want: map[string]string{ruleHTTPS: "ok", ruleName: "ok", ruleSupport: "fail",
				"The certificate names qb-server.lan and is not expiring": "fail"},
			details: map[string]string{"The certificate names qb-server.lan and is not expiring": "names example.com, *.example.com, not qb-server.lan"}},
		{name: "nothing answers", base: func(string) string { return "http://localhost:1" },
			want:    map[string]string{ruleHTTPS: "ok", ruleName: "ok", ruleSupport: "fail"},
			details: map[string]string{ruleSupport: "GET http://localhost:1/support failed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var base string
			ts := newConnectServer(t, nil, options{tls: tc.tls, connect: func(s *testServer) web.ConnectDeps {
				// The server's own client trusts its certificate, as the
				// Windows PC trusts bcqb's root once imported.
				tr := s.Client().Transport.(*http.Transport)
				if tc.mapDNS {
					tr = dialTo(s.Listener.Addr().String(), tr)
				}
				return web.ConnectDeps{SelfCheckHTTP: &http.Client{Transport: tr}}
			}, baseURL: func(s *testServer) string {
				_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
				base = tc.base(port)
				return base
			}}, "qb")
			b, _ := ts.loggedIn(t)
			page := b.get("/connect")
			got := checks(page.body)
			for rule, state := range tc.want {
				if got[rule][0] != state {
					t.Errorf("%s: %q = %q (%s); want %q\n%s", base, rule, got[rule][0], got[rule][1], state, page.body)
				}
			}
			for rule, words := range tc.details {
				if !strings.Contains(got[rule][1], words) {
					t.Errorf("%q says %q; want %q", rule, got[rule][1], words)
				}
			}
			for rule, r := range got {
				if r[0] == "fail" && !strings.Contains(r[1], "Fix:") {
					t.Errorf("%q fails without a fix: %q", rule, r[1])
				}
			}
		})
	}
}

func TestConnectCertificateSteps(t *testing.T) {
	ts := newConnectServer(t, nil, options{tls: true, connect: func(*testServer) web.ConnectDeps {
		return web.ConnectDeps{CAThumbprint: "0123456789ABCDEF0123456789ABCDEF01234567", CAName: "bcqb root CA"}
	}}, "qb")
	b, _ := ts.loggedIn(t)
	page := b.get("/connect")
	for _, want := range []string{`href="/ca.crt"`, "certlm.msc", "Trusted Root Certification Authorities", "0123456789ABCDEF0123456789ABCDEF01234567", "bcqb root CA"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the certificate steps lack %q", want)
		}
	}
	plain := newConnectServer(t, nil, options{}, "qb")
	pb, _ := plain.loggedIn(t)
	if page := pb.get("/connect"); strings.Contains(page.body, `href="/ca.crt"`) || !strings.Contains(page.body, "no certificate to trust") {
		t.Errorf("without bcqb's own CA the page still offers /ca.crt:\n%s", page.body)
	}
}
