package app

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
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

// How the bench tells bcqb's cost from the simulators' (they all run in
// this one process):
//
//   - Time. QuickBooks' own time is modeled (qbsim's Speed) and charged to a
//     qbsim.FakeClock that only the simulated company uses, so the modeled
//     seconds are summed, not waited. The real time the simulated company
//     spends working out its answers is timed around each call and taken
//     out of the wall time: bcqb's real time is the wall time of the run
//     (pull and sessions) less the time inside the simulated QuickBooks.
//     What is left also holds the offline store answering bcqb's pulls and
//     the simulated Web Connector's SOAP client; both stand for work a real
//     deployment has too (BigCommerce's API, QBWC), and they make the figure
//     an upper bound of bcqb's time.
//   - CPU. Process CPU comes from getrusage. The simulated QuickBooks runs
//     on the session goroutine, which the bench locks to its OS thread, so
//     the thread's CPU (getrusage RUSAGE_THREAD) before and after each call
//     is the simulated company's own CPU; the offline store's handlers are
//     measured the same way (each request locked to its thread while it is
//     served). bcqb's CPU is the process's less those two: it still holds
//     the simulated Web Connector's client and the garbage collector's work
//     for everything, so it is an upper bound. bcqb's HTTP handlers (the
//     SOAP calls), measured directly the same way, are a lower bound: they
//     leave out the pull workers and the planner. Locking a request to its
//     thread costs a thread handoff when it blocks; that small cost is
//     charged to the figures, not hidden from them.

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

