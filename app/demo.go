package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bcqb/bcqb/bigcommerce/bcfake"
	"github.com/bcqb/bcqb/config"
	"github.com/bcqb/bcqb/qbsim"
	"github.com/bcqb/bcqb/store"
)

// demoUsage and benchUsage are the lines for the command list.
const (
	demoUsage = "  bcqb demo         the whole chain on this machine, nothing to set up: an offline BigCommerce store taking\n" +
		"                    orders, bcqb, and a simulated Web Connector posting to a simulated QuickBooks company\n"
	benchUsage = "  bcqb bench        N orders end to end with QuickBooks' modeled speed: orders/s, CPU, calls per order\n"
)

// chainOptions configure startChain.
type chainOptions struct {
	Orders int   // seeded orders in the offline store
	Seed   int64 // picks the offline store
	// Quota and Window are the offline store's rate limit (0: BigCommerce's
	// Standard plan, 150 requests per 30 s).
	Quota  int
	Window time.Duration
	Addr   string // bcqb's listen address (host:port; port 0 picks one)
	Data   string // bcqb's data folder
	// LogLevel is bcqb's BCQB_LOG_LEVEL; Log receives bcqb's and the offline
	// store's log lines.
	LogLevel string
	Log      io.Writer
	// PullEvery is BCQB_PULL_EVERY ("" for bcqb's default).
	PullEvery string
	// Fake, when set, is the offline store to serve, made by
	// newOfflineStore with these options (which fills in StoreHash and Token).
	Fake             *bcfake.Store
	StoreHash, Token string
}

// chain is the whole sync chain in one process, wired the way production is:
// the offline BigCommerce store on a loopback port, and bcqb configured
// through the same BCQB_* variables as `bcqb serve` (store hash, token, API
// URL, backfill date, Web Connector user). The simulated Web Connector and
// QuickBooks are the caller's: they only need the .qwc file (QWC) and the
// password.
type chain struct {
	fake     *bcfake.Store
	fakeHTTP *http.Server
	fakeDone chan error
	fakeURL  string // http://127.0.0.1:PORT

	cfg       *config.Config
	srv       *Server
	user      string
	password  string
	storeHash string
	companyID int64
	storeID   int64
	qwc       qbsim.QWC
}

