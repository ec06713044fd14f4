package qwc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/soap"
	"github.com/bcqb/bcqb/store"
)

// Config tunes the sessions.
type Config struct {
	// Version is what serverVersion answers.
	Version string
	// PageURL is the page a user opens to see and fix errors; summaries and
	// error messages point there.
	PageURL string
	// TicketTTL is how long a session lives without a call. The Web Connector
	// waits for QuickBooks between calls, so it is generous.
	TicketTTL time.Duration
	// LiveWindow is how recently a session must have called to make another
	// Web Connector's authenticate answer "busy".
	LiveWindow time.Duration
	// BusyPostpone is the postpone slot sent with "busy".
	BusyPostpone time.Duration
	// MinRunInterval, when set, is sent as the minimum run interval slot, so
	// that a user cannot schedule the Web Connector more often than that.
	MinRunInterval time.Duration
}

// DefaultConfig returns the settings bcqb runs with.
func DefaultConfig(version, pageURL string) Config {
	return Config{
		Version:      version,
		PageURL:      pageURL,
		TicketTTL:    30 * time.Minute,
		LiveWindow:   5 * time.Minute,
		BusyPostpone: 2 * time.Minute,
	}
}

// Service answers the Web Connector. It keeps no state of its own: every
// session lives in the store, so a restart of bcqb mid-session loses nothing.
type Service struct {
	cfg         Config
	store       Store
	work        Work
	log         *slog.Logger
	interactive Interactive
}

var _ soap.Service = (*Service)(nil)

// NewService returns the Web Connector service.
func NewService(cfg Config, st Store, work Work, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.TicketTTL <= 0 {
		cfg.TicketTTL = 30 * time.Minute
	}
	if cfg.LiveWindow <= 0 {
		cfg.LiveWindow = 5 * time.Minute
	}
	return &Service{cfg: cfg, store: st, work: work, log: log}
}

// Authentication answers in authenticate's second slot.
const (
	AuthUseOpenFile = ""
	AuthNone        = "none"
	AuthNotValid    = "nvu"
	AuthBusy        = "busy"
)

// lastErrorNoOp is stored as a session's last error to make getLastError answer "NoOp".
const lastErrorNoOp = "NoOp"

// ServerVersion answers serverVersion.
func (s *Service) ServerVersion(ctx context.Context) (string, error) {
	s.log.InfoContext(ctx, "qbwc serverVersion", "version", s.cfg.Version)
	return s.cfg.Version, nil
}

// Web Connector releases that matter: 2.1.0.30 was the first to speak TLS 1.2,
// which every HTTPS server now requires; 2.3 is the current line.
var (
	minClientVersion         = [4]int{2, 1, 0, 30}
	recommendedClientVersion = [4]int{2, 3, 0, 0}
)

// ClientVersion answers clientVersion: "" to go on, "W:" to warn about an old
// but working Web Connector, "E:" to refuse one known not to work.
func (s *Service) ClientVersion(ctx context.Context, version string) (string, error) {
	v, ok := parseDotted(version)
	answer := ""
	switch {
	case !ok:
		// An unreadable version is not refused: the Web Connector may have changed its format.
	case less(v, minClientVersion):
		answer = "E:This QuickBooks Web Connector (" + version + ") cannot use TLS 1.2, which bcqb requires. " +
			"Install Web Connector 2.3 or later from Intuit, then add bcqb again."
	case less(v, recommendedClientVersion):
		answer = "W:This QuickBooks Web Connector (" + version + ") is old. It works with bcqb, " +
			"but Web Connector 2.3 or later is recommended."
	}
	s.log.InfoContext(ctx, "qbwc clientVersion", "client", version, "answer", answer)
	return answer, nil
}

func parseDotted(s string) ([4]int, bool) {
	var v [4]int
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) < 2 || len(parts) > 4 {
		return v, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, false
		}
		v[i] = n
	}
	return v, true
}

