package qbsim_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bcqb/bcqb/app"
	"github.com/bcqb/bcqb/config"
	"github.com/bcqb/bcqb/jobs"
	"github.com/bcqb/bcqb/qbsim"
	"github.com/bcqb/bcqb/qwc"
	"github.com/bcqb/bcqb/store"
)

const appliancePassword = "correct horse battery"

// appliance is the real bcqb server (POST /qbwc) on a loopback listener,
// with the .qwc file it produces for its Web Connector user.
type appliance struct {
	srv *app.Server
	qwc qbsim.QWC
}

func startAppliance(t *testing.T) *appliance {
	t.Helper()
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://localhost:%d", l.Addr().(*net.TCPAddr).Port)
	env := map[string]string{
		"BCQB_DATA": t.TempDir(), "BCQB_ADDR": l.Addr().String(), "BCQB_BASE_URL": base,
		"BCQB_QBWC_USER": "qb", "BCQB_QBWC_PASSWORD": appliancePassword, "BCQB_LOG_LEVEL": "warn",
	}
	cfg, _, err := config.Parse("serve", nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	srv, err := app.NewServer(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(ctx, l); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Close(cctx)
	})
	file, err := qwc.BuildFile(ctx, srv.DB(), store.NewGUID, qwc.FileOptions{BaseURL: base, UserName: "qb", RunEveryNMinutes: 5})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := file.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	q, err := qbsim.ParseQWC(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("bcqb's .qwc file: %v\n%s", err, raw)
	}
	return &appliance{srv: srv, qwc: q}
}

func (a *appliance) companyID(t *testing.T) int64 {
	t.Helper()
	users, err := a.srv.DB().Users(context.Background())
	if err != nil || len(users) == 0 {
		t.Fatalf("users: %v", err)
	}
	return users[0].CompanyID
}

// connector is a simulated Web Connector for the appliance, calling from
// the loopback address from (so two can play two PCs).
func (a *appliance) connector(t *testing.T, company *qbsim.Company, clock qbsim.Clock, from string, mod func(*qbsim.WebConnectorOptions)) *qbsim.WebConnector {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}).DialContext
	t.Cleanup(tr.CloseIdleConnections)
	o := qbsim.WebConnectorOptions{QWC: a.qwc, Password: appliancePassword, QuickBooks: company, Clock: clock, HTTPClient: &http.Client{Transport: tr}}
	if mod != nil {
		mod(&o)
	}
	wc, err := qbsim.NewWebConnector(o)
	if err != nil {
		t.Fatal(err)
	}
	return wc
}

