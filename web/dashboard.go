package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/bcqb/bcqb/store"
)

// recentSessions is how many Web Connector sessions the dashboard lists.
const recentSessions = 10

// chartDays is how many days the chart of orders posted covers.
const chartDays = 30

// stalledAfter is how long an open session may go without a call from the
// Web Connector before the dashboard says it stalled.
const stalledAfter = 2 * time.Minute

// postingStates orders the states as a bookkeeper reads them: what needs
// them first.
var postingStates = []string{store.PostingAttention, store.PostingWaiting, store.PostingPlanned,
	store.PostingPosted, store.PostingVoided, store.PostingSkipped}

// liveStatus is what the dashboard shows that changes while it is open. The
// page renders it at load; static/activity.js polls it from /api/status and
// writes each value into the element that names it (data-live="path").
type liveStatus struct {
	At time.Time `json:"at"`
	// Attention counts the documents that need attention and the failed
	// QuickBooks records that carry no document, in every company file.
	Attention int `json:"attention"`
	// Companies and Stores are keyed "c<id>" and "s<id>" for the page's paths.
	Companies map[string]*companyLive `json:"companies"`
	Stores    map[string]*storeLive   `json:"stores"`

	companies []*companyLive
	stores    []*storeLive
}

type companyLive struct {
	Key         string         `json:"-"`
	ID          int64          `json:"id"`
	User        string         `json:"user"`
	CompanyFile string         `json:"company_file"`
	CompanyName string         `json:"company_name"`
	Postings    map[string]int `json:"postings"`
	Jobs        jobsLive       `json:"jobs"`
	Session     sessionLive    `json:"session"`
	// LastCall is when the Web Connector last called for this company file.
	LastCall time.Time `json:"last_call,omitzero"`
	// PostingRows lists Postings in reading order, for the page.
	PostingRows []stateCount `json:"-"`
}

type stateCount struct {
	State string
	Words string
	Count int
}

type jobsLive struct {
	Due     int `json:"due"`
	Later   int `json:"later"`
	Blocked int `json:"blocked"`
	Out     int `json:"out"`
	Failed  int `json:"failed"`
	Done    int `json:"done"`
}

// sessionLive is the Web Connector session running for a company file.
type sessionLive struct {
	Running bool `json:"running"`
	// Stalled: open, but the Web Connector has not called for a while.
	Stalled  bool      `json:"stalled"`
	ID       string    `json:"id,omitempty"`
	Started  time.Time `json:"started,omitzero"`
	LastCall time.Time `json:"last_call,omitzero"`
	// Sent and Answered count qbXML messages; Done and Failed the jobs settled.
	Sent      int `json:"sent"`
	Answered  int `json:"answered"`
	Done      int `json:"done"`
	Failed    int `json:"failed"`
	Remaining int `json:"remaining"`
	// Percent is the share done, as the Web Connector's progress bar shows it.
	Percent int `json:"percent"`
	// Doing says what the session is doing, in words.
	Doing string `json:"doing"`
}

type storeLive struct {
	Key       string `json:"-"`
	ID        int64  `json:"id"`
	Hash      string `json:"hash"`
	User      string `json:"user"`
	PullState string `json:"pull_state"`
	Running   bool   `json:"running"`
	// Pull is the running (or last) pull's progress.
	Pull        pullLive  `json:"pull"`
	LastPullAt  time.Time `json:"last_pull_at,omitzero"`
	LastSummary string    `json:"last_summary"`
	LastError   string    `json:"last_error"`
	// Pending lists the pulls queued for the store, in words.
	Pending []string `json:"pending"`
}

type pullLive struct {
	Kind    string    `json:"kind"`
	Since   time.Time `json:"since,omitzero"`
	Until   time.Time `json:"until,omitzero"`
	Reached time.Time `json:"reached,omitzero"`
	Orders  int       `json:"orders"`
	// Percent is how far between since and until the orders stored reach
	// (BigCommerce lists them oldest change first).
	Percent int    `json:"percent"`
	Words   string `json:"words"`
}

