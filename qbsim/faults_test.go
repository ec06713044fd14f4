package qbsim

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bcqb/bcqb/qbxml"
)

// naiveServer is a deliberately naive QBWC server: it keeps a queue of
// qbXML requests, marks one "sent" when it hands it out and "done" when a
// response arrives, and on the next session sends again whatever is not
// done, without asking QuickBooks whether the first attempt was committed.
// It is here to prove that the lost-response fault really makes duplicates.
type naiveServer struct {
	mu   sync.Mutex
	jobs []naiveJob
	srv  *testServer
	n    int
}

type naiveJob struct {
	request string
	done    bool
	sends   int
}

func newNaiveServer(t testing.TB, requests ...string) *naiveServer {
	s := &naiveServer{}
	for _, r := range requests {
		s.jobs = append(s.jobs, naiveJob{request: r})
	}
	s.srv = newTestServer(t, s.answer)
	return s
}

func (s *naiveServer) pending() int {
	n := 0
	for _, j := range s.jobs {
		if !j.done {
			n++
		}
	}
	return n
}

func (s *naiveServer) answer(method string, p map[string]string) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch method {
	case "authenticate":
		if p["strUserName"] != "wcuser" || p["strPassword"] != "secret" {
			return []string{"", "nvu"}, nil
		}
		if s.pending() == 0 {
			return []string{"", "none"}, nil
		}
		s.n++
		return []string{"ticket-" + strconv.Itoa(s.n), ""}, nil
	case "sendRequestXML":
		for i := range s.jobs {
			if !s.jobs[i].done {
				s.jobs[i].sends++
				return s.jobs[i].request, nil
			}
		}
		return "", nil
	case "receiveResponseXML":
		for i := range s.jobs {
			if !s.jobs[i].done {
				s.jobs[i].done = true // whatever QuickBooks said
				break
			}
		}
		if s.pending() == 0 {
			return 100, nil
		}
		return 50, nil
	case "getLastError":
		return "nothing to send", nil
	case "connectionError":
		return "done", nil
	case "closeConnection":
		return "OK", nil
	}
	return "", nil
}

func salesReceiptRequest(t testing.TB, ref string) string {
	t.Helper()
	msg := qbxml.NewMessage(qbxml.StopOnError).Add("order-"+ref, &qbxml.SalesReceiptAddRq{SalesReceiptAdd: qbxml.SalesReceiptAdd{
		RefNumber: ref, CustomerRef: qbxml.RefName("Web Store Customer"),
		Lines: []qbxml.SalesLineAdd{line("Widget", "2", "19.99")}}})
	text, err := msg.Build(qbxml.V13)
	if err != nil {
		t.Fatal(err)
	}
	return string(text)
}

// withMessageSetID adds the SDK's newMessageSetID to a built message.
func withMessageSetID(t testing.TB, msg, id string) string {
	t.Helper()
	out := strings.Replace(msg, `<QBXMLMsgsRq onError="stopOnError">`, `<QBXMLMsgsRq onError="stopOnError" newMessageSetID="`+id+`">`, 1)
	if out == msg {
		t.Fatalf("no QBXMLMsgsRq in %s", msg)
	}
	return out
}

func receiptsByRef(c *Company) map[string]int {
	out := map[string]int{}
	for _, tx := range c.Transactions() {
		if tx.Kind == "SalesReceipt" {
			out[tx.RefNumber]++
		}
	}
	return out
}

