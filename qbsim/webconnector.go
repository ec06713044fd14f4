package qbsim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// QuickBooks is what the Web Connector talks to on the Windows side: the
// request processor with a company file open. Company implements it; tests
// may plug in anything else.
type QuickBooks interface {
	// BeginSession opens the company file (QBWC's OpenConnection +
	// BeginSession). CompanyFile "" means the file already open. A failure
	// should be an *HResultError, which the Web Connector reports through
	// connectionError.
	BeginSession(ctx context.Context, req BeginSessionRequest) (HostInfo, error)
	// ProcessRequest answers one qbXML request message set. When QuickBooks
	// refuses the whole message (parse error, version) it returns an
	// *HResultError and no response.
	ProcessRequest(ctx context.Context, request string) (string, error)
	// EndSession closes the session opened by BeginSession.
	EndSession(ctx context.Context) error
}

// BeginSessionRequest carries what QBWC passes when it opens a company file.
type BeginSessionRequest struct {
	CompanyFile string // "" = the file open in QuickBooks
	AppName     string
	OwnerID     string // the application's OwnerID from the .qwc
	FileID      string // stamped into the company as DataExt "FileID" under OwnerID
}

// HostInfo is what QBWC learns when a session opens and forwards in the first
// sendRequestXML.
type HostInfo struct {
	HCPResponse string // HostQuery/CompanyQuery/PreferencesQuery responses
	CompanyFile string // full path of the open company file
	Country     string // US, CA, UK
	Major       int    // qbXML version the request processor speaks
	Minor       int
}

// HResultError is a COM error from the QuickBooks request processor, passed to
// the server as receiveResponseXML's or connectionError's hresult/message.
type HResultError struct {
	HResult string // e.g. "0x80040400"
	Message string
}

func (e *HResultError) Error() string { return e.HResult + ": " + e.Message }

// Well-known request-processor HRESULTs.
const (
	HResultParseError       = "0x80040400" // QuickBooks found an error when parsing the provided XML text stream.
	HResultCouldNotAccess   = "0x80040401" // Could not access QuickBooks.
	HResultUnexpected       = "0x80040402" // Unexpected error.
	HResultCouldNotStart    = "0x80040408" // Could not start QuickBooks.
	HResultDifferentFile    = "0x80040409" // A different company file is open.
	HResultFileNotOpen      = "0x80040416" // No company file open and none named.
	HResultNotAuthorizedYet = "0x80040418" // Application has not accessed this file before.
)

// Call is one SOAP call in a session transcript.
type Call struct {
	Method string
	Params []Param
	Result string // the string result; authenticate's array joined with "|"
	Err    string // transport or SOAP error, if any
}

