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
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/bcqb/bcqb/qwc"
	"github.com/bcqb/bcqb/static"
	"github.com/bcqb/bcqb/store"
)

// Store is what the pages need from the store.
type Store interface {
	Ping(ctx context.Context) error
	Users(ctx context.Context) ([]store.User, error)
}

// Deps are the parts the web server is built from.
type Deps struct {
	// SOAP is the Web Connector endpoint.
	SOAP  http.Handler
	Store Store
	// QWC builds the .qwc file of a Web Connector user.
	QWC func(ctx context.Context, user string) (qwc.File, error)
	// CA serves bcqb's root certificate; nil when bcqb does not run its own CA.
	CA http.Handler
	// Webhooks receives BigCommerce's callbacks; nil when none are wanted.
	Webhooks  http.Handler
	Templates *template.Template
	Version   string
	BaseURL   string
	Log       *slog.Logger
}

type server struct {
	Deps
}

// NewHandler returns the router.
func NewHandler(d Deps) http.Handler {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	s := &server{Deps: d}
	r := mux.NewRouter()
	r.Handle("/qbwc", d.SOAP)
	if d.Webhooks != nil {
		r.Handle("/webhooks/bigcommerce", d.Webhooks).Methods(http.MethodPost)
	}
	r.HandleFunc("/healthz", s.healthz).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/qwc", s.qwcFile).Methods(http.MethodGet)
	r.HandleFunc("/support", s.page("support.html", "Support")).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/", s.page("index.html", "Home")).Methods(http.MethodGet, http.MethodHead)
	if d.CA != nil {
		r.Handle("/ca.crt", d.CA)
	} else {
		r.HandleFunc("/ca.crt", func(w http.ResponseWriter, r *http.Request) {
			s.fail(w, r, &httpError{status: http.StatusNotFound,
				msg: "bcqb is not running its own certificate authority (it serves the certificate it was given, or plain http on localhost)."})
		})
	}
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, &httpError{status: http.StatusNotFound, msg: "There is no page at " + r.URL.Path + "."})
	})
	r.PathPrefix("/static/").Handler(http.StripPrefix("/static/", http.FileServer(http.FS(static.Files))))
	return securityHeaders(r)
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
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
				msg: "There is no Web Connector user yet. Start bcqb with BCQB_QBWC_USER and BCQB_QBWC_PASSWORD set, then download the .qwc file again."})
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

type pageData struct {
	Title   string
	Version string
	AppURL  string
	PageURL string
	TLS     bool
	Users   []string
}

func (s *server) page(name, title string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d := pageData{Title: title, Version: s.Version, AppURL: s.BaseURL + "/qbwc", PageURL: s.BaseURL + "/",
			TLS: strings.HasPrefix(s.BaseURL, "https://")}
		if name == "index.html" {
			users, err := s.Store.Users(r.Context())
			if err != nil {
				s.fail(w, r, err)
				return
			}
			for _, u := range users {
				d.Users = append(d.Users, u.Username)
			}
		}
		s.render(w, r, http.StatusOK, name, d)
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
	switch {
	case errors.As(err, &he):
	case errors.Is(err, store.ErrNotFound):
		he = &httpError{status: http.StatusNotFound, msg: "Not found: " + err.Error()}
	case errors.As(err, &ve):
		he = &httpError{status: http.StatusBadRequest, msg: err.Error()}
	default:
		s.Log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
		he = &httpError{status: http.StatusInternalServerError, msg: "bcqb could not answer this request; see the bcqb log."}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(he.status)
	fmt.Fprintln(w, he.msg)
}
