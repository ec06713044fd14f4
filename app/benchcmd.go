package app

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/qbsim"
	"github.com/bcqb/bcqb/store"
)

// How the bench tells bcqb's cost from the simulators':
//
//   - bcqb runs as its own process, exactly as a user runs it: the bench
//     re-executes its own binary as `bcqb serve`, configured with BCQB_*
//     variables (a temporary data folder, a loopback port, the offline
//     store's URL, a Web Connector user), and drives it over HTTP. The
//     offline store, the simulated Web Connector and the simulated
//     QuickBooks stay in the bench's process. bcqb is stopped with SIGTERM
//     at the end, and its CPU (user and system) is read from its exit
//     status (getrusage of the child): bcqb's own, nothing else. Its peak
//     RSS is its memory's high-water mark, followed in /proc on Linux (see
//     watchPeakRSS: the exit status's would include the bench's own).
//   - Time. QuickBooks' own time is modeled (qbsim's Speed) and charged to a
//     qbsim.FakeClock that only the simulated company uses, so the modeled
//     seconds are summed, not waited. bcqb's real time is the pull's wall
//     time (from bcqb's start to every order stored), plus the time the
//     Web Connector waited on bcqb's SOAP answers (timed in its HTTP
//     client: bcqb's handlers, plus loopback), plus the NoOp pauses bcqb
//     asked the Web Connector for. The pull's wall time also holds the
//     offline store's answers, as a real pull holds BigCommerce's.
//   - The simulators' real time and CPU are measured where they run: the
//     simulated QuickBooks on the session goroutine, locked to its OS
//     thread (the thread's CPU around each call is the simulator's own),
//     and the offline store's handlers the same way.

// cpuMeter sums the CPU and wall time of an HTTP handler's requests. Each
// request is served locked to its OS thread, so the thread's CPU time over
// the request is that request's own.
type cpuMeter struct {
	mu       sync.Mutex
	cpu      time.Duration
	wall     time.Duration
	requests int64
	measured bool // thread CPU time is available on this system
}

func (m *cpuMeter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		start := time.Now()
		c0, ok0 := threadCPU()
		h.ServeHTTP(w, r)
		c1, ok1 := threadCPU()
		m.add(c1-c0, time.Since(start), ok0 && ok1)
	})
}

func (m *cpuMeter) add(cpu, wall time.Duration, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests++
	m.wall += wall
	if ok {
		m.cpu += cpu
		m.measured = true
	}
}

func (m *cpuMeter) read() (cpu, wall time.Duration, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cpu, m.wall, m.measured
}

// meteredQB is the simulated QuickBooks with its real time and CPU
// accounted, and the qbXML requests it answered counted.
type meteredQB struct {
	qb qbsim.QuickBooks
	cpuMeter
	messages int
	requests int // inner requests answered (each response carries a statusCode)
}

func (m *meteredQB) measure(f func()) {
	start := time.Now()
	c0, ok0 := threadCPU()
	f()
	c1, ok1 := threadCPU()
	m.add(c1-c0, time.Since(start), ok0 && ok1)
}

func (m *meteredQB) BeginSession(ctx context.Context, req qbsim.BeginSessionRequest) (info qbsim.HostInfo, err error) {
	m.measure(func() { info, err = m.qb.BeginSession(ctx, req) })
	return info, err
}

func (m *meteredQB) ProcessRequest(ctx context.Context, request string) (resp string, err error) {
	m.measure(func() { resp, err = m.qb.ProcessRequest(ctx, request) })
	m.mu.Lock()
	m.messages++
	m.requests += strings.Count(resp, `statusCode="`)
	m.mu.Unlock()
	return resp, err
}

func (m *meteredQB) EndSession(ctx context.Context) (err error) {
	m.measure(func() { err = m.qb.EndSession(ctx) })
	return err
}

// benchOptions configure runBench (`bcqb bench`).
type benchOptions struct {
	Orders   int
	Seed     int64
	Speed    string // QuickBooks' modeled speed
	Data     string // "" for a temporary folder, removed at the end
	LogLevel string
	Log      io.Writer // bcqb's log
	// MaxSessions bounds the run (default: enough for any healthy run).
	MaxSessions int
}