func less(a, b [4]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// Authenticate answers authenticate: [ticket, ""] when work waits, [ticket,
// "none"] when there is none, ["", "nvu"] for bad credentials and [ticket,
// "busy"] when another Web Connector is in a session with the same company file.
func (s *Service) Authenticate(ctx context.Context, req soap.AuthenticateRequest) ([]string, error) {
	user, err := s.store.Authenticate(ctx, req.UserName, req.Password)
	if errors.Is(err, store.ErrBadCredentials) {
		s.log.WarnContext(ctx, "qbwc authenticate refused", "user", req.UserName, "remote", req.RemoteHost, "answer", AuthNotValid)
		return []string{"", AuthNotValid}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}

	// A live session from another host means another Web Connector is updating this company file.
	live, err := s.store.LiveSession(ctx, user.CompanyID, s.store.Now().Add(-s.cfg.LiveWindow))
	switch {
	case err == nil && live.RemoteHost != req.RemoteHost:
		ticket, sess, err := s.store.CreateSession(ctx, store.NewSession{UserID: user.ID, CompanyID: user.CompanyID,
			RemoteHost: req.RemoteHost, State: store.SessionRefused, AuthResult: AuthBusy, TTL: s.cfg.TicketTTL})
		if err != nil {
			return nil, fmt.Errorf("authenticate: %w", err)
		}
		s.log.InfoContext(ctx, "qbwc authenticate", "session", sess.PublicID, "user", user.Username,
			"remote", req.RemoteHost, "answer", AuthBusy, "live_session", live.PublicID)
		return slots(ticket, AuthBusy, s.cfg.BusyPostpone, s.cfg.MinRunInterval), nil
	case err == nil:
		// The same PC authenticates again: its Web Connector was restarted or
		// gave up on the old session. That session's unanswered request is now unknown.
		if err := s.store.CloseSession(ctx, live.ID, "replaced by a new session from the same Web Connector"); err != nil {
			return nil, fmt.Errorf("authenticate: %w", err)
		}
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("authenticate: %w", err)
	}

	pending, err := s.work.Pending(ctx, user.CompanyID)
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	state, answer := store.SessionOpen, AuthUseOpenFile
	var postpone time.Duration
	idle := pending.Due == 0 && !pending.Wait
	if idle {
		// Nothing to send, but something for the user to fix: a session
		// opens to offer interactive mode.
		want, err := s.interactiveWanted(ctx, user.ID, user.CompanyID)
		if err != nil {
			return nil, fmt.Errorf("authenticate: %w", err)
		}
		idle = !want
	}
	if idle {
		state, answer = store.SessionRefused, AuthNone
		// Work delayed by a retry: ask the Web Connector to come back when it is due.
		if !pending.NextAt.IsZero() {
			if d := pending.NextAt.Sub(s.store.Now()); d > 0 && d < time.Hour {
				postpone = d
			}
		}
	}
	ticket, sess, err := s.store.CreateSession(ctx, store.NewSession{UserID: user.ID, CompanyID: user.CompanyID,
		RemoteHost: req.RemoteHost, State: state, AuthResult: answer, TTL: s.cfg.TicketTTL})
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	s.log.InfoContext(ctx, "qbwc authenticate", "session", sess.PublicID, "user", user.Username,
		"remote", req.RemoteHost, "answer", answer, "due", pending.Due)
	return slots(ticket, answer, postpone, s.cfg.MinRunInterval), nil
}

// slots builds authenticate's array. The optional third and fourth slots are
// positional, so an unused third slot is sent as "" when the fourth is set.
func slots(ticket, answer string, postpone, minRun time.Duration) []string {
	out := []string{ticket, answer}
	secs := func(d time.Duration) string { return strconv.Itoa(int((d + time.Second - 1) / time.Second)) }
	switch {
	case minRun > 0 && postpone > 0:
		out = append(out, secs(postpone), secs(minRun))
	case minRun > 0:
		out = append(out, "", secs(minRun))
	case postpone > 0:
		out = append(out, secs(postpone))
	}
	return out
}

// session resolves a ticket to an open, unexpired session and records the call.
func (s *Service) session(ctx context.Context, ticket string) (store.Session, error) {
	if ticket == "" {
		return store.Session{}, errBadTicket
	}
	sess, err := s.store.SessionByTicket(ctx, ticket)
	if errors.Is(err, store.ErrNotFound) {
		return store.Session{}, errBadTicket
	}
	if err != nil {
		return store.Session{}, err
	}
	if sess.State != store.SessionOpen || !s.store.Now().Before(sess.ExpiresAt) {
		return sess, errBadTicket
	}
	if err := s.store.TouchSession(ctx, sess.ID, s.cfg.TicketTTL); err != nil {
		return store.Session{}, err
	}
	return sess, nil
}

var errBadTicket = errors.New("unknown, expired or closed ticket")

const badTicketMessage = "bcqb does not know this Web Connector session (it expired or ended). " +
	"Nothing was lost: the next scheduled update starts a new session."

func (s *Service) workSession(sess store.Session) Session {
	v, _ := qbxml.ParseVersion(sess.QBXMLVersion)
	return Session{ID: sess.ID, PublicID: sess.PublicID, UserID: sess.UserID, CompanyID: sess.CompanyID, Version: v, Country: sess.Country}
}

// SendRequestXML answers sendRequestXML with the next qbXML request, or ""
// when there is none or on error (the reason is kept for getLastError).
func (s *Service) SendRequestXML(ctx context.Context, req soap.SendRequestXMLRequest) (string, error) {
	sess, err := s.session(ctx, req.Ticket)
	if errors.Is(err, errBadTicket) {
		s.log.WarnContext(ctx, "qbwc sendRequestXML with a bad ticket", "session", sess.PublicID)
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sendRequestXML: %w", err)
	}
	if sess.QBXMLVersion == "" || req.HCPResponse != "" {
		if msg, err := s.begin(ctx, &sess, req); err != nil {
			return "", fmt.Errorf("sendRequestXML: %w", err)
		} else if msg != "" {
			s.log.WarnContext(ctx, "qbwc session refused", "session", sess.PublicID, "reason", msg)
			return "", s.setError(ctx, sess, msg, "")
		}
	}
	xml, err := s.work.Next(ctx, s.workSession(sess))
	switch {
	case errors.Is(err, ErrWait):
		s.log.InfoContext(ctx, "qbwc sendRequestXML", "session", sess.PublicID, "answer", "NoOp")
		return "", s.setError(ctx, sess, lastErrorNoOp, "")
	case errors.Is(err, ErrNoWork) && s.offerInteractive(ctx, s.workSession(sess)):
		s.log.InfoContext(ctx, "qbwc sendRequestXML", "session", sess.PublicID, "answer", "Interactive mode")
		return "", s.setError(ctx, sess, lastErrorInteractive, "")
	case errors.Is(err, ErrNoWork):
		s.log.InfoContext(ctx, "qbwc sendRequestXML", "session", sess.PublicID, "answer", "nothing left")
		return "", s.setError(ctx, sess, "bcqb has nothing more to send in this session.", "")
	case err != nil:
		s.log.ErrorContext(ctx, "qbwc sendRequestXML failed", "session", sess.PublicID, "err", err)
		return "", s.setError(ctx, sess, "bcqb could not prepare the next request: "+err.Error()+s.seePage(), "")
	}
	s.log.InfoContext(ctx, "qbwc sendRequestXML", "session", sess.PublicID, "bytes", len(xml), "qbxml", sess.QBXMLVersion)
	return xml, nil
}

// begin handles the first sendRequestXML of a session: it reads what
// QuickBooks says about itself, picks the qbXML version and checks that the
// company file is the one bound to this user. A non-empty message refuses
// the session with that reason.
func (s *Service) begin(ctx context.Context, sess *store.Session, req soap.SendRequestXMLRequest) (string, error) {
	var hcp *qbxml.HCP
	if strings.TrimSpace(req.HCPResponse) != "" {
		h, err := qbxml.ParseHCPResponse([]byte(req.HCPResponse))
		if err != nil {
			// A response we cannot read is not a reason to refuse QuickBooks: negotiate from the parameters alone.
			s.log.WarnContext(ctx, "qbwc could not read strHCPResponse", "session", sess.PublicID, "err", err)
		} else {
			hcp = &h
		}
	}
	country := req.Country
	var supported []string
	if hcp != nil {
		supported = hcp.Host.SupportedQBXMLVersion
		if c := hcp.Country(); c != "" {
			country = c
		}
	}
	// Both the Web Connector's parameter and QuickBooks' HostRet must say US.
	for _, c := range []string{req.Country, country} {
		if err := qbxml.CheckCountry(c); err != nil {
			return err.Error() + ". bcqb speaks to the US edition of QuickBooks Desktop only, for now.", nil
		}
	}
	v, err := qbxml.NegotiateVersion(req.MajorVers, req.MinorVers, supported)
	if err != nil {
		return err.Error(), nil
	}
	company, err := s.store.Company(ctx, sess.CompanyID)
	if err != nil {
		return "", err
	}
	if hcp != nil {
		if owner, err := s.store.Setting(ctx, SettingOwnerID); err == nil {
			if fileID, _ := hcp.FileIDFor(owner); fileID != "" && !strings.EqualFold(fileID, company.FileID) {
				return fmt.Sprintf("The company file open in QuickBooks (%s) is registered to another bcqb Web Connector user "+
					"(FileID %s, expected %s). Open the right company file, or add the .qwc file of this one.",
					req.CompanyFileName, fileID, company.FileID), nil
			}
		}
	}
	conn := store.SessionConnection{CompanyFile: req.CompanyFileName, Country: strings.ToUpper(country),
		QBXMLMajor: req.MajorVers, QBXMLMinor: req.MinorVers, QBXMLVersion: v.String()}
	if conn.Country == "" {
		conn.Country = "US"
	}
	if err := s.store.SetSessionConnection(ctx, sess.ID, conn); err != nil {
		return "", err
	}
	if err := s.store.RecordCompanyConnection(ctx, sess.CompanyID, req.CompanyFileName, conn.Country,
		strings.Join(supported, ","), v.String()); err != nil {
		return "", err
	}
	sess.CompanyFile, sess.Country, sess.QBXMLVersion = conn.CompanyFile, conn.Country, conn.QBXMLVersion
	if err := s.work.Begin(ctx, s.workSession(*sess), hcp); err != nil {
		return "", err
	}
	s.log.InfoContext(ctx, "qbwc session begins", "session", sess.PublicID, "company_file", req.CompanyFileName,
		"country", conn.Country, "qbxml", v.String(), "rp_version", fmt.Sprintf("%d.%d", req.MajorVers, req.MinorVers))
	return "", nil
}

func (s *Service) setError(ctx context.Context, sess store.Session, message, hresult string) error {
	if err := s.store.SetSessionError(ctx, sess.ID, message, hresult); err != nil {
		return fmt.Errorf("record session error: %w", err)
	}
	return nil
}

func (s *Service) seePage() string {
	if s.cfg.PageURL == "" {
		return ""
	}
	return " See " + s.cfg.PageURL
}

// Errors QuickBooks' request processor reports in hresult that concern one
// request, not the connection: the session goes on with the next request.
var requestLevelHResults = map[string]bool{
	"0x80040400": true, // QuickBooks found an error when parsing the provided XML text stream.
}

// ReceiveResponseXML routes QuickBooks' response to the job that asked and
// answers the percent done, or -1 so that the Web Connector asks getLastError.
func (s *Service) ReceiveResponseXML(ctx context.Context, req soap.ReceiveResponseXMLRequest) (int, error) {
	sess, err := s.session(ctx, req.Ticket)
	if errors.Is(err, errBadTicket) {
		s.log.WarnContext(ctx, "qbwc receiveResponseXML with a bad ticket", "session", sess.PublicID)
		return -1, nil
	}
	if err != nil {
		return 0, fmt.Errorf("receiveResponseXML: %w", err)
	}
	ws := s.workSession(sess)
	hresult := strings.TrimSpace(req.HResult)
	if err := s.work.Deliver(ctx, ws, Response{XML: req.Response, HResult: hresult, Message: req.Message}); err != nil {
		s.log.ErrorContext(ctx, "qbwc response not settled", "session", sess.PublicID, "err", err)
		return -1, s.setError(ctx, sess, "bcqb could not record QuickBooks' response: "+err.Error()+s.seePage(), hresult)
	}
	if hresult != "" && !requestLevelHResults[strings.ToLower(hresult)] {
		s.log.WarnContext(ctx, "qbwc QuickBooks failed", "session", sess.PublicID, "hresult", hresult, "message", req.Message)
		msg := fmt.Sprintf("QuickBooks could not process bcqb's request (%s): %s. bcqb will try again on the next update.",
			hresult, strings.TrimSpace(req.Message))
		return -1, s.setError(ctx, sess, msg, hresult)
	}
	remaining, err := s.work.Remaining(ctx, ws)
	if err != nil {
		return 0, fmt.Errorf("receiveResponseXML: %w", err)
	}
	sess, err = s.store.SessionByTicket(ctx, req.Ticket)
	if err != nil {
		return 0, fmt.Errorf("receiveResponseXML: %w", err)
	}
	pct := percent(sess.DoneCount+sess.FailedCount, remaining)
	s.log.InfoContext(ctx, "qbwc receiveResponseXML", "session", sess.PublicID, "bytes", len(req.Response),
		"hresult", hresult, "percent", pct, "remaining", remaining)
	return pct, nil
}

// percent is the share of the session's work done. 100 ends the session, so
// it is answered only when nothing remains, never by rounding up.
func percent(done, remaining int) int {
	if remaining <= 0 {
		return 100
	}
	p := done * 100 / (done + remaining)
	if p > 99 {
		p = 99
	}
	return p
}

// ConnectionError records that the Web Connector could not reach QuickBooks
// and answers "done": retrying another company file is never right here.
func (s *Service) ConnectionError(ctx context.Context, req soap.ConnectionErrorRequest) (string, error) {
	sess, err := s.session(ctx, req.Ticket)
	if errors.Is(err, errBadTicket) {
		s.log.WarnContext(ctx, "qbwc connectionError with a bad ticket", "hresult", req.HResult, "message", req.Message)
		return "done", nil
	}
	if err != nil {
		return "", fmt.Errorf("connectionError: %w", err)
	}
	s.log.WarnContext(ctx, "qbwc connectionError", "session", sess.PublicID, "hresult", req.HResult, "message", req.Message)
	msg := fmt.Sprintf("The Web Connector could not reach QuickBooks (%s): %s", req.HResult, strings.TrimSpace(req.Message))
	if err := s.setError(ctx, sess, msg, req.HResult); err != nil {
		return "", err
	}
	if err := s.store.AbandonSession(ctx, sess.ID); err != nil {
		return "", fmt.Errorf("connectionError: %w", err)
	}
	return "done", nil
}

// GetLastError answers the session's last error in words, or "NoOp" when
// bcqb wants the Web Connector to wait and call sendRequestXML again.
func (s *Service) GetLastError(ctx context.Context, ticket string) (string, error) {
	sess, err := s.session(ctx, ticket)
	if errors.Is(err, errBadTicket) {
		return badTicketMessage, nil
	}
	if err != nil {
		return "", fmt.Errorf("getLastError: %w", err)
	}
	msg := sess.LastError
	if msg == lastErrorNoOp || msg == lastErrorInteractive {
		// Cleared, so that a later real error is not masked by a stale NoOp,
		// nor the session's summary end with "stopped: Interactive mode".
		if err := s.setError(ctx, sess, "", ""); err != nil {
			return "", err
		}
	}
	if msg == "" {
		msg = "bcqb reported no error."
	}
	s.log.InfoContext(ctx, "qbwc getLastError", "session", sess.PublicID, "answer", msg)
	return msg, nil
}

// CloseConnection ends the session with a one-line summary.
func (s *Service) CloseConnection(ctx context.Context, ticket string) (string, error) {
	if ticket == "" {
		return "bcqb: session ended.", nil
	}
	sess, err := s.store.SessionByTicket(ctx, ticket)
	if errors.Is(err, store.ErrNotFound) {
		return "bcqb: session ended.", nil
	}
	if err != nil {
		return "", fmt.Errorf("closeConnection: %w", err)
	}
	var summary string
	switch {
	case sess.AuthResult == AuthNone:
		summary = "bcqb: nothing to update."
	case sess.AuthResult == AuthBusy:
		summary = "bcqb: another Web Connector is updating this company file; trying again later."
	default:
		if summary, err = s.work.Summary(ctx, s.workSession(sess)); err != nil {
			return "", fmt.Errorf("closeConnection: %w", err)
		}
		if sess.LastError != "" && sess.LastError != lastErrorNoOp && sess.LastError != lastErrorInteractive && sess.FailedCount == 0 {
			summary += "; stopped: " + sess.LastError
		}
		if s.cfg.PageURL != "" {
			summary += ": " + s.cfg.PageURL
		}
	}
	if sess.ClosedAt.IsZero() || sess.Summary == "" {
		if err := s.store.CloseSession(ctx, sess.ID, summary); err != nil {
			return "", fmt.Errorf("closeConnection: %w", err)
		}
	}
	s.log.InfoContext(ctx, "qbwc closeConnection", "session", sess.PublicID, "summary", summary)
	return summary, nil
}
