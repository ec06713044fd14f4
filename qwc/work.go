// Package qwc is the Web Connector application: it answers the Web
// Connector's callbacks (as a soap.Service) with sessions kept in the store,
// takes the qbXML it sends from a Work source, and writes the .qwc file by
// which the user registers bcqb in the Web Connector.
package qwc

import (
	"context"
	"errors"
	"time"

	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/store"
)

// ErrNoWork is returned by Work.Next when nothing is left for the session.
var ErrNoWork = errors.New("qwc: no work")

// ErrWait is returned by Work.Next when work is expected shortly (a
// BigCommerce pull still running, a retry due in seconds): the session
// answers "NoOp" and the Web Connector calls again five seconds later.
var ErrWait = errors.New("qwc: wait")

// Session is what the job side sees of a Web Connector session.
type Session struct {
	ID        int64
	PublicID  string
	UserID    int64
	CompanyID int64
	// Version is the qbXML version negotiated with QuickBooks for this session.
	Version qbxml.Version
	Country string
}

// Response is QuickBooks' answer to the session's outstanding request:
// either the response message, or the HRESULT and message of a request
// processor that failed to answer.
type Response struct {
	XML     string
	HResult string
	Message string
}

// Pending is the work that waits for a company file.
type Pending struct {
	// Due counts units of work ready now.
	Due int
	// Wait is set when work is expected within seconds, so that a session
	// should start (or hold on with NoOp) rather than answer "none".
	Wait bool
	// NextAt is when the earliest delayed work becomes due (zero if none).
	NextAt time.Time
}

// Work is the seam between the Web Connector session and the sync engine.
// The job side implements it; main wires it in.
type Work interface {
	// Pending reports the work that waits for a company file.
	Pending(ctx context.Context, companyID int64) (Pending, error)
	// Begin is told, once per session, what QuickBooks reported about itself
	// in the first sendRequestXML (its HostQuery, CompanyQuery and
	// PreferencesQuery responses, parsed; nil when the Web Connector sent none).
	Begin(ctx context.Context, s Session, hcp *qbxml.HCP) error
	// Next returns the next qbXML request message for the session, recorded
	// as outstanding before it is returned. It returns ErrNoWork or ErrWait.
	// One message may carry several requests; a job may take several round trips.
	Next(ctx context.Context, s Session) (string, error)
	// Deliver settles the session's outstanding request with its response.
	Deliver(ctx context.Context, s Session, r Response) error
	// Remaining counts what the session still has to send, for the percent done.
	Remaining(ctx context.Context, s Session) (int, error)
	// Summary describes what the session did, in a few words for the Web
	// Connector's status column ("12 orders posted, 1 needs attention").
	Summary(ctx context.Context, s Session) (string, error)
}

// Store is what the sessions need from the store.
type Store interface {
	Authenticate(ctx context.Context, username, password string) (store.User, error)
	CreateSession(ctx context.Context, ns store.NewSession) (string, store.Session, error)
	SessionByTicket(ctx context.Context, ticket string) (store.Session, error)
	LiveSession(ctx context.Context, companyID int64, since time.Time) (store.Session, error)
	TouchSession(ctx context.Context, id int64, ttl time.Duration) error
	SetSessionConnection(ctx context.Context, id int64, c store.SessionConnection) error
	SetSessionError(ctx context.Context, id int64, message, hresult string) error
	CloseSession(ctx context.Context, id int64, summary string) error
	AbandonSession(ctx context.Context, id int64) error
	Company(ctx context.Context, id int64) (store.Company, error)
	RecordCompanyConnection(ctx context.Context, id int64, companyFile, country, versions, negotiated string) error
	Setting(ctx context.Context, key string) (string, error)
	Now() time.Time
}