// demoEpoch is when the offline store's seeded history ends (bcfake's
// default); the backfill starts two years before it, so it covers it all.
var demoEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// newOfflineStore builds the offline store o describes (seeded, on the fixed
// epoch, so a seed always gives the same store), choosing its hash and token
// when o has none.
func newOfflineStore(o *chainOptions, log *slog.Logger) *bcfake.Store {
	if o.StoreHash == "" {
		o.StoreHash = "demo" + randomHex(3)
	}
	if o.Token == "" {
		o.Token = randomHex(16)
	}
	orders := o.Orders
	if orders == 0 {
		orders = -1 // bcfake takes 0 for its default of 100
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return bcfake.New(bcfake.Options{Seed: o.Seed, Orders: orders, StoreHash: o.StoreHash, Token: o.Token,
		Quota: o.Quota, Window: o.Window, Epoch: demoEpoch, Logger: log.With("side", "offline BigCommerce store")})
}

// startChain starts the offline store and bcqb and returns once bcqb
// listens, with its Web Connector user created and the store connected.
// Close stops both.
func startChain(ctx context.Context, o chainOptions) (_ *chain, err error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.LogLevel == "" {
		o.LogLevel = "warn"
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.LogLevel)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", o.LogLevel)
	}
	log := slog.New(slog.NewTextHandler(o.Log, &slog.HandlerOptions{Level: level}))
	c := &chain{user: "qb", password: randomHex(12), fakeDone: make(chan error, 1)}
	if o.Fake == nil {
		o.Fake = newOfflineStore(&o, log)
	}
	c.fake, c.storeHash = o.Fake, o.StoreHash
	token := o.Token

	fl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("offline store: %w", err)
	}
	c.fakeURL = "http://" + fl.Addr().String()
	c.fakeHTTP = &http.Server{Handler: c.fake.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		err := c.fakeHTTP.Serve(fl)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		c.fakeDone <- err
	}()
	defer func() {
		if err != nil {
			err = errors.Join(err, c.Close(context.WithoutCancel(ctx)))
		}
	}()

	l, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", o.Addr, err)
	}
	host, port, _ := net.SplitHostPort(l.Addr().String())
	env := map[string]string{
		"BCQB_DATA":                      o.Data,
		"BCQB_ADDR":                      net.JoinHostPort(host, port),
		"BCQB_BASE_URL":                  "http://localhost:" + port,
		"BCQB_QBWC_USER":                 c.user,
		"BCQB_QBWC_PASSWORD":             c.password,
		"BCQB_BIGCOMMERCE_API_URL":       c.fakeURL + "/stores/{store_hash}/",
		"BCQB_BIGCOMMERCE_STORE_HASH":    c.storeHash,
		"BCQB_BIGCOMMERCE_TOKEN":         token,
		"BCQB_BIGCOMMERCE_BACKFILL_FROM": demoEpoch.AddDate(-2, 0, 0).Format("2006-01-02"),
		"BCQB_LOG_LEVEL":                 o.LogLevel,
		"BCQB_PULL_EVERY":                o.PullEvery,
	}
	c.cfg, _, err = config.Parse("serve", nil, func(k string) string { return env[k] })
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("configuration: %w", err)
	}
	c.srv, err = NewServer(ctx, c.cfg, log)
	if err != nil {
		l.Close()
		return nil, err
	}
	if err := c.srv.Start(ctx, l); err != nil {
		l.Close()
		return nil, err
	}
	u, err := c.srv.DB().UserByName(ctx, c.user)
	if err != nil {
		return nil, fmt.Errorf("the Web Connector user: %w", err)
	}
	c.companyID = u.CompanyID
	st, err := c.srv.DB().BCStoreByHash(ctx, c.storeHash)
	if err != nil {
		return nil, fmt.Errorf("the connected store: %w", err)
	}
	c.storeID = st.ID
	if c.qwc, err = c.fetchQWC(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// fetchQWC builds the .qwc file bcqb serves at /qwc (behind the page's login).
func (c *chain) fetchQWC(ctx context.Context) (qbsim.QWC, error) {
	return buildQWC(ctx, c.srv.DB(), c.cfg.BaseURL, c.user, c.cfg.RunEveryMinutes)
}

// Close stops bcqb, then the offline store.
func (c *chain) Close(ctx context.Context) error {
	var errs []error
	if c.fake != nil {
		c.fake.WaitWebhooks() // deliveries time out on their own within 10 s
	}
	if c.srv != nil {
		errs = append(errs, c.srv.Close(ctx))
		c.srv = nil
	}
	if c.fakeHTTP != nil {
		errs = append(errs, c.fakeHTTP.Shutdown(ctx), <-c.fakeDone)
		c.fakeHTTP = nil
	}
	return errors.Join(errs...)
}

// postingCounts counts the company's postings by document kind and state
// ("order posted", "order attention", ...).
func (c *chain) postingCounts(ctx context.Context) (map[string]int, error) {
	ps, err := c.srv.DB().Postings(ctx, c.companyID, "", 1<<30)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, p := range ps {
		out[p.DocKind+" "+p.State]++
	}
	return out, nil
}

// attentionLine says how many postings need attention, or "".
func attentionLine(counts map[string]int) string {
	var parts []string
	for _, kind := range []string{store.DocOrder, store.DocRefund} {
		n := counts[kind+" "+store.PostingAttention]
		if n == 0 {
			continue
		}
		verb := "need"
		if n == 1 {
			verb = "needs"
		}
		parts = append(parts, fmt.Sprintf("%d %s %s attention", n, plural(n, kind), verb))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// shellQuote quotes a path for the command line when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?[](){}<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// demoOptions configure runDemo (`bcqb demo`).
type demoOptions struct {
	Orders    int
	Seed      int64
	Every     time.Duration // between Web Connector sessions
	GrowEvery time.Duration // a new order in the offline store this often (0: never)
	Addr      string
	Data      string // "" for a new temporary folder
	Speed     string // QuickBooks' modeled speed: none, fast, typical, slow
	LogLevel  string
	// NoOpWait is the simulated Web Connector's pause when bcqb asks it to
	// wait (QBWC's is 5 s; the demo waits less so it reacts quickly).
	NoOpWait time.Duration
}

// runDemoCommand is `bcqb demo`.
func runDemoCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := demoOptions{NoOpWait: time.Second}
	fs.IntVar(&o.Orders, "orders", 25, "orders the offline store already has (its history, pulled at start)")
	fs.Int64Var(&o.Seed, "seed", 1, "picks the offline store: the same seed gives the same catalog, customers and orders")
	fs.DurationVar(&o.Every, "every", 5*time.Second, "time between Web Connector sessions (0: the .qwc schedule)")
	fs.DurationVar(&o.GrowEvery, "grow-every", 4*time.Second, "the offline store takes a new order (and moves an older one along) this often; 0: never")
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8080", "address bcqb listens on (127.0.0.1:0 picks a free port)")
	fs.StringVar(&o.Data, "data", "", "bcqb's data folder and the company file (default: a new temporary folder, kept at the end)")
	fs.StringVar(&o.Speed, "speed", "fast", "QuickBooks' modeled speed: none, fast, typical or slow (waited for real)")
	fs.StringVar(&o.LogLevel, "log-level", first(getenv("BCQB_LOG_LEVEL"), "warn"), "bcqb's log level on stderr: debug, info, warn or error")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return runDemo(ctx, o, stdout, stderr)
}

func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// runDemo runs the whole chain until ctx ends: the offline store (seeded,
// taking new orders, some paid later or refunded), bcqb (pulling it, with
// webhooks on so a new order is pulled at once), and a simulated Web
// Connector running a session every o.Every against a simulated QuickBooks
// company persisted in <data>/demo-company.json. It prints where everything
// is, then one line per session.
func runDemo(ctx context.Context, o demoOptions, stdout, stderr io.Writer) (err error) {
	if o.Orders < 0 || o.Every < 0 || o.GrowEvery < 0 {
		return errors.New("demo: --orders, --every and --grow-every must not be negative")
	}
	speed, ok := qbsim.SpeedNamed(o.Speed)
	if !ok {
		return fmt.Errorf("demo: --speed %q: want none, fast, typical or slow", o.Speed)
	}
	if o.Data == "" {
		if o.Data, err = os.MkdirTemp("", "bcqb-demo-"); err != nil {
			return fmt.Errorf("demo: data folder: %w", err)
		}
	}
	if o.Data, err = filepath.Abs(o.Data); err != nil {
		return fmt.Errorf("demo: data folder: %w", err)
	}
	if err := os.MkdirAll(o.Data, 0o700); err != nil {
		return fmt.Errorf("demo: data folder: %w", err)
	}
	companyPath := filepath.Join(o.Data, "demo-company.json")
	company, err := qbsim.OpenOrCreateCompany(ctx, companyPath, qbsim.CompanyOptions{})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	company.SetFaults(qbsim.CompanyFaults{Speed: speed})

	// The store has BigCommerce's Pro plan quota (450 requests per 30 s): a
	// store taking an order every few seconds is not on the Standard plan's
	// 150, and every webhook is a pull of its order.
	c, err := startChain(ctx, chainOptions{Orders: o.Orders, Seed: o.Seed, Quota: 450, Window: 30 * time.Second,
		Addr: o.Addr, Data: o.Data, LogLevel: o.LogLevel, Log: stderr, PullEvery: "30s"})
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("demo: %w (is bcqb already running? choose another address with --addr, or --addr 127.0.0.1:0 for any free port)", err)
	}
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	// Everything started below is stopped here, in reverse order: the
	// store's growth, then bcqb, then the offline store.
	var wg sync.WaitGroup
	growCtx, stopGrow := context.WithCancel(context.WithoutCancel(ctx))
	defer func() {
		stopGrow()
		wg.Wait()
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if cerr := c.Close(shutdown); cerr != nil {
			err = errors.Join(err, fmt.Errorf("demo: shut down: %w", cerr))
		}
		fmt.Fprintf(stdout, "\nDemo stopped. The books stay in %s; see them with:\n  bcqb qb show --company %s\n",
			companyPath, shellQuote(companyPath))
	}()
	// Webhooks on: every new or changed order is pulled at once, as with a
	// real store whose owner turned them on in bcqb's page.
	if err := c.srv.pull.enableWebhooks(ctx, c.storeID); err != nil {
		return fmt.Errorf("demo: turn on webhooks: %w", err)
	}
	if o.GrowEvery > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.fake.Grow(growCtx, o.GrowEvery)
		}()
	}
	q := c.qwc
	if o.Every > 0 {
		q.RunEvery = o.Every
	}
	wc, err := qbsim.NewWebConnector(qbsim.WebConnectorOptions{QWC: q, Password: c.password, QuickBooks: company,
		NoOpWait: o.NoOpWait, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}

	fmt.Fprintf(stdout, "bcqb demo: everything runs on this machine; stop it with Ctrl-C.\n\n")
	fmt.Fprintf(stdout, "  bcqb's page:           %s/ (the first visit asks you to choose the page's password;\n"+
		"                         then look at the dashboard, Needs attention, Mapping and Sync log)\n", c.cfg.BaseURL)
	growText := "no new ones"
	if o.GrowEvery > 0 {
		growText = "a new one every " + o.GrowEvery.String()
	}
	fmt.Fprintf(stdout, "  offline BigCommerce:   %s/stores/%s/ (seed %d, %d orders, %s)\n",
		c.fakeURL, c.storeHash, o.Seed, o.Orders, growText)
	fmt.Fprintf(stdout, "  Web Connector user:    %s, password %s (.qwc file: %s/qwc, after logging in)\n", c.user, c.password, c.cfg.BaseURL)
	speedText := o.Speed + " speed, waited for real"
	if o.Speed == "" || o.Speed == "none" {
		speedText = "answering at once"
	}
	fmt.Fprintf(stdout, "  QuickBooks company:    %s (simulated, %s)\n", companyPath, speedText)
	fmt.Fprintf(stdout, "  bcqb's data:           %s\n\n", o.Data)
	fmt.Fprintf(stdout, "See the books at any time with:\n  bcqb qb show --company %s\n\n", shellQuote(companyPath))
	fmt.Fprintf(stdout, "A simulated Web Connector session runs every %s:\n", q.RunEvery)

	seen := map[int64]bool{} // postings already reported as needing attention
	for i := 1; ; i++ {
		res, err := wc.RunSession(ctx)
		if err != nil {
			return nil // ctx ended: a normal stop
		}
		fmt.Fprintln(stdout, demoSessionLine(ctx, i, res, company, c))
		if ps, err := c.srv.DB().Postings(ctx, c.companyID, store.PostingAttention, 1000); err == nil {
			for _, p := range ps {
				if !seen[p.ID] {
					seen[p.ID] = true
					fmt.Fprintf(stdout, "         needs attention: %s\n", p.Reason)
				}
			}
		}
		wait := q.RunEvery
		if res.Postpone > 0 {
			wait = res.Postpone
		}
		t := time.NewTimer(max(wait, wc.MinRunEvery()))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// demoSessionLine is one session in words: its outcome, bcqb's
// closeConnection summary, and what QuickBooks now holds.
func demoSessionLine(ctx context.Context, i int, res *qbsim.SessionResult, company *qbsim.Company, c *chain) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s session %d: %s", time.Now().Format("15:04:05"), i, res.Outcome)
	if res.Requests > 0 {
		fmt.Fprintf(&b, ", %d %s", res.Requests, plural(res.Requests, "message"))
	}
	if res.NoOps > 0 {
		fmt.Fprintf(&b, ", %d NoOp %s (bcqb was pulling or planning)", res.NoOps, plural(res.NoOps, "pause"))
	}
	if msg := strings.TrimSpace(res.CloseMessage); msg != "" {
		fmt.Fprintf(&b, ": %s", msg)
	}
	if res.LastError != "" && res.Outcome != qbsim.OutcomeDone {
		fmt.Fprintf(&b, " (%s)", res.LastError)
	}
	if res.Err != nil {
		fmt.Fprintf(&b, " (%v)", res.Err)
	}
	sum := company.Summary()
	var held []string
	kinds := make([]string, 0, len(sum.Txns))
	for k := range sum.Txns {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		held = append(held, fmt.Sprintf("%d %s", sum.Txns[k].Count, k))
	}
	if len(held) == 0 {
		held = append(held, "no transactions yet")
	}
	fmt.Fprintf(&b, " | QuickBooks holds %s", strings.Join(held, ", "))
	if counts, err := c.postingCounts(ctx); err == nil {
		if a := attentionLine(counts); a != "" {
			fmt.Fprintf(&b, "; %s", a)
		}
	}
	return b.String()
}
