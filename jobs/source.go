// Package jobs is the work side of a Web Connector session and the sync
// engine's planner. The Source hands each session one qbXML message packed
// with the requests of several queued jobs and settles every job with its
// part of the response; the Planner turns pulled BigCommerce documents into
// postings and the jobs that carry them out (lists first, then the sale,
// then payments, then refunds), with the jobs package plan deciding what
// each document becomes in QuickBooks.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/qwc"
	"github.com/bcqb/bcqb/store"
)

// Env is what a handler gets besides its job: the session's qbXML version and
// country, and the store.
type Env struct {
	Session qwc.Session
	Store   Store
}

// Handler does one kind of job. A job may need several round trips: its
// Response returns an Outcome whose state JobSent (with the next Step) asks
// for the next request in the same session, and JobQueued a later one.
type Handler interface {
	// Kind names the jobs this handler does, as stored in jobs.kind.
	Kind() string
	// Noun names one and several such jobs for summaries ("order", "orders").
	Noun() (one, many string)
	// Requests builds the requests of the job's current step. The source
	// names them (requestID "j<job>.<n>") and packs them with other jobs'.
	// An error means the job cannot be sent: it needs attention.
	Requests(ctx context.Context, env Env, job store.Job) ([]qbxml.Request, error)
	// Response reads QuickBooks' answers to those requests, in the order
	// sent, and says what becomes of the job and what the store learns.
	Response(ctx context.Context, env Env, job store.Job, rs []qbxml.Response) (store.Outcome, error)
}

// Store is what the job side needs from the store.
type Store interface {
	Enqueue(ctx context.Context, j store.Job) (store.Job, bool, error)
	Update(ctx context.Context, fn func(tx *store.Tx) error) error
	Job(ctx context.Context, id int64) (store.Job, error)
	CountJobs(ctx context.Context, companyID int64) (store.JobCounts, error)
	CountHeld(ctx context.Context, sessionID int64) (int, error)
	OutstandingRequest(ctx context.Context, sessionID int64) (store.Request, error)
	SettleMessage(ctx context.Context, req store.Request, responseXML, hresult, message string, outcomes map[int64]store.Outcome) error
	SessionOutcomes(ctx context.Context, sessionID int64) ([]store.KindCount, error)
	UpdateCompanyInfo(ctx context.Context, id int64, info store.CompanyInfo) error
	Companies(ctx context.Context) ([]store.Company, error)
	Ledger(ctx context.Context, companyID int64, key string) (store.LedgerEntry, error)
	Now() time.Time
}

// Waiter reports work that will produce jobs for a company shortly (the
// planner behind the pulled documents): sessions wait for it with NoOp.
type Waiter interface {
	Busy(ctx context.Context, companyID int64) (bool, error)
}

// Budget bounds one message, so that QuickBooks answers it well inside the
// Web Connector's two-minute limit (NOTES-qb-performance: 10 to 25 writes a
// message is what integrators run with).
type Budget struct {
	Requests int
	Bytes    int
}

// DefaultBudget is the message size bcqb packs to.
var DefaultBudget = Budget{Requests: 20, Bytes: 512 << 10}

// Source implements qwc.Work over the store's job queue.
type Source struct {
	store  Store
	log    *slog.Logger
	budget Budget

	mu       sync.Mutex
	handlers map[string]Handler
	waiters  []Waiter
	// busy counts, per company, work in progress elsewhere (a BigCommerce
	// pull) that will enqueue jobs shortly: sessions wait for it with NoOp.
	busy map[int64]int
}

var _ qwc.Work = (*Source)(nil)

// WaitWindow is how soon delayed work must be due for a session to wait for
// it (NoOp) rather than end.
const WaitWindow = 30 * time.Second

// NewSource returns the job source with the given handlers.
func NewSource(st Store, log *slog.Logger, handlers ...Handler) *Source {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Source{store: st, log: log, budget: DefaultBudget, handlers: map[string]Handler{}, busy: map[int64]int{}}
	for _, h := range handlers {
		s.handlers[h.Kind()] = h
	}
	return s
}

// SetBudget changes how much one message may carry.
func (s *Source) SetBudget(b Budget) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b.Requests > 0 {
		s.budget.Requests = b.Requests
	}
	if b.Bytes > 0 {
		s.budget.Bytes = b.Bytes
	}
}

