package bigcommerce_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/bigcommerce/bcfake"
)

// quotaScale speeds the Standard plan's window up so the benchmark runs in
// seconds: 150 requests per 30 s becomes 150 per 30 ms. The client only sees
// the headers, so it paces exactly as it would against the real store.
const quotaScale = 1000

// BenchmarkPull10kOrders pulls a 10,000-order store the way an incremental
// pull does (orders by date_modified, each order's details, refunds
// store-wide) at the Standard plan's quota, and reports:
//
//	calls/order   API calls per order pulled
//	429s          429 answers drawn (must stay 0)
//	quota-min-s   the least time the quota allows for those calls at the real plan
//	plan-s        the pull's wall time scaled back to the real plan
//	x-min         plan-s / quota-min-s (1.25 is the 20% headroom left to other apps)
func BenchmarkPull10kOrders(b *testing.B) {
	const orders = 10000
	store := bcfake.New(bcfake.Options{
		Seed: 2026, Orders: orders, Quota: 150, Window: 30 * time.Second / quotaScale,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	srv := httptest.NewServer(store.Handler())
	defer srv.Close()
	ctx := context.Background()
	for b.Loop() {
		c, err := bigcommerce.New(bigcommerce.Config{
			BaseURL: srv.URL + "/stores/bench/", Token: "t",
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		if err != nil {
			b.Fatal(err)
		}
		limitedBefore := store.Stats().RateLimited
		start := time.Now()
		pulled := 0
		err = c.ListOrdersModifiedSince(ctx, time.Time{}, func(o bigcommerce.Order) error {
			pulled++
			_, err := c.OrderDetails(ctx, o, bigcommerce.DetailOptions{})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		refunds := 0
		if err := c.ListRefunds(ctx, bigcommerce.RefundQuery{}, func(bigcommerce.Refund) error { refunds++; return nil }); err != nil {
			b.Fatal(err)
		}
		wall := time.Since(start)
		st := c.Stats()
		limited := store.Stats().RateLimited - limitedBefore + st.RateLimited
		if limited != 0 {
			b.Errorf("%d 429s during the pull", limited)
		}
		quotaMin := time.Duration(float64(st.Requests) / 150 * float64(30*time.Second))
		b.ReportMetric(float64(st.Requests)/float64(pulled), "calls/order")
		b.ReportMetric(float64(limited), "429s")
		b.ReportMetric(quotaMin.Seconds(), "quota-min-s")
		b.ReportMetric((wall * quotaScale).Seconds(), "plan-s")
		b.ReportMetric(float64(wall*quotaScale)/float64(quotaMin), "x-min")
		b.ReportMetric(float64(pulled), "orders")
	}
}