// chainMeter meters the offline store's handler and bcqb's.
type chainMeter struct {
	store cpuMeter
	bcqb  cpuMeter
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
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("bench: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	return runBench(ctx, o, stdout)
}

// benchResult is what a bench run measured.
type benchResult struct {
	Orders                 int
	Speed                  string
	PullWall, SyncWall     time.Duration // the two phases, real time
	InsideQB               time.Duration // real time inside the simulated QuickBooks
	ModeledQB              time.Duration // QuickBooks' modeled time, summed on the fake clock
	ProcessCPU             time.Duration
	QBCPU, StoreCPU        time.Duration // the simulators' CPU, measured on their threads
	HandlerCPU             time.Duration // bcqb's HTTP handlers' CPU, measured on their threads
	HandlerWall            time.Duration // and their real time
	CPUMeasured            bool          // thread CPU times were available
	PeakRSS                int64         // bytes; 0 when unknown
	Sessions, NoOps        int
	SOAPCalls              int
	Messages, Requests     int
	BCCalls, BCRateLimited int64
	Postings               map[string]int
	Attention              []reasonCount
	Totals                 totalsReport
}

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

func bench(ctx context.Context, o benchOptions) (r *benchResult, err error) {
	if o.Orders <= 0 {
		return nil, errors.New("bench: --orders must be positive")
	}
	speed, ok := qbsim.SpeedNamed(o.Speed)
	if !ok {
		return nil, fmt.Errorf("bench: --speed %q: want none, fast, typical or slow", o.Speed)
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
	r = &benchResult{Orders: o.Orders, Speed: first(o.Speed, "none")}
	progress := slog.New(slog.NewTextHandler(cmp.Or(o.Log, io.Discard), nil)).With("bench", "progress")

	// The offline store is built (its orders generated) before anything is
	// measured. Its window is shrunk so that the quota, still enforced, is
	// not what the bench measures: 150 requests per 10 ms.
	co := chainOptions{Orders: o.Orders, Seed: o.Seed, Quota: 150, Window: 10 * time.Millisecond,
		Addr: "127.0.0.1:0", Data: o.Data, LogLevel: first(o.LogLevel, "warn"), Log: o.Log, Meter: &chainMeter{}}
	co.Fake = newOfflineStore(&co, nil)

	cpu0, _, _ := processUsage()
	start := time.Now()
	c, err := startChain(ctx, co)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if cerr := c.Close(shutdown); cerr != nil {
			err = errors.Join(err, fmt.Errorf("bench: shut down: %w", cerr))
		}
	}()
	if err := c.waitPulled(ctx); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	r.PullWall = time.Since(start)
	progress.InfoContext(ctx, "pulled every order; running Web Connector sessions", "orders", o.Orders, "wall", r.PullWall.Round(time.Millisecond))

	// QuickBooks' modeled time goes to a clock of its own; the Web
	// Connector keeps the real clock (its NoOp pause is real bcqb waiting).
	clockStart := time.Now()
	clock := qbsim.NewFakeClock(clockStart)
	company := qbsim.NewSampleCompany(qbsim.CompanyOptions{Clock: clock})
	company.SetFaults(qbsim.CompanyFaults{Speed: speed})
	qb := &meteredQB{qb: company}
	wc, err := qbsim.NewWebConnector(qbsim.WebConnectorOptions{QWC: c.qwc, Password: c.password, QuickBooks: qb,
		NoOpWait: 10 * time.Millisecond, MaxRequestsPerSession: 1 << 30})
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	syncStart := time.Now()
	if err := r.runSessions(ctx, wc, o.MaxSessions, progress); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	end := time.Now()
	r.SyncWall = end.Sub(syncStart)
	cpu1, rss, ok := processUsage()
	r.ProcessCPU, r.PeakRSS = cpu1-cpu0, rss
	r.ModeledQB = clock.Now().Sub(clockStart)
	r.QBCPU, r.InsideQB, r.CPUMeasured = qb.read()
	r.CPUMeasured = r.CPUMeasured && ok
	var storeOK, handlersOK bool
	r.StoreCPU, _, storeOK = co.Meter.store.read()
	r.HandlerCPU, r.HandlerWall, handlersOK = co.Meter.bcqb.read()
	r.CPUMeasured = r.CPUMeasured && storeOK && handlersOK
	r.Messages, r.Requests = qb.messages, qb.requests
	st := c.fake.Stats()
	r.BCCalls, r.BCRateLimited = st.Requests, st.RateLimited

	if r.Postings, err = c.postingCounts(ctx); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if r.Attention, err = attentionReasons(ctx, c); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if r.Totals, err = checkTotals(ctx, c, company); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	return r, nil
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
func attentionReasons(ctx context.Context, c *chain) ([]reasonCount, error) {
	ps, err := c.srv.DB().Postings(ctx, c.companyID, store.PostingAttention, 1<<30)
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
func checkTotals(ctx context.Context, c *chain, company *qbsim.Company) (totalsReport, error) {
	var t totalsReport
	postings, err := c.srv.DB().Postings(ctx, c.companyID, "", 1<<30)
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

// bcqbTime is bcqb's real time: the wall time of both phases less the time
// inside the simulated QuickBooks.
func (r *benchResult) bcqbTime() time.Duration { return r.PullWall + r.SyncWall - r.InsideQB }

func perOrder(n int64, orders int) string {
	return fmt.Sprintf("%.2f", float64(n)/float64(orders))
}

func perOrderDuration(d time.Duration, orders int) string {
	return (d / time.Duration(orders)).Round(time.Microsecond).String()
}

func (r *benchResult) print(w io.Writer) {
	bcqbTime := r.bcqbTime()
	projected := r.ModeledQB + bcqbTime
	fmt.Fprintf(w, "bcqb bench: %d orders from the offline BigCommerce store, through bcqb, to a simulated QuickBooks (%s speed), over loopback HTTP\n",
		r.Orders, r.Speed)
	fmt.Fprintf(w, "pull:  %s (wall) to pull and store every order\n", r.PullWall.Round(time.Millisecond))
	fmt.Fprintf(w, "sync:  %s (wall) for %d Web Connector sessions: %s inside the simulated QuickBooks, %s in bcqb's HTTP handlers, "+
		"the rest in the Web Connector's client and its %d NoOp pauses\n\n",
		r.SyncWall.Round(time.Millisecond), r.Sessions, r.InsideQB.Round(time.Millisecond), r.HandlerWall.Round(time.Millisecond), r.NoOps)

	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "orders\t%d\t\n", r.Orders)
	fmt.Fprintf(tw, "modeled QuickBooks time\t%s\tqbsim's %s speed model, summed on a fake clock (not waited)\n", r.ModeledQB.Round(time.Second), r.Speed)
	fmt.Fprintf(tw, "bcqb real time\t%s\twall time of pull and sync less the time inside the simulated QuickBooks\n", bcqbTime.Round(time.Millisecond))
	if projected > 0 {
		fmt.Fprintf(tw, "orders/s\t%.2f\t= orders / (modeled QuickBooks time + bcqb real time)\n", float64(r.Orders)/projected.Seconds())
		fmt.Fprintf(tw, "bcqb share of the time\t%.1f%%\t= bcqb real time / (modeled QuickBooks time + bcqb real time)\n",
			100*bcqbTime.Seconds()/projected.Seconds())
	}
	if r.CPUMeasured {
		bcqbCPU := r.ProcessCPU - r.QBCPU - r.StoreCPU
		fmt.Fprintf(tw, "bcqb CPU per order\t%s\tprocess CPU %s less the simulated QuickBooks' %s and the offline store's %s (thread CPU); includes the simulated Web Connector's client and GC\n",
			perOrderDuration(bcqbCPU, r.Orders), r.ProcessCPU.Round(time.Millisecond), r.QBCPU.Round(time.Millisecond), r.StoreCPU.Round(time.Millisecond))
		fmt.Fprintf(tw, "  of which SOAP handlers\t%s\tbcqb's HTTP handlers alone, measured on their threads (leaves out pull workers and planner)\n",
			perOrderDuration(r.HandlerCPU, r.Orders))
	} else {
		fmt.Fprintf(tw, "process CPU per order\t%s\tsimulators included: thread CPU times are not available on this system\n",
			perOrderDuration(r.ProcessCPU, r.Orders))
	}
	fmt.Fprintf(tw, "SOAP round trips per order\t%s\t%d calls\n", perOrder(int64(r.SOAPCalls), r.Orders), r.SOAPCalls)
	fmt.Fprintf(tw, "qbXML requests per order\t%s\t%d requests in %d messages (%s messages per order)\n",
		perOrder(int64(r.Requests), r.Orders), r.Requests, r.Messages, perOrder(int64(r.Messages), r.Orders))
	fmt.Fprintf(tw, "BigCommerce calls per order\t%s\t%d calls, %d answered 429\n", perOrder(r.BCCalls, r.Orders), r.BCCalls, r.BCRateLimited)
	if r.PeakRSS > 0 {
		fmt.Fprintf(tw, "peak RSS\t%d MB\tthe whole process: bcqb, the offline store and the simulators\n", r.PeakRSS>>20)
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
