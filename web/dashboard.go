package web

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/bcqb/bcqb/store"
)

// Dashboard is what the dashboard reads from the store.
type Dashboard interface {
	Users(ctx context.Context) ([]store.User, error)
	Companies(ctx context.Context) ([]store.Company, error)
	BCStores(ctx context.Context) ([]store.BCStore, error)
	PostingCounts(ctx context.Context, companyID int64) (map[string]int, error)
	RecentSessions(ctx context.Context, limit int) ([]store.Session, error)
}

// recentSessions is how many Web Connector sessions the dashboard lists.
const recentSessions = 10

// postingStates orders the states as a bookkeeper reads them: what needs
// them first.
var postingStates = []string{store.PostingAttention, store.PostingWaiting, store.PostingPlanned,
	store.PostingPosted, store.PostingVoided, store.PostingSkipped}

type dashboardPage struct {
	pageData
	Companies []companyRow
	Stores    []storeRow
	Sessions  []sessionRow
}

type companyRow struct {
	User        string
	CompanyFile string
	CompanyName string
	Postings    []stateCount
}

type stateCount struct {
	State string
	Count int
}

// storeRow shows a connected store; its token is never read for the page.
type storeRow struct {
	StoreHash   string
	User        string
	PullState   string
	LastPullAt  time.Time
	LastError   string
	LastSummary string
}

type sessionRow struct {
	User      string
	State     string
	Summary   string
	LastError string
	CreatedAt time.Time
}

func (s *server) dashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d := dashboardPage{pageData: s.pageData(r, "Dashboard")}
	users, err := s.Store.Users(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	companies, err := s.Store.Companies(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	byID := map[int64]store.Company{}
	for _, c := range companies {
		byID[c.ID] = c
	}
	userOf := map[int64]string{} // company ID → Web Connector user
	userByID := map[int64]string{}
	for _, u := range users {
		userOf[u.CompanyID] = u.Username
		userByID[u.ID] = u.Username
		counts, err := s.Store.PostingCounts(ctx, u.CompanyID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		c := byID[u.CompanyID]
		d.Companies = append(d.Companies, companyRow{User: u.Username, CompanyFile: c.CompanyFile,
			CompanyName: c.CompanyName, Postings: orderCounts(counts)})
	}
	stores, err := s.Store.BCStores(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, st := range stores {
		d.Stores = append(d.Stores, storeRow{StoreHash: st.StoreHash, User: userOf[st.CompanyID], PullState: st.PullState,
			LastPullAt: st.LastPullAt, LastError: st.LastPullError, LastSummary: st.LastPullSummary})
	}
	sessions, err := s.Store.RecentSessions(ctx, recentSessions)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, se := range sessions {
		d.Sessions = append(d.Sessions, sessionRow{User: userByID[se.UserID], State: se.State, Summary: se.Summary,
			LastError: se.LastError, CreatedAt: se.CreatedAt})
	}
	s.render(w, r, http.StatusOK, "index.html", d)
}

// orderCounts lists the known states in reading order, then any other.
func orderCounts(m map[string]int) []stateCount {
	var out []stateCount
	seen := map[string]bool{}
	for _, st := range postingStates {
		seen[st] = true
		if n := m[st]; n > 0 {
			out = append(out, stateCount{st, n})
		}
	}
	var rest []string
	for st := range m {
		if !seen[st] && m[st] > 0 {
			rest = append(rest, st)
		}
	}
	sort.Strings(rest)
	for _, st := range rest {
		out = append(out, stateCount{st, m[st]})
	}
	return out
}