// Param returns the named parameter's value.
func (c Call) Param(name string) string {
	for _, p := range c.Params {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// Outcome is how a session ended.
type Outcome string

// Session outcomes, mirroring the Web Connector's "Last Result" column.
const (
	OutcomeDone            Outcome = "done"             // receiveResponseXML returned 100
	OutcomeNone            Outcome = "none"             // authenticate: no work
	OutcomeNVU             Outcome = "nvu"              // authenticate: invalid user
	OutcomeBusy            Outcome = "busy"             // authenticate: server busy
	OutcomePostponed       Outcome = "postponed"        // authenticate slot 3 asked to postpone
	OutcomeError           Outcome = "error"            // getLastError message shown, session closed
	OutcomeConnectionError Outcome = "connection error" // QuickBooks could not open the file
	OutcomeClientVersion   Outcome = "client version"   // clientVersion refused this Web Connector
	OutcomeTransport       Outcome = "transport"        // an HTTP/SOAP failure ended the session (QBWC1012/1041/1042...)
	OutcomeKilled          Outcome = "killed"           // a fault killed the Web Connector mid-session

	// OutcomeInteractiveDone: interactiveDone answered "Done" and the session closed.
	OutcomeInteractiveDone Outcome = "interactive done"
	// OutcomeInteractiveRejected: the user declined interactive mode (or
	// was not there, or did not finish in time).
	OutcomeInteractiveRejected Outcome = "interactive rejected"
)

// SessionResult is the record of one update session.
type SessionResult struct {
	Outcome      Outcome
	Ticket       string
	Transcript   []Call
	LastError    string        // getLastError's message, if any
	CloseMessage string        // closeConnection's result
	Requests     int           // qbXML requests QuickBooks processed
	NoOps        int           // NoOp pauses taken
	Postpone     time.Duration // authenticate slot 3
	MinRunEvery  time.Duration // authenticate slot 4
	Err          error         // transport failure, when Outcome is transport

	// Interactive counts the times the server asked for interactive mode;
	// InteractiveURL is the page getInteractiveURL last answered.
	Interactive    int
	InteractiveURL string
}

// Methods returns the transcript's method names, for compact assertions.
func (s *SessionResult) Methods() []string {
	out := make([]string, len(s.Transcript))
	for i, c := range s.Transcript {
		out[i] = c.Method
	}
	return out
}

// CallPoint names the Nth call (1-based, counted over the connector's
// lifetime) of a SOAP method.
type CallPoint struct {
	Method string
	N      int
}

// ConnectorFaults are Web Connector-side failures on demand.
type ConnectorFaults struct {
	// KillBefore kills the Web Connector just before the given call: it is
	// never sent and nothing else follows (no closeConnection).
	KillBefore *CallPoint
	// LoseResponse drops QuickBooks' answer to the Nth processed request
	// (1-based, lifetime count) after QuickBooks has committed it: the
	// receiveResponseXML never reaches the server and the session ends
	// (QBWC1042). This is the fault that makes naive servers post twice.
	LoseResponse int
}

// WebConnectorOptions configure a simulated Web Connector.
type WebConnectorOptions struct {
	QWC        QWC
	Password   string
	QuickBooks QuickBooks
	// HTTPClient defaults to a client with no timeout of its own (the
	// per-call Timeout below is enforced with Clock).
	HTTPClient *http.Client
	Clock      Clock // defaults to RealClock
	// ClientVersion is sent in clientVersion; default "2.3.0.215".
	ClientVersion string
	// Timeout bounds every SOAP call, like QBWC's ~2-minute HTTP timeout;
	// default 2 minutes.
	Timeout time.Duration
	// NoOpWait is the pause after getLastError returns "NoOp"; default 5 s.
	NoOpWait time.Duration
	// ConnectionErrorRetries bounds how often a connectionError answer naming
	// another company file is tried; default 2.
	ConnectionErrorRetries int
	// MaxRequestsPerSession guards tests against a server that never says
	// 100; default 10000.
	MaxRequestsPerSession int
	Faults                ConnectorFaults
	Logger                *slog.Logger

	// User is the person at the Windows PC, asked when the server wants
	// interactive mode; nil is nobody there (QBWC's prompt times out).
	User InteractiveUser
	// InteractivePoll is how often interactiveDone is asked while the page
	// is open; default 60 s, as QBWC does.
	InteractivePoll time.Duration
	// InteractiveTimeout is how long the page may stay open before the Web
	// Connector gives up (interactiveRejected); default 30 minutes.
	InteractiveTimeout time.Duration
}

// InteractiveUser is the person QBWC asks to authorize interactive mode
// ([PG] p.22-23): Accept answers the prompt; Open is the browser opening
// the server's page, which the person works through in their own time
// (Open returns at once) while the Web Connector polls interactiveDone.
type InteractiveUser interface {
	Accept(ctx context.Context) bool
	Open(ctx context.Context, url string)
}

// WebConnector is a simulated QuickBooks Web Connector for one application
// (one .qwc). It is safe for one session at a time.
type WebConnector struct {
	opts        WebConnectorOptions
	mu          sync.Mutex
	calls       map[string]int
	processed   int
	minRunEvery time.Duration
}

// NewWebConnector checks the options and fills in defaults.
func NewWebConnector(opts WebConnectorOptions) (*WebConnector, error) {
	if err := opts.QWC.Check(); err != nil {
		return nil, err
	}
	if opts.QuickBooks == nil {
		return nil, errors.New("webconnector: QuickBooks is required")
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{}
	}
	if opts.Clock == nil {
		opts.Clock = RealClock{}
	}
	if opts.ClientVersion == "" {
		opts.ClientVersion = "2.3.0.215"
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Minute
	}
	if opts.NoOpWait <= 0 {
		opts.NoOpWait = 5 * time.Second
	}
	if opts.ConnectionErrorRetries <= 0 {
		opts.ConnectionErrorRetries = 2
	}
	if opts.MaxRequestsPerSession <= 0 {
		opts.MaxRequestsPerSession = 10000
	}
	if opts.InteractivePoll <= 0 {
		opts.InteractivePoll = time.Minute
	}
	if opts.InteractiveTimeout <= 0 {
		opts.InteractiveTimeout = 30 * time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &WebConnector{opts: opts, calls: map[string]int{}}, nil
}

// MinRunEvery is the lower bound on the schedule set by authenticate slot 4.
func (w *WebConnector) MinRunEvery() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.minRunEvery
}

// errKilled marks a session ended by a fault.
var errKilled = errors.New("web connector killed by fault")

// session is the state of one run.
type session struct {
	w   *WebConnector
	res *SessionResult
}

// call makes one SOAP call under the per-call timeout and records it.
func (s *session) call(ctx context.Context, method string, params ...Param) (soapResult, error) {
	w := s.w
	w.mu.Lock()
	w.calls[method]++
	n := w.calls[method]
	w.mu.Unlock()
	if k := w.opts.Faults.KillBefore; k != nil && k.Method == method && k.N == n {
		s.res.Outcome = OutcomeKilled
		s.res.Err = fmt.Errorf("%w before %s #%d", errKilled, method, n)
		return soapResult{}, s.res.Err
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type out struct {
		r   soapResult
		err error
	}
	done := make(chan out, 1)
	go func() {
		r, err := postSOAP(cctx, w.opts.HTTPClient, w.opts.QWC.AppURL, method, params)
		done <- out{r, err}
	}()
	var o out
	select {
	case o = <-done:
	case <-w.opts.Clock.After(w.opts.Timeout):
		cancel()
		<-done
		o = out{err: fmt.Errorf("%s: the operation has timed out after %s", method, w.opts.Timeout)}
	}
	c := Call{Method: method, Params: params}
	if o.err != nil {
		c.Err = o.err.Error()
	} else if method == "authenticate" {
		c.Result = strings.Join(o.r.strings, "|")
	} else {
		c.Result = o.r.text
	}
	s.res.Transcript = append(s.res.Transcript, c)
	w.opts.Logger.DebugContext(ctx, "qbwc call", "method", method, "result", c.Result, "err", c.Err)
	if o.err != nil {
		s.res.Outcome = OutcomeTransport
		s.res.Err = o.err
	}
	return o.r, o.err
}

// RunSession runs one update session in Intuit's call order. Transport
// failures end the session (as they do in QBWC) and are reported in the
// result, not as an error; the error return is for ctx cancellation only.
func (w *WebConnector) RunSession(ctx context.Context) (*SessionResult, error) {
	s := &session{w: w, res: &SessionResult{}}
	err := s.run(ctx)
	if ctxErr := ctx.Err(); ctxErr != nil {
		return s.res, fmt.Errorf("web connector session: %w", ctxErr)
	}
	if err != nil && s.res.Outcome == "" {
		s.res.Outcome = OutcomeTransport
		s.res.Err = err
	}
	return s.res, nil
}

func (s *session) run(ctx context.Context) error {
	w := s.w
	o := w.opts
	if _, err := s.call(ctx, "serverVersion"); err != nil {
		return err
	}
	cv, err := s.call(ctx, "clientVersion", Param{"strVersion", o.ClientVersion})
	if err != nil {
		return err
	}
	if v := cv.text; strings.HasPrefix(v, "E:") || strings.HasPrefix(v, "O:") {
		s.res.Outcome = OutcomeClientVersion
		s.res.LastError = v
		return nil
	}
	auth, err := s.call(ctx, "authenticate", Param{"strUserName", o.QWC.UserName}, Param{"strPassword", o.Password})
	if err != nil {
		return err
	}
	if n := len(auth.strings); n < 2 || n > 4 {
		// QBWC indexes the array: fewer than two strings (a serializer that
		// dropped the empty second one) or more than four fail authentication.
		s.res.Outcome = OutcomeTransport
		s.res.Err = fmt.Errorf("QBWC1012: Authentication failed due to following error message. Index was outside the bounds of the array. (authenticate returned %d strings, want 2 to 4)", n)
		return s.res.Err
	}
	slots := append(append([]string(nil), auth.strings...), "", "", "", "")
	ticket, status := slots[0], strings.TrimSpace(slots[1])
	s.res.Ticket = ticket
	s.res.Postpone = seconds(slots[2])
	s.res.MinRunEvery = seconds(slots[3])
	if s.res.MinRunEvery > 0 {
		w.mu.Lock()
		w.minRunEvery = max(w.minRunEvery, s.res.MinRunEvery)
		w.mu.Unlock()
	}
	closeWith := func(out Outcome) error {
		s.res.Outcome = out
		r, err := s.call(ctx, "closeConnection", Param{"ticket", ticket})
		if err != nil {
			return err
		}
		s.res.Outcome = out
		s.res.CloseMessage = r.text
		return nil
	}
	switch strings.ToLower(status) {
	case "nvu":
		return closeWith(pick(s.res.Postpone > 0, OutcomePostponed, OutcomeNVU))
	case "none":
		return closeWith(pick(s.res.Postpone > 0, OutcomePostponed, OutcomeNone))
	case "busy":
		return closeWith(pick(s.res.Postpone > 0, OutcomePostponed, OutcomeBusy))
	}
	if s.res.Postpone > 0 {
		return closeWith(OutcomePostponed)
	}

	// Open the company file; on failure ask the server through connectionError.
	companyPath := status
	var info HostInfo
	for attempt := 0; ; attempt++ {
		info, err = o.QuickBooks.BeginSession(ctx, BeginSessionRequest{
			CompanyFile: companyPath, AppName: o.QWC.AppName, OwnerID: o.QWC.OwnerID, FileID: o.QWC.FileID,
		})
		if err == nil {
			break
		}
		hr := asHResult(err)
		r, cerr := s.call(ctx, "connectionError", Param{"ticket", ticket}, Param{"hresult", hr.HResult}, Param{"message", hr.Message})
		if cerr != nil {
			return cerr
		}
		if strings.EqualFold(r.text, "done") || attempt >= o.ConnectionErrorRetries {
			s.res.LastError = hr.Error()
			return closeWith(OutcomeConnectionError)
		}
		companyPath = r.text
	}
	defer func() {
		if err := o.QuickBooks.EndSession(context.WithoutCancel(ctx)); err != nil {
			o.Logger.WarnContext(ctx, "end QuickBooks session", "err", err)
		}
	}()

	hcp := info.HCPResponse
	for range o.MaxRequestsPerSession {
		rq, err := s.call(ctx, "sendRequestXML",
			Param{"ticket", ticket}, Param{"strHCPResponse", hcp}, Param{"strCompanyFileName", info.CompanyFile},
			Param{"qbXMLCountry", info.Country}, Param{"qbXMLMajorVers", strconv.Itoa(info.Major)},
			Param{"qbXMLMinorVers", strconv.Itoa(info.Minor)})
		if err != nil {
			return err
		}
		hcp = ""
		if req := strings.TrimSpace(rq.text); req == "" || req == "NoOp" {
			again, err := s.lastError(ctx, ticket, closeWith)
			if err != nil || !again {
				return err
			}
			continue
		}
		resp, perr := o.QuickBooks.ProcessRequest(ctx, rq.text)
		var hresult, message string
		if perr != nil {
			var hr *HResultError
			if !errors.As(perr, &hr) {
				return fmt.Errorf("QuickBooks: %w", perr)
			}
			hresult, message, resp = hr.HResult, hr.Message, ""
		}
		s.res.Requests++
		w.mu.Lock()
		w.processed++
		lost := o.Faults.LoseResponse > 0 && w.processed == o.Faults.LoseResponse
		w.mu.Unlock()
		if lost {
			s.res.Outcome = OutcomeKilled
			s.res.Err = fmt.Errorf("%w: QBWC1042: ReceiveResponseXML failed: the connection was closed unexpectedly (response to request %d lost after QuickBooks committed it)", errKilled, o.Faults.LoseResponse)
			return s.res.Err
		}
		rr, err := s.call(ctx, "receiveResponseXML", Param{"ticket", ticket}, Param{"response", resp},
			Param{"hresult", hresult}, Param{"message", message})
		if err != nil {
			return err
		}
		if !rr.present {
			s.res.Outcome = OutcomeTransport
			s.res.Err = errors.New("QBWC1042: receiveResponseXML returned no receiveResponseXMLResult")
			return s.res.Err
		}
		pct, err := strconv.Atoi(strings.TrimSpace(rr.text))
		if err != nil {
			s.res.Outcome = OutcomeTransport
			s.res.Err = fmt.Errorf("QBWC1042: receiveResponseXMLResult %q is not an int: %w", rr.text, err)
			return s.res.Err
		}
		switch {
		case pct < 0:
			again, err := s.lastError(ctx, ticket, closeWith)
			if err != nil || !again {
				return err
			}
		case pct >= 100:
			return closeWith(OutcomeDone)
		}
	}
	s.res.LastError = fmt.Sprintf("simulator: more than %d requests in one session", o.MaxRequestsPerSession)
	return closeWith(OutcomeError)
}

// lastError calls getLastError; "NoOp" pauses and asks to continue, anything
// else closes the session.
func (s *session) lastError(ctx context.Context, ticket string, closeWith func(Outcome) error) (bool, error) {
	r, err := s.call(ctx, "getLastError", Param{"ticket", ticket})
	if err != nil {
		return false, err
	}
	switch strings.TrimSpace(r.text) {
	case "NoOp":
		s.res.NoOps++
		if err := s.w.opts.Clock.Sleep(ctx, s.w.opts.NoOpWait); err != nil {
			return false, err
		}
		return true, nil
	case "Interactive mode":
		return s.interactive(ctx, ticket, closeWith)
	}
	s.res.LastError = r.text
	return false, closeWith(OutcomeError)
}

// interactive runs interactive mode: the prompt, the page, and the polls
// of interactiveDone, whose answers follow Intuit's WCECommSample: "Done"
// closes the session, "Continue" resumes sendRequestXML, "" polls again.
// It reports whether the session goes on.
func (s *session) interactive(ctx context.Context, ticket string, closeWith func(Outcome) error) (bool, error) {
	o := s.w.opts
	s.res.Interactive++
	reject := func(reason string) (bool, error) {
		r, err := s.call(ctx, "interactiveRejected", Param{"wcTicket", ticket}, Param{"reason", reason})
		if err != nil {
			return false, err
		}
		s.res.LastError = r.text
		return false, closeWith(OutcomeInteractiveRejected)
	}
	if o.User == nil {
		return reject("No one answered the Web Connector's interactive mode prompt in time.")
	}
	if !o.User.Accept(ctx) {
		return reject("The user declined interactive mode.")
	}
	r, err := s.call(ctx, "getInteractiveURL", Param{"wcTicket", ticket}, Param{"sessionID", ticket})
	if err != nil {
		return false, err
	}
	s.res.InteractiveURL = strings.TrimSpace(r.text)
	o.User.Open(ctx, s.res.InteractiveURL)
	deadline := o.Clock.Now().Add(o.InteractiveTimeout)
	for {
		if err := o.Clock.Sleep(ctx, o.InteractivePoll); err != nil {
			return false, err
		}
		r, err := s.call(ctx, "interactiveDone", Param{"wcTicket", ticket})
		if err != nil {
			return false, err
		}
		switch strings.ToLower(strings.TrimSpace(r.text)) {
		case "done":
			return false, closeWith(OutcomeInteractiveDone)
		case "continue":
			return true, nil
		case "":
			if !o.Clock.Now().Before(deadline) {
				return reject("The interactive session timed out.")
			}
		default:
			s.res.LastError = r.text
			return false, closeWith(OutcomeError)
		}
	}
}

// Run runs sessions on the .qwc schedule (RunEveryNMinutes, raised by
// authenticate slot 4, overridden by a slot 3 postpone) until ctx is done or
// n sessions have run (n <= 0: until ctx is done). Between sessions it waits
// on the Clock.
func (w *WebConnector) Run(ctx context.Context, n int) ([]*SessionResult, error) {
	var results []*SessionResult
	for i := 0; n <= 0 || i < n; i++ {
		res, err := w.RunSession(ctx)
		results = append(results, res)
		if err != nil {
			return results, err
		}
		if n > 0 && i == n-1 {
			break
		}
		if err := w.opts.Clock.Sleep(ctx, w.nextWait(res)); err != nil {
			return results, fmt.Errorf("web connector schedule: %w", err)
		}
	}
	return results, nil
}

// nextWait is the time until the next scheduled session.
func (w *WebConnector) nextWait(res *SessionResult) time.Duration {
	if res.Postpone > 0 {
		return res.Postpone
	}
	every := w.opts.QWC.RunEvery
	if every <= 0 {
		every = time.Minute
	}
	return max(every, w.MinRunEvery())
}

func seconds(s string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

func pick[T any](cond bool, a, b T) T {
	if cond {
		return a
	}
	return b
}

func asHResult(err error) *HResultError {
	var hr *HResultError
	if errors.As(err, &hr) {
		return hr
	}
	return &HResultError{HResult: HResultUnexpected, Message: err.Error()}
}
