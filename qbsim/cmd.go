package qbsim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// CommandUsage describes the simulator's commands, for bcqb's usage text.
const CommandUsage = `  bcqb webconnector --qwc FILE --password PW --company FILE
                    run simulated Web Connector sessions against bcqb (or any QBWC server)
                    with a simulated QuickBooks company; prints what QuickBooks now holds
  bcqb qb show --company FILE   list the simulated company's transactions and totals
  bcqb qb do --company FILE     answer one qbXML request message from stdin on stdout
`

// Command runs `bcqb webconnector ...` or `bcqb qb show|do ...` (args
// start with "webconnector" or "qb"). main wires it in with one line, so
// the flags live next to the code they drive; getenv (os.Getenv in main)
// supplies BCQB_QBWC_PASSWORD as the default password.
func Command(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("qbsim: no command")
	}
	switch args[0] {
	case "webconnector":
		return webconnectorCommand(ctx, args[1:], getenv, stdout, stderr)
	case "qb":
		if len(args) < 2 {
			return errors.New("usage: bcqb qb show|do --company FILE")
		}
		fs := flag.NewFlagSet("qb "+args[1], flag.ContinueOnError)
		fs.SetOutput(stderr)
		path := fs.String("company", "qbsim-company.json", "simulated company file (JSON; created as a sample company if missing)")
		if err := fs.Parse(args[2:]); err != nil {
			return err
		}
		company, err := OpenOrCreateCompany(ctx, *path, CompanyOptions{})
		if err != nil {
			return err
		}
		switch args[1] {
		case "show":
			return Show(stdout, company)
		case "do":
			return Do(ctx, company, stdin, stdout)
		}
		return fmt.Errorf("unknown command qb %s (want show or do)", args[1])
	}
	return fmt.Errorf("qbsim: unknown command %q", args[0])
}

func webconnectorCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("webconnector", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o WebConnectorRun
	var caFile, killBefore string
	var insecure bool
	fs.StringVar(&o.QWCPath, "qwc", "", "the .qwc file (from bcqb qwc or the page)")
	fs.StringVar(&o.Password, "password", getenv("BCQB_QBWC_PASSWORD"), "the Web Connector user's password (default $BCQB_QBWC_PASSWORD)")
	fs.StringVar(&o.CompanyPath, "company", "qbsim-company.json", "simulated company file (JSON; created as a sample company if missing)")
	fs.IntVar(&o.Sessions, "sessions", 1, "sessions to run on the .qwc schedule (-1: until interrupted)")
	fs.DurationVar(&o.Every, "every", 0, "time between sessions (default: the .qwc Scheduler)")
	fs.DurationVar(&o.Timeout, "timeout", 2*time.Minute, "per-call timeout, like QBWC's")
	fs.StringVar(&caFile, "ca", "", "PEM file of the CA that signed the server's certificate (bcqb's own CA)")
	fs.BoolVar(&insecure, "insecure", false, "do not verify the server's certificate")
	fs.IntVar(&o.Faults.LoseResponse, "lose-response", 0, "fault: lose QuickBooks' response to the Nth request after it was committed")
	fs.StringVar(&killBefore, "kill-before", "", "fault: kill the Web Connector before call METHOD:N (e.g. receiveResponseXML:3)")
	fs.DurationVar(&o.QBFaults.MessageDelay, "qb-message-delay", 0, "modeled QuickBooks time per request message")
	fs.DurationVar(&o.QBFaults.RequestDelay, "qb-request-delay", 0, "modeled QuickBooks time per request")
	fs.DurationVar(&o.QBFaults.TxnDelay, "qb-txn-delay", 0, "modeled QuickBooks time per transaction written")
	fs.IntVar(&o.QBFaults.Locked, "qb-locked", 0, "fault: answer writes with 3170, 3175 or 3180 (record in use)")
	fs.IntVar(&o.QBFaults.LockedWrites, "qb-locked-writes", 0, "limit -qb-locked to this many writes (0: all)")
	fs.BoolVar(&o.QBFaults.FileClosed, "qb-file-closed", false, "fault: no company file open in QuickBooks")
	fs.Float64Var(&o.QBFaults.LockRate, "qb-lock-rate", 0, "fault: probability that a write meets a transient lock (3170/3175/3180)")
	fs.Uint64Var(&o.QBFaults.Seed, "qb-seed", 1, "seed for -qb-lock-rate")
	speed := fs.String("qb-speed", "", "modeled QuickBooks speed: fast, typical or slow (default: none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sp, ok := SpeedNamed(*speed)
	if !ok {
		return fmt.Errorf("webconnector: --qb-speed %q: want fast, typical or slow", *speed)
	}
	o.QBFaults.Speed = sp
	if o.QWCPath == "" {
		return errors.New("webconnector: give the .qwc file with --qwc")
	}
	if killBefore != "" {
		method, n, ok := strings.Cut(killBefore, ":")
		num, err := strconv.Atoi(n)
		if !ok || err != nil || num < 1 {
			return fmt.Errorf("webconnector: --kill-before %q: want METHOD:N", killBefore)
		}
		o.Faults.KillBefore = &CallPoint{Method: method, N: num}
	}
	if caFile != "" || insecure {
		tc := &tls.Config{InsecureSkipVerify: insecure} //nolint:gosec // opt-in, for testing a self-signed server
		if caFile != "" {
			pem, err := os.ReadFile(caFile)
			if err != nil {
				return fmt.Errorf("webconnector: --ca: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return fmt.Errorf("webconnector: --ca %s holds no PEM certificate", caFile)
			}
			tc.RootCAs = pool
		}
		o.HTTPClient = &http.Client{Transport: &http.Transport{TLSClientConfig: tc}}
	}
	return RunWebConnector(ctx, o, stdout)
}
