package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bcqb/bcqb/qwc"
	"github.com/bcqb/bcqb/store"
	"github.com/bcqb/bcqb/templates"
	"github.com/bcqb/bcqb/web"
)

// adminPassword is the page's password in these tests.
const adminPassword = "correct horse battery"

type options struct {
	tls      bool
	webhooks bool
	// delay is the failed-login slow-down; nil is none (the default delay is tested on its own).
	delay func() time.Duration
	// baseURL replaces the server's own URL as bcqb's base URL.
	baseURL func(ts *testServer) string
	// connect builds the connect page's deps from the test's store.
	connect func(ts *testServer) web.ConnectDeps
	// care builds the care pages' deps on the test's store.
	care func(db *store.DB) web.CareDeps
	// mapping builds the mapping pages' dependencies on the server's store.
	mapping func(db *store.DB) web.MappingDeps
	// wire, when set, completes the handler's Deps (a real Web Connector
	// endpoint, the activity pages' planner) before the handler is built.
	wire func(d *web.Deps, db *store.DB, baseURL string)
}

type testServer struct {
	*httptest.Server
	db  *store.DB
	log *syncBuffer
	h   http.Handler
}

// newServer runs the handler on a real listener and a real SQLite store,
// its base URL the server's own (as a browser would reach it).
func newServer(t *testing.T, o options, users ...string) *testServer {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "bcqb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, u := range users {
		if _, err := db.PutUser(ctx, u, "password-"+u); err != nil {
			t.Fatal(err)
		}
	}
	tmpl, err := templates.Parse()
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{db: db, log: &syncBuffer{}}
	var srv *httptest.Server
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ts.h.ServeHTTP(w, r) })
	if o.tls {
		srv = httptest.NewTLSServer(handler)
	} else {
		srv = httptest.NewServer(handler)
	}
	t.Cleanup(srv.Close)
	ts.Server = srv
	delay := o.delay
	if delay == nil {
		delay = func() time.Duration { return 0 }
	}
	d := web.Deps{
		SOAP:  http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "soap endpoint") }),
		Store: db,
		QWC: func(ctx context.Context, user string) (qwc.File, error) {
			return qwc.BuildFile(ctx, db, store.NewGUID, qwc.FileOptions{BaseURL: "https://qb-box.local:8443", UserName: user, RunEveryNMinutes: 15})
		},
		Templates:  tmpl,
		Version:    "test",
		BaseURL:    srv.URL,
		Log:        slog.New(slog.NewTextHandler(ts.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		LoginDelay: delay,
	}
	if o.baseURL != nil {
		d.BaseURL = o.baseURL(ts)
	}
	if o.connect != nil {
		d.Connect = o.connect(ts)
	}
	if o.care != nil {
		d.Care = o.care(db)
	}
	if o.mapping != nil {
		d.Mapping = o.mapping(db)
	}
	if o.webhooks {
		d.Webhooks = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) })
	}
	if o.wire != nil {
		o.wire(&d, db, srv.URL)
	}
	ts.h = web.NewHandler(d)
	return ts
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// browser is a client with a cookie jar that does not follow redirects, and
// sends Origin on posts as a browser does.
type browser struct {
	t   *testing.T
	srv *testServer
	c   *http.Client
}

func (ts *testServer) browser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := new(http.Client)
	*c = *ts.Client() // a copy: ts.Client() is one client shared by every caller
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: t, srv: ts, c: c}
}

type answer struct {
	*http.Response
	body string
}

func (b *browser) do(req *http.Request) answer {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return answer{resp, string(body)}
}

func (b *browser) get(path string) answer {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.srv.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html,*/*")
	return b.do(req)
}

// post sends a form; headers are set on top of a browser's Origin.
func (b *browser) post(path string, form url.Values, headers ...string) answer {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html,*/*")
	req.Header.Set("Origin", b.srv.URL)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	return b.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the form token in a page.
func (b *browser) csrf(page answer) string {
	b.t.Helper()
	m := csrfField.FindStringSubmatch(page.body)
	if m == nil {
		b.t.Fatalf("no csrf field in %s:\n%s", page.Request.URL.Path, page.body)
	}
	return m[1]
}

// setup chooses the first password and returns the dashboard's form token.
func (b *browser) setup(password string) string {
	b.t.Helper()
	form := b.get("/setup")
	a := b.post("/setup", url.Values{"csrf": {b.csrf(form)}, "password": {password}, "confirm": {password}})
	if a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != "/" {
		b.t.Fatalf("POST /setup = %d %s %q", a.StatusCode, a.Header.Get("Location"), a.body)
	}
	return b.csrf(b.get("/"))
}

// login logs in and returns the dashboard's form token.
func (b *browser) login(password string) string {
	b.t.Helper()
	form := b.get("/login")
	a := b.post("/login", url.Values{"csrf": {b.csrf(form)}, "password": {password}})
	if a.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("POST /login = %d %q", a.StatusCode, a.body)
	}
	return b.csrf(b.get("/"))
}

