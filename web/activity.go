package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/bcqb/bcqb/store"
)

// ActivityDeps is what the activity pages (the dashboard, needs attention,
// orders, the sync log, reconciliation) do beyond reading the store.
type ActivityDeps struct {
	// Replan plans again, with the store's current settings, every document
	// of the store not in QuickBooks yet (jobs.Planner.Replan): after a retry.
	Replan func(ctx context.Context, storeID int64) (int, error)
	// Wake asks the planner for a pass now.
	Wake func()
}

// Dashboard is what the activity pages read and change in the store.
type Dashboard interface {
	Now() time.Time
	Users(ctx context.Context) ([]store.User, error)
	Companies(ctx context.Context) ([]store.Company, error)
	BCStores(ctx context.Context) ([]store.BCStore, error)
	PostingCounts(ctx context.Context, companyID int64) (map[string]int, error)
	RecentSessions(ctx context.Context, limit int) ([]store.Session, error)
	CountJobStates(ctx context.Context, companyID int64) (store.JobStates, error)
	CountJobs(ctx context.Context, companyID int64) (store.JobCounts, error)
	CountHeld(ctx context.Context, sessionID int64) (int, error)
	OpenSessions(ctx context.Context) ([]store.SessionProgress, error)
	PullProgresses(ctx context.Context) (map[int64]store.PullProgress, error)
	PendingPulls(ctx context.Context) ([]store.PullTask, error)
	PostedPerDay(ctx context.Context, companyID int64, from time.Time) ([]store.DayCount, error)

	PostingRows(ctx context.Context, q store.PostingQuery) ([]store.PostingRow, int, error)
	PostingRowsByID(ctx context.Context, ids []int64) ([]store.PostingRow, error)
	FailedJobs(ctx context.Context, companyID int64, limit int) ([]store.FailedJob, error)
	FailedJobsOf(ctx context.Context, postingIDs []int64) ([]int64, error)
	Job(ctx context.Context, id int64) (store.Job, error)
	Retry(ctx context.Context, ids ...int64) (int, error)
	SkipPostings(ctx context.Context, ids []int64, by string) (store.SkipResult, error)
	UnskipPostings(ctx context.Context, ids []int64) (int, []int64, error)

	SyncLog(ctx context.Context, q store.LogQuery) ([]store.LogEvent, error)
	LogJobs(ctx context.Context, events []store.LogEvent) error
	LogRequest(ctx context.Context, id int64) (store.Request, []store.LogJob, error)
}

// activityRoutes registers the activity pages, all behind the login (the
// dashboard at / is registered with the others).
func (s *server) activityRoutes(r *mux.Router) {
	get := []string{http.MethodGet, http.MethodHead}
	r.HandleFunc("/api/status", s.requireAPI(s.apiStatus)).Methods(get...)
	r.HandleFunc("/attention", s.requireLogin(s.attention)).Methods(get...)
	r.HandleFunc("/attention", s.requireLogin(s.attentionAction)).Methods(http.MethodPost)
	r.HandleFunc("/orders", s.requireLogin(s.dataPage("orders.html", s.orders))).Methods(get...)
	r.HandleFunc("/reconcile", s.requireLogin(s.dataPage("reconcile.html", s.reconcile))).Methods(get...)
	r.HandleFunc("/log", s.requireLogin(s.dataPage("log.html", s.syncLog))).Methods(get...)
	r.HandleFunc("/log.csv", s.requireLogin(s.syncLogCSV)).Methods(get...)
	r.HandleFunc("/log/messages/{id:[0-9]+}", s.requireLogin(s.logMessage)).Methods(get...)
}

// perPage is how many rows a page of a list shows.
const perPage = 50

// pager links a list's pages.
type pager struct {
	Page, Pages, Total int
	// First and Last number the rows shown (1-based).
	First, Last int
	Prev, Next  string
}

