// Package jobs is the work side of a Web Connector session: it hands each
// session the qbXML of the next queued job and settles the job with the
// response. The sync engine's jobs (post an order, a refund, ...) plug in as
// Handlers; the company-info refresh is the first.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
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

// Handler does one kind of job. A job may need several round trips: Response
// returns an Outcome whose state JobSent (with the next Step) asks for
// another request in the same session.
type Handler interface {
	// Kind names the jobs this handler does, as stored in jobs.kind.
	Kind() string
	// Noun names one and several such jobs for summaries ("company info refresh").
	Noun() (one, many string)
	// Request builds the request message for the job's current step.
	Request(ctx context.Context, env Env, job store.Job) (*qbxml.Message, error)
	// Response reads QuickBooks' answer to that request and says what becomes of the job.
	Response(ctx context.Context, env Env, job store.Job, reply Reply) (store.Outcome, error)
}

// Store is what the job side needs from the store.
type Store interface {
	Enqueue(ctx context.Context, j store.Job) (store.Job, bool, error)
	Claim(ctx context.Context, companyID, sessionID int64) (store.Job, error)
	ContinueJob(ctx context.Context, sessionID int64) (store.Job, error)
	CountContinuing(ctx context.Context, sessionID int64) (int, error)
	ReleaseJob(ctx context.Context, id int64, o store.Outcome) error
	Job(ctx context.Context, id int64) (store.Job, error)
	CountJobs(ctx context.Context, companyID int64) (store.JobCounts, error)
	RecordRequest(ctx context.Context, sessionID, jobID int64, xml string) (store.Request, error)
	OutstandingRequest(ctx context.Context, sessionID int64) (store.Request, error)
	Settle(ctx context.Context, req store.Request, responseXML, hresult, message string, o store.Outcome) error
	SessionOutcomes(ctx context.Context, sessionID int64) ([]store.KindCount, error)
	UpdateCompanyInfo(ctx context.Context, id int64, info store.CompanyInfo) error
	Companies(ctx context.Context) ([]store.Company, error)
	Now() time.Time
}

// Reply is QuickBooks' response to a job's request, as received and parsed.
type Reply struct {
	XML     string
	Message *qbxml.ResponseMessage
}

// Source implements qwc.Work over the store's job queue.
type Source struct {
	store    Store
	log      *slog.Logger
	handlers map[string]Handler

	mu sync.Mutex
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
	s := &Source{store: st, log: log, handlers: map[string]Handler{}, busy: map[int64]int{}}
	for _, h := range handlers {
		s.handlers[h.Kind()] = h
	}
	return s
}