func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestOpenRoutes(t *testing.T) {
	ts := newServer(t, options{webhooks: true}, "qb")
	if _, err := ts.db.PutAdminPassword(context.Background(), adminPassword); err != nil {
		t.Fatal(err)
	}
	b := ts.browser(t)
	tests := []struct {
		method, path, contentType string
		status                    int
		contains                  string
	}{
		{"GET", "/healthz", "application/json", 200, `"status":"ok"`},
		{"GET", "/support", "text/html; charset=utf-8", 200, "bcqb support"},
		{"GET", "/static/bcqb.css", "text/css; charset=utf-8", 200, "--accent"},
		{"POST", "/qbwc", "", 200, "soap endpoint"},
		{"GET", "/qbwc?wsdl", "", 200, "soap endpoint"},
		{"POST", "/webhooks/bigcommerce", "", 202, ""},
		{"GET", "/ca.crt", "text/html; charset=utf-8", 404, "not running its own certificate authority"},
		{"GET", "/login", "text/html; charset=utf-8", 200, "Log in to bcqb"},
		{"GET", "/nope", "text/html; charset=utf-8", 404, "There is no page at /nope"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, ts.URL+tc.path, strings.NewReader("<x/>"))
			req.Header.Set("Accept", "text/html,*/*")
			a := b.do(req)
			if a.StatusCode != tc.status || !strings.HasPrefix(a.Header.Get("Content-Type"), tc.contentType) || !strings.Contains(a.body, tc.contains) {
				t.Errorf("%s %s = %d %q %q; want %d %q containing %q", tc.method, tc.path, a.StatusCode,
					a.Header.Get("Content-Type"), a.body, tc.status, tc.contentType, tc.contains)
			}
		})
	}
}

func TestEveryPageNeedsLogin(t *testing.T) {
	tests := []struct {
		method, path string
		passwordSet  bool
		status       int
		location     string
	}{
		{"GET", "/", true, 303, "/login"},
		{"HEAD", "/", true, 303, "/login"},
		{"GET", "/qwc", true, 303, "/login?next=%2Fqwc"},
		{"GET", "/qwc?user=qb", true, 303, "/login?next=%2Fqwc%3Fuser%3Dqb"},
		{"POST", "/logout", true, 401, ""},
		{"GET", "/tokens", true, 303, "/login?next=%2Ftokens"},
		{"POST", "/tokens", true, 401, ""},
		{"POST", "/tokens/1/revoke", true, 401, ""},
		{"GET", "/api/stores", true, 401, ""},
		{"PUT", "/api/stores/1/settings", true, 401, ""},
		{"GET", "/", false, 303, "/setup"},
		{"GET", "/qwc", false, 303, "/setup?next=%2Fqwc"},
		{"POST", "/logout", false, 401, ""},
		{"GET", "/login", false, 303, "/setup?next=%2F"},
		{"GET", "/setup", true, 303, "/login"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			ts := newServer(t, options{}, "qb")
			if tc.passwordSet {
				if _, err := ts.db.PutAdminPassword(context.Background(), adminPassword); err != nil {
					t.Fatal(err)
				}
			}
			req, _ := http.NewRequest(tc.method, ts.URL+tc.path, nil)
			a := ts.browser(t).do(req)
			if a.StatusCode != tc.status || a.Header.Get("Location") != tc.location {
				t.Errorf("%s %s = %d %q; want %d %q", tc.method, tc.path, a.StatusCode, a.Header.Get("Location"), tc.status, tc.location)
			}
			if strings.Contains(a.body, "<UserName>") || strings.Contains(a.body, "FileID") {
				t.Errorf("%s %s shows the .qwc file without a login: %q", tc.method, tc.path, a.body)
			}
		})
	}
}