// runBenchCommand is `bcqb bench`.
func runBenchCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := benchOptions{Log: stderr}
	fs.IntVar(&o.Orders, "orders", 10000, "orders in the offline store, all pulled and posted")
	fs.Int64Var(&o.Seed, "seed", 1, "picks the offline store: the same seed gives the same orders")
	fs.StringVar(&o.Speed, "speed", "typical", "QuickBooks' modeled speed: none, fast, typical or slow (summed, not waited)")
	fs.StringVar(&o.Data, "data", "", "bcqb's data folder (default: a temporary folder, removed at the end)")
	fs.StringVar(&o.LogLevel, "log-level", first(getenv("BCQB_LOG_LEVEL"), "warn"), "bcqb's log level on stderr: debug, info, warn or error")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return runBench(ctx, o, stdout)
}

// benchResult is what a bench run measured.
type benchResult struct {
	Orders             int
	Speed              string
	PullWall, SyncWall time.Duration // the two phases, real time
	InsideQB           time.Duration // real time inside the simulated QuickBooks
	ModeledQB          time.Duration // QuickBooks' modeled time, summed on the fake clock
	SOAPWait           time.Duration // the Web Connector's wait on bcqb's SOAP answers
	NoOpWait           time.Duration // the pause after each NoOp
	// bcqb's process, from its exit status.
	BCQBUser, BCQBSys time.Duration
	BCQBRSS           int64 // peak RSS in bytes; 0 when the system does not say
	// The bench's own process: the offline store and the simulators.
	BenchCPU        time.Duration
	BenchRSS        int64         // bytes; 0 when unknown
	QBCPU, StoreCPU time.Duration // the simulators' CPU, measured on their threads
	ThreadCPU       bool          // thread CPU times were available
	Sessions, NoOps int
	SOAPCalls       int
	Messages        int
	Requests        int
	BCCalls         int64
	BCRateLimited   int64
	Postings        map[string]int
	Attention       []reasonCount
	Totals          totalsReport
}

// BCQBCPU is bcqb's CPU time, user and system.
func (r *benchResult) BCQBCPU() time.Duration { return r.BCQBUser + r.BCQBSys }

// runBench pulls o.Orders orders from the offline store into bcqb and posts
// them to a simulated QuickBooks over real HTTP, then prints what it cost.
func runBench(ctx context.Context, o benchOptions, stdout io.Writer) (err error) {
	r, err := bench(ctx, o)
	if err != nil {
		return err
	}
	r.print(stdout)
	return nil
}

// benchUser is the Web Connector user bcqb is started with.
const benchUser = "qb"