// Register adds a handler (the sync engine's jobs plug in this way).
func (s *Source) Register(h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[h.Kind()] = h
}

// AddWaiter makes sessions wait while w is busy for their company.
func (s *Source) AddWaiter(w Waiter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waiters = append(s.waiters, w)
}

// Writer is implemented by handlers whose jobs write to QuickBooks: only
// those are worth recovering from QuickBooks' saved answer to a lost
// message; a query is simply asked again.
type Writer interface {
	Writes() bool
}

func (s *Source) writes(kind string) bool {
	h, ok := s.handler(kind)
	if !ok {
		return false
	}
	w, ok := h.(Writer)
	return ok && w.Writes()
}

func (s *Source) handler(kind string) (Handler, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.handlers[kind]
	return h, ok
}

// Hold marks work in progress for a company that will produce jobs (a
// BigCommerce pull); the returned func releases it. While held, a session
// with nothing to send answers NoOp instead of ending.
func (s *Source) Hold(companyID int64) (release func()) {
	s.mu.Lock()
	s.busy[companyID]++
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.busy[companyID]--; s.busy[companyID] <= 0 {
				delete(s.busy, companyID)
			}
			s.mu.Unlock()
		})
	}
}

func (s *Source) held(ctx context.Context, companyID int64) (bool, error) {
	s.mu.Lock()
	held := s.busy[companyID] > 0
	waiters := append([]Waiter(nil), s.waiters...)
	s.mu.Unlock()
	if held {
		return true, nil
	}
	for _, w := range waiters {
		if busy, err := w.Busy(ctx, companyID); err != nil || busy {
			return busy, err
		}
	}
	return false, nil
}

// Pending reports the company's work.
func (s *Source) Pending(ctx context.Context, companyID int64) (qwc.Pending, error) {
	c, err := s.store.CountJobs(ctx, companyID)
	if err != nil {
		return qwc.Pending{}, err
	}
	p := qwc.Pending{Due: c.Due, NextAt: c.NextAt}
	held, err := s.held(ctx, companyID)
	if err != nil {
		return qwc.Pending{}, err
	}
	p.Wait = held || (!c.NextAt.IsZero() && c.NextAt.Sub(s.store.Now()) <= WaitWindow)
	return p, nil
}

// Begin records what QuickBooks reported about itself at the start of a session.
func (s *Source) Begin(ctx context.Context, sess qwc.Session, hcp *qbxml.HCP) error {
	if hcp == nil {
		return nil
	}
	return recordCompanyInfo(ctx, s.store, sess.CompanyID, hcp)
}

// requestID names the n-th request of a job's step; responses are routed
// back to the job by the "j<id>." prefix.
func requestID(jobID int64, n int) string {
	return "j" + strconv.FormatInt(jobID, 10) + "." + strconv.Itoa(n)
}

func jobOf(requestID string) (int64, bool) {
	rest, ok := strings.CutPrefix(requestID, "j")
	if !ok {
		return 0, false
	}
	id, _, ok := strings.Cut(rest, ".")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(id, 10, 64)
	return n, err == nil
}

var errNothingDue = errors.New("nothing due")

