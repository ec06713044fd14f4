package qbsim

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/bcqb/bcqb/app"
	"github.com/bcqb/bcqb/config"
	"github.com/bcqb/bcqb/qwc"
	"github.com/bcqb/bcqb/store"
)

// TestAgainstTheAppliance runs the simulated Web Connector and company
// against the real bcqb server (POST /qbwc on a loopback listener), with the
// .qwc file bcqb itself produces.
func TestAgainstTheAppliance(t *testing.T) {
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://localhost:%d", l.Addr().(*net.TCPAddr).Port)
	env := map[string]string{
		"BCQB_DATA": t.TempDir(), "BCQB_ADDR": l.Addr().String(), "BCQB_BASE_URL": base,
		"BCQB_QBWC_USER": "qb", "BCQB_QBWC_PASSWORD": "correct horse battery", "BCQB_LOG_LEVEL": "warn",
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
	q, err := ParseQWC(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("bcqb's .qwc file: %v\n%s", err, raw)
	}
	company, clock := newTestCompany(t)
	wc, err := NewWebConnector(WebConnectorOptions{QWC: q, Password: "correct horse battery", QuickBooks: company, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	results, err := wc.Run(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	first := results[0]
	if first.Outcome != OutcomeDone || first.Requests == 0 {
		t.Fatalf("first session: %s (%v, last error %q)\n%v", first.Outcome, first.Err, first.LastError, first.Methods())
	}
	m := first.Methods()
	if !slices.Equal(m[:3], []string{"serverVersion", "clientVersion", "authenticate"}) || m[len(m)-1] != "closeConnection" {
		t.Errorf("call order %v", m)
	}
	for _, c := range first.Transcript {
		if c.Err != "" {
			t.Errorf("%s failed: %s", c.Method, c.Err)
		}
	}
	if second := results[1]; second.Outcome != OutcomeNone && second.Outcome != OutcomeDone {
		t.Errorf("second session: %s (%v)", second.Outcome, second.Err)
	}
	t.Logf("sessions: %s %v / %s %v", first.Outcome, first.Methods(), results[1].Outcome, results[1].Methods())
}