func bench(ctx context.Context, o benchOptions) (r *benchResult, err error) {
	if o.Orders <= 0 {
		return nil, errors.New("bench: --orders must be positive")
	}
	speed, ok := qbsim.SpeedNamed(o.Speed)
	if !ok {
		return nil, fmt.Errorf("bench: --speed %q: want none, fast, typical or slow", o.Speed)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(first(o.LogLevel, "warn"))); err != nil {
		return nil, fmt.Errorf("bench: --log-level %q: want debug, info, warn or error", o.LogLevel)
	}
	if o.Data == "" {
		dir, err := os.MkdirTemp("", "bcqb-bench-")
		if err != nil {
			return nil, fmt.Errorf("bench: data folder: %w", err)
		}
		defer os.RemoveAll(dir)
		o.Data = dir
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = 100 + o.Orders/5
	}
	r = &benchResult{Orders: o.Orders, Speed: first(o.Speed, "none"), NoOpWait: 10 * time.Millisecond}
	log := cmp.Or(o.Log, io.Discard)
	progress := slog.New(slog.NewTextHandler(log, nil)).With("bench", "progress")

	// The offline store is built (its orders generated) before anything is
	// measured, and served from this process on loopback. Its window is
	// shrunk so that the quota, still enforced, is not what the bench
	// measures: 150 requests per 10 ms.
	co := chainOptions{Orders: o.Orders, Seed: o.Seed, Quota: 150, Window: 10 * time.Millisecond}
	fake := newOfflineStore(&co, slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: level})))
	var storeMeter cpuMeter
	fl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: offline store: %w", err)
	}
	fakeHTTP := &http.Server{Handler: storeMeter.wrap(fake.Handler()), ReadHeaderTimeout: 10 * time.Second}
	fakeDone := make(chan error, 1)
	go func() {
		err := fakeHTTP.Serve(fl)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		fakeDone <- err
	}()
	defer func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if serr := errors.Join(fakeHTTP.Shutdown(shutdown), <-fakeDone); serr != nil {
			err = errors.Join(err, fmt.Errorf("bench: offline store: %w", serr))
		}
	}()

	const shutdownTimeout = 30 * time.Second
	cpu0, _, _ := processUsage()
	start := time.Now()
	child, err := startBCQBChild(ctx, childConfig{Data: o.Data, LogLevel: first(o.LogLevel, "warn"),
		APIURL: "http://" + fl.Addr().String() + "/stores/{store_hash}/", StoreHash: co.StoreHash, Token: co.Token,
		BackfillFrom: demoEpoch.AddDate(-2, 0, 0).Format("2006-01-02"), Log: o.Log,
		HealthTimeout: time.Minute, ShutdownTimeout: shutdownTimeout})
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	stopped := false
	defer func() {
		if !stopped {
			_, _ = child.stop(shutdownTimeout)
		}
	}()
	progress.InfoContext(ctx, "bcqb is running as its own process", "pid", child.cmd.Process.Pid, "url", child.baseURL,
		"started", time.Since(start).Round(time.Millisecond))
	if err := child.waitPulled(ctx, o.Data, co.StoreHash); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	r.PullWall = time.Since(start)
	progress.InfoContext(ctx, "pulled every order; running Web Connector sessions", "orders", o.Orders, "wall", r.PullWall.Round(time.Millisecond))

	qwcFile, err := child.fetchQWC(ctx)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	// QuickBooks' modeled time goes to a clock of its own; the Web
	// Connector keeps the real clock (its NoOp pause is real bcqb waiting).
	clockStart := time.Now()
	clock := qbsim.NewFakeClock(clockStart)
	company := qbsim.NewSampleCompany(qbsim.CompanyOptions{Clock: clock})
	company.SetFaults(qbsim.CompanyFaults{Speed: speed})
	qb := &meteredQB{qb: company}
	transport := &waitTransport{base: http.DefaultTransport}
	wc, err := qbsim.NewWebConnector(qbsim.WebConnectorOptions{QWC: qwcFile, Password: child.password, QuickBooks: qb,
		HTTPClient: &http.Client{Transport: transport}, NoOpWait: r.NoOpWait, MaxRequestsPerSession: 1 << 30})
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	syncStart := time.Now()
	if err := r.runSessions(ctx, wc, o.MaxSessions, progress); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	r.SyncWall = time.Since(syncStart)
	r.SOAPWait, _ = transport.read()
	r.ModeledQB = clock.Now().Sub(clockStart)
	r.QBCPU, r.InsideQB, r.ThreadCPU = qb.read()
	var storeOK bool
	r.StoreCPU, _, storeOK = storeMeter.read()
	r.ThreadCPU = r.ThreadCPU && storeOK
	r.Messages, r.Requests = qb.messages, qb.requests

	// Webhook deliveries to bcqb end first (they time out on their own),
	// then bcqb stops, gracefully, and tells what it used.
	fake.WaitWebhooks()
	ps, err := child.stop(shutdownTimeout)
	stopped = true
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	r.BCQBUser, r.BCQBSys, r.BCQBRSS = ps.UserTime(), ps.SystemTime(), child.peakRSS(ps)
	progress.InfoContext(ctx, "bcqb stopped", "cpu", r.BCQBCPU().Round(time.Millisecond), "peak_rss_mb", r.BCQBRSS>>20)
	cpu1, rss, ok := processUsage()
	if ok {
		r.BenchCPU, r.BenchRSS = cpu1-cpu0, rss
	}
	st := fake.Stats()
	r.BCCalls, r.BCRateLimited = st.Requests, st.RateLimited

	// What bcqb stored, read from its database once it stopped.
	db, companyID, err := openBenchStore(ctx, o.Data)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer db.Close()
	if r.Postings, err = postingCountsOf(ctx, db, companyID); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if r.Attention, err = attentionReasons(ctx, db, companyID); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if r.Totals, err = checkTotals(ctx, db, companyID, company); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	return r, nil
}