func TestFirstVisitSetsThePassword(t *testing.T) {
	ts := newServer(t, options{}, "qb")
	b := ts.browser(t)
	// A second browser loads the form too, and sends it last.
	late := ts.browser(t)
	lateTok := late.csrf(late.get("/setup"))
	if a := b.get("/"); a.StatusCode != 303 || a.Header.Get("Location") != "/setup" {
		t.Fatalf("first visit = %d %q; want a redirect to /setup", a.StatusCode, a.Header.Get("Location"))
	}
	form := b.get("/setup")
	if form.StatusCode != 200 || !strings.Contains(form.body, "Choose bcqb's password") {
		t.Fatalf("GET /setup = %d %q", form.StatusCode, form.body)
	}
	tok := b.csrf(form)
	bad := []struct {
		name, password, confirm, says string
	}{
		{"different", "first password", "second password", "The two passwords differ"},
		{"short", "too short", "too short", "at least 10 characters"},
		{"empty", "", "", "at least 10 characters"},
		{"too long", strings.Repeat("x", 73), strings.Repeat("x", 73), "at most 72 bytes"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			a := b.post("/setup", url.Values{"csrf": {tok}, "password": {tc.password}, "confirm": {tc.confirm}})
			if a.StatusCode != 400 || !strings.Contains(a.body, tc.says) {
				t.Errorf("POST /setup = %d %q; want 400 saying %q", a.StatusCode, a.body, tc.says)
			}
			if set, _ := ts.db.AdminPasswordSet(context.Background()); set {
				t.Fatal("a refused password was stored")
			}
		})
	}
	b.setup(adminPassword)
	if a := b.get("/"); a.StatusCode != 200 || !strings.Contains(a.body, "Dashboard") || !strings.Contains(a.body, "<code>qb</code>") {
		t.Errorf("dashboard after the first password = %d %q", a.StatusCode, a.body)
	}
	if err := ts.db.AuthenticateAdmin(context.Background(), adminPassword); err != nil {
		t.Errorf("the password chosen does not log in: %v", err)
	}

	t.Run("a second first visit cannot choose again", func(t *testing.T) {
		if a := late.get("/setup"); a.StatusCode != 303 || a.Header.Get("Location") != "/login" {
			t.Errorf("GET /setup once set = %d %q", a.StatusCode, a.Header.Get("Location"))
		}
		lateForm := url.Values{"csrf": {lateTok}, "password": {"an attacker's password"}, "confirm": {"an attacker's password"}}
		a := late.post("/setup", lateForm)
		if a.StatusCode != http.StatusConflict || !strings.Contains(a.body, "already set") {
			t.Errorf("POST /setup once set = %d %q", a.StatusCode, a.body)
		}
		if err := ts.db.AuthenticateAdmin(context.Background(), adminPassword); err != nil {
			t.Errorf("the password changed: %v", err)
		}
	})
}

