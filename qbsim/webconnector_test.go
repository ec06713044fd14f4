package qbsim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/internal/sharedref"
)

// scriptedQB stands in for the QuickBooks request processor in tests of the
// Web Connector's call order alone: it answers every request with a fixed
// response, or fails as told.
type scriptedQB struct {
	openErr  []error // consumed by BeginSession, one per attempt
	procErr  error
	opened   []string
	requests []string
	ended    int
}

func (q *scriptedQB) BeginSession(_ context.Context, req BeginSessionRequest) (HostInfo, error) {
	q.opened = append(q.opened, req.CompanyFile)
	if len(q.openErr) > 0 {
		err := q.openErr[0]
		q.openErr = q.openErr[1:]
		if err != nil {
			return HostInfo{}, err
		}
	}
	return HostInfo{HCPResponse: "<QBXML>hcp</QBXML>", CompanyFile: `C:\Company.QBW`, Country: "US", Major: 13, Minor: 0}, nil
}

func (q *scriptedQB) ProcessRequest(_ context.Context, request string) (string, error) {
	q.requests = append(q.requests, request)
	if q.procErr != nil {
		return "", q.procErr
	}
	return "<QBXML><QBXMLMsgsRs/></QBXML>", nil
}

func (q *scriptedQB) EndSession(context.Context) error { q.ended++; return nil }

func testQWC(url string) QWC {
	return QWC{AppName: "bcqb", AppURL: url, UserName: "wcuser", OwnerID: "{11111111-2222-3333-4444-555555555555}",
		FileID: "{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}", QBType: "QBFS", RunEvery: 5 * time.Minute}
}

func newTestConnector(t *testing.T, srv *testServer, qb QuickBooks, mod func(*WebConnectorOptions)) (*WebConnector, *FakeClock) {
	t.Helper()
	clock := NewFakeClock(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))
	opts := WebConnectorOptions{QWC: testQWC(srv.url()), Password: "secret", QuickBooks: qb, Clock: clock}
	if mod != nil {
		mod(&opts)
	}
	wc, err := NewWebConnector(opts)
	if err != nil {
		t.Fatal(err)
	}
	return wc, clock
}

// answers builds a server answer function from per-method results; lists are
// consumed call by call and the last element repeats.
func answers(m map[string][]any) func(string, map[string]string) (any, error) {
	return func(method string, _ map[string]string) (any, error) {
		list, ok := m[method]
		if !ok || len(list) == 0 {
			return "", nil
		}
		v := list[0]
		if len(list) > 1 {
			m[method] = list[1:]
		}
		if err, ok := v.(error); ok {
			return nil, err
		}
		return v, nil
	}
}