// openBenchStore opens bcqb's database in data and finds the Web Connector
// user's company file.
func openBenchStore(ctx context.Context, data string) (*store.DB, int64, error) {
	db, err := store.Open(ctx, filepath.Join(data, "bcqb.db"))
	if err != nil {
		return nil, 0, fmt.Errorf("bcqb's database: %w", err)
	}
	u, err := db.UserByName(ctx, benchUser)
	if err != nil {
		db.Close()
		return nil, 0, fmt.Errorf("the Web Connector user in bcqb's database: %w", err)
	}
	return db, u.CompanyID, nil
}

// waitPulled waits until bcqb's first pull of the store finished, watching
// bcqb's database (opened only for that, and closed again) and bcqb itself.
func (c *bcqbChild) waitPulled(ctx context.Context, data, storeHash string) error {
	db, _, err := openBenchStore(ctx, data)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := db.BCStoreByHash(ctx, storeHash)
	if err != nil {
		return fmt.Errorf("the connected store in bcqb's database: %w", err)
	}
	for {
		st, err := db.BCStore(ctx, st.ID)
		if err == nil && st.PullState == store.PullOK {
			return nil
		}
		if err == nil && st.PullState == store.PullError {
			return fmt.Errorf("the pull from the offline store failed: %s", st.LastPullError)
		}
		if err := c.alive(ctx, 20*time.Millisecond); err != nil {
			return fmt.Errorf("waiting for the pull from the offline store: %w", err)
		}
	}
}

// fetchQWC writes the .qwc file with `bcqb qwc --user qb` on the child's
// data folder, as a user at the command line gets it (the page's /qwc is
// behind its login).
func (c *bcqbChild) fetchQWC(ctx context.Context) (qbsim.QWC, error) {
	var b bytes.Buffer
	if err := runQWC(ctx, []string{"--user", c.user}, func(k string) string { return c.vars[k] }, &b); err != nil {
		return qbsim.QWC{}, fmt.Errorf("bcqb qwc: %w", err)
	}
	q, err := qbsim.ParseQWC(&b)
	if err != nil {
		return qbsim.QWC{}, fmt.Errorf("the .qwc file bcqb qwc wrote: %w", err)
	}
	return q, nil
}

// postingCountsOf counts the company's postings by document kind and state
// ("order posted", "order attention", ...).
func postingCountsOf(ctx context.Context, db *store.DB, companyID int64) (map[string]int, error) {
	ps, err := db.Postings(ctx, companyID, "", 1<<30)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, p := range ps {
		out[p.DocKind+" "+p.State]++
	}
	return out, nil
}