// status reads the live status of every company file and store.
func (s *server) status(ctx context.Context) (*liveStatus, error) {
	now := s.Store.Now()
	st := &liveStatus{At: now, Companies: map[string]*companyLive{}, Stores: map[string]*storeLive{}}
	users, err := s.Store.Users(ctx)
	if err != nil {
		return nil, err
	}
	byID, err := s.companiesByID(ctx)
	if err != nil {
		return nil, err
	}
	open, err := s.Store.OpenSessions(ctx)
	if err != nil {
		return nil, err
	}
	recent, err := s.Store.RecentSessions(ctx, 50)
	if err != nil {
		return nil, err
	}
	userOf := map[int64]string{}
	for _, u := range users {
		userOf[u.CompanyID] = u.Username
		c := byID[u.CompanyID]
		cl := &companyLive{Key: fmt.Sprintf("c%d", c.ID), ID: c.ID, User: u.Username, CompanyFile: c.CompanyFile,
			CompanyName: c.CompanyName, Postings: map[string]int{}}
		counts, err := s.Store.PostingCounts(ctx, u.CompanyID)
		if err != nil {
			return nil, err
		}
		for _, state := range postingStates {
			cl.Postings[state] = counts[state]
			cl.PostingRows = append(cl.PostingRows, stateCount{State: state, Words: stateWord(state), Count: counts[state]})
		}
		st.Attention += counts[store.PostingAttention]
		jc, err := s.Store.CountJobStates(ctx, u.CompanyID)
		if err != nil {
			return nil, err
		}
		cl.Jobs = jobsLive{Due: jc.Due, Later: jc.Later, Blocked: jc.Blocked, Out: jc.Out, Failed: jc.Failed, Done: jc.Done}
		for _, se := range recent {
			if se.CompanyID == u.CompanyID && se.LastSeenAt.After(cl.LastCall) {
				cl.LastCall = se.LastSeenAt
			}
		}
		for _, p := range open {
			if p.CompanyID != u.CompanyID {
				continue
			}
			if cl.Session, err = s.sessionLive(ctx, p, now); err != nil {
				return nil, err
			}
			if p.LastSeenAt.After(cl.LastCall) {
				cl.LastCall = p.LastSeenAt
			}
			break
		}
		st.companies = append(st.companies, cl)
		st.Companies[cl.Key] = cl
	}
	failed, err := s.Store.FailedJobs(ctx, 0, 1000)
	if err != nil {
		return nil, err
	}
	st.Attention += len(failed)

	stores, err := s.Store.BCStores(ctx)
	if err != nil {
		return nil, err
	}
	progress, err := s.Store.PullProgresses(ctx)
	if err != nil {
		return nil, err
	}
	pending, err := s.Store.PendingPulls(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range stores {
		sl := &storeLive{Key: fmt.Sprintf("s%d", b.ID), ID: b.ID, Hash: b.StoreHash, User: userOf[b.CompanyID],
			PullState: b.PullState, Running: b.PullState == store.PullRunning, LastPullAt: b.LastPullAt,
			LastSummary: b.LastPullSummary, LastError: b.LastPullError, Pending: []string{}}
		if p, ok := progress[b.ID]; ok {
			sl.Pull = pullOf(p, sl.Running)
		}
		for _, t := range pending {
			if t.StoreID == b.ID && t.Kind != store.PullOneOrder {
				sl.Pending = append(sl.Pending, pendingWords(t, now))
			}
		}
		st.stores = append(st.stores, sl)
		st.Stores[sl.Key] = sl
	}
	return st, nil
}

// sessionLive reads how far an open session got.
func (s *server) sessionLive(ctx context.Context, p store.SessionProgress, now time.Time) (sessionLive, error) {
	l := sessionLive{Running: true, ID: p.PublicID, Started: p.CreatedAt, LastCall: p.LastSeenAt, Sent: p.Sent,
		Answered: p.Answered, Done: p.DoneCount, Failed: p.FailedCount}
	jc, err := s.Store.CountJobs(ctx, p.CompanyID)
	if err != nil {
		return l, err
	}
	held, err := s.Store.CountHeld(ctx, p.ID)
	if err != nil {
		return l, err
	}
	l.Remaining = jc.Due + held
	l.Percent = percentDone(l.Done+l.Failed, l.Remaining)
	idle := now.Sub(p.LastSeenAt)
	switch {
	case idle > stalledAfter:
		l.Stalled = true
		l.Doing = fmt.Sprintf("The Web Connector has not called for %s; the session ends by itself if it does not come back.",
			idle.Round(time.Minute))
	case p.Outstanding != "":
		l.Doing = "QuickBooks is working on " + requestWords(p.Outstanding) + "."
	case p.LastError == "NoOp":
		l.Doing = "Waiting a few seconds for work being prepared (a BigCommerce pull or planning)."
	case p.Sent == 0:
		l.Doing = "Starting: the Web Connector is opening the company file."
	default:
		l.Doing = "Preparing the next request."
	}
	return l, nil
}

// percentDone is the share of a session's work done, as the Web Connector
// is told it (qwc.percent): 100 only when nothing remains.
func percentDone(done, remaining int) int {
	if remaining <= 0 {
		if done == 0 {
			return 0
		}
		return 100
	}
	return min(done*100/(done+remaining), 99)
}

var rqName = regexp.MustCompile(`<([A-Za-z]+)Rq[\s>/]`)

// verbs are what the qbXML request suffixes do, in words.
var verbs = []struct{ suffix, verb string }{
	{"Add", "adding"}, {"Mod", "changing"}, {"Query", "reading"}, {"Del", "deleting"}, {"Void", "voiding"},
}

// qbNouns names QuickBooks' objects for a bookkeeper, one and many.
var qbNouns = map[string][2]string{
	"Account":            {"account", "accounts"},
	"ARRefundCreditCard": {"card refund", "card refunds"},
	"Check":              {"check", "checks"},
	"Class":              {"class", "classes"},
	"Company":            {"company file's details", "company file's details"},
	"CreditMemo":         {"credit memo", "credit memos"},
	"Currency":           {"currency", "currencies"},
	"Customer":           {"customer", "customers"},
	"Host":               {"QuickBooks' details", "QuickBooks' details"},
	"Invoice":            {"invoice", "invoices"},
	"Item":               {"item", "items"},
	"ItemDiscount":       {"discount item", "discount items"},
	"ItemInventory":      {"inventory item", "inventory items"},
	"ItemNonInventory":   {"non-inventory item", "non-inventory items"},
	"ItemOtherCharge":    {"other charge item", "other charge items"},
	"ItemPayment":        {"payment item", "payment items"},
	"ItemSalesTax":       {"sales tax item", "sales tax items"},
	"ItemSalesTaxGroup":  {"sales tax group", "sales tax groups"},
	"ItemService":        {"service item", "service items"},
	"PaymentMethod":      {"payment method", "payment methods"},
	"Preferences":        {"preferences", "preferences"},
	"ReceivePayment":     {"payment", "payments"},
	"SalesReceipt":       {"sales receipt", "sales receipts"},
	"SalesTaxCode":       {"sales tax code", "sales tax codes"},
	"Txn":                {"transaction", "transactions"},
}

// qbNoun names an object type, one or many: from qbNouns, or by splitting
// its name ("ShipMethod": "ship method", "ship methods").
func qbNoun(name string, n int) string {
	w, ok := qbNouns[name]
	if !ok {
		one := splitWords(name)
		many := one + "s"
		switch {
		case strings.HasSuffix(one, "y") && !strings.HasSuffix(one, "ey"):
			many = strings.TrimSuffix(one, "y") + "ies"
		case strings.HasSuffix(one, "s"), strings.HasSuffix(one, "x"), strings.HasSuffix(one, "ch"):
			many = one + "es"
		}
		w = [2]string{one, many}
	}
	if n == 1 {
		return w[0]
	}
	return w[1]
}

// requestWords says what a qbXML message asks, in words: "3 requests
// (adding 2 sales receipts, adding 1 customer)".
func requestWords(xml string) string {
	counts := map[string]int{}
	var order []string
	for _, m := range rqName.FindAllStringSubmatch(xml, -1) {
		if m[1] == "QBXMLMsgs" { // the envelope, not a request
			continue
		}
		if counts[m[1]] == 0 {
			order = append(order, m[1])
		}
		counts[m[1]]++
	}
	if len(order) == 0 {
		return "a request"
	}
	total := 0
	var parts []string
	for _, name := range order {
		n := counts[name]
		total += n
		verb, noun := "sending", name
		for _, v := range verbs {
			if strings.HasSuffix(name, v.suffix) && len(name) > len(v.suffix) {
				verb, noun = v.verb, strings.TrimSuffix(name, v.suffix)
				break
			}
		}
		if verb == "reading" {
			parts = append(parts, verb+" "+qbNoun(noun, 2))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d %s", verb, n, qbNoun(noun, n)))
	}
	return countOf(total, "request", "requests") + " (" + strings.Join(parts, ", ") + ")"
}

// splitWords turns "ShipMethod" into "ship method".
func splitWords(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func pullOf(p store.PullProgress, running bool) pullLive {
	l := pullLive{Kind: p.Kind, Since: p.Since, Until: p.Until, Reached: p.Reached, Orders: p.Orders}
	if span := p.Until.Sub(p.Since); span > 0 && !p.Reached.IsZero() {
		l.Percent = int(min(max(p.Reached.Sub(p.Since)*100/span, 0), 99))
	}
	what := "pull"
	if p.Kind == store.PullBackfill {
		what = "backfill"
	}
	if running {
		l.Words = fmt.Sprintf("The %s is running: %s stored so far, up to changes of %s (%d%% of the way from %s to %s).",
			what, countOf(p.Orders, "order", "orders"), p.Reached.UTC().Format(dayLayout), l.Percent,
			p.Since.UTC().Format(dayLayout), p.Until.UTC().Format(dayLayout))
	} else {
		l.Percent = 100
		l.Words = fmt.Sprintf("The last %s stored %s changed from %s.", what, countOf(p.Orders, "order", "orders"),
			p.Since.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return l
}

// pendingWords says what a queued pull will do.
func pendingWords(t store.PullTask, now time.Time) string {
	what := "An incremental pull"
	if t.Kind == store.PullBackfill {
		what = "A backfill of everything changed since " + t.Since.UTC().Format(dayLayout)
	}
	switch {
	case t.State == store.TaskRunning:
		return what + " is running."
	case t.NotBefore.After(now):
		s := what + " is queued for " + t.NotBefore.UTC().Format("2006-01-02 15:04 UTC")
		if t.LastError != "" {
			s += " (it failed before: " + t.LastError + ")"
		}
		return s + "."
	}
	return what + " is queued."
}

// apiStatus answers the dashboard's live status as JSON.
func (s *server) apiStatus(w http.ResponseWriter, r *http.Request) {
	st, err := s.status(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(st); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}

type dashboardPage struct {
	pageData
	Status    *liveStatus
	Companies []*companyLive
	Stores    []*storeLive
	Sessions  []sessionRow
	Chart     chart
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
	st, err := s.status(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := dashboardPage{pageData: s.pageData(r, "Dashboard"), Status: st, Companies: st.companies, Stores: st.stores}
	users, err := s.Store.Users(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	userByID := map[int64]string{}
	for _, u := range users {
		userByID[u.ID] = u.Username
	}
	sessions, err := s.Store.RecentSessions(ctx, 5*recentSessions)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, se := range sessions {
		// The calls that found nothing to do would crowd out the rest: the
		// Web Connector's last call is shown with each company file.
		if se.State == store.SessionRefused && se.AuthResult == "none" {
			continue
		}
		if len(d.Sessions) == recentSessions {
			break
		}
		msg := se.LastError
		if msg == "NoOp" {
			msg = ""
		}
		d.Sessions = append(d.Sessions, sessionRow{User: userByID[se.UserID], State: se.State, Summary: se.Summary,
			LastError: msg, CreatedAt: se.CreatedAt})
	}
	today := utcDay(st.At)
	from := today.AddDate(0, 0, -(chartDays - 1))
	days, err := s.Store.PostedPerDay(ctx, 0, from)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Chart = newChart(from, chartDays, days)
	s.render(w, r, http.StatusOK, "index.html", d)
}

// chart is the bar chart of orders posted per day, drawn as inline SVG by
// the template (attributes only: the CSP allows no style).
type chart struct {
	Width, Height int
	// Baseline is the y of the x axis; Top the y of the highest bar;
	// LabelY the baseline of the days under the axis.
	Baseline, Top, LabelY int
	Max, Total            int
	Bars                  []chartBar
	// Summary says the chart in words, for screen readers.
	Summary string
}

type chartBar struct {
	Day          string
	Count        int
	X, Y, W, H   int
	Label        string
	LabelX       int
	ShowDayLabel bool
}

const (
	chartWidth  = 600
	chartHeight = 180
	chartLeft   = 32
	chartBottom = 24
	chartTop    = 12
)

func newChart(from time.Time, n int, counts []store.DayCount) chart {
	byDay := map[string]int{}
	for _, c := range counts {
		byDay[c.Day] = c.Count
	}
	c := chart{Width: chartWidth, Height: chartHeight, Baseline: chartHeight - chartBottom, Top: chartTop, LabelY: chartHeight - 6}
	busiest := ""
	for i := 0; i < n; i++ {
		day := from.AddDate(0, 0, i).Format(dayLayout)
		k := byDay[day]
		c.Total += k
		if k > c.Max {
			c.Max, busiest = k, day
		}
		c.Bars = append(c.Bars, chartBar{Day: day, Count: k})
	}
	slot := (chartWidth - chartLeft) / n
	plot := c.Baseline - chartTop
	for i := range c.Bars {
		b := &c.Bars[i]
		b.X, b.W = chartLeft+i*slot+2, max(slot-4, 1)
		if c.Max > 0 {
			b.H = b.Count * plot / c.Max
		}
		if b.Count > 0 && b.H < 2 {
			b.H = 2
		}
		b.Y = c.Baseline - b.H
		b.Label = fmt.Sprintf("%s: %s posted", b.Day, countOf(b.Count, "order", "orders"))
		b.LabelX = b.X + b.W/2
		b.ShowDayLabel = (n-1-i)%7 == 0 // a week apart, back from today
		b.Day = b.Day[5:]               // "03-01" under the axis
	}
	if c.Total == 0 {
		c.Summary = fmt.Sprintf("No orders were posted in the last %d days.", n)
	} else {
		c.Summary = fmt.Sprintf("%s posted in the last %d days; the most, %d, on %s.",
			countOf(c.Total, "order", "orders"), n, c.Max, busiest)
	}
	return c
}
