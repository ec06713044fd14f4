package app

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/internal/qbwcclient"
	"github.com/bcqb/bcqb/jobs"
	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/store"
)

var requestIDs = regexp.MustCompile(`requestID="([^"]*)"`)

// answer makes QuickBooks' answer to a company-info request from the test
// company's responses, carrying the request's requestIDs.
func answer(t *testing.T, request, company string) string {
	t.Helper()
	ids := requestIDs.FindAllStringSubmatch(request, -1)
	if len(ids) != 3 {
		t.Fatalf("request carries %d requestIDs, want 3:\n%s", len(ids), request)
	}
	r := strings.NewReplacer(`requestID="0"`, `requestID="`+ids[0][1]+`"`, `requestID="1"`, `requestID="`+ids[1][1]+`"`,
		`requestID="2"`, `requestID="`+ids[2][1]+`"`)
	return r.Replace(company)
}

// companyInfoJob is another company-info refresh for the test user's company.
func companyInfoJob(t *testing.T, ts *testServer, key string) store.Job {
	t.Helper()
	users, err := ts.DB().Users(context.Background())
	if err != nil || len(users) == 0 {
		t.Fatalf("users: %v", err)
	}
	return store.Job{CompanyID: users[0].CompanyID, Kind: jobs.KindCompanyInfo, DedupeKey: key}
}

// TestWholeSession drives one complete Web Connector session over a real
// listener with the gowsdl-generated client, in Intuit's call order.
func TestWholeSession(t *testing.T) {
	ts := startServer(t, t.TempDir())
	w := newWC(t, ts.URL, "")

	v, err := w.c.ServerVersion(&qbwcclient.ServerVersion{})
	if err != nil || v.ServerVersionResult != Version {
		t.Fatalf("serverVersion = %+v, %v; want %q", v, err, Version)
	}
	cv, err := w.c.ClientVersion(&qbwcclient.ClientVersion{StrVersion: "2.3.0.215"})
	if err != nil || cv.ClientVersionResult != "" {
		t.Fatalf("clientVersion(2.3.0.215) = %+v, %v; want \"\"", cv, err)
	}

	auth := w.authenticate(testUser, testPassword)
	if len(auth) < 2 || auth[0] == "" || auth[1] != "" {
		t.Fatalf("authenticate = %q; want [ticket, \"\"] (the company-info refresh waits)", auth)
	}
	ticket := auth[0]
	if len(ticket) != 36 {
		t.Errorf("ticket %q is not 128 bits in GUID form", ticket)
	}
	company := hcp(t, ts)

	req := w.send(ticket, company)
	msg, v13, err := qbxml.ParseMessage([]byte(req))
	if err != nil {
		t.Fatalf("the request is not qbXML: %v\n%s", err, req)
	}
	if v13 != qbxml.V13 {
		t.Errorf("request version %s; QuickBooks Pro 2014 supports up to 13.0, so 13.0 it must be", v13)
	}
	var names []string
	for _, r := range msg.Requests {
		names = append(names, r.RqName())
	}
	if got := strings.Join(names, ","); got != "HostQueryRq,CompanyQueryRq,PreferencesQueryRq" {
		t.Errorf("requests = %s", got)
	}

	if pct := w.receive(ticket, answer(t, req, company), "", ""); pct != 100 {
		t.Fatalf("receiveResponseXML = %d, want 100: the only job is done", pct)
	}
	summary := w.close(ticket)
	if want := "bcqb: 1 company info refresh done: " + ts.URL + "/"; summary != want {
		t.Errorf("closeConnection = %q, want %q", summary, want)
	}

	ctx := context.Background()
	users, _ := ts.DB().Users(ctx)
	c, err := ts.DB().Company(ctx, users[0].CompanyID)
	if err != nil {
		t.Fatal(err)
	}
	if c.CompanyName != "Rock Castle Outfitters" || c.Country != "US" || c.QBXMLVersion != "13.0" ||
		!strings.HasSuffix(c.QBXMLVersions, ",13.0") || !strings.HasSuffix(c.CompanyFile, "rock castle.QBW") ||
		c.ProductName != "QuickBooks Pro 2014" {
		t.Errorf("company after the session = %+v", c)
	}

	// The refresh is done: the next scheduled run has nothing to do.
	auth = w.authenticate(testUser, testPassword)
	if len(auth) < 2 || auth[1] != "none" || auth[0] == "" {
		t.Fatalf("authenticate with no work = %q, want [ticket, none]", auth)
	}
	if s := w.close(auth[0]); s != "bcqb: nothing to update." {
		t.Errorf("closeConnection after none = %q", s)
	}
}

