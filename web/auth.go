package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bcqb/bcqb/store"
)

// Admin is what logging in needs from the store.
type Admin interface {
	Now() time.Time
	AdminPasswordSet(ctx context.Context) (bool, error)
	SetFirstAdminPassword(ctx context.Context, password string) error
	AuthenticateAdmin(ctx context.Context, password string) error
	CreateAdminSession(ctx context.Context, remoteHost string) (store.AdminSession, error)
	AdminSessionByToken(ctx context.Context, token string) (store.AdminSession, error)
	DeleteAdminSession(ctx context.Context, token string) error
	AdminLockedUntil(ctx context.Context, remoteHost string) (time.Time, error)
	RecordAdminLoginFailure(ctx context.Context, remoteHost string) (time.Time, error)
	ClearAdminLoginFailures(ctx context.Context, remoteHost string) error
}

// Form field names.
const (
	fieldCSRF     = "csrf"
	fieldPassword = "password"
	fieldConfirm  = "confirm"
	fieldNext     = "next"
)

// maxFormBytes bounds a form's body: the page's forms are a few fields.
const maxFormBytes = 64 << 10

// maxUploadBytes bounds a form that carries a file (multipart/form-data: a
// settings file to import), kept in memory.
const maxUploadBytes = 4 << 20

// defaultLoginDelay slows every failed login by half a second to a second,
// so that guessing is slow even before the lockout; the jitter keeps the
// answer's timing from saying anything.
func defaultLoginDelay() time.Duration {
	return 500*time.Millisecond + mrand.N(500*time.Millisecond)
}

type ctxKey int

const sessionKey ctxKey = 0

// sessionFrom is the logged-in session of a request that passed requireLogin.
func sessionFrom(ctx context.Context) (store.AdminSession, bool) {
	s, ok := ctx.Value(sessionKey).(store.AdminSession)
	return s, ok
}

// cookieNames are the session cookie's and the login form's. Under HTTPS the
// __Host- prefix makes the browser refuse a cookie set over plain http, by a
// sibling domain or for a narrower path, so none can be planted.
func (s *server) cookieName(base string) string {
	if s.secure {
		return "__Host-" + base
	}
	return base
}

func (s *server) setCookie(w http.ResponseWriter, base, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: s.cookieName(base), Value: value, Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: int(maxAge / time.Second)}
	if value == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

const (
	sessionCookie = "bcqb_session"
	// formCookie carries the token the login and first-password forms echo
	// (a double-submit token): there is no session yet to keep it in.
	formCookie = "bcqb_form"
)

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("web: random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// tokensEqual compares in constant time, so the answer's timing tells
// nothing about how much of a guessed token was right.
func tokensEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// remoteKey is the address failed logins are counted against. IPv6 is
// counted per /64, the block one machine usually holds. RemoteAddr is what
// the connection came from: X-Forwarded-For is not read, as anyone can set it
// (behind a proxy, everyone shares one count).
func remoteKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}

// addrLocks serialises login attempts per remote address: parallel guesses
// from one address wait their turn (slow-down included), so the lockout
// counts every one of them, while other addresses are not held up.
type addrLocks struct {
	mu sync.Mutex
	m  map[string]*addrLock
}

type addrLock struct {
	ch   chan struct{}
	refs int
}

func (l *addrLocks) lock(ctx context.Context, key string) (func(), error) {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*addrLock{}
	}
	e := l.m[key]
	if e == nil {
		e = &addrLock{ch: make(chan struct{}, 1)}
		l.m[key] = e
	}
	e.refs++
	l.mu.Unlock()
	release := func() {
		l.mu.Lock()
		if e.refs--; e.refs == 0 {
			delete(l.m, key)
		}
		l.mu.Unlock()
	}
	select {
	case e.ch <- struct{}{}:
		return func() { <-e.ch; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}

// sleep waits d unless the request ends first.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// hostAllowed refuses page requests whose Host is a name bcqb is not known
// by: a web page whose own name was re-pointed at bcqb's address (DNS
// rebinding) would otherwise be same-origin with it, and could set the first
// password of a fresh bcqb from the visitor's browser. IP addresses and
// localhost cannot be re-pointed that way.
func (s *server) hostAllowed(r *http.Request) bool {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	return host == "" || strings.EqualFold(host, s.baseHost) || strings.EqualFold(host, "localhost") || net.ParseIP(host) != nil
}

// sameOrigin refuses a form posted from another site. Sec-Fetch-Site is
// what browsers say of it; without it, Origin and then Referer must name
// bcqb. A request with none of the three comes from no browser that could
// be tricked, and still needs the form's token.
func (s *server) sameOrigin(r *http.Request) error {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		if site == "same-origin" || site == "none" {
			return nil
		}
		return &httpError{status: http.StatusForbidden,
			msg: "This form was sent from another web site (" + site + "), so bcqb refused it. Open bcqb at " + s.BaseURL + " and try again."}
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		if ref := r.Header.Get("Referer"); ref != "" {
			u, err := url.Parse(ref)
			if err != nil {
				origin = "null"
			} else {
				origin = u.Scheme + "://" + u.Host
			}
		}
	}
	if origin == "" {
		return nil
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if strings.EqualFold(origin, s.baseOrigin) || strings.EqualFold(origin, scheme+"://"+r.Host) {
		return nil
	}
	return &httpError{status: http.StatusForbidden,
		msg: "This form was sent from " + origin + ", not from bcqb's own page, so bcqb refused it. Open bcqb at " + s.BaseURL + " and try again."}
}

var errCSRF = &httpError{status: http.StatusForbidden,
	msg: "This form's security token is missing or out of date, so bcqb refused it (it protects you from other web sites sending forms in your name). Reload the page and send the form again."}

// parseForm reads a posted form, bounded, after the origin check.
func (s *server) parseForm(w http.ResponseWriter, r *http.Request) error {
	if err := s.sameOrigin(r); err != nil {
		return err
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)
		if err := r.ParseMultipartForm(maxUploadBytes); err != nil {
			return &httpError{status: http.StatusBadRequest, msg: "bcqb could not read this form (a file larger than 4 MB?): " + err.Error()}
		}
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return &httpError{status: http.StatusBadRequest, msg: "bcqb could not read this form: " + err.Error()}
	}
	return nil
}