func TestWebConnectorFullSession(t *testing.T) {
	var params []map[string]string
	srv := newTestServer(t, nil)
	next := answers(map[string][]any{
		"serverVersion":      {"1.0"},
		"clientVersion":      {""},
		"authenticate":       {[]string{"T1", ""}},
		"sendRequestXML":     {"<QBXML>one</QBXML>", "<QBXML>two</QBXML>"},
		"receiveResponseXML": {50, 100},
		"closeConnection":    {"OK"},
	})
	srv.answer = func(m string, p map[string]string) (any, error) {
		if m == "sendRequestXML" {
			params = append(params, p)
		}
		return next(m, p)
	}
	qb := &scriptedQB{}
	wc, _ := newTestConnector(t, srv, qb, nil)
	res, err := wc.RunSession(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	srv.check()
	want := []string{"serverVersion", "clientVersion", "authenticate", "sendRequestXML", "receiveResponseXML", "sendRequestXML", "receiveResponseXML", "closeConnection"}
	if got := res.Methods(); !slices.Equal(got, want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
	if got := srv.methods(); !slices.Equal(got, want) {
		t.Fatalf("server saw %v, want %v", got, want)
	}
	if res.Outcome != OutcomeDone || res.Requests != 2 || res.CloseMessage != "OK" || res.Ticket != "T1" {
		t.Fatalf("result %+v", res)
	}
	if params[0]["strHCPResponse"] != "<QBXML>hcp</QBXML>" || params[1]["strHCPResponse"] != "" {
		t.Errorf("strHCPResponse must come on the first call only: %q, %q", params[0]["strHCPResponse"], params[1]["strHCPResponse"])
	}
	for _, p := range params {
		if p["qbXMLCountry"] != "US" || p["qbXMLMajorVers"] != "13" || p["qbXMLMinorVers"] != "0" || p["ticket"] != "T1" || p["strCompanyFileName"] != `C:\Company.QBW` {
			t.Errorf("sendRequestXML params %v", p)
		}
	}
	if !slices.Equal(qb.requests, []string{"<QBXML>one</QBXML>", "<QBXML>two</QBXML>"}) || qb.ended != 1 {
		t.Errorf("QuickBooks got %v, ended %d", qb.requests, qb.ended)
	}
	if got := res.Transcript[2].Param("strUserName"); got != "wcuser" {
		t.Errorf("strUserName %q", got)
	}
}

func TestWebConnectorAuthenticateStatuses(t *testing.T) {
	closeOnly := []string{"serverVersion", "clientVersion", "authenticate", "closeConnection"}
	tests := []struct {
		name    string
		auth    []string
		outcome Outcome
		calls   []string
		wait    time.Duration // until the next session
		minRun  time.Duration
	}{
		{"none", []string{"T", "none"}, OutcomeNone, closeOnly, 5 * time.Minute, 0},
		{"NONE upper case", []string{"T", "NONE"}, OutcomeNone, closeOnly, 5 * time.Minute, 0},
		{"nvu", []string{"", "nvu"}, OutcomeNVU, closeOnly, 5 * time.Minute, 0},
		{"busy", []string{"T", "busy"}, OutcomeBusy, closeOnly, 5 * time.Minute, 0},
		{"postpone slot 3", []string{"T", "", "90"}, OutcomePostponed, closeOnly, 90 * time.Second, 0},
		{"busy with postpone", []string{"T", "busy", "30", ""}, OutcomePostponed, closeOnly, 30 * time.Second, 0},
		{"min run every slot 4", []string{"T", "none", "", "600"}, OutcomeNone, closeOnly, 10 * time.Minute, 10 * time.Minute},
		{"company path", []string{"T", `C:\Books\Shop.QBW`}, OutcomeDone,
			[]string{"serverVersion", "clientVersion", "authenticate", "sendRequestXML", "receiveResponseXML", "closeConnection"}, 5 * time.Minute, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, answers(map[string][]any{
				"authenticate":       {tc.auth},
				"sendRequestXML":     {"<QBXML/>"},
				"receiveResponseXML": {100},
			}))
			qb := &scriptedQB{}
			wc, clock := newTestConnector(t, srv, qb, nil)
			results, err := wc.Run(context.Background(), 2)
			if err != nil {
				t.Fatal(err)
			}
			srv.check()
			res := results[0]
			if res.Outcome != tc.outcome {
				t.Errorf("outcome %q, want %q (err %v)", res.Outcome, tc.outcome, res.Err)
			}
			if got := res.Methods(); !slices.Equal(got, tc.calls) {
				t.Errorf("calls %v, want %v", got, tc.calls)
			}
			if slept := clock.Slept(); len(slept) != 1 || slept[0] != tc.wait {
				t.Errorf("waited %v before the next session, want %v", slept, tc.wait)
			}
			if wc.MinRunEvery() != tc.minRun {
				t.Errorf("MinRunEvery %v, want %v", wc.MinRunEvery(), tc.minRun)
			}
			if tc.name == "company path" && qb.opened[0] != `C:\Books\Shop.QBW` {
				t.Errorf("opened %v", qb.opened)
			}
		})
	}
}