func TestLogin(t *testing.T) {
	ts := newServer(t, options{}, "qb")
	if _, err := ts.db.PutAdminPassword(context.Background(), adminPassword); err != nil {
		t.Fatal(err)
	}
	b := ts.browser(t)
	if a := b.get("/qwc?user=qb"); a.StatusCode != 303 || a.Header.Get("Location") != "/login?next=%2Fqwc%3Fuser%3Dqb" {
		t.Fatalf("GET /qwc = %d %q", a.StatusCode, a.Header.Get("Location"))
	}
	form := b.get("/login?next=%2Fqwc%3Fuser%3Dqb")
	tok := b.csrf(form)
	if !strings.Contains(form.body, `value="/qwc?user=qb"`) {
		t.Errorf("the login form does not carry next:\n%s", form.body)
	}
	a := b.post("/login", url.Values{"csrf": {tok}, "password": {"not the password"}, "next": {"/qwc?user=qb"}})
	if a.StatusCode != http.StatusUnauthorized || !strings.Contains(a.body, "That password is not right") {
		t.Errorf("wrong password = %d %q; want 401 saying so", a.StatusCode, a.body)
	}
	if b.cookie("bcqb_session") != nil {
		t.Error("a wrong password set a session cookie")
	}
	a = b.post("/login", url.Values{"csrf": {tok}, "password": {adminPassword}, "next": {"/qwc?user=qb"}})
	if a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != "/qwc?user=qb" {
		t.Fatalf("right password = %d %q", a.StatusCode, a.Header.Get("Location"))
	}
	if a := b.get("/qwc?user=qb"); a.StatusCode != 200 || !strings.Contains(a.body, "<UserName>qb</UserName>") {
		t.Errorf("GET /qwc logged in = %d %q", a.StatusCode, a.body)
	}
	if a := b.get("/login"); a.StatusCode != 303 || a.Header.Get("Location") != "/" {
		t.Errorf("GET /login logged in = %d %q; want on to /", a.StatusCode, a.Header.Get("Location"))
	}

	t.Run("a planted session token is replaced at login", func(t *testing.T) {
		c := ts.browser(t)
		const planted = "planted-by-someone-else-0123456789abcdefghij"
		u, _ := url.Parse(ts.URL)
		c.c.Jar.SetCookies(u, []*http.Cookie{{Name: "bcqb_session", Value: planted, Path: "/"}})
		c.login(adminPassword)
		if got := c.cookieValue("bcqb_session"); got == planted || got == "" {
			t.Fatalf("session token after login = %q", got)
		}
		if _, err := ts.db.AdminSessionByToken(context.Background(), planted); err == nil {
			t.Error("the planted token logs in")
		}
		if b.cookieValue("bcqb_session") == c.cookieValue("bcqb_session") {
			t.Error("two logins share a token")
		}
	})
	t.Run("next never leaves the site", func(t *testing.T) {
		for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"} {
			c := ts.browser(t)
			tok := c.csrf(c.get("/login"))
			a := c.post("/login", url.Values{"csrf": {tok}, "password": {adminPassword}, "next": {next}})
			if a.StatusCode != 303 || a.Header.Get("Location") != "/" {
				t.Errorf("next=%q: = %d %q; want /", next, a.StatusCode, a.Header.Get("Location"))
			}
		}
	})
	t.Run("an idle session ends", func(t *testing.T) {
		c := ts.browser(t)
		c.login(adminPassword)
		later := time.Now().Add(store.AdminSessionIdle + time.Minute)
		ts.db.SetClock(func() time.Time { return later })
		defer ts.db.SetClock(time.Now)
		if a := c.get("/"); a.StatusCode != 303 || a.Header.Get("Location") != "/login" {
			t.Errorf("after %s idle = %d %q", store.AdminSessionIdle, a.StatusCode, a.Header.Get("Location"))
		}
	})
}