// newPager builds the links of page (1-based) of total rows; the links keep
// the request's other query parameters.
func newPager(r *http.Request, page, per, total int) pager {
	p := pager{Page: page, Total: total, Pages: (total + per - 1) / per}
	if total > 0 {
		p.First, p.Last = (page-1)*per+1, min(page*per, total)
	}
	link := func(n int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < p.Pages {
		p.Next = link(page + 1)
	}
	return p
}

// badInput is a 400 with words for the user.
func badInput(format string, args ...any) error {
	return &httpError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// pageNumber reads ?page=, 1 when absent.
func pageNumber(q url.Values) (int, error) {
	v := strings.TrimSpace(q.Get("page"))
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, badInput("The page number %q is not a page of this list: use a whole number from 1.", v)
	}
	return n, nil
}

// names says which store and company file each id is, for the pages.
type names struct {
	stores    []store.BCStore
	storeByID map[int64]store.BCStore
	users     map[int64]string // company id → Web Connector user
	companies map[int64]store.Company
}

func (s *server) names(ctx context.Context) (names, error) {
	n := names{storeByID: map[int64]store.BCStore{}, users: map[int64]string{}}
	stores, err := s.Store.BCStores(ctx)
	if err != nil {
		return n, err
	}
	n.stores = stores
	for _, st := range stores {
		n.storeByID[st.ID] = st
	}
	users, err := s.Store.Users(ctx)
	if err != nil {
		return n, err
	}
	for _, u := range users {
		n.users[u.CompanyID] = u.Username
	}
	if n.companies, err = s.companiesByID(ctx); err != nil {
		return n, err
	}
	return n, nil
}

// companiesByID reads every company file, by id.
func (s *server) companiesByID(ctx context.Context) (map[int64]store.Company, error) {
	companies, err := s.Store.Companies(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]store.Company, len(companies))
	for _, c := range companies {
		byID[c.ID] = c
	}
	return byID, nil
}

// store names a store by its hash, "store N" when it is gone.
func (n names) store(id int64) string {
	if st, ok := n.storeByID[id]; ok {
		return st.StoreHash
	}
	return fmt.Sprintf("store %d", id)
}

// company names a company file by its Web Connector user and file name.
func (n names) company(id int64) string {
	label := n.users[id]
	if c, ok := n.companies[id]; ok && c.CompanyName != "" {
		if label != "" {
			return label + " (" + c.CompanyName + ")"
		}
		return c.CompanyName
	}
	if label == "" {
		return fmt.Sprintf("company file %d", id)
	}
	return label
}

// listParams reads what every list page takes: the names of the stores and
// company files, the store filter (?store=) and the page number (?page=).
func (s *server) listParams(r *http.Request) (names, int64, int, error) {
	n, err := s.names(r.Context())
	if err != nil {
		return n, 0, 0, err
	}
	q := r.URL.Query()
	id, err := n.storeParam(q)
	if err != nil {
		return n, 0, 0, err
	}
	page, err := pageNumber(q)
	return n, id, page, err
}

// dataPage renders a page whose data build can fail with words for the user.
func (s *server) dataPage(name string, build func(r *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d, err := build(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, name, d)
	}
}

// storeOption is a choice in a store filter.
type storeOption struct {
	ID       int64
	Label    string
	Selected bool
}

func (n names) storeOptions(selected int64) []storeOption {
	var out []storeOption
	for _, st := range n.stores {
		label := st.StoreHash
		if st.CompanyID != 0 {
			label += " → " + n.company(st.CompanyID)
		}
		out = append(out, storeOption{ID: st.ID, Label: label, Selected: st.ID == selected})
	}
	return out
}

// storeParam reads ?store=ID: 0 when absent, an error naming the problem
// when it is not a connected store.
func (n names) storeParam(q url.Values) (int64, error) {
	v := strings.TrimSpace(q.Get("store"))
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, badInput("The store %q is not a store id.", v)
	}
	if _, ok := n.storeByID[id]; !ok {
		return 0, &httpError{status: http.StatusNotFound, msg: fmt.Sprintf("There is no connected BigCommerce store with id %d.", id)}
	}
	return id, nil
}

// documentName names a posting's document for people.
func documentName(p store.Posting) string {
	switch p.DocKind {
	case store.DocOrder:
		return fmt.Sprintf("Order %d", p.BCID)
	case store.DocRefund:
		return fmt.Sprintf("Refund %d of order %d", p.BCID, p.ParentBCID)
	}
	return fmt.Sprintf("%s %d", p.DocKind, p.BCID)
}

// stateWords says a posting state as the pages show it.
var stateWords = map[string]string{
	store.PostingAttention: "needs attention",
	store.PostingWaiting:   "waiting",
	store.PostingPlanned:   "queued",
	store.PostingPosted:    "posted",
	store.PostingVoided:    "voided",
	store.PostingSkipped:   "skipped",
}

func stateWord(s string) string {
	if w, ok := stateWords[s]; ok {
		return w
	}
	return s
}

// countOf is "1 order" or "3 orders".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// day is a UTC calendar day as the pages write it.
const dayLayout = "2006-01-02"

func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// parseDay reads a YYYY-MM-DD field; empty is the zero time.
func parseDay(field, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(dayLayout, v)
	if err != nil {
		return time.Time{}, badInput("The %s date %q is not a date: write it as YYYY-MM-DD, for example 2026-03-01.", field, v)
	}
	return t, nil
}