func TestWebConnectorNoOp(t *testing.T) {
	srv := newTestServer(t, answers(map[string][]any{
		"authenticate":       {[]string{"T", ""}},
		"sendRequestXML":     {"", "", "<QBXML/>"},
		"getLastError":       {"NoOp"},
		"receiveResponseXML": {100},
	}))
	wc, clock := newTestConnector(t, srv, &scriptedQB{}, nil)
	start := clock.Now()
	res, err := wc.RunSession(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"serverVersion", "clientVersion", "authenticate",
		"sendRequestXML", "getLastError", "sendRequestXML", "getLastError", "sendRequestXML", "receiveResponseXML", "closeConnection"}
	if got := res.Methods(); !slices.Equal(got, want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
	if res.NoOps != 2 || res.Outcome != OutcomeDone {
		t.Errorf("NoOps %d outcome %q", res.NoOps, res.Outcome)
	}
	if got := clock.Now().Sub(start); got != 10*time.Second {
		t.Errorf("NoOp pauses took %v of virtual time, want 10s", got)
	}
}

func TestWebConnectorErrors(t *testing.T) {
	tests := []struct {
		name    string
		answers map[string][]any
		qb      *scriptedQB
		outcome Outcome
		calls   []string
		last    string
	}{
		{
			name: "empty request then error message",
			answers: map[string][]any{"authenticate": {[]string{"T", ""}}, "sendRequestXML": {""},
				"getLastError": {"nothing to do, oops"}},
			qb: &scriptedQB{}, outcome: OutcomeError, last: "nothing to do, oops",
			calls: []string{"serverVersion", "clientVersion", "authenticate", "sendRequestXML", "getLastError", "closeConnection"},
		},
		{
			name: "negative percent",
			answers: map[string][]any{"authenticate": {[]string{"T", ""}}, "sendRequestXML": {"<QBXML/>"},
				"receiveResponseXML": {-101}, "getLastError": {"mapping failed"}},
			qb: &scriptedQB{}, outcome: OutcomeError, last: "mapping failed",
			calls: []string{"serverVersion", "clientVersion", "authenticate", "sendRequestXML", "receiveResponseXML", "getLastError", "closeConnection"},
		},
		{
			name:    "client version refused",
			answers: map[string][]any{"clientVersion": {"O:2.3.0.300"}},
			qb:      &scriptedQB{}, outcome: OutcomeClientVersion, last: "O:2.3.0.300",
			calls: []string{"serverVersion", "clientVersion"},
		},
		{
			name:    "connection error done",
			answers: map[string][]any{"authenticate": {[]string{"T", ""}}, "connectionError": {"done"}},
			qb:      &scriptedQB{openErr: []error{&HResultError{HResultFileNotOpen, "no company file is open"}}},
			outcome: OutcomeConnectionError, last: HResultFileNotOpen + ": no company file is open",
			calls: []string{"serverVersion", "clientVersion", "authenticate", "connectionError", "closeConnection"},
		},
		{
			name: "connection error names another file",
			answers: map[string][]any{"authenticate": {[]string{"T", ""}}, "connectionError": {`C:\Other.QBW`},
				"sendRequestXML": {"<QBXML/>"}, "receiveResponseXML": {100}},
			qb:      &scriptedQB{openErr: []error{&HResultError{HResultFileNotOpen, "no company file is open"}, nil}},
			outcome: OutcomeDone,
			calls:   []string{"serverVersion", "clientVersion", "authenticate", "connectionError", "sendRequestXML", "receiveResponseXML", "closeConnection"},
		},
		{
			name:    "authenticate with only a ticket",
			answers: map[string][]any{"authenticate": {[]string{"T"}}},
			qb:      &scriptedQB{}, outcome: OutcomeTransport,
			calls: []string{"serverVersion", "clientVersion", "authenticate"},
		},
		{
			name:    "authenticate with five strings",
			answers: map[string][]any{"authenticate": {[]string{"T", "", "", "", ""}}},
			qb:      &scriptedQB{}, outcome: OutcomeTransport,
			calls: []string{"serverVersion", "clientVersion", "authenticate"},
		},
		{
			name:    "soap fault on authenticate",
			answers: map[string][]any{"authenticate": {errors.New("database down")}},
			qb:      &scriptedQB{}, outcome: OutcomeTransport,
			calls: []string{"serverVersion", "clientVersion", "authenticate"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, answers(tc.answers))
			wc, _ := newTestConnector(t, srv, tc.qb, nil)
			res, err := wc.RunSession(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			srv.check()
			if res.Outcome != tc.outcome || res.LastError != tc.last {
				t.Errorf("outcome %q last %q, want %q %q (err %v)", res.Outcome, res.LastError, tc.outcome, tc.last, res.Err)
			}
			if got := res.Methods(); !slices.Equal(got, tc.calls) {
				t.Errorf("calls %v, want %v", got, tc.calls)
			}
		})
	}
}

func TestWebConnectorHResult(t *testing.T) {
	var got map[string]string
	next := answers(map[string][]any{"authenticate": {[]string{"T", ""}}, "sendRequestXML": {"<QBXML>bad"}, "receiveResponseXML": {100}})
	srv := newTestServer(t, func(m string, p map[string]string) (any, error) {
		if m == "receiveResponseXML" {
			got = p
		}
		return next(m, p)
	})
	qb := &scriptedQB{procErr: &HResultError{HResultParseError, "QuickBooks found an error when parsing the provided XML text stream."}}
	wc, _ := newTestConnector(t, srv, qb, nil)
	if _, err := wc.RunSession(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got["hresult"] != HResultParseError || got["response"] != "" || !strings.Contains(got["message"], "parsing") {
		t.Errorf("receiveResponseXML params %v", got)
	}
}

func TestWebConnectorTimeout(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	next := answers(map[string][]any{"authenticate": {[]string{"T", ""}}})
	srv := newTestServer(t, func(m string, p map[string]string) (any, error) {
		if m == "sendRequestXML" {
			close(entered)
			<-release
		}
		return next(m, p)
	})
	defer close(release)
	wc, clock := newTestConnector(t, srv, &scriptedQB{}, nil)
	go func() {
		<-entered
		for clock.Pending() == 0 {
			time.Sleep(time.Millisecond)
		}
		clock.Advance(2 * time.Minute)
	}()
	res, err := wc.RunSession(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeTransport || res.Err == nil || !strings.Contains(res.Err.Error(), "timed out") {
		t.Fatalf("outcome %q err %v", res.Outcome, res.Err)
	}
	if got := res.Methods(); got[len(got)-1] != "sendRequestXML" {
		t.Errorf("calls %v", got)
	}
}

func TestWebConnectorKilled(t *testing.T) {
	srv := newTestServer(t, answers(map[string][]any{"authenticate": {[]string{"T", ""}},
		"sendRequestXML": {"<QBXML/>"}, "receiveResponseXML": {50}}))
	wc, _ := newTestConnector(t, srv, &scriptedQB{}, func(o *WebConnectorOptions) {
		o.Faults.KillBefore = &CallPoint{Method: "sendRequestXML", N: 2}
	})
	res, err := wc.RunSession(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"serverVersion", "clientVersion", "authenticate", "sendRequestXML", "receiveResponseXML"}
	if res.Outcome != OutcomeKilled || !slices.Equal(srv.methods(), want) {
		t.Errorf("outcome %q server saw %v", res.Outcome, srv.methods())
	}
}

func TestQWC(t *testing.T) {
	t.Run("reference samples", func(t *testing.T) {
		dir := filepath.Join(referenceDir(t), "qbwc", "qwc")
		files, _ := filepath.Glob(filepath.Join(dir, "*", "*.qwc"))
		if len(files) == 0 {
			t.Fatalf("no .qwc files in %s", dir)
		}
		for _, f := range files {
			q, err := ReadQWC(context.Background(), f)
			if err != nil {
				// Some samples point at IP addresses or http hosts QBWC would refuse.
				t.Logf("%s: %v", filepath.Base(f), err)
				continue
			}
			if q.UserName == "" || q.FileID == "" || q.OwnerID == "" {
				t.Errorf("%s: %+v", f, q)
			}
		}
	})
	t.Run("scheduler", func(t *testing.T) {
		q, err := ParseQWC(strings.NewReader(`<?xml version="1.0"?><QBWCXML><AppName>a</AppName><AppURL>https://bcqb.local/qbwc</AppURL>
<AppSupport>https://bcqb.local/</AppSupport><UserName>u</UserName><OwnerID>{o}</OwnerID><FileID>{f}</FileID><QBType>QBFS</QBType>
<Scheduler><RunEveryNSeconds>30</RunEveryNSeconds><RunEveryNMinutes>5</RunEveryNMinutes></Scheduler></QBWCXML>`))
		if err != nil {
			t.Fatal(err)
		}
		if q.RunEvery != 30*time.Second {
			t.Errorf("RunEvery %v, want the first tag (30s)", q.RunEvery)
		}
	})
	urls := []struct {
		url string
		ok  bool
	}{
		{"https://bcqb.example.com/qbwc", true},
		{"http://localhost:8080/qbwc", true},
		{"http://bcqb.example.com/qbwc", false},
		{"https://192.168.1.20/qbwc", false},
		{"ftp://bcqb.example.com/", false},
	}
	for _, u := range urls {
		t.Run(u.url, func(t *testing.T) {
			if err := CheckAppURL(u.url); (err == nil) != u.ok {
				t.Errorf("CheckAppURL(%q) = %v, want ok=%v", u.url, err, u.ok)
			}
		})
	}
}

// referenceDir finds ../shared/reference next to the repository root, or
// skips the test.
func referenceDir(t *testing.T) string {
	t.Helper()
	return sharedref.Dir(t)
}

// TestWebConnectorHTTPS runs a session over TLS with the certificate
// verified, as QBWC requires for anything but localhost.
func TestWebConnectorHTTPS(t *testing.T) {
	srv := &testServer{t: t, answer: answers(map[string][]any{"authenticate": {[]string{"T", ""}},
		"sendRequestXML": {"<QBXML/>"}, "receiveResponseXML": {100}})}
	srv.srv = httptest.NewUnstartedServer(http.HandlerFunc(srv.serve))
	srv.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below is expected
	srv.srv.StartTLS()
	t.Cleanup(srv.srv.Close)
	// httptest's certificate names example.com; dial it at the test server.
	addr := srv.srv.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	pool := x509.NewCertPool()
	pool.AddCert(srv.srv.Certificate())
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}}
	clock := NewFakeClock(testStart)
	wc, err := NewWebConnector(WebConnectorOptions{QWC: testQWC("https://example.com:" + port + "/qbwc"), Password: "secret",
		QuickBooks: &scriptedQB{}, Clock: clock, HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	res, err := wc.RunSession(context.Background())
	if err != nil || res.Outcome != OutcomeDone {
		t.Fatalf("outcome %q err %v %v", res.Outcome, err, res.Err)
	}
	// Without trusting the certificate the session fails at the first call.
	wc, _ = NewWebConnector(WebConnectorOptions{QWC: testQWC("https://example.com:" + port + "/qbwc"), Password: "secret",
		QuickBooks: &scriptedQB{}, Clock: clock, HTTPClient: &http.Client{Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			}}}})
	res, _ = wc.RunSession(context.Background())
	if res.Outcome != OutcomeTransport || len(res.Transcript) != 1 {
		t.Errorf("untrusted certificate: outcome %q after %v", res.Outcome, res.Methods())
	}
}
