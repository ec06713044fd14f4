package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/store"
)

// logShows are the sync log's filters: what each shows.
var logShows = []struct{ Value, Label string }{
	{"", "everything"},
	{store.LogSession, "Web Connector sessions"},
	{store.LogMessage, "qbXML messages"},
	{store.LogPull, "BigCommerce pulls"},
}

type logOption struct {
	Value, Label string
	Selected     bool
}

// logLine is one event of the sync log, in words.
type logLine struct {
	Kind    string
	At      time.Time
	Title   string
	State   string
	Bad     bool
	Details []string
	Error   string
	Jobs    []logJobLine
	Link    string
}

type logJobLine struct {
	What  string
	State string
	Error string
}

type logPage struct {
	pageData
	Shows  []logOption
	Show   string
	Quiet  bool
	Lines  []logLine
	Prev   string
	Next   string
	Page   int
	CSVURL string
}

// logQuery reads the log's filters: ?show= and ?quiet=1.
func logQuery(q url.Values) (store.LogQuery, string, error) {
	show := strings.TrimSpace(q.Get("show"))
	var lq store.LogQuery
	known := false
	for _, s := range logShows {
		known = known || s.Value == show
	}
	if !known {
		return lq, "", badInput("The sync log cannot show %q; choose sessions, messages, pulls or everything.", show)
	}
	if show != "" {
		lq.Kinds = []string{show}
	}
	switch q.Get("quiet") {
	case "", "0":
	case "1":
		lq.Quiet = true
	default:
		return lq, "", badInput("quiet is 1 (show the events where nothing happened) or absent.")
	}
	return lq, show, nil
}

// syncLog shows the sync log newest first: Web Connector sessions with
// their summaries and errors, the qbXML messages with what each job did,
// and the BigCommerce pulls with their results.
func (s *server) syncLog(r *http.Request) (any, error) {
	ctx := r.Context()
	q := r.URL.Query()
	lq, show, err := logQuery(q)
	if err != nil {
		return nil, err
	}
	page, err := pageNumber(q)
	if err != nil {
		return nil, err
	}
	lq.Limit, lq.Offset = perPage+1, (page-1)*perPage
	events, err := s.Store.SyncLog(ctx, lq)
	if err != nil {
		return nil, err
	}
	d := logPage{pageData: s.pageData(r, "Sync log"), Show: show, Quiet: lq.Quiet, Page: page}
	for _, o := range logShows {
		d.Shows = append(d.Shows, logOption{Value: o.Value, Label: o.Label, Selected: o.Value == show})
	}
	more := len(events) > perPage
	if more {
		events = events[:perPage]
	}
	if err := s.Store.LogJobs(ctx, events); err != nil {
		return nil, err
	}
	for _, e := range events {
		d.Lines = append(d.Lines, describeEvent(e))
	}
	p := newPager(r, page, perPage, 0)
	d.Prev = p.Prev
	if more {
		nq := r.URL.Query()
		nq.Set("page", strconv.Itoa(page+1))
		d.Next = r.URL.Path + "?" + nq.Encode()
	}
	cq := r.URL.Query()
	cq.Del("page")
	d.CSVURL = "/log.csv"
	if len(cq) > 0 {
		d.CSVURL += "?" + cq.Encode()
	}
	return d, nil
}