// login posts the password from a given address straight to the handler
// (httptest's clients all come from 127.0.0.1).
func loginFrom(t *testing.T, ts *testServer, remote, password string) *httptest.ResponseRecorder {
	t.Helper()
	form := httptest.NewRequest(http.MethodGet, ts.URL+"/login", nil)
	form.RemoteAddr = remote
	rec := httptest.NewRecorder()
	ts.h.ServeHTTP(rec, form)
	res := rec.Result()
	m := csrfField.FindStringSubmatch(rec.Body.String())
	if m == nil || len(res.Cookies()) == 0 {
		t.Fatalf("GET /login = %d %q", rec.Code, rec.Body.String())
	}
	req := httptest.NewRequest(http.MethodPost, ts.URL+"/login",
		strings.NewReader(url.Values{"csrf": {m[1]}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	req.RemoteAddr = remote
	req.AddCookie(res.Cookies()[0])
	rec = httptest.NewRecorder()
	ts.h.ServeHTTP(rec, req)
	return rec
}

func TestLockout(t *testing.T) {
	ts := newServer(t, options{})
	ctx := context.Background()
	if _, err := ts.db.PutAdminPassword(ctx, adminPassword); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ts.db.SetClock(func() time.Time { return now })
	const attacker, other = "192.0.2.66:4000", "192.0.2.7:5000"

	for i := 1; i < store.LoginFailuresAllowed; i++ {
		if rec := loginFrom(t, ts, attacker, "guess"); rec.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d = %d %q", i, rec.Code, rec.Body.String())
		}
	}
	rec := loginFrom(t, ts, attacker, "guess")
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "locked until 09:15 UTC (in 15 minutes)") ||
		rec.Header().Get("Retry-After") != "900" {
		t.Fatalf("5th failure = %d %q %q", rec.Code, rec.Header().Get("Retry-After"), rec.Body.String())
	}
	now = now.Add(5 * time.Minute)
	rec = loginFrom(t, ts, attacker, adminPassword)
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "locked until 09:15 UTC (in 10 minutes)") {
		t.Errorf("the right password while locked = %d %q; want refused", rec.Code, rec.Body.String())
	}
	if rec := loginFrom(t, ts, other, adminPassword); rec.Code != http.StatusSeeOther {
		t.Errorf("another address while one is locked = %d %q", rec.Code, rec.Body.String())
	}
	if !strings.Contains(ts.log.String(), "failed login") {
		t.Errorf("failed logins are not logged:\n%s", ts.log.String())
	}

	now = now.Add(10*time.Minute + time.Second)
	if rec := loginFrom(t, ts, attacker, adminPassword); rec.Code != http.StatusSeeOther {
		t.Errorf("after the lockout = %d %q", rec.Code, rec.Body.String())
	}
	t.Run("a successful login resets the count", func(t *testing.T) {
		for i := 1; i < store.LoginFailuresAllowed; i++ {
			loginFrom(t, ts, attacker, "guess")
		}
		loginFrom(t, ts, attacker, adminPassword)
		if rec := loginFrom(t, ts, attacker, "guess"); rec.Code != http.StatusUnauthorized {
			t.Errorf("a failure after a successful login = %d; want 401, not a lockout", rec.Code)
		}
	})
	t.Run("IPv6 counts per /64", func(t *testing.T) {
		for i := 0; i < store.LoginFailuresAllowed; i++ {
			loginFrom(t, ts, "[2001:db8:1:2::"+string(rune('a'+i))+"]:4000", "guess")
		}
		if rec := loginFrom(t, ts, "[2001:db8:1:2::ff]:4000", adminPassword); rec.Code != http.StatusTooManyRequests {
			t.Errorf("another address in the /64 = %d; want locked", rec.Code)
		}
	})
	t.Run("parallel guesses are all counted", func(t *testing.T) {
		const remote = "198.51.100.9:1234"
		var wg sync.WaitGroup
		codes := make(chan int, 3*store.LoginFailuresAllowed)
		for i := 0; i < 3*store.LoginFailuresAllowed; i++ {
			wg.Go(func() { codes <- loginFrom(t, ts, remote, "guess").Code })
		}
		wg.Wait()
		close(codes)
		n := map[int]int{}
		for c := range codes {
			n[c]++
		}
		if n[http.StatusUnauthorized] != store.LoginFailuresAllowed-1 {
			t.Errorf("answers to %d parallel guesses: %v; want %d read before the lockout", 3*store.LoginFailuresAllowed, n,
				store.LoginFailuresAllowed-1)
		}
	})
}