// newMessageSetID names a message for QuickBooks' error recovery: random,
// so that no two messages ever share one (QuickBooks refuses a different
// message under a saved id with 9001), and under its 24-character limit.
func newMessageSetID() (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("jobs: message set id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// Next fills one message with the requests of the session's continuing jobs
// and then of due jobs in claim order, up to the budget, and records it with
// the jobs it carries in the same transaction as their claims: a crash
// either sent nothing and claimed nothing, or recorded what is out.
func (s *Source) Next(ctx context.Context, sess qwc.Session) (string, error) {
	s.mu.Lock()
	budget := s.budget
	s.mu.Unlock()
	var out string
	var sent []store.RequestJob
	err := s.store.Update(ctx, func(tx *store.Tx) error {
		msg := qbxml.NewMessage(qbxml.ContinueOnError)
		var links []store.RequestJob
		size, count := 0, 0
		seen := map[int64]bool{}
		// add builds a job's requests into the message; false means the budget is full.
		alone := false
		add := func(job store.Job) (bool, error) {
			if job.Alone {
				if count > 0 {
					return false, nil
				}
				alone = true
			}
			seen[job.ID] = true
			reqs, err := s.build(ctx, sess, job)
			if err != nil {
				s.log.WarnContext(ctx, "job needs attention", "session", sess.PublicID, "job", job.ID, "kind", job.Kind, "err", err)
				return true, tx.EndJob(ctx, job.ID, store.JobFailed, err.Error())
			}
			n := 0
			for _, r := range reqs {
				b, err := xml.Marshal(r)
				if err != nil {
					return true, tx.EndJob(ctx, job.ID, store.JobFailed, "bcqb could not write the request: "+err.Error())
				}
				n += len(b)
			}
			if count > 0 && (count+len(reqs) > budget.Requests || size+n > budget.Bytes) {
				return false, nil
			}
			if err := tx.Take(ctx, job.ID, sess.ID); err != nil {
				return true, err
			}
			for i, r := range reqs {
				msg.Add(requestID(job.ID, i), r)
			}
			size, count = size+n, count+len(reqs)
			links = append(links, store.RequestJob{JobID: job.ID, Step: job.Step})
			return !alone, nil
		}
		// The last message to this company file lost its answer: QuickBooks
		// kept it (the SDK's error recovery), so this message asks for it
		// and its jobs are settled from it, without a query each.
		// Only a session's first message can follow a lost one.
		started, err := tx.SentAny(ctx, sess.ID)
		if err != nil {
			return err
		}
		if !started {
			if err := s.recoverLost(ctx, tx, sess, msg, seen, &links); err != nil {
				return err
			}
		}
		held, err := tx.Continuing(ctx, sess.ID)
		if err != nil {
			return err
		}
		full := false
		for _, j := range held {
			if seen[j.ID] {
				continue // recovered from the lost message's answer above
			}
			if ok, err := add(j); err != nil {
				return err
			} else if !ok {
				full = true
				break
			}
		}
		for !full {
			skip := make([]int64, 0, len(seen))
			for id := range seen {
				skip = append(skip, id)
			}
			due, err := tx.Due(ctx, sess.CompanyID, budget.Requests, skip)
			if err != nil {
				return err
			}
			if len(due) == 0 {
				break
			}
			for _, j := range due {
				if ok, err := add(j); err != nil {
					return err
				} else if !ok {
					full = true
					break
				}
			}
		}
		if len(links) == 0 {
			return errNothingDue
		}
		set, err := newMessageSetID()
		if err != nil {
			return err
		}
		msg.NewMessageSetID = set
		b, err := msg.Build(sess.Version)
		if err != nil {
			return fmt.Errorf("jobs: build message: %w", err)
		}
		if _, err := tx.Record(ctx, sess.ID, set, string(b), links); err != nil {
			return err
		}
		out, sent = string(b), links
		return nil
	})
	if errors.Is(err, errNothingDue) {
		p, err := s.Pending(ctx, sess.CompanyID)
		if err != nil {
			return "", err
		}
		if p.Wait {
			return "", qwc.ErrWait
		}
		return "", qwc.ErrNoWork
	}
	if err != nil {
		return "", err
	}
	s.log.InfoContext(ctx, "jobs sent", "session", sess.PublicID, "jobs", len(sent), "bytes", len(out))
	return out, nil
}

// recoverLost adds to msg the request for QuickBooks' saved answer to the
// last message sent to the company file when that answer was lost, and
// takes the writing jobs it carried, so that they are settled from it.
func (s *Source) recoverLost(ctx context.Context, tx *store.Tx, sess qwc.Session, msg *qbxml.Message, seen map[int64]bool, links *[]store.RequestJob) error {
	last, err := tx.LastMessage(ctx, sess.CompanyID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if last.State != "lost" || last.MessageSetID == "" {
		return nil
	}
	for _, rj := range last.Jobs {
		j, err := tx.Job(ctx, rj.JobID)
		if err != nil {
			return err
		}
		if j.State != store.JobUnknown || !j.Recovering || !s.writes(j.Kind) {
			continue
		}
		if err := tx.Take(ctx, j.ID, sess.ID); err != nil {
			return err
		}
		seen[j.ID] = true
		*links = append(*links, store.RequestJob{JobID: j.ID, Step: j.Step})
	}
	if len(*links) > 0 {
		msg.OldMessageSetID = last.MessageSetID
	}
	return nil
}

// build asks the job's handler for its requests and checks each against
// the session's qbXML version, so that one bad job never spoils a message.
func (s *Source) build(ctx context.Context, sess qwc.Session, job store.Job) ([]qbxml.Request, error) {
	h, ok := s.handler(job.Kind)
	if !ok {
		return nil, fmt.Errorf("bcqb has no handler for jobs of kind %q", job.Kind)
	}
	reqs, err := h.Requests(ctx, Env{Session: sess, Store: s.store}, job)
	if err != nil {
		return nil, err
	}
	if len(reqs) == 0 {
		return nil, fmt.Errorf("the %s job has nothing to send", job.Kind)
	}
	for _, r := range reqs {
		if err := qbxml.ValidateRequest(r, sess.Version); err != nil {
			return nil, fmt.Errorf("the %s request does not fit QuickBooks: %w", r.RqName(), err)
		}
	}
	return reqs, nil
}

// Retry delays after QuickBooks failed to answer (file in use, busy).
const retryDelay = 5 * time.Minute

// Deliver settles the session's outstanding message with QuickBooks'
// response: each job gets its own answers, and all of them are settled in
// one transaction.
func (s *Source) Deliver(ctx context.Context, sess qwc.Session, r qwc.Response) error {
	req, err := s.store.OutstandingRequest(ctx, sess.ID)
	if errors.Is(err, store.ErrNotFound) {
		// A response to nothing: the Web Connector retried a delivery we already settled.
		s.log.WarnContext(ctx, "response without an outstanding request", "session", sess.PublicID)
		return nil
	}
	if err != nil {
		return err
	}
	byJob := map[int64][]qbxml.Response{}
	var whole *store.Outcome
	switch {
	case r.HResult != "":
		oc := qbxml.ClassifyHResult(r.HResult, r.Message)
		o := store.Outcome{State: store.JobFailed, LastError: oc.Message}
		switch {
		case oc.Action == qbxml.ActionRetryLater:
			o = store.Outcome{State: store.JobQueued, NotBefore: s.store.Now().Add(retryDelay), LastError: oc.Message}
		case oc.Action == qbxml.ActionBadRequest && len(req.Jobs) > 1:
			// QuickBooks could not read the message and did nothing: one
			// job's request spoilt it. Each is sent alone next, so only
			// that one needs attention.
			o = store.Outcome{State: store.JobQueued, Alone: true, LastError: "sent alone next: " + oc.Message}
		}
		whole = &o
	default:
		rs, err := qbxml.ParseResponse([]byte(r.XML))
		if err != nil {
			// QuickBooks may have done the work: the jobs are recovered by asking it.
			whole = &store.Outcome{State: store.JobQueued, Recovering: true,
				LastError: "QuickBooks' response could not be read: " + err.Error()}
			break
		}
		var unrouted []qbxml.Response
		for _, x := range rs.Responses {
			if id, ok := jobOf(x.Header().RequestID); ok {
				byJob[id] = append(byJob[id], x)
			} else {
				unrouted = append(unrouted, x)
			}
		}
		// A message of one job needs no routing: answers without our
		// requestIDs (a QuickBooks that drops them) still belong to it.
		if len(req.Jobs) == 1 && len(unrouted) > 0 {
			id := req.Jobs[0].JobID
			byJob[id] = append(byJob[id], unrouted...)
		}
	}
	outcomes := make(map[int64]store.Outcome, len(req.Jobs))
	for _, rj := range req.Jobs {
		job, err := s.store.Job(ctx, rj.JobID)
		if err != nil {
			return err
		}
		if whole != nil {
			o := *whole
			o.Step, o.StepState = job.Step, job.StepState
			outcomes[job.ID] = o
			continue
		}
		o, err := s.outcome(ctx, sess, job, byJob[job.ID])
		if err != nil {
			return err
		}
		outcomes[job.ID] = o
		if o.State == store.JobFailed {
			s.log.WarnContext(ctx, "job needs attention", "session", sess.PublicID, "job", job.ID, "kind", job.Kind, "err", o.LastError)
		}
	}
	if err := s.store.SettleMessage(ctx, req, r.XML, r.HResult, r.Message, outcomes); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "jobs answered", "session", sess.PublicID, "jobs", len(req.Jobs))
	return nil
}

func (s *Source) outcome(ctx context.Context, sess qwc.Session, job store.Job, rs []qbxml.Response) (store.Outcome, error) {
	if len(rs) == 0 {
		// QuickBooks answered the message but not this job's requests: what it did is unknown.
		return store.Outcome{State: store.JobQueued, Step: job.Step, StepState: job.StepState, Recovering: true,
			LastError: "QuickBooks did not answer this request"}, nil
	}
	h, ok := s.handler(job.Kind)
	if !ok {
		return store.Outcome{State: store.JobFailed, LastError: fmt.Sprintf("bcqb has no handler for jobs of kind %q", job.Kind)}, nil
	}
	return h.Response(ctx, Env{Session: sess, Store: s.store}, job, rs)
}

// Remaining counts the jobs the session can still send: those due for its
// company and those it holds for a next step.
func (s *Source) Remaining(ctx context.Context, sess qwc.Session) (int, error) {
	c, err := s.store.CountJobs(ctx, sess.CompanyID)
	if err != nil {
		return 0, err
	}
	n, err := s.store.CountHeld(ctx, sess.ID)
	if err != nil {
		return 0, err
	}
	if c.Due+n == 0 {
		// Work about to be queued (a pull, the planner after the lists were
		// read) keeps the session open: the next sendRequestXML waits for it.
		if busy, err := s.held(ctx, sess.CompanyID); err != nil {
			return 0, err
		} else if busy {
			return 1, nil
		}
	}
	return c.Due + n, nil
}

// Namer is implemented by handlers whose jobs do different things (qb.add
// creates customers, posts orders...): it names one and several of what a
// job does, from the first part of its dedupe key.
type Namer interface {
	NounFor(what string) (one, many string)
}

// Summary says what the session did: "3 orders posted, 2 customers added, 1 order needs attention".
func (s *Source) Summary(ctx context.Context, sess qwc.Session) (string, error) {
	counts, err := s.store.SessionOutcomes(ctx, sess.ID)
	if err != nil {
		return "", err
	}
	type noun struct{ one, many string }
	var order []noun
	done, failed := map[noun]int{}, map[noun]int{}
	for _, c := range counts {
		n := noun{c.Kind, c.Kind}
		if h, ok := s.handler(c.Kind); ok {
			n.one, n.many = h.Noun()
			n.one, n.many = n.one+" done", n.many+" done"
			if nm, ok := h.(Namer); ok {
				n.one, n.many = nm.NounFor(c.What)
			}
		}
		if done[n] == 0 && failed[n] == 0 {
			order = append(order, n)
		}
		switch c.State {
		case store.JobDone:
			done[n] += c.Count
		case store.JobFailed:
			failed[n] += c.Count
		}
	}
	// What a bookkeeper looks for first: the money posted, then what was added.
	rank := func(n noun) int {
		for i, v := range []string{" posted", " paid out", " credited", " added"} {
			if strings.HasSuffix(n.one, v) {
				return i
			}
		}
		return 9
	}
	sort.SliceStable(order, func(i, j int) bool {
		if ri, rj := rank(order[i]), rank(order[j]); ri != rj {
			return ri < rj
		}
		return order[i].one < order[j].one
	})
	var parts, attention []string
	for _, n := range order {
		if k := done[n]; k > 0 {
			w := n.many
			if k == 1 {
				w = n.one
			}
			parts = append(parts, fmt.Sprintf("%d %s", k, w))
		}
		if k := failed[n]; k > 0 {
			w, verb := n.many, "need"
			if k == 1 {
				w, verb = n.one, "needs"
			}
			attention = append(attention, fmt.Sprintf("%d %s %s attention", k, bare(w), verb))
		}
	}
	all := append(parts, attention...)
	if len(all) == 0 {
		return "bcqb: nothing was updated", nil
	}
	return "bcqb: " + strings.Join(all, ", "), nil
}

// bare drops the verb from a summary noun ("order posted" -> "order").
func bare(noun string) string {
	for _, v := range []string{" done", " posted", " added", " paid out", " credited"} {
		if t, ok := strings.CutSuffix(noun, v); ok {
			return t
		}
	}
	return noun
}