func TestAuthenticateRefusesBadCredentialsAlike(t *testing.T) {
	ts := startServer(t, t.TempDir())
	w := newWC(t, ts.URL, "")
	for _, tc := range []struct{ name, user, password string }{
		{"wrong password", testUser, "wrong"},
		{"unknown user", "nobody", testPassword},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := w.authenticate(tc.user, tc.password)
			if strings.Join(got, "|") != "|nvu" {
				t.Errorf("authenticate = %q, want [\"\", nvu]", got)
			}
		})
	}
	// The Web Connector calls closeConnection after nvu, with an empty ticket.
	if s := w.close(""); s == "" {
		t.Error("closeConnection with an empty ticket answered nothing")
	}
}

func TestClientVersion(t *testing.T) {
	ts := startServer(t, t.TempDir())
	w := newWC(t, ts.URL, "")
	for _, tc := range []struct{ version, prefix string }{
		{"2.3.0.215", ""}, {"2.2.0.34", "W:"}, {"2.1.0.30", "W:"}, {"2.0.1.5", "E:"}, {"1.5.0.0", "E:"}, {"", ""}, {"weird", ""},
	} {
		t.Run(tc.version, func(t *testing.T) {
			r, err := w.c.ClientVersion(&qbwcclient.ClientVersion{StrVersion: tc.version})
			if err != nil {
				t.Fatal(err)
			}
			got := r.ClientVersionResult
			if tc.prefix == "" && got != "" || tc.prefix != "" && !strings.HasPrefix(got, tc.prefix) {
				t.Errorf("clientVersion(%q) = %q, want prefix %q", tc.version, got, tc.prefix)
			}
		})
	}
}

