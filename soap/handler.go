package soap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Service answers the Web Connector's callbacks. An error return means the
// server itself failed (the store is unreachable, say) and becomes a SOAP
// fault; a bad ticket or a QuickBooks error is not an error but an answer.
type Service interface {
	ServerVersion(ctx context.Context) (string, error)
	ClientVersion(ctx context.Context, version string) (string, error)
	Authenticate(ctx context.Context, req AuthenticateRequest) ([]string, error)
	SendRequestXML(ctx context.Context, req SendRequestXMLRequest) (string, error)
	ReceiveResponseXML(ctx context.Context, req ReceiveResponseXMLRequest) (int, error)
	ConnectionError(ctx context.Context, req ConnectionErrorRequest) (string, error)
	GetLastError(ctx context.Context, ticket string) (string, error)
	CloseConnection(ctx context.Context, ticket string) (string, error)
	GetInteractiveURL(ctx context.Context, ticket, sessionID string) (string, error)
	InteractiveDone(ctx context.Context, ticket string) (string, error)
	InteractiveRejected(ctx context.Context, ticket, reason string) (string, error)
}

// AuthenticateRequest carries authenticate's parameters and the caller's host,
// by which a Web Connector restarted on the same PC is told from another one.
type AuthenticateRequest struct {
	UserName   string
	Password   string
	RemoteHost string
}

// SendRequestXMLRequest carries sendRequestXML's parameters.
type SendRequestXMLRequest struct {
	Ticket          string
	HCPResponse     string
	CompanyFileName string
	Country         string
	MajorVers       int
	MinorVers       int
}

// ReceiveResponseXMLRequest carries receiveResponseXML's parameters.
type ReceiveResponseXMLRequest struct {
	Ticket   string
	Response string
	HResult  string
	Message  string
}

// ConnectionErrorRequest carries connectionError's parameters.
type ConnectionErrorRequest struct {
	Ticket  string
	HResult string
	Message string
}

// DefaultMaxBody bounds a request body. A big query response (every customer
// of a large company file) can run to megabytes; anything past this is refused.
const DefaultMaxBody = 64 << 20

// Handler is the http.Handler of the Web Connector endpoint.
type Handler struct {
	svc     Service
	log     *slog.Logger
	maxBody int64
	// location is the soap:address of the served WSDL.
	location string
	wsdlOnce sync.Once
	wsdl     []byte
	bufs     sync.Pool
}

// NewHandler returns the endpoint. location is the URL the Web Connector uses
// (it goes into the WSDL); maxBody <= 0 means DefaultMaxBody.
func NewHandler(svc Service, location string, maxBody int64, log *slog.Logger) *Handler {
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{svc: svc, log: log, maxBody: maxBody, location: location,
		bufs: sync.Pool{New: func() any { return new(bytes.Buffer) }}}
}

// ServeHTTP answers GET ?wsdl with the WSDL and POST with a SOAP call.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if !wantsWSDL(r) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, "bcqb QuickBooks Web Connector endpoint. Add ?wsdl for the service description.\n")
			return
		}
		h.wsdlOnce.Do(func() { h.wsdl = WSDL(h.location) })
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.Write(h.wsdl)
	case http.MethodPost:
		h.serveCall(w, r)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func wantsWSDL(r *http.Request) bool {
	for k := range r.URL.Query() {
		if strings.EqualFold(k, "wsdl") {
			return true
		}
	}
	return false
}

