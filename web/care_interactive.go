package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/bcqb/bcqb/store"
)

// MappingNeed is a BigCommerce document of a company that waits for a
// mapping, with the SKUs of it that nothing maps.
type MappingNeed struct {
	StoreID   int64
	StoreHash string
	DocKind   string
	BCID      int64
	Reason    string
	SKUs      []string
}

func (s *server) interactiveRoutes(r *mux.Router) {
	r.HandleFunc("/care/interactive", s.requireLogin(s.interactiveLink)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/care/interactive/{id:[0-9]+}", s.requireLogin(s.interactivePage)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/care/interactive/{id:[0-9]+}/done", s.requireLogin(s.interactiveDone)).Methods(http.MethodPost)
	r.HandleFunc("/care/interactive-mode", s.requireLogin(s.interactiveMode)).Methods(http.MethodPost)
}

// interactiveLink spends the one-time token the Web Connector opened the
// browser with (after the login, when the browser had to log in first) and
// moves to the visit's own address, so that a reload or a link kept in the
// Web Connector's log never uses the token again.
func (s *server) interactiveLink(w http.ResponseWriter, r *http.Request) {
	v, err := s.Store.OpenInteractiveVisit(r.Context(), r.URL.Query().Get("token"))
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, &httpError{status: http.StatusNotFound,
			msg: "This link from the Web Connector was used already or has expired. What needs a mapping is listed under Needs attention: " + s.BaseURL + "/attention"})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.Log.InfoContext(r.Context(), "interactive page opened", "visit", v.ID)
	http.Redirect(w, r, fmt.Sprintf("/care/interactive/%d", v.ID), http.StatusSeeOther)
}

type interactivePage struct {
	pageData
	Visit store.InteractiveVisit
	// Waiting is set while the Web Connector waits for the user.
	Waiting bool
	Needs   []MappingNeed
	Notice  string
}

func (s *server) visit(w http.ResponseWriter, r *http.Request) (store.InteractiveVisit, bool) {
	id, err := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err != nil {
		s.fail(w, r, &httpError{status: http.StatusNotFound, msg: "There is no such Web Connector visit."})
		return store.InteractiveVisit{}, false
	}
	v, err := s.Store.InteractiveVisit(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return v, false
	}
	return v, true
}

func (s *server) interactivePage(w http.ResponseWriter, r *http.Request) {
	v, ok := s.visit(w, r)
	if !ok {
		return
	}
	d := interactivePage{pageData: s.pageData(r, "The Web Connector waits for you"), Visit: v,
		Waiting: (v.State == store.VisitOffered || v.State == store.VisitOpened) && s.Store.Now().Before(v.ExpiresAt)}
	if r.URL.Query().Get("done") != "" {
		d.Notice = "Thank you. The Web Connector goes on within a minute and posts what you mapped; what still needs a mapping waits under Needs attention."
	}
	if s.Care.MappingNeeds != nil {
		var err error
		if d.Needs, err = s.Care.MappingNeeds(r.Context(), v.CompanyID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "care_interactive.html", d)
}

func (s *server) interactiveDone(w http.ResponseWriter, r *http.Request) {
	v, ok := s.visit(w, r)
	if !ok {
		return
	}
	err := s.Store.FinishInteractiveVisit(r.Context(), v.ID)
	if errors.Is(err, store.ErrConflict) {
		s.fail(w, r, &httpError{status: http.StatusConflict,
			msg: "The Web Connector is not waiting for this page any more (it went on, or gave up waiting). What you mapped is posted at its next update."})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.Log.InfoContext(r.Context(), "interactive page finished", "visit", v.ID)
	http.Redirect(w, r, fmt.Sprintf("/care/interactive/%d?done=1", v.ID), http.StatusSeeOther)
}

// interactiveMode turns interactive mode on or off for a Web Connector user.
func (s *server) interactiveMode(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PostForm.Get("user"), 10, 64)
	on := r.PostForm.Get("on")
	if err != nil || (on != "1" && on != "0") {
		s.fail(w, r, &httpError{status: http.StatusBadRequest, msg: "This form names no Web Connector user, or neither on nor off. Reload the page and try again."})
		return
	}
	if err := s.Store.SetUserInteractive(r.Context(), id, on == "1"); err != nil {
		s.fail(w, r, err)
		return
	}
	s.Log.InfoContext(r.Context(), "interactive mode changed", "user", id, "on", on == "1")
	http.Redirect(w, r, "/care?done=interactive#interactive", http.StatusSeeOther)
}
