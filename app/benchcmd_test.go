package app

import (
	"context"
	"errors"
	"flag"
	"os"
	"runtime"
	"strings"
	"testing"
)

// The bench runs bcqb as a child process, its own binary as `bcqb serve`.
// Here its own binary is the test binary: started with BCQB_TEST_RUN_AS_BCQB=1
// it runs `serve` (TestMain in crash_test.go) and nothing else.
func init() {
	benchChild = func() (string, []string, []string, error) {
		exe, err := os.Executable()
		return exe, []string{"-test.run=^$"}, []string{asBCQB + "=1"}, err
	}
}

// TestBenchSixtyOrders runs `bcqb bench --orders 60`: every figure is
// printed, and QuickBooks' totals are BigCommerce's to the cent.
func TestBenchSixtyOrders(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end with 60 orders")
	}
	var out, errOut syncBuffer
	err := Run(context.Background(), []string{"bench", "--orders", "60", "--data", t.TempDir()},
		func(string) string { return "" }, nil, &out, &errOut)
	text := out.String()
	t.Logf("bench printed:\n%s", text)
	if err != nil {
		t.Fatalf("bench: %v\nstderr:\n%s", err, errOut.String())
	}
	lines := []string{"orders  ", "modeled QuickBooks time", "bcqb real time", "orders/s", "bcqb share of the time",
		"bcqb CPU per order", "peak RSS", "SOAP round trips per order", "qbXML requests per order",
		"BigCommerce calls per order", "postings:", "totals:", "its own process"}
	if runtime.GOOS == "linux" {
		lines = append(lines, "bcqb CPU share", "from its exit status", "bench process", "thread CPU")
	}
	for _, l := range lines {
		if !strings.Contains(text, l) {
			t.Errorf("no %q line", l)
		}
	}
	if strings.Contains(text, "modeled QuickBooks time      0s") {
		t.Error("no QuickBooks time was modeled")
	}
	if !strings.Contains(text, "totals match to the cent") {
		t.Error("QuickBooks' totals differ from BigCommerce's")
	}
}

func TestBenchFlags(t *testing.T) {
	var out, errOut syncBuffer
	getenv := func(string) string { return "" }
	if err := Run(context.Background(), []string{"bench", "-h"}, getenv, nil, &out, &errOut); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("bench -h: %v", err)
	}
	for _, name := range []string{"-orders", "-seed", "-speed", "-data"} {
		if !strings.Contains(errOut.String(), name) {
			t.Errorf("bench -h does not list %s", name)
		}
	}
	for _, args := range [][]string{{"bench", "--orders", "0"}, {"bench", "--speed", "warp"}} {
		if err := Run(context.Background(), args, getenv, nil, &out, &errOut); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

// BenchmarkSync is `bcqb bench --orders 200` as a Go benchmark: it reports
// orders/s against modeled QuickBooks time (typical speed) plus bcqb's real
// time, and bcqb's real time per order.
func BenchmarkSync(b *testing.B) {
	const orders = 200
	var last *benchResult
	for b.Loop() {
		r, err := bench(context.Background(), benchOptions{Orders: orders, Speed: "typical", Data: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		if !r.Totals.Match() {
			b.Fatalf("totals differ: %v", r.Totals.Diffs)
		}
		last = r
	}
	projected := last.ModeledQB + last.bcqbTime()
	b.ReportMetric(float64(orders)/projected.Seconds(), "orders/s")
	b.ReportMetric(float64(last.bcqbTime().Microseconds())/1000/orders, "bcqb-ms/order")
}