// limitedReader reads at most n bytes and remembers that the body was longer.
type limitedReader struct {
	r        io.Reader
	n        int64
	exceeded bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// One byte more tells a body exactly at the limit from a longer one.
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			l.exceeded = true
			return 0, errors.New("request body too large")
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

func (h *Handler) serveCall(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	buf := h.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer h.bufs.Put(buf)

	body := &limitedReader{r: r.Body, n: h.maxBody}
	call, err := Decode(body)
	if err == nil {
		err = checkSOAPAction(r.Header.Get("SOAPAction"), call.Op)
	}
	if err == nil {
		err = h.dispatch(r.Context(), r, call, buf)
	}
	if err != nil {
		var f *Fault
		switch {
		case body.exceeded:
			f = clientFault("the request body is larger than %d bytes", h.maxBody)
		case errors.As(err, &f):
		default:
			// The cause is logged, not sent: it may name files or queries.
			h.log.ErrorContext(r.Context(), "qbwc call failed", "op", call.Op, "err", err)
			f = &Fault{Code: FaultServer, String: fmt.Sprintf("bcqb could not answer %s; see the bcqb log", opName(call.Op))}
		}
		h.log.WarnContext(r.Context(), "qbwc fault", "op", call.Op, "code", f.Code, "fault", f.String,
			"remote", r.RemoteAddr, "dur", time.Since(start))
		buf.Reset()
		EncodeFault(buf, f)
		writeXML(w, http.StatusInternalServerError, buf)
		return
	}
	h.log.DebugContext(r.Context(), "qbwc call", "op", call.Op, "dur", time.Since(start))
	writeXML(w, http.StatusOK, buf)
}

func opName(op string) string {
	if op == "" {
		return "the request"
	}
	return op
}

func writeXML(w http.ResponseWriter, status int, b *bytes.Buffer) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// checkSOAPAction accepts a SOAPAction with or without quotes, or none, but
// refuses one that names another operation than the body carries.
func checkSOAPAction(header, op string) error {
	a := strings.TrimSpace(header)
	a = strings.TrimSuffix(strings.TrimPrefix(a, `"`), `"`)
	if a == "" || a == Namespace+op {
		return nil
	}
	return clientFault("SOAPAction %q does not match the body's operation %s", header, op)
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (h *Handler) dispatch(ctx context.Context, r *http.Request, c Call, b *bytes.Buffer) error {
	var (
		s   string
		err error
	)
	switch c.Op {
	case "serverVersion":
		s, err = h.svc.ServerVersion(ctx)
	case "clientVersion":
		s, err = h.svc.ClientVersion(ctx, c.Str("strVersion"))
	case "authenticate":
		var res []string
		res, err = h.svc.Authenticate(ctx, AuthenticateRequest{UserName: c.Str("strUserName"),
			Password: c.Str("strPassword"), RemoteHost: remoteHost(r)})
		if err == nil {
			EncodeStrings(b, c.Op, res)
		}
		return err
	case "sendRequestXML":
		req := SendRequestXMLRequest{Ticket: c.Str("ticket"), HCPResponse: c.Str("strHCPResponse"),
			CompanyFileName: c.Str("strCompanyFileName"), Country: c.Str("qbXMLCountry")}
		if req.MajorVers, err = c.Int("qbXMLMajorVers"); err != nil {
			return err
		}
		if req.MinorVers, err = c.Int("qbXMLMinorVers"); err != nil {
			return err
		}
		s, err = h.svc.SendRequestXML(ctx, req)
	case "receiveResponseXML":
		var n int
		n, err = h.svc.ReceiveResponseXML(ctx, ReceiveResponseXMLRequest{Ticket: c.Str("ticket"),
			Response: c.Str("response"), HResult: c.Str("hresult"), Message: c.Str("message")})
		if err == nil {
			EncodeInt(b, c.Op, n)
		}
		return err
	case "connectionError":
		s, err = h.svc.ConnectionError(ctx, ConnectionErrorRequest{Ticket: c.Str("ticket"),
			HResult: c.Str("hresult"), Message: c.Str("message")})
	case "getLastError":
		s, err = h.svc.GetLastError(ctx, c.Str("ticket"))
	case "closeConnection":
		s, err = h.svc.CloseConnection(ctx, c.Str("ticket"))
	case "getInteractiveURL":
		s, err = h.svc.GetInteractiveURL(ctx, c.Str("wcTicket"), c.Str("sessionID"))
	case "interactiveDone":
		s, err = h.svc.InteractiveDone(ctx, c.Str("wcTicket"))
	case "interactiveRejected":
		s, err = h.svc.InteractiveRejected(ctx, c.Str("wcTicket"), c.Str("reason"))
	default:
		return clientFault("unknown operation %q", c.Op)
	}
	if err == nil {
		EncodeString(b, c.Op, s)
	}
	return err
}
