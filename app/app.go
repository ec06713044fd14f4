// Package app is bcqb's command line: it parses a command and its
// configuration, wires the packages together and runs them. main.go only
// calls Run.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/bcqb/bcqb/config"
	"github.com/bcqb/bcqb/qbsim"
	"github.com/bcqb/bcqb/qwc"
	"github.com/bcqb/bcqb/store"
)

// Version is bcqb's version, set at build time with -ldflags "-X github.com/bcqb/bcqb/app.Version=...".
var Version = "0.1.0-dev"

const usage = `bcqb connects BigCommerce stores to QuickBooks Desktop through the QuickBooks Web Connector.

Usage:
  bcqb serve        run bcqb (the Web Connector endpoint, the page, the scheduler)
  bcqb qwc          print the .qwc file that registers bcqb in the Web Connector
                    (bcqb qwc --user NAME --url https://HOST:PORT)
  bcqb version      print the version
  bcqb healthcheck  exit 0 when the local bcqb answers /healthz (for Docker)
` + backupUsage + fakestoreUsage + demoUsage + benchUsage + `
Simulated QuickBooks and Web Connector (no Windows needed):
` + qbsim.CommandUsage + `
Every command takes -h for its flags. Settings come from flags or BCQB_* environment variables.
`

// Run runs the command in args (without the program name).
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "qwc":
		return runQWC(ctx, rest, getenv, stdout)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "bcqb %s\n", Version)
		return nil
	case "healthcheck":
		return runHealthcheck(ctx, rest, getenv, stdout)
	case "backup":
		return runBackup(ctx, rest, getenv, stdout)
	case "fakestore":
		return runFakestore(ctx, rest, stdout, stderr)
	case "demo":
		return runDemoCommand(ctx, rest, getenv, stdout, stderr)
	case "bench":
		return runBenchCommand(ctx, rest, getenv, stdout, stderr)
	case "webconnector", "qb":
		// The simulated Web Connector and QuickBooks, for trying bcqb without Windows.
		return qbsim.Command(ctx, args, getenv, stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// parseConfig parses a command's configuration, printing flag help on -h.
func parseConfig(name string, args []string, getenv func(string) string, out io.Writer, extra func(*flag.FlagSet)) (*config.Config, error) {
	cfg, fs, err := config.ParseWith(name, args, getenv, extra)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(out)
		fmt.Fprintf(out, "Usage of bcqb %s:\n", name)
		fs.PrintDefaults()
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	return cfg, nil
}

// parseFlags parses a command's own flags (named by the flag set), refusing
// arguments beyond them; -h is returned as flag.ErrHelp, for Run to keep quiet.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// runQWC prints a .qwc file.
func runQWC(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var user, url string
	cfg, err := parseConfig("qwc", args, getenv, stdout, func(fs *flag.FlagSet) {
		fs.StringVar(&user, "user", getenv("BCQB_QBWC_USER"), "Web Connector user the file is for")
		fs.StringVar(&url, "url", "", "URL the Web Connector reaches bcqb at (default: BCQB_BASE_URL)")
	})
	if err != nil {
		return err
	}
	if url == "" {
		url = cfg.BaseURL
	}
	if user == "" {
		return errors.New("give the Web Connector user: bcqb qwc --user NAME")
	}
	db, err := store.Open(ctx, cfg.DBPath())
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.UserByName(ctx, user); errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("there is no Web Connector user %q in %s: start bcqb once with BCQB_QBWC_USER=%s and "+
			"BCQB_QBWC_PASSWORD set, which creates it", user, cfg.DBPath(), user)
	} else if err != nil {
		return err
	}
	f, err := qwc.BuildFile(ctx, db, store.NewGUID, qwc.FileOptions{BaseURL: url, UserName: user, RunEveryNMinutes: cfg.RunEveryMinutes})
	if err != nil {
		return err
	}
	b, err := f.Marshal()
	if err != nil {
		return err
	}
	_, err = stdout.Write(b)
	return err
}

// runHealthcheck asks the local bcqb for /healthz; Docker's HEALTHCHECK runs it
// because the image has no curl.
func runHealthcheck(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := parseConfig("healthcheck", args, getenv, stdout, nil)
	if err != nil {
		return err
	}
	_, port, _ := strings.Cut(cfg.Addr, ":")
	for strings.Contains(port, ":") { // [::]:8080
		_, port, _ = strings.Cut(port, ":")
	}
	scheme := "http"
	client := &http.Client{Timeout: 5 * time.Second}
	if cfg.TLS() {
		scheme = "https"
		tc, err := loopbackTLS(cfg)
		if err != nil {
			return err
		}
		client.Transport = &http.Transport{TLSClientConfig: tc}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://127.0.0.1:"+port+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	fmt.Fprint(stdout, string(body))
	return nil
}