func TestLostResponseMakesDuplicatesOnANaiveServer(t *testing.T) {
	tests := []struct {
		name   string
		faults ConnectorFaults
		want   map[string]int
		first  Outcome
	}{
		{"no fault: each order once", ConnectorFaults{}, map[string]int{"1001": 1, "1002": 1}, OutcomeDone},
		{"response to the first order lost after commit", ConnectorFaults{LoseResponse: 1}, map[string]int{"1001": 2, "1002": 1}, OutcomeKilled},
		{"killed before the second response", ConnectorFaults{KillBefore: &CallPoint{Method: "receiveResponseXML", N: 2}}, map[string]int{"1001": 1, "1002": 2}, OutcomeKilled},
		{"message set IDs make the same resend safe", ConnectorFaults{LoseResponse: 1}, map[string]int{"1001": 1, "1002": 1}, OutcomeKilled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r1, r2 := salesReceiptRequest(t, "1001"), salesReceiptRequest(t, "1002")
			if strings.HasPrefix(tc.name, "message set IDs") {
				r1, r2 = withMessageSetID(t, r1, "order-1001"), withMessageSetID(t, r2, "order-1002")
			}
			srv := newNaiveServer(t, r1, r2)
			company, _ := newTestCompany(t)
			wc, _ := newTestConnector(t, srv.srv, company, func(o *WebConnectorOptions) { o.Faults = tc.faults })
			results, err := wc.Run(context.Background(), 3)
			if err != nil {
				t.Fatal(err)
			}
			srv.srv.check()
			if results[0].Outcome != tc.first {
				t.Errorf("first session %q (%v), want %q", results[0].Outcome, results[0].Err, tc.first)
			}
			if last := results[len(results)-1].Outcome; last != OutcomeNone {
				t.Errorf("last session %q, want none (queue drained)", last)
			}
			got := receiptsByRef(company)
			if len(got) != len(tc.want) || got["1001"] != tc.want["1001"] || got["1002"] != tc.want["1002"] {
				t.Errorf("receipts by RefNumber %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCompanyLocked(t *testing.T) {
	for _, code := range []int{3170, 3175, 3180} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			c, _ := newTestCompany(t)
			c.SetFaults(CompanyFaults{Locked: code, LockedWrites: 1})
			add := &qbxml.CustomerAddRq{CustomerAdd: qbxml.CustomerAdd{Name: "Doggett, John"}}
			rs := send(t, c, qbxml.StopOnError, add)
			if got := rs[0].Header(); got.StatusCode != code || got.StatusSeverity != "Error" || got.StatusMessage == "" {
				t.Fatalf("locked write: %+v", got)
			}
			if c.Summary().Lists["Customer"] != 3 {
				t.Fatal("a locked write changed the company")
			}
			if q := one[*qbxml.CustomerQueryRs](t, c, &qbxml.CustomerQueryRq{}); q.Header().StatusCode != 0 {
				t.Errorf("queries must still work: %d", q.Header().StatusCode)
			}
			if rs := send(t, c, qbxml.StopOnError, add); rs[0].Header().StatusCode != 0 {
				t.Errorf("write after the lock cleared: %d", rs[0].Header().StatusCode)
			}
		})
	}
}

func TestCompanyFileClosed(t *testing.T) {
	tests := []struct {
		name    string
		faults  CompanyFaults
		path    func(c *Company) string
		hresult string
	}{
		{"closed, no file named", CompanyFaults{FileClosed: true}, func(*Company) string { return "" }, HResultFileNotOpen},
		{"closed, file named opens it", CompanyFaults{FileClosed: true}, func(c *Company) string { return c.FilePath() }, ""},
		{"another file named", CompanyFaults{}, func(*Company) string { return `C:\Other.QBW` }, HResultDifferentFile},
		{"QuickBooks cannot start", CompanyFaults{CannotStart: true}, func(c *Company) string { return c.FilePath() }, HResultCouldNotStart},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestCompany(t)
			c.SetFaults(tc.faults)
			_, err := c.BeginSession(context.Background(), BeginSessionRequest{CompanyFile: tc.path(c)})
			var hr *HResultError
			switch {
			case tc.hresult == "" && err != nil:
				t.Fatalf("BeginSession: %v", err)
			case tc.hresult != "" && (!errors.As(err, &hr) || hr.HResult != tc.hresult):
				t.Fatalf("BeginSession: %v, want %s", err, tc.hresult)
			}
		})
	}
	t.Run("through the Web Connector", func(t *testing.T) {
		c, _ := newTestCompany(t)
		c.SetFaults(CompanyFaults{FileClosed: true})
		var got map[string]string
		next := answers(map[string][]any{"authenticate": {[]string{"T", ""}}, "connectionError": {c.FilePath()},
			"sendRequestXML": {rawMessage("stopOnError", `<HostQueryRq/>`)}, "receiveResponseXML": {100}})
		srv := newTestServer(t, func(m string, p map[string]string) (any, error) {
			if m == "connectionError" {
				got = p
			}
			return next(m, p)
		})
		wc, _ := newTestConnector(t, srv, c, nil)
		res, err := wc.RunSession(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got["hresult"] != HResultFileNotOpen || res.Outcome != OutcomeDone {
			t.Errorf("connectionError %v, outcome %q", got, res.Outcome)
		}
	})
}

func TestCompanyDelays(t *testing.T) {
	c, clock := newTestCompany(t)
	c.SetFaults(CompanyFaults{MessageDelay: time.Second, RequestDelay: 100 * time.Millisecond, TxnDelay: 700 * time.Millisecond})
	start := clock.Now()
	send(t, c, qbxml.ContinueOnError,
		&qbxml.CustomerQueryRq{},
		&qbxml.SalesReceiptAddRq{SalesReceiptAdd: qbxml.SalesReceiptAdd{Lines: []qbxml.SalesLineAdd{line("Widget", "1", "")}}},
		&qbxml.SalesReceiptAddRq{SalesReceiptAdd: qbxml.SalesReceiptAdd{Lines: []qbxml.SalesLineAdd{line("Widget", "1", "")}}})
	// 1 message + 3 requests + 2 transactions.
	if got, want := clock.Now().Sub(start), time.Second+300*time.Millisecond+1400*time.Millisecond; got != want {
		t.Errorf("modeled QuickBooks time %v, want %v", got, want)
	}
}