func checkTranscript(t *testing.T, res *qbsim.SessionResult, want ...string) {
	t.Helper()
	if got := res.Methods(); !slices.Equal(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
	for _, c := range res.Transcript {
		if c.Err != "" {
			t.Errorf("%s failed: %s", c.Method, c.Err)
		}
	}
}

var (
	opening = []string{"serverVersion", "clientVersion", "authenticate"}
	oneJob  = append(slices.Clone(opening), "sendRequestXML", "receiveResponseXML", "closeConnection")
)

// TestAppliancePaths runs the simulated Web Connector and company against
// the real bcqb server through each path of Intuit's call order.
func TestAppliancePaths(t *testing.T) {
	ctx := context.Background()
	t.Run("company info, then none", func(t *testing.T) {
		a := startAppliance(t)
		company, clock := newTestCompany(t)
		results, err := a.connector(t, company, clock, "127.0.0.1", nil).Run(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		if results[0].Outcome != qbsim.OutcomeDone || results[0].LastError != "" {
			t.Fatalf("first session %s %q (%v)", results[0].Outcome, results[0].LastError, results[0].Err)
		}
		checkTranscript(t, results[0], oneJob...)
		if results[1].Outcome != qbsim.OutcomeNone {
			t.Errorf("second session %s, want none", results[1].Outcome)
		}
		checkTranscript(t, results[1], append(slices.Clone(opening), "closeConnection")...)
	})
	t.Run("nvu", func(t *testing.T) {
		a := startAppliance(t)
		company, clock := newTestCompany(t)
		res, err := a.connector(t, company, clock, "127.0.0.1", func(o *qbsim.WebConnectorOptions) { o.Password = "wrong" }).RunSession(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != qbsim.OutcomeNVU {
			t.Errorf("outcome %s, want nvu", res.Outcome)
		}
		checkTranscript(t, res, append(slices.Clone(opening), "closeConnection")...)
	})
	t.Run("negative percent when QuickBooks cannot be reached", func(t *testing.T) {
		a := startAppliance(t)
		company, clock := newTestCompany(t)
		company.SetFaults(qbsim.CompanyFaults{Unreachable: true})
		res, err := a.connector(t, company, clock, "127.0.0.1", nil).RunSession(ctx)
		if err != nil {
			t.Fatal(err)
		}
		checkTranscript(t, res, append(slices.Clone(opening), "sendRequestXML", "receiveResponseXML", "getLastError", "closeConnection")...)
		if res.Outcome != qbsim.OutcomeError || !strings.Contains(res.LastError, qbsim.HResultCouldNotAccess) {
			t.Errorf("outcome %s, last error %q", res.Outcome, res.LastError)
		}
		if got := res.Transcript[4]; got.Param("hresult") != qbsim.HResultCouldNotAccess || got.Param("response") != "" {
			t.Errorf("receiveResponseXML sent %v", got.Params)
		}
	})
	t.Run("connectionError when no company file is open", func(t *testing.T) {
		a := startAppliance(t)
		company, clock := newTestCompany(t)
		company.SetFaults(qbsim.CompanyFaults{FileClosed: true})
		res, err := a.connector(t, company, clock, "127.0.0.1", nil).RunSession(ctx)
		if err != nil {
			t.Fatal(err)
		}
		checkTranscript(t, res, append(slices.Clone(opening), "connectionError", "closeConnection")...)
		if res.Outcome != qbsim.OutcomeConnectionError || res.Transcript[3].Param("hresult") != qbsim.HResultFileNotOpen {
			t.Errorf("outcome %s, %v", res.Outcome, res.Transcript[3].Params)
		}
	})
	t.Run("NoOp while a pull runs", func(t *testing.T) {
		a := startAppliance(t)
		company, fake := newTestCompany(t)
		// First drain the company-info refresh queued at start.
		if res, _ := a.connector(t, company, fake, "127.0.0.1", nil).RunSession(ctx); res.Outcome != qbsim.OutcomeDone {
			t.Fatalf("first session %s", res.Outcome)
		}
		id := a.companyID(t)
		release := a.srv.Source().Hold(id)
		// The pull finishes during the first NoOp pause and leaves a job.
		clock := &hookClock{FakeClock: fake, onSleep: func() {
			if _, _, err := a.srv.DB().Enqueue(ctx, store.Job{CompanyID: id, Kind: jobs.KindCompanyInfo, DedupeKey: "after-pull"}); err != nil {
				t.Error(err)
			}
			release()
		}}
		res, err := a.connector(t, company, clock, "127.0.0.1", nil).RunSession(ctx)
		if err != nil {
			t.Fatal(err)
		}
		checkTranscript(t, res, append(slices.Clone(opening), "sendRequestXML", "getLastError", "sendRequestXML", "receiveResponseXML", "closeConnection")...)
		if res.NoOps != 1 || res.Outcome != qbsim.OutcomeDone {
			t.Errorf("NoOps %d outcome %s", res.NoOps, res.Outcome)
		}
	})
	t.Run("busy for a second PC, then the first PC after a crash", func(t *testing.T) {
		a := startAppliance(t)
		company, clock := newTestCompany(t)
		// PC 1's Web Connector dies after QuickBooks answered, before it reports.
		pc1 := a.connector(t, company, clock, "127.0.0.1", func(o *qbsim.WebConnectorOptions) {
			o.Faults.KillBefore = &qbsim.CallPoint{Method: "receiveResponseXML", N: 1}
		})
		if res, _ := pc1.RunSession(ctx); res.Outcome != qbsim.OutcomeKilled {
			t.Fatalf("pc1 %s", res.Outcome)
		}
		pc2 := a.connector(t, company, clock, "127.0.0.2", nil)
		res, err := pc2.RunSession(ctx)
		if err != nil {
			t.Fatal(err)
		}
		checkTranscript(t, res, append(slices.Clone(opening), "closeConnection")...)
		if res.Outcome != qbsim.OutcomePostponed || res.Postpone <= 0 || !strings.Contains(res.Transcript[2].Result, "busy") {
			t.Errorf("pc2: outcome %s postpone %v authenticate %q", res.Outcome, res.Postpone, res.Transcript[2].Result)
		}
		// PC 1 restarts: its unanswered refresh is sent again and settled.
		res, err = a.connector(t, company, clock, "127.0.0.1", nil).RunSession(ctx)
		if err != nil {
			t.Fatal(err)
		}
		checkTranscript(t, res, oneJob...)
		if res.Outcome != qbsim.OutcomeDone {
			t.Errorf("pc1 again: %s %q", res.Outcome, res.LastError)
		}
	})
}

// hookClock is a FakeClock that runs a hook on its first Sleep.
type hookClock struct {
	*qbsim.FakeClock
	once    sync.Once
	onSleep func()
}

func (c *hookClock) Sleep(ctx context.Context, d time.Duration) error {
	c.once.Do(c.onSleep)
	return c.FakeClock.Sleep(ctx, d)
}

// newTestCompany is a sample company on a fake clock.
func newTestCompany(t *testing.T) (*qbsim.Company, *qbsim.FakeClock) {
	t.Helper()
	clock := qbsim.NewFakeClock(time.Date(2026, 11, 27, 15, 4, 5, 0, time.UTC))
	return qbsim.NewSampleCompany(qbsim.CompanyOptions{Clock: clock}), clock
}