// guardPage wraps every page (not the Web Connector's, health's or the
// certificate's routes) with the Host check.
func (s *server) guardPage(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r) {
			s.fail(w, r, &httpError{status: http.StatusMisdirectedRequest,
				msg: "bcqb's page answers at " + s.BaseURL + " (or by IP address or localhost), not at " + r.Host + "."})
			return
		}
		// Pages, and the redirects between them, depend on the login: never cached.
		w.Header().Set("Cache-Control", "no-store")
		next(w, r)
	}
}

// requireLogin lets through only a logged-in browser, and on every POST
// only with the session's form token from bcqb's own page. Others are sent
// to log in (or, on a fresh bcqb, to choose the password).
func (s *server) requireLogin(next http.HandlerFunc) http.HandlerFunc {
	return s.guardPage(func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.Store.AdminSessionByToken(r.Context(), cookieValue(r, s.cookieName(sessionCookie)))
		if errors.Is(err, store.ErrNotFound) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				s.fail(w, r, &httpError{status: http.StatusUnauthorized, msg: "You are not logged in (or your session ended). Log in at " + s.BaseURL + "/login and try again."})
				return
			}
			target := "/login"
			if set, err := s.Store.AdminPasswordSet(r.Context()); err != nil {
				s.fail(w, r, err)
				return
			} else if !set {
				target = "/setup"
			}
			if p := r.URL.RequestURI(); p != "/" {
				target += "?" + url.Values{fieldNext: {p}}.Encode()
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := s.parseForm(w, r); err != nil {
				s.fail(w, r, err)
				return
			}
			if !tokensEqual(r.PostForm.Get(fieldCSRF), sess.CSRFToken) {
				s.fail(w, r, errCSRF)
				return
			}
		}
		next(w, r.WithContext(context.WithValue(r.Context(), sessionKey, sess)))
	})
}

// localPath is next if it is a path on this site, else "/": a login link
// must never send the browser elsewhere afterwards.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

// formToken is the login forms' double-submit token, made when missing.
func (s *server) formToken(w http.ResponseWriter, r *http.Request) (string, error) {
	if t := cookieValue(r, s.cookieName(formCookie)); len(t) == 43 {
		return t, nil
	}
	t, err := randomToken()
	if err != nil {
		return "", err
	}
	s.setCookie(w, formCookie, t, time.Hour)
	return t, nil
}

// checkFormToken checks a login form's token against its cookie.
func (s *server) checkFormToken(w http.ResponseWriter, r *http.Request) error {
	if err := s.parseForm(w, r); err != nil {
		return err
	}
	if !tokensEqual(r.PostForm.Get(fieldCSRF), cookieValue(r, s.cookieName(formCookie))) {
		return errCSRF
	}
	return nil
}

// loggedIn is the session of the request's cookie, if it is live.
func (s *server) loggedIn(r *http.Request) bool {
	_, err := s.Store.AdminSessionByToken(r.Context(), cookieValue(r, s.cookieName(sessionCookie)))
	return err == nil
}

