package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	gsoap "github.com/hooklift/gowsdl/soap"

	"github.com/bcqb/bcqb/config"
	"github.com/bcqb/bcqb/internal/qbwcclient"
	"github.com/bcqb/bcqb/qwc"
)

const (
	testUser     = "qb"
	testPassword = "correct horse battery"
)

// testServer is a real bcqb listening on a loopback port, on a data folder
// that outlives it (so a test can restart bcqb on the same data).
type testServer struct {
	*Server
	URL string
}

func startServer(t testing.TB, dataDir string) *testServer {
	t.Helper()
	return startServerWith(t, dataDir, "http://localhost:%d", nil, nil)
}

// startServerWith starts bcqb with the base URL baseFormat (given the port)
// and extra environment, logging to logTo (the test's log when nil).
func startServerWith(t testing.TB, dataDir, baseFormat string, extra map[string]string, logTo io.Writer) *testServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	env := map[string]string{
		"BCQB_DATA":          dataDir,
		"BCQB_ADDR":          fmt.Sprintf("127.0.0.1:%d", port),
		"BCQB_BASE_URL":      fmt.Sprintf(baseFormat, port),
		"BCQB_QBWC_USER":     testUser,
		"BCQB_QBWC_PASSWORD": testPassword,
		"BCQB_LOG_LEVEL":     "debug",
	}
	for k, v := range extra {
		env[k] = v
	}
	cfg, _, err := config.Parse("serve", nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		t.Fatal(err)
	}
	if logTo == nil {
		logTo = testWriter{t}
	}
	log := slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: level}))
	srv, err := NewServer(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: srv, URL: cfg.BaseURL}
	t.Cleanup(func() { ts.stopServer(t) })
	return ts
}

func (ts *testServer) stopServer(t testing.TB) {
	if ts.Server == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ts.Server.Close(ctx); err != nil {
		t.Errorf("Close: %v", err)
	}
	ts.Server = nil
}

// testWriter sends the server's log to the test's log, shown on failure.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// wc is the Web Connector side of a test: the gowsdl-generated client.
type wc struct {
	t *testing.T
	c qbwcclient.QBWebConnectorSvcSoap
}

// newWC returns a client calling from the loopback address from (127.0.0.1
// when empty), so a test can play two Web Connectors on two PCs.
func newWC(t *testing.T, url, from string) *wc {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if from != "" {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
		tr.DialContext = d.DialContext
	}
	t.Cleanup(tr.CloseIdleConnections)
	client := gsoap.NewClient(url+"/qbwc", gsoap.WithHTTPClient(&http.Client{Transport: tr, Timeout: 30 * time.Second}))
	return &wc{t: t, c: qbwcclient.NewQBWebConnectorSvcSoap(client)}
}

func (w *wc) authenticate(user, password string) []string {
	w.t.Helper()
	r, err := w.c.Authenticate(&qbwcclient.Authenticate{StrUserName: user, StrPassword: password})
	if err != nil {
		w.t.Fatalf("authenticate: %v", err)
	}
	var out []string
	if r.AuthenticateResult != nil {
		for _, s := range r.AuthenticateResult.Astring {
			if s == nil {
				out = append(out, "")
			} else {
				out = append(out, *s)
			}
		}
	}
	return out
}

func (w *wc) send(ticket, hcp string) string {
	w.t.Helper()
	r, err := w.c.SendRequestXML(&qbwcclient.SendRequestXML{Ticket: ticket, StrHCPResponse: hcp,
		StrCompanyFileName: `C:\Users\Public\Documents\Intuit\QuickBooks\Company Files\rock castle.QBW`,
		QbXMLCountry:       "US", QbXMLMajorVers: 13, QbXMLMinorVers: 0})
	if err != nil {
		w.t.Fatalf("sendRequestXML: %v", err)
	}
	return r.SendRequestXMLResult
}

func (w *wc) receive(ticket, response, hresult, message string) int {
	w.t.Helper()
	r, err := w.c.ReceiveResponseXML(&qbwcclient.ReceiveResponseXML{Ticket: ticket, Response: response,
		Hresult: hresult, Message: message})
	if err != nil {
		w.t.Fatalf("receiveResponseXML: %v", err)
	}
	return int(r.ReceiveResponseXMLResult)
}

func (w *wc) lastError(ticket string) string {
	w.t.Helper()
	r, err := w.c.GetLastError(&qbwcclient.GetLastError{Ticket: ticket})
	if err != nil {
		w.t.Fatalf("getLastError: %v", err)
	}
	return r.GetLastErrorResult
}

func (w *wc) close(ticket string) string {
	w.t.Helper()
	r, err := w.c.CloseConnection(&qbwcclient.CloseConnection{Ticket: ticket})
	if err != nil {
		w.t.Fatalf("closeConnection: %v", err)
	}
	return r.CloseConnectionResult
}

// hcp returns the test company's strHCPResponse, stamped with the FileID
// the Web Connector would have written for this server's user.
func hcp(t testing.TB, ts *testServer) string {
	t.Helper()
	b, err := os.ReadFile("testdata/hcp_us_pro.xml")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	owner, err := ts.DB().Setting(ctx, qwc.SettingOwnerID)
	if err != nil {
		t.Fatal(err)
	}
	fileID, err := ts.DB().UserCompanyFileID(ctx, testUser)
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReplacer("{{OWNERID}}", owner, "{{FILEID}}", fileID).Replace(string(b))
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader in two goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
