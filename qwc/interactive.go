package qwc

import (
	"context"
	"errors"
	"fmt"
)

// Interactive mode (QBWC 2.0, Programmer's Guide ch. 6 and pp. 71-76): when
// a session has nothing more it can send but something a person could fix
// (an order that needs a mapping), sendRequestXML answers "" and
// getLastError "Interactive mode". The Web Connector asks its user; if they
// accept it calls getInteractiveURL and opens that page in a browser, then
// polls interactiveDone until the page is finished; if they decline (or are
// not there) it calls interactiveRejected. What interactiveDone answers
// follows Intuit's WCECommSample, the one Intuit sample that implements it:
// "" while the user is still at it, "Continue" to resume sendRequestXML,
// "Done" to end the session with closeConnection.

// lastErrorInteractive is stored as a session's last error to make
// getLastError answer "Interactive mode".
const lastErrorInteractive = "Interactive mode"

// ErrNotInteractive is returned, wrapped, by Interactive.URL for a session
// that did not enter interactive mode: the Web Connector is given the page.
var ErrNotInteractive = errors.New("qwc: the session is not in interactive mode")

// InteractiveState is where the user is with the page.
type InteractiveState int

// Interactive states, as interactiveDone answers them.
const (
	// InteractiveWaiting: the user has not finished the page yet.
	InteractiveWaiting InteractiveState = iota
	// InteractiveContinue: finished, and there is work to send now.
	InteractiveContinue
	// InteractiveFinished: finished (or given up) with nothing to send: the session ends.
	InteractiveFinished
)

// answer is interactiveDone's word for the state.
func (st InteractiveState) answer() string {
	switch st {
	case InteractiveContinue:
		return "Continue"
	case InteractiveFinished:
		return "Done"
	}
	return ""
}

// Interactive decides and carries out interactive mode; the Service only
// speaks the Web Connector's side of it. Without one, a session never
// enters interactive mode.
type Interactive interface {
	// Wanted reports whether a session should start for the user although
	// no work is due, to offer what only the user can fix.
	Wanted(ctx context.Context, userID, companyID int64) (bool, error)
	// Offer is asked when the session has nothing more to send; true enters
	// interactive mode. It records what it offers, so that the same thing is
	// never offered twice (an unattended Web Connector is asked once).
	Offer(ctx context.Context, s Session) (bool, error)
	// URL is the page the Web Connector opens, carrying a fresh one-time
	// token (never the ticket).
	URL(ctx context.Context, s Session) (string, error)
	// Done says where the user is; once they finished it plans again what
	// they fixed, so that Continue has work to send.
	Done(ctx context.Context, s Session) (InteractiveState, error)
	// Rejected records that the user declined (or the Web Connector timed out).
	Rejected(ctx context.Context, s Session, reason string) error
}

// SetInteractive turns interactive mode on for the users the Interactive
// says; it is set before the Service answers its first call.
func (s *Service) SetInteractive(i Interactive) { s.interactive = i }

// offerInteractive enters interactive mode when the session has nothing
// more to send and the Interactive has something for the user. A failure
// is logged and the session ends as it would have.
func (s *Service) offerInteractive(ctx context.Context, sess Session) bool {
	if s.interactive == nil {
		return false
	}
	ok, err := s.interactive.Offer(ctx, sess)
	if err != nil {
		s.log.ErrorContext(ctx, "qbwc interactive mode not offered", "session", sess.PublicID, "err", err)
		return false
	}
	return ok
}

// interactiveWanted reports whether authenticate should open a session
// with no work due, for interactive mode.
func (s *Service) interactiveWanted(ctx context.Context, userID, companyID int64) (bool, error) {
	if s.interactive == nil {
		return false, nil
	}
	ok, err := s.interactive.Wanted(ctx, userID, companyID)
	if err != nil {
		return false, fmt.Errorf("interactive mode: %w", err)
	}
	return ok, nil
}

// GetInteractiveURL answers the page the Web Connector opens in interactive mode.
func (s *Service) GetInteractiveURL(ctx context.Context, ticket, sessionID string) (string, error) {
	sess, err := s.session(ctx, ticket)
	if errors.Is(err, errBadTicket) {
		s.log.WarnContext(ctx, "qbwc getInteractiveURL with a bad ticket")
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("getInteractiveURL: %w", err)
	}
	if s.interactive == nil {
		return s.cfg.PageURL, nil
	}
	u, err := s.interactive.URL(ctx, s.workSession(sess))
	if errors.Is(err, ErrNotInteractive) {
		s.log.WarnContext(ctx, "qbwc getInteractiveURL outside interactive mode", "session", sess.PublicID)
		return s.cfg.PageURL, nil
	}
	if err != nil {
		return "", fmt.Errorf("getInteractiveURL: %w", err)
	}
	s.log.InfoContext(ctx, "qbwc getInteractiveURL", "session", sess.PublicID, "qbwc_session", sessionID)
	return u, nil
}

// InteractiveDone answers "" while the user is at the page, "Continue" once
// they finished and there is work to send, "Done" to end the session.
func (s *Service) InteractiveDone(ctx context.Context, ticket string) (string, error) {
	sess, err := s.session(ctx, ticket)
	if errors.Is(err, errBadTicket) {
		s.log.WarnContext(ctx, "qbwc interactiveDone with a bad ticket")
		return InteractiveFinished.answer(), nil
	}
	if err != nil {
		return "", fmt.Errorf("interactiveDone: %w", err)
	}
	if s.interactive == nil {
		return InteractiveFinished.answer(), nil
	}
	st, err := s.interactive.Done(ctx, s.workSession(sess))
	if err != nil {
		return "", fmt.Errorf("interactiveDone: %w", err)
	}
	s.log.InfoContext(ctx, "qbwc interactiveDone", "session", sess.PublicID, "answer", st.answer())
	return st.answer(), nil
}

// InteractiveRejected records why the user did not take the page and
// answers the message the Web Connector shows.
func (s *Service) InteractiveRejected(ctx context.Context, ticket, reason string) (string, error) {
	sess, err := s.session(ctx, ticket)
	if errors.Is(err, errBadTicket) {
		s.log.WarnContext(ctx, "qbwc interactiveRejected with a bad ticket", "reason", reason)
		return "bcqb goes on without interactive mode.", nil
	}
	if err != nil {
		return "", fmt.Errorf("interactiveRejected: %w", err)
	}
	s.log.InfoContext(ctx, "qbwc interactiveRejected", "session", sess.PublicID, "reason", reason)
	if s.interactive != nil {
		if err := s.interactive.Rejected(ctx, s.workSession(sess), reason); err != nil {
			return "", fmt.Errorf("interactiveRejected: %w", err)
		}
	}
	msg := "bcqb goes on without interactive mode: what needs a mapping waits on bcqb's page."
	if s.cfg.PageURL != "" {
		msg += " See " + s.cfg.PageURL + "attention"
	}
	return msg, nil
}