// startSession logs the browser in with a new token (whatever cookie it
// came with is ended, so a planted one is worth nothing) and sends it on.
func (s *server) startSession(w http.ResponseWriter, r *http.Request, next string) {
	if old := cookieValue(r, s.cookieName(sessionCookie)); old != "" {
		if err := s.Store.DeleteAdminSession(r.Context(), old); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	sess, err := s.Store.CreateAdminSession(r.Context(), remoteKey(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setCookie(w, sessionCookie, sess.Token, store.AdminSessionMax)
	s.setCookie(w, formCookie, "", 0)
	http.Redirect(w, r, localPath(next), http.StatusSeeOther)
}

type loginPage struct {
	pageData
	Next  string
	Error string
}

func (s *server) renderLogin(w http.ResponseWriter, r *http.Request, status int, name, title, next, msg string) {
	tok, err := s.formToken(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := s.pageData(r, title)
	d.CSRF = tok
	s.render(w, r, status, name, loginPage{pageData: d, Next: localPath(next), Error: msg})
}

func (s *server) loginForm(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get(fieldNext)
	set, err := s.Store.AdminPasswordSet(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	switch {
	case !set:
		http.Redirect(w, r, "/setup?"+url.Values{fieldNext: {localPath(next)}}.Encode(), http.StatusSeeOther)
	case s.loggedIn(r):
		http.Redirect(w, r, localPath(next), http.StatusSeeOther)
	default:
		s.renderLogin(w, r, http.StatusOK, "login.html", "Log in", next, "")
	}
}

func (s *server) login(w http.ResponseWriter, r *http.Request) {
	if err := s.checkFormToken(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	next := r.PostForm.Get(fieldNext)
	remote := remoteKey(r)
	unlock, err := s.attempts.lock(ctx, remote)
	if err != nil {
		return // the browser went away while waiting its turn
	}
	defer unlock()
	if until, err := s.Store.AdminLockedUntil(ctx, remote); err != nil {
		s.fail(w, r, err)
		return
	} else if !until.IsZero() {
		s.lockedOut(w, r, until)
		return
	}
	err = s.Store.AuthenticateAdmin(ctx, r.PostForm.Get(fieldPassword))
	switch {
	case errors.Is(err, store.ErrNotFound):
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
		return
	case errors.Is(err, store.ErrBadCredentials):
		until, err := s.Store.RecordAdminLoginFailure(ctx, remote)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.Log.WarnContext(ctx, "failed login to the page", "remote", remote, "locked", !until.IsZero())
		sleep(ctx, s.loginDelay())
		if !until.IsZero() {
			s.lockedOut(w, r, until)
			return
		}
		s.renderLogin(w, r, http.StatusUnauthorized, "login.html", "Log in", next, "That password is not right.")
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	if err := s.Store.ClearAdminLoginFailures(ctx, remote); err != nil {
		s.fail(w, r, err)
		return
	}
	s.Log.InfoContext(ctx, "logged in to the page", "remote", remote)
	s.startSession(w, r, next)
}

func (s *server) lockedOut(w http.ResponseWriter, r *http.Request, until time.Time) {
	wait := until.Sub(s.Store.Now()).Round(time.Second)
	if wait < time.Second {
		wait = time.Second
	}
	w.Header().Set("Retry-After", fmt.Sprint(int(wait/time.Second)))
	minutes := int((wait + time.Minute - 1) / time.Minute)
	s.fail(w, r, &httpError{status: http.StatusTooManyRequests,
		msg: fmt.Sprintf("Too many wrong passwords from your address: logging in is locked until %s UTC (in %d minute%s). Try again then.",
			until.UTC().Format("15:04"), minutes, plural(minutes))})
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (s *server) setupForm(w http.ResponseWriter, r *http.Request) {
	set, err := s.Store.AdminPasswordSet(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if set {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, "setup.html", "Choose the password", r.URL.Query().Get(fieldNext), "")
}

func (s *server) setup(w http.ResponseWriter, r *http.Request) {
	if err := s.checkFormToken(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	next := r.PostForm.Get(fieldNext)
	pw := r.PostForm.Get(fieldPassword)
	if pw != r.PostForm.Get(fieldConfirm) {
		s.renderLogin(w, r, http.StatusBadRequest, "setup.html", "Choose the password", next, "The two passwords differ; type the same one twice.")
		return
	}
	err := s.Store.SetFirstAdminPassword(r.Context(), pw)
	var pe *store.PasswordError
	switch {
	case errors.As(err, &pe):
		s.renderLogin(w, r, http.StatusBadRequest, "setup.html", "Choose the password", next, pe.Error())
		return
	case errors.Is(err, store.ErrConflict):
		s.fail(w, r, &httpError{status: http.StatusConflict,
			msg: "The page's password is already set (from another browser, or by BCQB_ADMIN_PASSWORD). Log in at " + s.BaseURL + "/login."})
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	s.Log.InfoContext(r.Context(), "the page's password was set at its first visit", "remote", remoteKey(r))
	s.startSession(w, r, next)
}

// logout ends the session in the store, not only in the browser, so a
// copied cookie stops working too.
func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.Store.DeleteAdminSession(r.Context(), cookieValue(r, s.cookieName(sessionCookie))); err != nil {
		s.fail(w, r, err)
		return
	}
	s.setCookie(w, sessionCookie, "", 0)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
