package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/jobs"
	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/qwc"
	"github.com/bcqb/bcqb/store"
)

// twoStep asks for the host, then for the company, then is done: a job that
// needs two round trips, as "query, then add" will.
type twoStep struct{}

func (twoStep) Kind() string           { return "test.twostep" }
func (twoStep) Noun() (string, string) { return "two-step job", "two-step jobs" }
func (twoStep) Requests(ctx context.Context, env jobs.Env, job store.Job) ([]qbxml.Request, error) {
	reqs := qbxml.CompanyInfoRequests("", "")
	return []qbxml.Request{reqs[job.Step]}, nil
}
func (twoStep) Response(ctx context.Context, env jobs.Env, job store.Job, rs []qbxml.Response) (store.Outcome, error) {
	if job.Step == 0 {
		return store.Outcome{State: store.JobSent, Step: 1, StepState: "host seen"}, nil
	}
	return store.Outcome{State: store.JobDone, Step: 1}, nil
}

func setup(t *testing.T) (*store.DB, *jobs.Source, qwc.Session) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "bcqb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	u, err := db.PutUser(ctx, "qb", "password")
	if err != nil {
		t.Fatal(err)
	}
	_, s, err := db.CreateSession(ctx, store.NewSession{UserID: u.ID, CompanyID: u.CompanyID, State: store.SessionOpen, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	src := jobs.NewSource(db, nil, twoStep{}, jobs.CompanyInfo{})
	return db, src, qwc.Session{ID: s.ID, PublicID: s.PublicID, CompanyID: u.CompanyID, Version: qbxml.V13, Country: "US"}
}

const hostRs = `<HostQueryRs requestID="%s" statusCode="0" statusSeverity="Info" statusMessage="Status OK">` +
	`<HostRet><ProductName>QuickBooks Pro 2014</ProductName><Country>US</Country><SupportedQBXMLVersion>13.0</SupportedQBXMLVersion></HostRet></HostQueryRs>`

var requestIDs = regexp.MustCompile(`requestID="([^"]+)"`)

// answer answers every request of a message with the response template
// (one %s for its requestID), as QuickBooks echoes requestIDs.
func answer(req, template string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>`)
	for _, m := range requestIDs.FindAllStringSubmatch(req, -1) {
		fmt.Fprintf(&b, template, m[1])
	}
	b.WriteString(`</QBXMLMsgsRs></QBXML>`)
	return b.String()
}

func TestMultiStepJobStaysInTheSession(t *testing.T) {
	ctx := context.Background()
	db, src, sess := setup(t)
	db.Enqueue(ctx, store.Job{CompanyID: sess.CompanyID, Kind: "test.twostep"})

	req, err := src.Next(ctx, sess)
	if err != nil || !strings.Contains(req, "<HostQueryRq") || !strings.Contains(req, `<?qbxml version="13.0"?>`) {
		t.Fatalf("first step = %q, %v", req, err)
	}
	if err := src.Deliver(ctx, sess, qwc.Response{XML: answer(req, hostRs)}); err != nil {
		t.Fatal(err)
	}
	if n, _ := src.Remaining(ctx, sess); n != 1 {
		t.Errorf("Remaining after step 1 = %d, want 1 (the job's next step)", n)
	}
	req, err = src.Next(ctx, sess)
	if err != nil || !strings.Contains(req, "<CompanyQueryRq") {
		t.Fatalf("second step = %q, %v", req, err)
	}
	if err := src.Deliver(ctx, sess, qwc.Response{XML: answer(req, hostRs)}); err != nil {
		t.Fatal(err)
	}
	if n, _ := src.Remaining(ctx, sess); n != 0 {
		t.Errorf("Remaining at the end = %d", n)
	}
	if _, err := src.Next(ctx, sess); !errors.Is(err, qwc.ErrNoWork) {
		t.Errorf("Next at the end: %v, want ErrNoWork", err)
	}
	if s, _ := src.Summary(ctx, sess); s != "bcqb: 1 two-step job done" {
		t.Errorf("Summary = %q", s)
	}
}

func TestUnknownKindNeedsAttentionAndTheSessionGoesOn(t *testing.T) {
	ctx := context.Background()
	db, src, sess := setup(t)
	bad, _, _ := db.Enqueue(ctx, store.Job{CompanyID: sess.CompanyID, Kind: "no.such.kind", Priority: 1})
	db.Enqueue(ctx, store.Job{CompanyID: sess.CompanyID, Kind: "test.twostep", Priority: 2})
	req, err := src.Next(ctx, sess)
	if err != nil || !strings.Contains(req, "HostQueryRq") {
		t.Fatalf("Next = %q, %v; the broken job must be skipped", req, err)
	}
	j, _ := db.Job(ctx, bad.ID)
	if j.State != store.JobFailed || !strings.Contains(j.LastError, "no.such.kind") {
		t.Errorf("broken job = %s %q", j.State, j.LastError)
	}
}

func TestDeliverOutcomes(t *testing.T) {
	tests := []struct {
		name      string
		resp      qwc.Response
		state     string
		errSubstr string
	}{
		{"company file in use", qwc.Response{HResult: "0x80040408", Message: "Could not start QuickBooks."}, store.JobQueued, ""},
		{"parse error", qwc.Response{HResult: "0x80040400", Message: "QuickBooks found an error when parsing the provided XML text stream."}, store.JobFailed, ""},
		// QuickBooks may have done the work: the job is recovered (asked about) rather than failed.
		{"unreadable response", qwc.Response{XML: "<QBXML><QBXMLMsgsRs>"}, store.JobQueued, "could not be read"},
		{"status error", qwc.Response{XML: `<QBXML><QBXMLMsgsRs><HostQueryRs requestID="j1.0" statusCode="3175" statusSeverity="Error" statusMessage="There was an error when saving a HostQuery."/></QBXMLMsgsRs></QBXML>`}, store.JobFailed, "HostQueryRs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db, src, sess := setup(t)
			j, _, _ := db.Enqueue(ctx, store.Job{CompanyID: sess.CompanyID, Kind: jobs.KindCompanyInfo})
			if _, err := src.Next(ctx, sess); err != nil {
				t.Fatal(err)
			}
			if err := src.Deliver(ctx, sess, tc.resp); err != nil {
				t.Fatal(err)
			}
			j, _ = db.Job(ctx, j.ID)
			if j.State != tc.state || !strings.Contains(j.LastError, tc.errSubstr) {
				t.Errorf("job = %s %q, want %s with %q", j.State, j.LastError, tc.state, tc.errSubstr)
			}
			if j.State == store.JobQueued && !j.NotBefore.After(db.Now()) && !j.Recovering {
				t.Error("a retry must wait")
			}
			// A second delivery (the Web Connector retrying) settles nothing twice.
			if err := src.Deliver(ctx, sess, tc.resp); err != nil {
				t.Errorf("second Deliver: %v", err)
			}
		})
	}
}

func TestPendingAndHold(t *testing.T) {
	ctx := context.Background()
	db, src, sess := setup(t)
	p, err := src.Pending(ctx, sess.CompanyID)
	if err != nil || p.Due != 0 || p.Wait {
		t.Fatalf("empty queue: %+v, %v", p, err)
	}
	release := src.Hold(sess.CompanyID)
	if p, _ := src.Pending(ctx, sess.CompanyID); !p.Wait {
		t.Error("a held company must wait")
	}
	if _, err := src.Next(ctx, sess); !errors.Is(err, qwc.ErrWait) {
		t.Errorf("Next while held: %v, want ErrWait", err)
	}
	release()
	release() // idempotent
	if p, _ := src.Pending(ctx, sess.CompanyID); p.Wait {
		t.Error("released but still waiting")
	}
	db.Enqueue(ctx, store.Job{CompanyID: sess.CompanyID, Kind: jobs.KindCompanyInfo, NotBefore: db.Now().Add(10 * time.Second)})
	if p, _ := src.Pending(ctx, sess.CompanyID); p.Due != 0 || !p.Wait {
		t.Errorf("work due in 10s: %+v, want wait", p)
	}
	if n, err := jobs.EnqueueCompanyInfo(ctx, db); err != nil || n != 1 {
		t.Errorf("first EnqueueCompanyInfo = %d, %v; want 1 (no info yet)", n, err)
	}
	if n, err := jobs.EnqueueCompanyInfo(ctx, db); err != nil || n != 0 {
		t.Errorf("second EnqueueCompanyInfo = %d, %v; a queued refresh must not be queued twice", n, err)
	}
}

// TestPacking: one message carries several jobs' requests, each routed back
// by its requestID; a job QuickBooks did not answer is recovered, not lost.
func TestPacking(t *testing.T) {
	ctx := context.Background()
	db, src, sess := setup(t)
	var ids []int64
	for i := 0; i < 5; i++ {
		j, _, _ := db.Enqueue(ctx, store.Job{CompanyID: sess.CompanyID, Kind: "test.twostep"})
		ids = append(ids, j.ID)
	}
	src.SetBudget(jobs.Budget{Requests: 3})
	req, err := src.Next(ctx, sess)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(req, "<HostQueryRq"); n != 3 {
		t.Fatalf("message carries %d requests, want 3 (the budget):\n%s", n, req)
	}
	// QuickBooks answers the first two only.
	ms := requestIDs.FindAllStringSubmatch(req, -1)
	resp := `<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>` + fmt.Sprintf(hostRs, ms[0][1]) + fmt.Sprintf(hostRs, ms[1][1]) + `</QBXMLMsgsRs></QBXML>`
	if err := src.Deliver(ctx, sess, qwc.Response{XML: resp}); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids[:3] {
		j, _ := db.Job(ctx, id)
		switch {
		case i < 2 && (j.State != store.JobSent || j.Step != 1):
			t.Errorf("answered job %d: %s step %d, want sent at step 1", id, j.State, j.Step)
		case i == 2 && (j.State != store.JobQueued || !j.Recovering):
			t.Errorf("unanswered job %d: %s recovering=%v, want queued and recovering", id, j.State, j.Recovering)
		}
	}
	// The next message continues the two held jobs first, then fills up.
	req, err = src.Next(ctx, sess)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(req, "<CompanyQueryRq") != 2 || strings.Count(req, "<HostQueryRq") != 1 {
		t.Errorf("second message:\n%s", req)
	}
}

// TestParseErrorIsolatesTheBadJob: QuickBooks cannot read a message of
// three jobs (0x80040400) and did nothing; each job is then sent alone, so
// that only the one whose request QuickBooks cannot read needs attention.
func TestParseErrorIsolatesTheBadJob(t *testing.T) {
	ctx := context.Background()
	db, src, sess := setup(t)
	var ids []int64
	for i := 0; i < 3; i++ {
		j, _, _ := db.Enqueue(ctx, store.Job{CompanyID: sess.CompanyID, Kind: "test.twostep"})
		ids = append(ids, j.ID)
	}
	req, err := src.Next(ctx, sess)
	if err != nil || strings.Count(req, "<HostQueryRq") != 3 {
		t.Fatalf("first message: %v\n%s", err, req)
	}
	parseError := qwc.Response{HResult: "0x80040400", Message: "QuickBooks found an error when parsing the provided XML text stream."}
	if err := src.Deliver(ctx, sess, parseError); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if j, _ := db.Job(ctx, id); j.State != store.JobQueued {
			t.Errorf("job %d after the parse error: %s, want queued (QuickBooks did nothing)", id, j.State)
		}
	}
	// Alone, the first fails again: it needs attention; the others go on.
	req, _ = src.Next(ctx, sess)
	if n := strings.Count(req, "<HostQueryRq"); n != 1 {
		t.Fatalf("after the parse error the message carries %d requests, want 1", n)
	}
	if err := src.Deliver(ctx, sess, parseError); err != nil {
		t.Fatal(err)
	}
	if j, _ := db.Job(ctx, ids[0]); j.State != store.JobFailed {
		t.Errorf("the bad job: %s, want failed", j.State)
	}
	req, _ = src.Next(ctx, sess)
	if err := src.Deliver(ctx, sess, qwc.Response{XML: answer(req, hostRs)}); err != nil {
		t.Fatal(err)
	}
	if j, _ := db.Job(ctx, ids[1]); j.State != store.JobSent || j.Step != 1 {
		t.Errorf("a good job after its lone message: %s step %d", j.State, j.Step)
	}
}

// TestLostAnswerIsAskedForByMessageSet: the answer to a message that wrote
// to QuickBooks is lost; the next session's first message names it
// (oldMessageSetID), and QuickBooks' saved answer settles the job without a
// query and without sending the write again.
func TestLostAnswerIsAskedForByMessageSet(t *testing.T) {
	ctx := context.Background()
	db, src, sess := setup(t)
	src.Register(jobs.Add{})
	payload, err := jobs.NewAddPayload(jobs.AddPayload{Key: "customer:email:jane@example.com", Type: "Customer",
		ListType: "Customer", Name: "Jane Doe", What: "customer Jane Doe"}, &qbxml.CustomerAddRq{CustomerAdd: qbxml.CustomerAdd{Name: "Jane Doe"}})
	if err != nil {
		t.Fatal(err)
	}
	j, _, _ := db.Enqueue(ctx, store.Job{CompanyID: sess.CompanyID, Kind: jobs.KindAdd, DedupeKey: "customer:email:jane@example.com", Payload: payload})
	first, err := src.Next(ctx, sess)
	if err != nil || !strings.Contains(first, "<CustomerAddRq") {
		t.Fatalf("first message: %v\n%s", err, first)
	}
	set := regexp.MustCompile(`newMessageSetID="([^"]+)"`).FindStringSubmatch(first)
	if set == nil {
		t.Fatalf("the message has no newMessageSetID:\n%s", first)
	}
	// The Web Connector dies before delivering QuickBooks' answer.
	if err := db.CloseSession(ctx, sess.ID, "killed"); err != nil {
		t.Fatal(err)
	}
	u, _ := db.UserByName(ctx, "qb")
	_, s2, _ := db.CreateSession(ctx, store.NewSession{UserID: u.ID, CompanyID: u.CompanyID, State: store.SessionOpen, TTL: time.Hour})
	sess2 := qwc.Session{ID: s2.ID, PublicID: s2.PublicID, CompanyID: u.CompanyID, Version: qbxml.V13, Country: "US"}
	second, err := src.Next(ctx, sess2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(second, `oldMessageSetID="`+set[1]+`"`) || strings.Contains(second, "CustomerAddRq") || strings.Contains(second, "CustomerQueryRq") {
		t.Fatalf("second message does not ask for the lost answer alone:\n%s", second)
	}
	saved := fmt.Sprintf(`<?xml version="1.0" ?><QBXML><QBXMLMsgsRs messageSetStatusCode="0">`+
		`<CustomerAddRs requestID="j%d.0" statusCode="0" statusSeverity="Info" statusMessage="Status OK">`+
		`<CustomerRet><ListID>80000001-1</ListID><EditSequence>1</EditSequence><Name>Jane Doe</Name><FullName>Jane Doe</FullName><IsActive>true</IsActive></CustomerRet>`+
		`</CustomerAddRs></QBXMLMsgsRs></QBXML>`, j.ID)
	if err := src.Deliver(ctx, sess2, qwc.Response{XML: saved}); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Job(ctx, j.ID)
	if got.State != store.JobDone {
		t.Errorf("job after the saved answer: %s (%s)", got.State, got.LastError)
	}
	if e, err := db.Ledger(ctx, u.CompanyID, "customer:email:jane@example.com"); err != nil || e.QBID != "80000001-1" {
		t.Errorf("ledger = %+v, %v; want the customer QuickBooks created", e, err)
	}
}

