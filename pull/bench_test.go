package pull_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/pull"
	"github.com/bcqb/bcqb/store"
)

// BenchmarkPullOrdersIntoSQLite pulls a 2,000-order store into a fresh
// SQLite file per iteration: every order with its details, refunds,
// customers and products, one transaction per order. The fake's quota
// window is shrunk to a millisecond so the benchmark measures bcqb (HTTP,
// JSON, hashing, SQLite), not the plan's pacing, and reports:
//
//	orders/s      orders stored per second of wall time
//	calls/order   API calls per order
//	docs/order    document versions stored per order
func BenchmarkPullOrdersIntoSQLite(b *testing.B) {
	const orders = 2000
	f := newFixture(b, setup{orders: orders, window: time.Millisecond})
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		key, _ := store.LoadOrCreateKey(b.TempDir(), "")
		sealer, _ := store.NewSealer(key)
		st, err := db.PutBCStore(ctx, sealer, store.BCStoreInput{StoreHash: "abc123", Token: token, BackfillFrom: longAgo})
		if err != nil {
			b.Fatal(err)
		}
		p, err := pull.New(pull.Options{Store: db, Sealer: sealer, APIURL: f.srv.URL + "/stores/{store_hash}/", Log: quiet(),
			Tune: func(c *bigcommerce.Config) { c.HeadroomPercent = -1 }})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		res, err := p.Pull(ctx, st.ID)
		wall := time.Since(start)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Orders)/wall.Seconds(), "orders/s")
		b.ReportMetric(float64(res.Calls)/float64(res.Orders), "calls/order")
		b.ReportMetric(float64(res.NewVersions)/float64(res.Orders), "docs/order")
		db.Close()
		b.StartTimer()
	}
}