func TestFailedLoginsAreSlowedAlone(t *testing.T) {
	ts := newServer(t, options{})
	// newServer has no delay; this handler has the default one (a nil LoginDelay).
	tmpl, _ := templates.Parse()
	ts.h = web.NewHandler(web.Deps{SOAP: http.NotFoundHandler(), Store: ts.db, Templates: tmpl, BaseURL: ts.URL,
		QWC: func(context.Context, string) (qwc.File, error) { return qwc.File{}, nil }})
	if _, err := ts.db.PutAdminPassword(context.Background(), adminPassword); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	done := make(chan time.Duration)
	go func() {
		loginFrom(t, ts, "192.0.2.1:1", "guess")
		done <- time.Since(start)
	}()
	time.Sleep(50 * time.Millisecond)
	// Others are not held up meanwhile.
	healthStart := time.Now()
	resp, err := http.Get(ts.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d := time.Since(healthStart); d > 300*time.Millisecond {
		t.Errorf("/healthz took %s during a failed login", d)
	}
	if rec := loginFrom(t, ts, "192.0.2.2:1", adminPassword); rec.Code != http.StatusSeeOther {
		t.Errorf("a right password from elsewhere during a failed login = %d", rec.Code)
	}
	if d := <-done; d < 500*time.Millisecond || d > 2*time.Second {
		t.Errorf("a failed login answered after %s; want 0.5 to 1 s", d)
	}
}

func TestLogoutEndsTheSessionInTheStore(t *testing.T) {
	ts := newServer(t, options{}, "qb")
	b := ts.browser(t)
	tok := b.setup(adminPassword)
	stolen := b.cookie("bcqb_session").Value
	a := b.post("/logout", url.Values{"csrf": {tok}})
	if a.StatusCode != 303 || a.Header.Get("Location") != "/login" {
		t.Fatalf("POST /logout = %d %q", a.StatusCode, a.Header.Get("Location"))
	}
	if b.cookie("bcqb_session") != nil {
		t.Error("the browser kept its session cookie")
	}
	if _, err := ts.db.AdminSessionByToken(context.Background(), stolen); err == nil {
		t.Error("the session is still in the store")
	}
	// A copy of the old cookie, replayed.
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: "bcqb_session", Value: stolen})
	resp, err := ts.browser(t).c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/login" {
		t.Errorf("the old cookie after logout = %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestCSRF(t *testing.T) {
	ts := newServer(t, options{}, "qb")
	b := ts.browser(t)
	tok := b.setup(adminPassword)
	tests := []struct {
		name    string
		form    url.Values
		headers []string
		says    string
	}{
		{"no token", url.Values{}, nil, "security token is missing"},
		{"wrong token", url.Values{"csrf": {"AAAA" + tok[4:]}}, nil, "security token is missing"},
		{"the login form's token", url.Values{"csrf": {b.cookieValue("bcqb_form")}}, nil, "security token is missing"},
		{"foreign Origin", url.Values{"csrf": {tok}}, []string{"Origin", "https://evil.example"}, "sent from https://evil.example"},
		{"null Origin", url.Values{"csrf": {tok}}, []string{"Origin", "null"}, "sent from null"},
		{"foreign Referer", url.Values{"csrf": {tok}}, []string{"Origin", "", "Referer", "https://evil.example/page"}, "sent from https://evil.example"},
		{"cross-site fetch", url.Values{"csrf": {tok}}, []string{"Sec-Fetch-Site", "cross-site"}, "another web site (cross-site)"},
		{"same-site fetch", url.Values{"csrf": {tok}}, []string{"Sec-Fetch-Site", "same-site"}, "another web site (same-site)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := b.post("/logout", tc.form, tc.headers...)
			if a.StatusCode != http.StatusForbidden || !strings.Contains(a.body, tc.says) {
				t.Errorf("POST /logout = %d %q; want 403 saying %q", a.StatusCode, a.body, tc.says)
			}
			if a := b.get("/"); a.StatusCode != 200 {
				t.Fatalf("a refused logout logged out: GET / = %d", a.StatusCode)
			}
		})
	}
	t.Run("the login form", func(t *testing.T) {
		c := ts.browser(t)
		formTok := c.csrf(c.get("/login"))
		for _, tc := range []struct {
			name    string
			form    url.Values
			headers []string
		}{
			{"no token", url.Values{"password": {adminPassword}}, nil},
			{"wrong token", url.Values{"csrf": {"x" + formTok[1:]}, "password": {adminPassword}}, nil},
			{"foreign Origin", url.Values{"csrf": {formTok}, "password": {adminPassword}}, []string{"Origin", "https://evil.example"}},
		} {
			if a := c.post("/login", tc.form, tc.headers...); a.StatusCode != http.StatusForbidden {
				t.Errorf("%s: POST /login = %d %q", tc.name, a.StatusCode, a.body)
			}
		}
		if a := c.post("/setup", url.Values{"password": {"p4ssword-p4ssword"}, "confirm": {"p4ssword-p4ssword"}}); a.StatusCode != http.StatusForbidden {
			t.Errorf("POST /setup without a token = %d %q", a.StatusCode, a.body)
		}
	})
	t.Run("with the token from bcqb's page", func(t *testing.T) {
		if a := b.post("/logout", url.Values{"csrf": {tok}}, "Origin", "", "Sec-Fetch-Site", "same-origin"); a.StatusCode != 303 {
			t.Errorf("POST /logout = %d %q", a.StatusCode, a.body)
		}
	})
}

func (b *browser) cookieValue(name string) string {
	if c := b.cookie(name); c != nil {
		return c.Value
	}
	return ""
}