// Register adds a handler (the sync engine's jobs plug in this way).
func (s *Source) Register(h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[h.Kind()] = h
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

func (s *Source) held(companyID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.busy[companyID] > 0
}

// Pending reports the company's work.
func (s *Source) Pending(ctx context.Context, companyID int64) (qwc.Pending, error) {
	c, err := s.store.CountJobs(ctx, companyID)
	if err != nil {
		return qwc.Pending{}, err
	}
	p := qwc.Pending{Due: c.Due, NextAt: c.NextAt}
	p.Wait = s.held(companyID) || (!c.NextAt.IsZero() && c.NextAt.Sub(s.store.Now()) <= WaitWindow)
	return p, nil
}

// Begin records what QuickBooks reported about itself at the start of a session.
func (s *Source) Begin(ctx context.Context, sess qwc.Session, hcp *qbxml.HCP) error {
	if hcp == nil {
		return nil
	}
	return recordCompanyInfo(ctx, s.store, sess.CompanyID, hcp)
}

// maxSkips bounds how many jobs one Next may fail before giving up, so a
// queue of broken jobs cannot keep a request waiting.
const maxSkips = 100

// Next claims the next job, builds its request and records it as outstanding.
func (s *Source) Next(ctx context.Context, sess qwc.Session) (string, error) {
	for i := 0; i < maxSkips; i++ {
		job, err := s.store.ContinueJob(ctx, sess.ID)
		if errors.Is(err, store.ErrNotFound) {
			job, err = s.store.Claim(ctx, sess.CompanyID, sess.ID)
		}
		if errors.Is(err, store.ErrNotFound) {
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
		xml, err := s.build(ctx, sess, job)
		if err != nil {
			// The job cannot be expressed: it needs attention, the session goes on.
			s.log.WarnContext(ctx, "job needs attention", "session", sess.PublicID, "job", job.ID, "kind", job.Kind, "err", err)
			if err := s.store.ReleaseJob(ctx, job.ID, store.Outcome{State: store.JobFailed, LastError: err.Error()}); err != nil {
				return "", err
			}
			continue
		}
		if _, err := s.store.RecordRequest(ctx, sess.ID, job.ID, xml); err != nil {
			return "", err
		}
		s.log.InfoContext(ctx, "job sent", "session", sess.PublicID, "job", job.ID, "kind", job.Kind, "step", job.Step)
		return xml, nil
	}
	return "", fmt.Errorf("jobs: %d jobs in a row could not be built", maxSkips)
}

func (s *Source) build(ctx context.Context, sess qwc.Session, job store.Job) (string, error) {
	h, ok := s.handler(job.Kind)
	if !ok {
		return "", fmt.Errorf("bcqb has no handler for jobs of kind %q", job.Kind)
	}
	msg, err := h.Request(ctx, Env{Session: sess, Store: s.store}, job)
	if err != nil {
		return "", err
	}
	b, err := msg.Build(sess.Version)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Retry delays after QuickBooks failed to answer (file in use, busy).
const retryDelay = 5 * time.Minute

// Deliver settles the session's outstanding request with QuickBooks' response.
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
	job, err := s.store.Job(ctx, req.JobID)
	if err != nil {
		return err
	}
	o, err := s.outcome(ctx, sess, job, r)
	if err != nil {
		return err
	}
	if err := s.store.Settle(ctx, req, r.XML, r.HResult, r.Message, o); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "job answered", "session", sess.PublicID, "job", job.ID, "kind", job.Kind,
		"state", o.State, "error", o.LastError)
	return nil
}

func (s *Source) outcome(ctx context.Context, sess qwc.Session, job store.Job, r qwc.Response) (store.Outcome, error) {
	if r.HResult != "" {
		oc := qbxml.ClassifyHResult(r.HResult, r.Message)
		if oc.Action == qbxml.ActionRetryLater {
			return store.Outcome{State: store.JobQueued, Step: job.Step, StepState: job.StepState,
				NotBefore: s.store.Now().Add(retryDelay), LastError: oc.Message}, nil
		}
		return store.Outcome{State: store.JobFailed, Step: job.Step, StepState: job.StepState, LastError: oc.Message}, nil
	}
	rs, err := qbxml.ParseResponse([]byte(r.XML))
	if err != nil {
		return store.Outcome{State: store.JobFailed, Step: job.Step, StepState: job.StepState,
			LastError: "QuickBooks' response could not be read: " + err.Error()}, nil
	}
	h, ok := s.handler(job.Kind)
	if !ok {
		return store.Outcome{State: store.JobFailed, LastError: fmt.Sprintf("bcqb has no handler for jobs of kind %q", job.Kind)}, nil
	}
	return h.Response(ctx, Env{Session: sess, Store: s.store}, job, Reply{XML: r.XML, Message: rs})
}

// Remaining counts the jobs the session can still send: those due for its
// company and those it holds for a next step.
func (s *Source) Remaining(ctx context.Context, sess qwc.Session) (int, error) {
	c, err := s.store.CountJobs(ctx, sess.CompanyID)
	if err != nil {
		return 0, err
	}
	n, err := s.store.CountContinuing(ctx, sess.ID)
	if err != nil {
		return 0, err
	}
	return c.Due + n, nil
}

// Summary says what the session did: "1 company info refresh done, 2 orders need attention".
func (s *Source) Summary(ctx context.Context, sess qwc.Session) (string, error) {
	counts, err := s.store.SessionOutcomes(ctx, sess.ID)
	if err != nil {
		return "", err
	}
	var done, failed []string
	sort.Slice(counts, func(i, j int) bool { return counts[i].Kind < counts[j].Kind })
	for _, c := range counts {
		one, many := c.Kind, c.Kind
		if h, ok := s.handler(c.Kind); ok {
			one, many = h.Noun()
		}
		noun := many
		if c.Count == 1 {
			noun = one
		}
		switch c.State {
		case store.JobDone:
			done = append(done, fmt.Sprintf("%d %s done", c.Count, noun))
		case store.JobFailed:
			verb := "need"
			if c.Count == 1 {
				verb = "needs"
			}
			failed = append(failed, fmt.Sprintf("%d %s %s attention", c.Count, noun, verb))
		}
	}
	all := append(done, failed...)
	if len(all) == 0 {
		return "bcqb: nothing was updated", nil
	}
	return "bcqb: " + strings.Join(all, ", "), nil
}
