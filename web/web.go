// Package web serves bcqb's HTTP surface: the Web Connector endpoint, the
// .qwc download, the support page the Web Connector checks, the root
// certificate, health, and the pages.
package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/bcqb/bcqb/qwc"
	"github.com/bcqb/bcqb/static"
	"github.com/bcqb/bcqb/store"
)

// Store is what the pages need from the store; *store.DB is one.
type Store interface {
	Ping(ctx context.Context) error
	Users(ctx context.Context) ([]store.User, error)
	Dashboard
	Admin
	API
	Connect
	Care
	Mapping
}

// Deps are the parts the web server is built from.
type Deps struct {
	// SOAP is the Web Connector endpoint.
	SOAP  http.Handler
	Store Store
	// QWC builds the .qwc file of a Web Connector user.
	QWC func(ctx context.Context, user string) (qwc.File, error)
	// API is what the JSON API does besides reading the store.
	API APIDeps
	// CA serves bcqb's root certificate; nil when bcqb does not run its own CA.
	CA http.Handler
	// Webhooks receives BigCommerce's callbacks; nil when none are wanted.
	Webhooks  http.Handler
	Templates *template.Template
	Version   string
	BaseURL   string
	Log       *slog.Logger
	// LoginDelay is how long a failed login is held before its answer; nil
	// is half a second to a second. Tests shorten it.
	LoginDelay func() time.Duration
	// Connect is what the connect page needs beyond the store.
	Connect ConnectDeps
	Care    CareDeps
	Mapping MappingDeps
	// Activity is what the activity pages (dashboard, needs attention,
	// orders, sync log, reconciliation) do beyond reading the store.
	Activity ActivityDeps
}

type server struct {
	Deps
	// secure marks cookies Secure: the base URL is https, so the browser
	// reaches bcqb over TLS (directly or through a proxy).
	secure     bool
	baseOrigin string
	baseHost   string
	attempts   addrLocks
	loginDelay func() time.Duration
}

// NewHandler returns the router.
func NewHandler(d Deps) http.Handler {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	s := &server{Deps: d, secure: strings.HasPrefix(d.BaseURL, "https://"), loginDelay: d.LoginDelay}
	if s.loginDelay == nil {
		s.loginDelay = defaultLoginDelay
	}
	if u, err := url.Parse(d.BaseURL); err == nil {
		s.baseOrigin = u.Scheme + "://" + u.Host
		s.baseHost = u.Hostname()
	}
	r := mux.NewRouter()
	// Outside the login: what the Web Connector calls and checks, health,
	// the root certificate (needed before the page can be trusted), and
	// BigCommerce's callbacks, each with its own credentials or none needed.
	r.Handle("/qbwc", d.SOAP)
	if d.Webhooks != nil {
		r.Handle("/webhooks/bigcommerce", d.Webhooks).Methods(http.MethodPost)
	}
	r.HandleFunc("/healthz", s.healthz).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/support", s.page("support.html", "Support")).Methods(http.MethodGet, http.MethodHead)
	if d.CA != nil {
		r.Handle("/ca.crt", d.CA)
	} else {
		r.HandleFunc("/ca.crt", func(w http.ResponseWriter, r *http.Request) {
			s.fail(w, r, &httpError{status: http.StatusNotFound,
				msg: "bcqb is not running its own certificate authority (it serves the certificate it was given, or plain http on localhost)."})
		})
	}
	r.PathPrefix("/static/").Handler(http.StripPrefix("/static/", http.FileServer(http.FS(static.Files))))

	// Logging in.
	r.HandleFunc("/login", s.guardPage(s.loginForm)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/login", s.guardPage(s.login)).Methods(http.MethodPost)
	r.HandleFunc("/setup", s.guardPage(s.setupForm)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/setup", s.guardPage(s.setup)).Methods(http.MethodPost)

	// Behind the login.
	r.HandleFunc("/logout", s.requireLogin(s.logout)).Methods(http.MethodPost)
	r.HandleFunc("/qwc", s.requireLogin(s.qwcFile)).Methods(http.MethodGet)
	r.HandleFunc("/", s.requireLogin(s.dashboard)).Methods(http.MethodGet, http.MethodHead)
	s.apiRoutes(r)
	s.connectRoutes(r)
	s.careRoutes(r)
	s.mappingRoutes(r)
	s.activityRoutes(r)

	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, &httpError{status: http.StatusNotFound, msg: "There is no page at " + r.URL.Path + "."})
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, &httpError{status: http.StatusMethodNotAllowed, msg: r.Method + " is not allowed at " + r.URL.Path + "."})
	})
	return securityHeaders(r)
}