// TestNegativePercentThenLastError: QuickBooks failed to answer (hresult),
// so receiveResponseXML answers a negative number, getLastError explains,
// and the job waits for the next update rather than being lost.
func TestNegativePercentThenLastError(t *testing.T) {
	ts := startServer(t, t.TempDir())
	w := newWC(t, ts.URL, "")
	ticket := w.authenticate(testUser, testPassword)[0]
	if req := w.send(ticket, hcp(t, ts)); req == "" {
		t.Fatal("no request")
	}
	pct := w.receive(ticket, "", "0x80040401", "Could not access QuickBooks.")
	if pct >= 0 {
		t.Fatalf("receiveResponseXML with hresult = %d, want negative", pct)
	}
	msg := w.lastError(ticket)
	if !strings.Contains(msg, "0x80040401") || !strings.Contains(msg, "Could not access QuickBooks") {
		t.Errorf("getLastError = %q; want the hresult and QuickBooks' words", msg)
	}
	w.close(ticket)
	users, _ := ts.DB().Users(context.Background())
	c, err := ts.DB().CountJobs(context.Background(), users[0].CompanyID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Waiting != 1 {
		t.Errorf("jobs after a failed answer = %+v; the refresh must wait for a retry", c)
	}
}

// TestParseErrorFailsTheJobNotTheSession: 0x80040400 means QuickBooks could
// not parse one request; that job needs attention, the session goes on.
func TestParseErrorFailsTheJobNotTheSession(t *testing.T) {
	ts := startServer(t, t.TempDir())
	w := newWC(t, ts.URL, "")
	ticket := w.authenticate(testUser, testPassword)[0]
	w.send(ticket, hcp(t, ts))
	if pct := w.receive(ticket, "", "0x80040400", "QuickBooks found an error when parsing the provided XML text stream."); pct != 100 {
		t.Errorf("receiveResponseXML = %d, want 100 (nothing else waits)", pct)
	}
	if s := w.close(ticket); !strings.Contains(s, "1 company info refresh needs attention") {
		t.Errorf("closeConnection = %q", s)
	}
}

func TestConnectionError(t *testing.T) {
	ts := startServer(t, t.TempDir())
	w := newWC(t, ts.URL, "")
	ticket := w.authenticate(testUser, testPassword)[0]
	r, err := w.c.ConnectionError(&qbwcclient.ConnectionError{Ticket: ticket, Hresult: "0x80040408",
		Message: "Could not start QuickBooks."})
	if err != nil || r.ConnectionErrorResult != "done" {
		t.Fatalf("connectionError = %+v, %v; want done", r, err)
	}
	if msg := w.lastError(ticket); !strings.Contains(msg, "0x80040408") {
		t.Errorf("getLastError after connectionError = %q", msg)
	}
}

func TestNoOpWhileWorkIsAboutToBeDue(t *testing.T) {
	ts := startServer(t, t.TempDir())
	w := newWC(t, ts.URL, "")
	ctx := context.Background()
	// Run the refresh first, so the queue is empty.
	ticket := w.authenticate(testUser, testPassword)[0]
	company := hcp(t, ts)
	w.receive(ticket, answer(t, w.send(ticket, company), company), "", "")
	w.close(ticket)

	// A BigCommerce pull in progress: the session starts and waits with NoOp.
	users, _ := ts.DB().Users(ctx)
	release := ts.Source().Hold(users[0].CompanyID)
	auth := w.authenticate(testUser, testPassword)
	if auth[1] != "" {
		t.Fatalf("authenticate while a pull runs = %q, want [ticket, \"\"]", auth)
	}
	ticket = auth[0]
	if req := w.send(ticket, company); req != "" {
		t.Fatalf("sendRequestXML with nothing due yet = %q, want \"\"", req)
	}
	if msg := w.lastError(ticket); msg != "NoOp" {
		t.Fatalf("getLastError = %q, want NoOp", msg)
	}
	// The pull enqueued work and finished: the next call gets it.
	if _, _, err := ts.DB().Enqueue(ctx, store.Job{CompanyID: users[0].CompanyID, Kind: jobs.KindCompanyInfo, DedupeKey: "again"}); err != nil {
		t.Fatal(err)
	}
	release()
	req := w.send(ticket, "")
	if !strings.Contains(req, "HostQueryRq") {
		t.Fatalf("sendRequestXML after the wait = %q", req)
	}
	if pct := w.receive(ticket, answer(t, req, company), "", ""); pct != 100 {
		t.Errorf("percent = %d", pct)
	}
}

func TestPercentCountsTheSessionsQueue(t *testing.T) {
	ts := startServer(t, t.TempDir())
	// One refresh (three requests) a message, so that each answer moves the percent.
	ts.Source().SetBudget(jobs.Budget{Requests: 3})
	w := newWC(t, ts.URL, "")
	ctx := context.Background()
	users, _ := ts.DB().Users(ctx)
	for _, key := range []string{"a", "b", "c"} {
		ts.DB().Enqueue(ctx, store.Job{CompanyID: users[0].CompanyID, Kind: jobs.KindCompanyInfo, DedupeKey: key})
	}
	ticket := w.authenticate(testUser, testPassword)[0]
	company := hcp(t, ts)
	var got []int
	first := true
	for i := 0; i < 10; i++ {
		h := ""
		if first {
			h, first = company, false
		}
		req := w.send(ticket, h)
		if req == "" {
			t.Fatalf("no request; last error %q", w.lastError(ticket))
		}
		pct := w.receive(ticket, answer(t, req, company), "", "")
		got = append(got, pct)
		if pct == 100 {
			break
		}
	}
	// Four jobs: the refresh queued at start and three more.
	if want := []int{25, 50, 75, 100}; !equalInts(got, want) {
		t.Errorf("percents = %v, want %v", got, want)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestBusy: a second Web Connector (another PC) authenticating while the
// first is in a session for the same company file is told "busy", with a
// postpone; the same PC authenticating again replaces its own session.
func TestBusy(t *testing.T) {
	ts := startServer(t, t.TempDir())
	pc1 := newWC(t, ts.URL, "127.0.0.1")
	pc2 := newWC(t, ts.URL, "127.0.0.2")
	t1 := pc1.authenticate(testUser, testPassword)
	if t1[1] != "" {
		t.Fatalf("first authenticate = %q", t1)
	}
	pc1.send(t1[0], hcp(t, ts))
	busy := pc2.authenticate(testUser, testPassword)
	if len(busy) != 3 || busy[0] == "" || busy[1] != "busy" || busy[2] != "120" {
		t.Fatalf("authenticate from another PC = %q, want [ticket, busy, 120]", busy)
	}
	if s := pc2.close(busy[0]); !strings.Contains(s, "another Web Connector") {
		t.Errorf("closeConnection after busy = %q", s)
	}
	// PC 1's Web Connector restarts and authenticates again: not busy, and
	// the request it never answered is unknown, claimable again.
	again := pc1.authenticate(testUser, testPassword)
	if again[1] != "" {
		t.Fatalf("same PC again = %q, want [ticket, \"\"]", again)
	}
	if req := pc1.send(again[0], hcp(t, ts)); !strings.Contains(req, "HostQueryRq") {
		t.Errorf("the unanswered refresh was not sent again: %q", req)
	}
	if pct := pc1.receive(t1[0], "", "", ""); pct >= 0 {
		t.Errorf("receiveResponseXML on the replaced session = %d, want negative", pct)
	}
}

func TestBadTicket(t *testing.T) {
	ts := startServer(t, t.TempDir())
	w := newWC(t, ts.URL, "")
	for _, ticket := range []string{"", "00000000-0000-0000-0000-000000000000", "'; DROP TABLE jobs; --"} {
		t.Run(ticket, func(t *testing.T) {
			if req := w.send(ticket, ""); req != "" {
				t.Errorf("sendRequestXML = %q, want \"\"", req)
			}
			if pct := w.receive(ticket, "<QBXML/>", "", ""); pct >= 0 {
				t.Errorf("receiveResponseXML = %d, want negative", pct)
			}
			if msg := w.lastError(ticket); !strings.Contains(msg, "does not know this Web Connector session") {
				t.Errorf("getLastError = %q", msg)
			}
			if s := w.close(ticket); s == "" {
				t.Error("closeConnection answered nothing")
			}
			r, err := w.c.ConnectionError(&qbwcclient.ConnectionError{Ticket: ticket, Hresult: "0x1", Message: "x"})
			if err != nil || r.ConnectionErrorResult != "done" {
				t.Errorf("connectionError = %+v, %v", r, err)
			}
		})
	}
}

func TestExpiredTicket(t *testing.T) {
	ts := startServer(t, t.TempDir())
	w := newWC(t, ts.URL, "")
	ticket := w.authenticate(testUser, testPassword)[0]
	now := time.Now().Add(31 * time.Minute)
	ts.DB().SetClock(func() time.Time { return now })
	if req := w.send(ticket, hcp(t, ts)); req != "" {
		t.Errorf("sendRequestXML on an expired ticket = %q", req)
	}
	if msg := w.lastError(ticket); !strings.Contains(msg, "expired") {
		t.Errorf("getLastError = %q", msg)
	}
}

func TestInteractiveMode(t *testing.T) {
	ts := startServer(t, t.TempDir())
	w := newWC(t, ts.URL, "")
	ticket := w.authenticate(testUser, testPassword)[0]
	u, err := w.c.GetInteractiveURL(&qbwcclient.GetInteractiveURL{WcTicket: ticket, SessionID: "s1"})
	if err != nil || u.GetInteractiveURLResult != ts.URL+"/" {
		t.Errorf("getInteractiveURL = %+v, %v", u, err)
	}
	d, err := w.c.InteractiveDone(&qbwcclient.InteractiveDone{WcTicket: ticket})
	if err != nil || d.InteractiveDoneResult != "Done" {
		t.Errorf("interactiveDone = %+v, %v", d, err)
	}
	r, err := w.c.InteractiveRejected(&qbwcclient.InteractiveRejected{WcTicket: ticket, Reason: "no"})
	if err != nil || r.InteractiveRejectedResult == "" {
		t.Errorf("interactiveRejected = %+v, %v", r, err)
	}
}

// TestRestartMidSession stops bcqb between sendRequestXML and
// receiveResponseXML, starts it again on the same data, and finishes the
// session with the same ticket.
func TestRestartMidSession(t *testing.T) {
	dir := t.TempDir()
	ts := startServer(t, dir)
	w := newWC(t, ts.URL, "")
	ticket := w.authenticate(testUser, testPassword)[0]
	company := hcp(t, ts)
	req := w.send(ticket, company)
	if req == "" {
		t.Fatal("no request")
	}
	ts.stopServer(t)

	ts2 := startServer(t, dir)
	w2 := newWC(t, ts2.URL, "")
	if pct := w2.receive(ticket, answer(t, req, company), "", ""); pct != 100 {
		t.Fatalf("receiveResponseXML after restart = %d, want 100; last error %q", pct, w2.lastError(ticket))
	}
	if s := w2.close(ticket); !strings.Contains(s, "1 company info refresh done") {
		t.Errorf("closeConnection after restart = %q", s)
	}
}

// TestSessionRefusals: bcqb refuses, in words, a company file bound to
// another user (its FileID) and a Canadian edition.
func TestSessionRefusals(t *testing.T) {
	ts := startServer(t, t.TempDir())
	w := newWC(t, ts.URL, "")
	company := hcp(t, ts)
	fileID, _ := ts.DB().UserCompanyFileID(context.Background(), testUser)
	for _, tc := range []struct {
		name, hcp, want string
	}{
		{"another company file", strings.Replace(company, fileID, "{11111111-2222-4333-8444-555555555555}", 1), "registered to another"},
		{"Canadian edition", strings.Replace(company, "<Country>US</Country>", "<Country>CA</Country>", 1), "Canadian QuickBooks is not supported yet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ticket := w.authenticate(testUser, testPassword)[0]
			if req := w.send(ticket, tc.hcp); req != "" {
				t.Fatalf("sendRequestXML = %q, want \"\"", req)
			}
			if msg := w.lastError(ticket); !strings.Contains(msg, tc.want) {
				t.Errorf("getLastError = %q, want %q", msg, tc.want)
			}
			w.close(ticket)
		})
	}
}

// TestLogsNameTheSessionNotThePassword: every exchange is logged with the
// session's id; neither the password nor the ticket reaches the log.
func TestLogsNameTheSessionNotThePassword(t *testing.T) {
	var logs syncBuffer
	ts := startServerWith(t, t.TempDir(), "http://localhost:%d", nil, &logs)
	w := newWC(t, ts.URL, "")
	w.authenticate(testUser, "a wrong password")
	ticket := w.authenticate(testUser, testPassword)[0]
	company := hcp(t, ts)
	w.receive(ticket, answer(t, w.send(ticket, company), company), "", "")
	w.close(ticket)

	sess, err := ts.DB().SessionByTicket(context.Background(), ticket)
	if err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	for _, secret := range []string{testPassword, "a wrong password", ticket} {
		if strings.Contains(out, secret) {
			t.Errorf("the log contains %q", secret)
		}
	}
	for _, op := range []string{"authenticate", "sendRequestXML", "receiveResponseXML", "closeConnection"} {
		if !regexp.MustCompile(`qbwc ` + op + `.*session=` + sess.PublicID).MatchString(out) {
			t.Errorf("no %s log line names session %s", op, sess.PublicID)
		}
	}
}