func sizeWords(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func describeEvent(e store.LogEvent) logLine {
	l := logLine{Kind: e.Kind, At: e.At, State: e.State, Error: e.Error}
	switch e.Kind {
	case store.LogSession:
		l.Title = "Web Connector session " + e.Session + " of " + e.Who
		switch e.AuthResult {
		case "none":
			l.State = "nothing to do"
		case "busy":
			l.State = "refused: another Web Connector was updating"
		}
		if e.RemoteHost != "" {
			l.Details = append(l.Details, "from "+e.RemoteHost)
		}
		if !e.Ended.IsZero() {
			l.Details = append(l.Details, "ended "+e.Ended.UTC().Format("2006-01-02 15:04:05 UTC"))
		}
		if e.Done+e.Failed > 0 {
			l.Details = append(l.Details, fmt.Sprintf("%d done, %d failed", e.Done, e.Failed))
		}
		if e.Summary != "" {
			l.Details = append(l.Details, e.Summary)
		}
		if e.Error == "NoOp" {
			l.Error = ""
		}
		l.Bad = e.Failed > 0 || l.Error != ""
	case store.LogMessage:
		l.Title = fmt.Sprintf("qbXML message %d in session %s", e.ID, e.Session)
		l.Link = fmt.Sprintf("/log/messages/%d", e.ID)
		l.Details = append(l.Details, "sent "+sizeWords(e.RequestBytes))
		switch e.State {
		case "answered":
			l.Details = append(l.Details, "answered "+sizeWords(e.ResponseBytes)+" at "+e.Ended.UTC().Format("15:04:05 UTC"))
		case "lost":
			l.State = "lost: the session ended before QuickBooks' answer came (bcqb asks QuickBooks before sending again)"
		case "sent":
			l.State = "out to QuickBooks"
		}
		if e.HResult != "" {
			l.Error = "QuickBooks' request processor failed (" + e.HResult + "): " + e.Summary
		}
		for _, j := range e.Jobs {
			l.Jobs = append(l.Jobs, logJobLine{What: j.What, State: jobStateWords(j.State), Error: j.LastError})
			l.Bad = l.Bad || j.State == store.JobFailed
		}
		l.Bad = l.Bad || l.Error != ""
	case store.LogPull:
		switch e.PullKind {
		case store.PullBackfill:
			l.Title = "Backfill of " + e.Who + " since " + e.Since.UTC().Format(dayLayout)
		case store.PullOneOrder:
			l.Title = fmt.Sprintf("Pull of order %d of %s (a webhook)", e.OrderID, e.Who)
		default:
			l.Title = "Pull of " + e.Who
		}
		if e.Summary != "" {
			l.Details = append(l.Details, e.Summary)
		}
		if !e.Ended.IsZero() {
			l.Details = append(l.Details, "finished "+e.Ended.UTC().Format("2006-01-02 15:04:05 UTC"))
		}
		if e.Attempts > 1 {
			l.Details = append(l.Details, fmt.Sprintf("%d tries", e.Attempts))
		}
		l.Bad = e.State == store.TaskFailed || e.Error != ""
	}
	return l
}

func jobStateWords(s string) string {
	switch s {
	case store.JobQueued:
		return "queued for the next message"
	case store.JobSent:
		return "out to QuickBooks"
	case store.JobUnknown:
		return "unknown: bcqb asks QuickBooks before sending again"
	}
	return s
}

// csvBatch is how many events the CSV export reads at a time.
const csvBatch = 2000

// syncLogCSV exports the sync log (with the page's filters) as CSV, RFC
// 4180, newest first. It holds no secrets: tickets and tokens are never
// stored in the log, and the qbXML itself is left out (see the page).
func (s *server) syncLogCSV(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	lq, _, err := logQuery(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Read the first batch before writing, so that an error is still a page.
	lq.Limit = csvBatch
	events, err := s.Store.SyncLog(ctx, lq)
	if err == nil {
		err = s.Store.LogJobs(ctx, events)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q",
		"bcqb-sync-log-"+s.Store.Now().UTC().Format("2006-01-02")+".csv"))
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // RFC 4180
	cw.Write([]string{"time_utc", "type", "id", "who", "session", "state", "summary", "error", "jobs", "ended_utc"})
	for {
		for _, e := range events {
			cw.Write(csvRecord(e))
		}
		if len(events) < csvBatch || r.Context().Err() != nil {
			break
		}
		lq.Offset += csvBatch
		if events, err = s.Store.SyncLog(ctx, lq); err == nil {
			err = s.Store.LogJobs(ctx, events)
		}
		if err != nil {
			// Headers are out: the log and a cut file say it.
			s.Log.ErrorContext(ctx, "sync log CSV export", "err", err)
			cw.Write([]string{"", "error", "", "", "", "", "", "the export stopped here: " + err.Error(), "", ""})
			break
		}
	}
	cw.Flush()
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func csvRecord(e store.LogEvent) []string {
	l := describeEvent(e)
	var jobs []string
	for _, j := range l.Jobs {
		s := j.What + ": " + j.State
		if j.Error != "" {
			s += " (" + j.Error + ")"
		}
		jobs = append(jobs, s)
	}
	rec := []string{csvTime(e.At), e.Kind, strconv.FormatInt(e.ID, 10), e.Who, e.Session, l.State,
		strings.Join(l.Details, "; "), l.Error, strings.Join(jobs, "; "), csvTime(e.Ended)}
	for i := range rec {
		rec[i] = csvSafe(rec[i])
	}
	return rec
}

// csvSafe keeps a spreadsheet from running a cell as a formula: one that
// starts with =, +, - or @ (and is not a number) gets a leading apostrophe.
func csvSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return "'" + s
		}
	}
	return s
}

// maxShownXML bounds the qbXML shown on a message's page.
const maxShownXML = 256 << 10

type rqOutcome struct {
	RequestID string
	Name      string
	Code      int
	Severity  string
	Words     string
	Detail    string
	Bad       bool
}

type logMessagePage struct {
	pageData
	ID            int64
	State         string
	SentAt        time.Time
	AnsweredAt    time.Time
	HResult       string
	Message       string
	Jobs          []logJobLine
	Outcomes      []rqOutcome
	ParseError    string
	Request       string
	RequestCut    bool
	Response      string
	ResponseCut   bool
	RequestBytes  int
	ResponseBytes int
}

func cut(s string) (string, bool) {
	if len(s) <= maxShownXML {
		return s, false
	}
	return strings.ToValidUTF8(s[:maxShownXML], ""), true
}

// logMessage shows one qbXML message: what it asked, what QuickBooks said
// to each request, and the jobs it carried.
func (s *server) logMessage(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err != nil {
		s.fail(w, r, badInput("%q is not a message number.", mux.Vars(r)["id"]))
		return
	}
	req, jobs, err := s.Store.LogRequest(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := logMessagePage{pageData: s.pageData(r, fmt.Sprintf("qbXML message %d", id)), ID: id, State: req.State,
		SentAt: req.SentAt, AnsweredAt: req.AnsweredAt, HResult: req.HResult, Message: req.Message,
		RequestBytes: len(req.XML), ResponseBytes: len(req.ResponseXML)}
	for _, j := range jobs {
		d.Jobs = append(d.Jobs, logJobLine{What: j.What, State: jobStateWords(j.State), Error: j.LastError})
	}
	if req.ResponseXML != "" {
		msg, err := qbxml.ParseResponse([]byte(req.ResponseXML))
		if err != nil {
			d.ParseError = err.Error()
		} else {
			for _, rs := range msg.Responses {
				h := rs.Header()
				o := h.Outcome()
				d.Outcomes = append(d.Outcomes, rqOutcome{RequestID: h.RequestID, Name: rs.RsName(), Code: h.StatusCode,
					Severity: h.StatusSeverity, Words: o.Message, Detail: h.StatusMessage, Bad: o.Failed()})
			}
		}
	}
	d.Request, d.RequestCut = cut(req.XML)
	d.Response, d.ResponseCut = cut(req.ResponseXML)
	s.render(w, r, http.StatusOK, "log_message.html", d)
}