// contentSecurityPolicy allows the page only its own styles, scripts and
// images and its own forms, and no framing (clickjacking). The templates use
// no inline script or style, so none is allowed.
const contentSecurityPolicy = "default-src 'self'; base-uri 'none'; object-src 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders go on every answer. No Strict-Transport-Security: with
// bcqb's own CA, a browser that has not imported the root yet must still be
// able to click through the warning once to download it.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.Store.Ping(ctx); err != nil {
		s.Log.ErrorContext(ctx, "health check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "{\"status\":\"unavailable\",\"version\":%q}\n", s.Version)
		return
	}
	fmt.Fprintf(w, "{\"status\":\"ok\",\"version\":%q}\n", s.Version)
}

// qwcFile downloads the .qwc file for ?user=NAME, or for the only user.
func (s *server) qwcFile(w http.ResponseWriter, r *http.Request) {
	user := r.URL.Query().Get("user")
	if user == "" {
		users, err := s.Store.Users(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		switch len(users) {
		case 0:
			s.fail(w, r, &httpError{status: http.StatusNotFound,
				msg: "There is no Web Connector user yet. Create one on " + s.BaseURL + "/connect#users (or start bcqb with BCQB_QBWC_USER and BCQB_QBWC_PASSWORD set), then download the .qwc file again."})
			return
		case 1:
			user = users[0].Username
		default:
			names := make([]string, len(users))
			for i, u := range users {
				names[i] = u.Username
			}
			s.fail(w, r, &httpError{status: http.StatusBadRequest,
				msg: "Several Web Connector users exist; add ?user=NAME, one of: " + strings.Join(names, ", ")})
			return
		}
	}
	f, err := s.QWC(r.Context(), user)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := f.Marshal()
	if err != nil {
		s.fail(w, r, &httpError{status: http.StatusBadRequest, msg: err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "bcqb-"+safeFileName(user)+".qwc"))
	w.Write(body)
}

func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// pageData is what every page's header and footer read.
type pageData struct {
	Title   string
	Version string
	AppURL  string
	PageURL string
	TLS     bool
	// LoggedIn shows the logout button; CSRF is the token every form echoes.
	LoggedIn bool
	CSRF     string
}

func (s *server) pageData(r *http.Request, title string) pageData {
	d := pageData{Title: title, Version: s.Version, AppURL: s.BaseURL + "/qbwc", PageURL: s.BaseURL + "/", TLS: s.secure}
	if sess, ok := sessionFrom(r.Context()); ok {
		d.LoggedIn, d.CSRF = true, sess.CSRFToken
	}
	return d
}

// page serves a page that needs nothing but pageData.
func (s *server) page(name, title string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, name, s.pageData(r, title))
	}
}

// render executes a template into a buffer first, so a template error never
// sends half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var b bytes.Buffer
	if err := s.Templates.ExecuteTemplate(&b, name, data); err != nil {
		s.Log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
		http.Error(w, "bcqb could not render this page; see the bcqb log.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// Pages show the state of the books, and forms carry tokens: never cached.
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// httpError is an error with the status and the words the user sees.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

// fail maps an error to an HTTP answer, once for the whole web package.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	var ve *qwc.ValidationError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &he):
	case errors.Is(err, store.ErrNotFound):
		he = &httpError{status: http.StatusNotFound, msg: "Not found: " + err.Error()}
	case errors.As(err, &ve):
		he = &httpError{status: http.StatusBadRequest, msg: err.Error()}
	case errors.As(err, &mbe):
		he = &httpError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("The request is larger than the %d bytes bcqb takes here.", mbe.Limit)}
	default:
		s.Log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
		he = &httpError{status: http.StatusInternalServerError, msg: "bcqb could not answer this request; see the bcqb log."}
	}
	// The API answers JSON; a browser gets a page; curl and the Web
	// Connector get the words alone.
	if isAPI(r) {
		s.writeJSON(w, r, he.status, apiError{Error: he.msg, Status: he.status})
		return
	}
	if strings.Contains(r.Header.Get("Accept"), "text/html") {
		d := s.pageData(r, http.StatusText(he.status))
		s.render(w, r, he.status, "error.html", errorPage{pageData: d, Status: he.status, Message: he.msg})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(he.status)
	fmt.Fprintln(w, he.msg)
}

type errorPage struct {
	pageData
	Status  int
	Message string
}
