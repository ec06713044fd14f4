package app

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/bcqb/bcqb/qbsim"
	"github.com/bcqb/bcqb/store"
)

// asBCQB makes the test binary run as bcqb itself when a test starts it
// as a child process: a real process that can be killed with SIGKILL.
const asBCQB = "BCQB_TEST_RUN_AS_BCQB"

func TestMain(m *testing.M) {
	if os.Getenv(asBCQB) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := Run(ctx, []string{"serve"}, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "bcqb:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	closeBrowser()
	os.Exit(code)
}

// bcqbProcess is bcqb running as a child process.
type bcqbProcess struct {
	cmd *exec.Cmd
	out *bytes.Buffer
}

func startBCQB(t *testing.T, env map[string]string) *bcqbProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), asBCQB+"=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &bcqbProcess{cmd: cmd, out: &out}
	t.Cleanup(func() { p.kill() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(env["BCQB_BASE_URL"] + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("bcqb did not start: %v\n%s", err, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *bcqbProcess) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		_ = p.cmd.Wait()
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestSyncSurvivesSIGKILL kills bcqb with SIGKILL in the middle of a batch,
// again and again, and restarts it on the same data: whatever instant the
// kill lands on (a claim, a settle, a planning pass), QuickBooks ends with
// every document exactly once.
func TestSyncSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts bcqb as a child process")
	}
	r := newSyncRig(t, 60, 21)
	// The rig's own bcqb only serves the offline store's URL; this test runs
	// its own, as a process, on a fresh data folder.
	r.ts.stopServer(t)
	data := t.TempDir()
	port := freePort(t)
	env := map[string]string{
		"BCQB_DATA": data, "BCQB_ADDR": fmt.Sprintf("127.0.0.1:%d", port), "BCQB_BASE_URL": fmt.Sprintf("http://localhost:%d", port),
		"BCQB_QBWC_USER": testUser, "BCQB_QBWC_PASSWORD": testPassword, "BCQB_LOG_LEVEL": "warn",
		"BCQB_BIGCOMMERCE_API_URL": r.apiURL, "BCQB_BIGCOMMERCE_STORE_HASH": "sync1",
		"BCQB_BIGCOMMERCE_TOKEN": "tok-sync", "BCQB_BIGCOMMERCE_BACKFILL_FROM": "2020-01-01",
	}
	r.url = env["BCQB_BASE_URL"]
	// QuickBooks takes its time, so that a kill lands mid-session.
	r.company.SetFaults(qbsim.CompanyFaults{RequestDelay: 15 * time.Millisecond})
	ctx := context.Background()
	var db *store.DB
	for round := 0; round < 4; round++ {
		p := startBCQB(t, env)
		if db == nil {
			// The child's database, read beside it (WAL), for the .qwc file and the checks.
			var err error
			if db, err = store.Open(ctx, filepath.Join(data, "bcqb.db")); err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			r.db = db
		}
		wc := r.webConnector(qbsim.ConnectorFaults{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; i < 3; i++ {
				if _, err := wc.RunSession(ctx); err != nil {
					return
				}
			}
		}()
		// Kill once QuickBooks has taken a few more transactions: mid-batch.
		target := len(r.company.Transactions()) + 4
		deadline := time.Now().Add(5 * time.Second)
		for len(r.company.Transactions()) < target && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		p.kill()
		<-done
		t.Logf("round %d: bcqb killed with %d transactions in QuickBooks", round, len(r.company.Transactions()))
	}
	r.company.SetFaults(qbsim.CompanyFaults{})
	startBCQB(t, env)
	r.wc = r.webConnector(qbsim.ConnectorFaults{})
	r.pulled()
	r.settle()
	r.checkBooksPosted()
}