func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "company.json")
	clock := NewFakeClock(testStart)
	c, err := OpenOrCreateCompany(context.Background(), path, CompanyOptions{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.BeginSession(context.Background(), BeginSessionRequest{OwnerID: "{1}", FileID: "{F}"}); err != nil {
		t.Fatal(err)
	}
	add := one[*qbxml.InvoiceAddRs](t, c, &qbxml.InvoiceAddRq{InvoiceAdd: qbxml.InvoiceAdd{CustomerRef: qbxml.RefName("Cook, Brian"),
		Lines: []qbxml.SalesLineAdd{line("Widget", "4", "")}}})
	again, err := OpenCompany(context.Background(), path, CompanyOptions{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := c.Summary(), again.Summary(); !a.Txns["Invoice"].Total.Equal(b.Txns["Invoice"].Total) || a.Lists["Customer"] != b.Lists["Customer"] {
		t.Errorf("summary before %+v after %+v", a, b)
	}
	q := one[*qbxml.InvoiceQueryRs](t, again, &qbxml.InvoiceQueryRq{TxnSelect: qbxml.TxnSelect{TxnIDs: []string{add.Invoice.TxnID}}})
	if q.Invoices[0].BalanceRemaining.String() != add.Invoice.BalanceRemaining.String() || qoh(t, again, "Widget") != "96" {
		t.Errorf("reloaded invoice %+v", q.Invoices[0].BalanceRemaining)
	}
	info, err := again.BeginSession(context.Background(), BeginSessionRequest{OwnerID: "{1}", FileID: "{F}"})
	if err != nil {
		t.Fatal(err)
	}
	if hcp, _ := qbxml.ParseHCPResponse([]byte(info.HCPResponse)); hcp.FileID != "{F}" {
		t.Errorf("FileID after reload %q", hcp.FileID)
	}
	if _, err := OpenCompany(context.Background(), filepath.Join(t.TempDir(), "missing.json"), CompanyOptions{}); !errors.Is(err, ErrNoCompany) {
		t.Errorf("missing file: %v", err)
	}
}

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	companyPath := filepath.Join(dir, "company.json")
	srv := newNaiveServer(t, salesReceiptRequest(t, "2001"), salesReceiptRequest(t, "2002"))
	qwc := `<?xml version="1.0"?><QBWCXML><AppName>bcqb</AppName><AppID></AppID><AppURL>` + srv.srv.url() + `</AppURL>
<AppDescription>test</AppDescription><AppSupport>` + srv.srv.url() + `</AppSupport><UserName>wcuser</UserName>
<OwnerID>{11111111-2222-3333-4444-555555555555}</OwnerID><FileID>{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}</FileID>
<QBType>QBFS</QBType><Scheduler><RunEveryNMinutes>1</RunEveryNMinutes></Scheduler></QBWCXML>`
	qwcPath := filepath.Join(dir, "bcqb.qwc")
	if err := os.WriteFile(qwcPath, []byte(qwc), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := RunWebConnector(context.Background(), WebConnectorRun{QWCPath: qwcPath, Password: "secret", CompanyPath: companyPath, Sessions: 1}, &out); err != nil {
		t.Fatal(err)
	}
	// 2 receipts of 2 × 19.99 = 39.98 + 7.75% tax (3.10) = 43.08 each.
	for _, want := range []string{"session 1: done, 2 request(s)", "SalesReceipt", "86.16"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("webconnector output lacks %q:\n%s", want, out.String())
		}
	}
	c, err := OpenCompany(context.Background(), companyPath, CompanyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var resp bytes.Buffer
	if err := Do(context.Background(), c, strings.NewReader(rawMessage("stopOnError", `<SalesReceiptQueryRq requestID="q"><RefNumber>2002</RefNumber></SalesReceiptQueryRq>`)), &resp); err != nil {
		t.Fatal(err)
	}
	xsdCheck(t, resp.String())
	if !strings.Contains(resp.String(), "<TotalAmount>43.08</TotalAmount>") {
		t.Errorf("qb do answered:\n%s", resp.String())
	}
	if err := Do(context.Background(), c, strings.NewReader("<QBXML>"), &resp); err == nil || !strings.Contains(err.Error(), HResultParseError) {
		t.Errorf("qb do on garbage: %v", err)
	}
	var show bytes.Buffer
	if err := Show(&show, c); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2001", "2002", "43.08", "Customer", "86.16"} {
		if !strings.Contains(show.String(), want) {
			t.Errorf("qb show lacks %q:\n%s", want, show.String())
		}
	}
}

func noEnv(string) string { return "" }

func TestCommandFlags(t *testing.T) {
	dir := t.TempDir()
	srv := newNaiveServer(t, salesReceiptRequest(t, "3001"), salesReceiptRequest(t, "3002"))
	qwcPath := filepath.Join(dir, "bcqb.qwc")
	q := `<?xml version="1.0"?><QBWCXML><AppName>bcqb</AppName><AppURL>` + srv.srv.url() + `</AppURL><UserName>wcuser</UserName>
<OwnerID>{11111111-2222-3333-4444-555555555555}</OwnerID><FileID>{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}</FileID><QBType>QBFS</QBType></QBWCXML>`
	if err := os.WriteFile(qwcPath, []byte(q), 0o644); err != nil {
		t.Fatal(err)
	}
	company := filepath.Join(dir, "c.json")
	var out, errOut bytes.Buffer
	err := Command(context.Background(), []string{"webconnector", "--qwc", qwcPath, "--password", "secret", "--company", company,
		"--sessions", "2", "--every", "1ms", "--lose-response", "1"}, noEnv, nil, &out, &errOut)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "session 1: killed") || !strings.Contains(out.String(), "session 2: done, 2 request(s)") {
		t.Errorf("output:\n%s", out.String())
	}
	out.Reset()
	if err := Command(context.Background(), []string{"qb", "show", "--company", company}, noEnv, nil, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if strings.Count(out.String(), "3001") != 2 {
		t.Errorf("the lost response should show order 3001 twice:\n%s", out.String())
	}
	out.Reset()
	in := strings.NewReader(rawMessage("stopOnError", `<HostQueryRq requestID="h"/>`))
	if err := Command(context.Background(), []string{"qb", "do", "--company", company}, noEnv, in, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "<SupportedQBXMLVersion>13.0</SupportedQBXMLVersion>") {
		t.Errorf("qb do:\n%s", out.String())
	}
	if err := Command(context.Background(), []string{"webconnector", "--qwc", qwcPath, "--kill-before", "nope"}, noEnv, nil, &out, &errOut); err == nil {
		t.Error("a bad --kill-before was accepted")
	}
}

func TestSpeedModel(t *testing.T) {
	c, clock := newTestCompany(t)
	c.SetFaults(CompanyFaults{Speed: TypicalSpeed})
	start := clock.Now()
	if _, err := c.BeginSession(context.Background(), BeginSessionRequest{}); err != nil {
		t.Fatal(err)
	}
	send(t, c, qbxml.ContinueOnError,
		&qbxml.SalesReceiptAddRq{SalesReceiptAdd: qbxml.SalesReceiptAdd{Lines: []qbxml.SalesLineAdd{line("Widget", "1", ""), line("Gadget", "1", "")}}},
		&qbxml.CustomerQueryRq{})
	s := TypicalSpeed
	want := s.SessionSetup + s.PerMessage + s.PerTxn + 2*s.PerLine + 3*s.PerListRecord
	if got := clock.Now().Sub(start); got != want {
		t.Errorf("modeled time %v, want %v", got, want)
	}
	if _, ok := SpeedNamed("sluggish"); ok {
		t.Error("unknown speed accepted")
	}
}

func TestLockRate(t *testing.T) {
	locked := func(seed uint64) []int {
		c, _ := newTestCompany(t)
		c.SetFaults(CompanyFaults{LockRate: 0.3, Seed: seed})
		var codes []int
		for i := range 40 {
			rs := send(t, c, qbxml.StopOnError, &qbxml.CustomerAddRq{CustomerAdd: qbxml.CustomerAdd{Name: "Lock " + strconv.Itoa(i)}})
			codes = append(codes, rs[0].Header().StatusCode)
		}
		return codes
	}
	a, b := locked(7), locked(7)
	n := 0
	for i, code := range a {
		if code != b[i] {
			t.Fatalf("the same seed gave different faults: %v vs %v", a, b)
		}
		if code != 0 {
			n++
			if code != 3170 && code != 3175 && code != 3180 {
				t.Errorf("status %d", code)
			}
		}
	}
	if n == 0 || n == len(a) {
		t.Errorf("%d of %d writes locked at a 30%% rate", n, len(a))
	}
}