func TestCookieFlags(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tls    bool
		cookie string
	}{
		{"http on localhost", false, "bcqb_session"},
		{"https", true, "__Host-bcqb_session"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newServer(t, options{tls: tc.tls})
			b := ts.browser(t)
			form := b.get("/setup")
			a := b.post("/setup", url.Values{"csrf": {b.csrf(form)}, "password": {adminPassword}, "confirm": {adminPassword}})
			var got *http.Cookie
			for _, c := range a.Cookies() {
				if c.Name == tc.cookie {
					got = c
				}
			}
			if got == nil {
				t.Fatalf("no %s cookie in %v", tc.cookie, a.Header["Set-Cookie"])
			}
			if !got.HttpOnly || got.SameSite != http.SameSiteStrictMode || got.Secure != tc.tls || got.Path != "/" || got.Domain != "" {
				t.Errorf("session cookie %s; want HttpOnly, SameSite=Strict, Path=/, no Domain, Secure=%v", got, tc.tls)
			}
			if len(got.Value) < 43 {
				t.Errorf("session token %q is shorter than 256 bits", got.Value)
			}
			for _, c := range a.Cookies() {
				if strings.Contains(c.Name, "bcqb_form") && c.MaxAge >= 0 {
					t.Errorf("the login form's cookie is kept after login: %s", c)
				}
			}
			if a := b.get("/"); a.StatusCode != 200 {
				t.Errorf("GET / with the cookie = %d", a.StatusCode)
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	ts := newServer(t, options{}, "qb")
	b := ts.browser(t)
	b.setup(adminPassword)
	for _, path := range []string{"/", "/qwc", "/login", "/setup", "/support", "/healthz", "/ca.crt", "/static/bcqb.css", "/nope"} {
		t.Run(path, func(t *testing.T) {
			a := b.get(path)
			want := map[string]string{
				"X-Frame-Options":        "DENY",
				"X-Content-Type-Options": "nosniff",
				"Referrer-Policy":        "same-origin",
			}
			for k, v := range want {
				if got := a.Header.Get(k); got != v {
					t.Errorf("%s = %q; want %q", k, got, v)
				}
			}
			csp := a.Header.Get("Content-Security-Policy")
			for _, d := range []string{"default-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "object-src 'none'", "base-uri 'none'"} {
				if !strings.Contains(csp, d) {
					t.Errorf("Content-Security-Policy %q lacks %q", csp, d)
				}
			}
			if strings.HasPrefix(a.Header.Get("Content-Type"), "text/html") && a.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("page cached: Cache-Control %q", a.Header.Get("Cache-Control"))
			}
		})
	}
	t.Run("no inline script or style for the CSP to block", func(t *testing.T) {
		for _, path := range []string{"/", "/login"} {
			body := b.get(path).body
			if strings.Contains(body, "<script>") || strings.Contains(body, "style=") || strings.Contains(body, "<style") {
				t.Errorf("%s has inline script or style", path)
			}
		}
	})
}

func TestAnotherHostNameIsRefused(t *testing.T) {
	ts := newServer(t, options{})
	for _, host := range []string{"evil.example", "evil.example:80"} {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/setup", nil)
		req.Host = host
		a := ts.browser(t).do(req)
		if a.StatusCode != http.StatusMisdirectedRequest || strings.Contains(a.body, "csrf") {
			t.Errorf("Host %s: GET /setup = %d %q", host, a.StatusCode, a.body)
		}
	}
	for _, host := range []string{"localhost", "127.0.0.1"} {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/setup", nil)
		req.Host = host
		if a := ts.browser(t).do(req); a.StatusCode != 200 {
			t.Errorf("Host %s: GET /setup = %d", host, a.StatusCode)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/healthz", nil)
	req.Host = "evil.example"
	if a := ts.browser(t).do(req); a.StatusCode != 200 {
		t.Errorf("/healthz under another name = %d; the Web Connector's routes take any name", a.StatusCode)
	}
}

func TestSecretsNeverShown(t *testing.T) {
	ts := newServer(t, options{}, "qb")
	ctx := context.Background()
	const token, qbwcPassword = "bc-token-never-shown-0123456789", "password-qb"
	key := make([]byte, 32)
	sealer, err := store.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	u, err := ts.db.UserByName(ctx, "qb")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.db.PutBCStore(ctx, sealer, store.BCStoreInput{StoreHash: "abc123", Token: token, CompanyID: u.CompanyID}); err != nil {
		t.Fatal(err)
	}
	b := ts.browser(t)
	tok := b.setup(adminPassword)
	wrong := "a wrong password, also secret"
	b2 := ts.browser(t)
	b2.post("/login", url.Values{"csrf": {b2.csrf(b2.get("/login"))}, "password": {wrong}})

	var pages []answer
	for _, p := range []string{"/", "/qwc", "/qwc?user=qb", "/login", "/setup", "/support", "/nope", "/ca.crt"} {
		pages = append(pages, b.get(p), b2.get(p))
	}
	pages = append(pages, b.post("/logout", url.Values{"csrf": {"bad"}}), b.post("/logout", url.Values{"csrf": {tok}}))
	if !strings.Contains(pages[0].body, "abc123") {
		t.Errorf("the dashboard does not list the store:\n%s", pages[0].body)
	}
	for _, a := range pages {
		for _, secret := range []string{token, qbwcPassword, adminPassword, wrong} {
			if strings.Contains(a.body, secret) {
				t.Errorf("%s %s shows %q", a.Request.Method, a.Request.URL, secret)
			}
		}
	}
	for _, secret := range []string{token, qbwcPassword, adminPassword, wrong} {
		if strings.Contains(ts.log.String(), secret) {
			t.Errorf("the log shows %q:\n%s", secret, ts.log.String())
		}
	}
}

func TestErrorsForBrowsersAndScripts(t *testing.T) {
	ts := newServer(t, options{})
	resp, err := http.Get(ts.URL + "/nope")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" || !strings.Contains(string(body), "There is no page") {
		t.Errorf("a script's 404 = %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	a := ts.browser(t).get("/nope<b>")
	if a.StatusCode != 404 || !strings.Contains(a.body, "<!doctype html>") || strings.Contains(a.body, "<b>") {
		t.Errorf("a browser's 404 = %d %q", a.StatusCode, a.body)
	}
}

func TestQWCDownload(t *testing.T) {
	// The .qwc file names the user and the company's FileID: behind the login.
	get := func(t *testing.T, ts *testServer, path string) answer {
		b := ts.browser(t)
		if _, err := ts.db.PutAdminPassword(context.Background(), adminPassword); err != nil {
			t.Fatal(err)
		}
		b.login(adminPassword)
		req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		return b.do(req)
	}
	t.Run("no user", func(t *testing.T) {
		ts := newServer(t, options{})
		a := get(t, ts, "/qwc")
		if a.StatusCode != 404 || !strings.Contains(a.body, "BCQB_QBWC_USER") {
			t.Errorf("= %d %q", a.StatusCode, a.body)
		}
	})
	t.Run("several users", func(t *testing.T) {
		ts := newServer(t, options{}, "a", "b")
		a := get(t, ts, "/qwc")
		if a.StatusCode != 400 || !strings.Contains(a.body, "a, b") {
			t.Errorf("= %d %q", a.StatusCode, a.body)
		}
		a = get(t, ts, "/qwc?user=b")
		if a.StatusCode != 200 || !strings.Contains(a.body, "<UserName>b</UserName>") ||
			a.Header.Get("Content-Disposition") != `attachment; filename="bcqb-b.qwc"` ||
			a.Header.Get("Content-Type") != "application/xml; charset=utf-8" {
			t.Errorf("?user=b = %d %q %q", a.StatusCode, a.Header.Get("Content-Disposition"), a.body)
		}
		if a := get(t, ts, "/qwc?user=ghost"); a.StatusCode != 404 || !strings.Contains(a.body, "Not found") {
			t.Errorf("?user=ghost = %d %q", a.StatusCode, a.body)
		}
	})
	t.Run("same ids every time", func(t *testing.T) {
		ts := newServer(t, options{}, "qb")
		first := get(t, ts, "/qwc")
		second := get(t, ts, "/qwc")
		if first.StatusCode != 200 || first.body != second.body {
			t.Errorf("a second download differs:\n%s\n%s", first.body, second.body)
		}
	})
}

func TestHealthzWhenTheStoreIsDown(t *testing.T) {
	ts := newServer(t, options{})
	ts.db.Close()
	a := ts.browser(t).get("/healthz")
	if a.StatusCode != http.StatusServiceUnavailable || !strings.Contains(a.body, "unavailable") {
		t.Errorf("= %d %q", a.StatusCode, a.body)
	}
}