// runSessions runs Web Connector sessions back to back until bcqb has
// nothing left to send (authenticate answers "none").
func (r *benchResult) runSessions(ctx context.Context, wc *qbsim.WebConnector, maxSessions int, progress *slog.Logger) error {
	// The simulated QuickBooks runs on this goroutine: locked to its thread,
	// the thread's CPU time around each call is the simulator's own.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	idle := 0
	for r.Sessions < maxSessions {
		res, err := wc.RunSession(ctx)
		if err != nil {
			return err
		}
		r.Sessions++
		r.NoOps += res.NoOps
		r.SOAPCalls += len(res.Transcript)
		progress.InfoContext(ctx, "session", "n", r.Sessions, "outcome", res.Outcome, "messages", res.Requests,
			"summary", strings.TrimSpace(res.CloseMessage))
		switch {
		case res.Outcome == qbsim.OutcomeNone:
			return nil
		case res.Requests == 0:
			// A session that sent nothing and did not end with "none":
			// bcqb failing, not working.
			if idle++; idle >= 5 {
				return fmt.Errorf("bcqb sent nothing for %d sessions; the last ended %s: %s%s", idle, res.Outcome,
					first(res.LastError, errString(res.Err)), strings.TrimSpace(" "+res.CloseMessage))
			}
		default:
			idle = 0
		}
	}
	return fmt.Errorf("bcqb still had work after %d sessions", maxSessions)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// reasonCount is how many postings need attention for one reason.
type reasonCount struct {
	Kind   string
	Reason string
	Count  int
}

// attentionReasons groups the postings that need attention by their reason
// (without the document's own number), most frequent first.
func attentionReasons(ctx context.Context, db *store.DB, companyID int64) ([]reasonCount, error) {
	ps, err := db.Postings(ctx, companyID, store.PostingAttention, 1<<30)
	if err != nil {
		return nil, err
	}
	counts := map[[2]string]int{}
	for _, p := range ps {
		reason := p.Reason
		if prefix, rest, ok := strings.Cut(reason, ": "); ok && strings.HasPrefix(prefix, "BigCommerce ") {
			reason = rest
		}
		counts[[2]string{p.DocKind, reason}]++
	}
	out := make([]reasonCount, 0, len(counts))
	for k, n := range counts {
		out = append(out, reasonCount{Kind: k[0], Reason: k[1], Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Kind+out[i].Reason < out[j].Kind+out[j].Reason
	})
	return out, nil
}

// totalsReport compares what QuickBooks holds with BigCommerce's totals,
// posting by posting.
type totalsReport struct {
	Orders, Refunds int             // posted postings compared
	BCOrders        decimal.Decimal // BigCommerce's total of the posted orders, less credits paid
	QBOrders        decimal.Decimal // QuickBooks' total of their sales receipts and invoices
	BCRefunds       decimal.Decimal
	QBRefunds       decimal.Decimal // their credit memos
	Diffs           []string        // every posting whose QuickBooks side differs, in words
}

// Match reports whether QuickBooks holds exactly BigCommerce's amounts.
func (t totalsReport) Match() bool {
	return len(t.Diffs) == 0 && t.BCOrders.Equal(t.QBOrders) && t.BCRefunds.Equal(t.QBRefunds)
}

// checkTotals finds each posted order's sales receipt or invoice, and each
// posted refund's credit memo, by RefNumber in the company, and compares
// their totals with BigCommerce's less the gift certificates and store
// credit that paid part of it (negative lines on the sale), as
// app/sync_test.go does. A voided posting must find its sale voided, and no
// RefNumber may be used twice.
func checkTotals(ctx context.Context, db *store.DB, companyID int64, company *qbsim.Company) (totalsReport, error) {
	var t totalsReport
	postings, err := db.Postings(ctx, companyID, "", 1<<30)
	if err != nil {
		return t, err
	}
	type key struct{ kind, ref string }
	txns := map[key][]qbsim.Txn{}
	for _, x := range company.Transactions() {
		txns[key{x.Kind, x.RefNumber}] = append(txns[key{x.Kind, x.RefNumber}], x)
	}
	var dups []string
	for k, v := range txns {
		if len(v) > 1 && k.ref != "" {
			dups = append(dups, fmt.Sprintf("duplicate: %d %s transactions with RefNumber %s", len(v), k.kind, k.ref))
		}
	}
	sort.Strings(dups)
	t.Diffs = append(t.Diffs, dups...)
	for _, p := range postings {
		sales := append(txns[key{"SalesReceipt", p.RefNumber}], txns[key{"Invoice", p.RefNumber}]...)
		switch {
		case p.State == store.PostingVoided && p.DocKind == store.DocOrder:
			for _, x := range sales {
				if !x.Voided {
					t.Diffs = append(t.Diffs, fmt.Sprintf("order %d is voided in bcqb but %s %s is not voided in QuickBooks", p.BCID, x.Kind, x.TxnID))
				}
			}
			continue
		case p.State != store.PostingPosted:
			continue
		}
		want, err := decimal.NewFromString(p.BCTotal)
		if err != nil {
			t.Diffs = append(t.Diffs, fmt.Sprintf("%s %d: BigCommerce total %q is not a number", p.DocKind, p.BCID, p.BCTotal))
			continue
		}
		if p.Credits != "" {
			credits, err := decimal.NewFromString(p.Credits)
			if err != nil {
				t.Diffs = append(t.Diffs, fmt.Sprintf("%s %d: credits %q is not a number", p.DocKind, p.BCID, p.Credits))
				continue
			}
			want = want.Sub(credits)
		}
		var got []qbsim.Txn
		switch p.DocKind {
		case store.DocOrder:
			got = sales
		case store.DocRefund:
			got = txns[key{"CreditMemo", p.RefNumber}]
		default:
			continue
		}
		if len(got) != 1 {
			t.Diffs = append(t.Diffs, fmt.Sprintf("%s %d (RefNumber %s): %d QuickBooks transactions, want exactly 1",
				p.DocKind, p.BCID, p.RefNumber, len(got)))
			continue
		}
		if !got[0].Total.Equal(want) {
			t.Diffs = append(t.Diffs, fmt.Sprintf("%s %d (RefNumber %s): QuickBooks %s, BigCommerce %s",
				p.DocKind, p.BCID, p.RefNumber, got[0].Total.StringFixed(2), want.StringFixed(2)))
		}
		if p.DocKind == store.DocOrder {
			t.Orders++
			t.BCOrders, t.QBOrders = t.BCOrders.Add(want), t.QBOrders.Add(got[0].Total)
		} else {
			t.Refunds++
			t.BCRefunds, t.QBRefunds = t.BCRefunds.Add(want), t.QBRefunds.Add(got[0].Total)
		}
	}
	return t, nil
}

// noOpTime is the real time of the NoOp pauses bcqb asked for.
func (r *benchResult) noOpTime() time.Duration { return time.Duration(r.NoOps) * r.NoOpWait }

// bcqbTime is bcqb's real time: the pull's wall time, the Web Connector's
// wait on bcqb's SOAP answers, and the NoOp pauses bcqb asked for.
func (r *benchResult) bcqbTime() time.Duration { return r.PullWall + r.SOAPWait + r.noOpTime() }

func perOrder(n int64, orders int) string {
	return fmt.Sprintf("%.2f", float64(n)/float64(orders))
}

func perOrderDuration(d time.Duration, orders int) string {
	return (d / time.Duration(orders)).Round(time.Microsecond).String()
}

func megabytes(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

func share(part, rest time.Duration) string {
	if part+rest <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*part.Seconds()/(part+rest).Seconds())
}

func (r *benchResult) print(w io.Writer) {
	bcqbTime := r.bcqbTime()
	projected := r.ModeledQB + bcqbTime
	fmt.Fprintf(w, "bcqb bench: %d orders from the offline BigCommerce store, through bcqb (its own process: `bcqb serve`), "+
		"to a simulated QuickBooks (%s speed), over loopback HTTP\n", r.Orders, r.Speed)
	fmt.Fprintf(w, "pull:  %s (wall) from bcqb's start to every order pulled and stored\n", r.PullWall.Round(time.Millisecond))
	rest := r.SyncWall - r.SOAPWait - r.InsideQB - r.noOpTime()
	fmt.Fprintf(w, "sync:  %s (wall) for %d Web Connector sessions: %s waiting on bcqb's answers (%d SOAP calls), "+
		"%s inside the simulated QuickBooks, %s in %d NoOp %s of %s, %s in the simulated Web Connector itself\n\n",
		r.SyncWall.Round(time.Millisecond), r.Sessions, r.SOAPWait.Round(time.Millisecond), r.SOAPCalls,
		r.InsideQB.Round(time.Millisecond), r.noOpTime().Round(time.Millisecond), r.NoOps, plural(r.NoOps, "pause"), r.NoOpWait, rest.Round(time.Millisecond))

	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "orders\t%d\t\n", r.Orders)
	fmt.Fprintf(tw, "modeled QuickBooks time\t%s\tqbsim's %s speed model, summed on a fake clock (not waited)\n", r.ModeledQB.Round(time.Second), r.Speed)
	fmt.Fprintf(tw, "bcqb real time\t%s\tpull wall + the Web Connector's wait on bcqb's SOAP answers + the NoOp pauses bcqb asked for\n",
		bcqbTime.Round(time.Millisecond))
	if projected > 0 {
		fmt.Fprintf(tw, "orders/s\t%.2f\t= orders / (modeled QuickBooks time + bcqb real time)\n", float64(r.Orders)/projected.Seconds())
	}
	fmt.Fprintf(tw, "bcqb share of the time\t%s\t= bcqb real time / (modeled QuickBooks time + bcqb real time); "+
		"the pull's wall time holds the offline store's answers too\n", share(bcqbTime, r.ModeledQB))
	cpu := r.BCQBCPU()
	if cpu > 0 {
		fmt.Fprintf(tw, "bcqb CPU per order\t%s\tbcqb's process, start to stop: %s user + %s system, from its exit status\n",
			perOrderDuration(cpu, r.Orders), r.BCQBUser.Round(time.Millisecond), r.BCQBSys.Round(time.Millisecond))
		fmt.Fprintf(tw, "bcqb CPU share\t%s\t= bcqb CPU / (modeled QuickBooks time + bcqb CPU)\n", share(cpu, r.ModeledQB))
	} else {
		fmt.Fprintf(tw, "bcqb CPU per order\t-\tthis system does not report a child process's CPU time\n")
	}
	if r.BCQBRSS > 0 {
		fmt.Fprintf(tw, "peak RSS\t%s\tbcqb's process: %s\n", megabytes(r.BCQBRSS), peakRSSSource)
	} else {
		fmt.Fprintf(tw, "peak RSS\t-\tthis system does not report a child process's peak RSS\n")
	}
	fmt.Fprintf(tw, "SOAP round trips per order\t%s\t%d calls, %s per call waiting on bcqb\n", perOrder(int64(r.SOAPCalls), r.Orders), r.SOAPCalls,
		perOrderDuration(r.SOAPWait, max(r.SOAPCalls, 1)))
	fmt.Fprintf(tw, "qbXML requests per order\t%s\t%d requests in %d messages (%s messages per order)\n",
		perOrder(int64(r.Requests), r.Orders), r.Requests, r.Messages, perOrder(int64(r.Messages), r.Orders))
	fmt.Fprintf(tw, "BigCommerce calls per order\t%s\t%d calls, %d answered 429\n", perOrder(r.BCCalls, r.Orders), r.BCCalls, r.BCRateLimited)
	var bench []string
	if r.BenchCPU > 0 {
		bench = append(bench, "CPU "+r.BenchCPU.Round(time.Millisecond).String())
	}
	if r.ThreadCPU {
		bench = append(bench, fmt.Sprintf("of which the simulated QuickBooks %s, the offline store %s (thread CPU)",
			r.QBCPU.Round(time.Millisecond), r.StoreCPU.Round(time.Millisecond)))
	}
	if r.BenchRSS > 0 {
		bench = append(bench, "peak RSS "+megabytes(r.BenchRSS))
	}
	if len(bench) > 0 {
		fmt.Fprintf(tw, "bench process\t\tnot bcqb: the offline store, the simulated Web Connector and QuickBooks; %s\n", strings.Join(bench, ", "))
	}
	tw.Flush()

	fmt.Fprintf(w, "\npostings: %s\n", postingSummary(r.Postings))
	if a := attentionLine(r.Postings); a != "" {
		fmt.Fprintln(w, a+":")
		for i, rc := range r.Attention {
			if i == 5 {
				fmt.Fprintf(w, "  ... and %d more reasons\n", len(r.Attention)-i)
				break
			}
			fmt.Fprintf(w, "  %d %s: %s\n", rc.Count, plural(rc.Count, rc.Kind), rc.Reason)
		}
	}
	t := r.Totals
	fmt.Fprintf(w, "totals: %d posted orders %s in BigCommerce, %s in QuickBooks; %d posted refunds %s in BigCommerce, %s in QuickBooks\n",
		t.Orders, t.BCOrders.StringFixed(2), t.QBOrders.StringFixed(2), t.Refunds, t.BCRefunds.StringFixed(2), t.QBRefunds.StringFixed(2))
	if t.Match() {
		fmt.Fprintln(w, "totals match to the cent")
		return
	}
	fmt.Fprintf(w, "totals differ (%d postings):\n", len(t.Diffs))
	for i, d := range t.Diffs {
		if i == 20 {
			fmt.Fprintf(w, "  ... and %d more\n", len(t.Diffs)-i)
			break
		}
		fmt.Fprintln(w, "  "+d)
	}
}

// postingSummary lists posting counts ("order posted 9000, order attention 12").
func postingSummary(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, counts[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