// TestNameUsedByAnotherList: QuickBooks answers 3100 (name in use) to a
// CustomerAdd, bcqb looks for that customer to adopt it and finds none (a
// vendor has the name): the job needs attention with the reason in words,
// rather than asking and adding for ever.
func TestNameUsedByAnotherList(t *testing.T) {
	ctx := context.Background()
	db, src, sess := setup(t)
	src.Register(jobs.Add{})
	payload, _ := jobs.NewAddPayload(jobs.AddPayload{Key: "customer:email:board@example.com", Type: "Customer",
		ListType: "Customer", Name: "State Board of Equalization", What: "customer State Board of Equalization"},
		&qbxml.CustomerAddRq{CustomerAdd: qbxml.CustomerAdd{Name: "State Board of Equalization"}})
	j, _, _ := db.Enqueue(ctx, store.Job{CompanyID: sess.CompanyID, Kind: jobs.KindAdd, DedupeKey: "customer:email:board@example.com", Payload: payload})
	inUse := `<CustomerAddRs requestID="%s" statusCode="3100" statusSeverity="Error" statusMessage="The name &quot;State Board of Equalization&quot; of the list element is already in use."/>`
	steps := []struct{ want, answer string }{
		{"<CustomerAddRq", inUse},
		{"<CustomerQueryRq", `<CustomerQueryRs requestID="%s" statusCode="500" statusSeverity="Warn" statusMessage="The query request has not been fully completed. There was a required element (&quot;State Board of Equalization&quot;) that could not be found in QuickBooks."/>`},
		{"<CustomerAddRq", inUse},
	}
	for i, st := range steps {
		req, err := src.Next(ctx, sess)
		if err != nil || !strings.Contains(req, st.want) {
			t.Fatalf("step %d: %v, want %s in\n%s", i, err, st.want, req)
		}
		if err := src.Deliver(ctx, sess, qwc.Response{XML: answer(req, st.answer)}); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := db.Job(ctx, j.ID)
	if got.State != store.JobFailed || !strings.Contains(got.LastError, "vendor, employee or other name") {
		t.Errorf("job = %s %q; want failed, saying another list holds the name", got.State, got.LastError)
	}
	if _, err := src.Next(ctx, sess); !errors.Is(err, qwc.ErrNoWork) {
		t.Errorf("after the failure: %v, want nothing more to send", err)
	}
}
