package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/bcqb/bcqb/bigcommerce/bcfake"
	"github.com/bcqb/bcqb/config"
	"github.com/bcqb/bcqb/store"
)

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPullServiceConnectsPullsAndTakesWebhooks starts the pull side the way
// serve does, against the offline store: the configured store is connected
// to the Web Connector user's company, pulled at once, and a webhook pulls a
// changed order.
func TestPullServiceConnectsPullsAndTakesWebhooks(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	fake := bcfake.New(bcfake.Options{Seed: 5, Orders: 30, Token: "tok-app-test", StoreHash: "abc123",
		Window: 50 * time.Millisecond, Logger: quiet})
	api := httptest.NewServer(fake.Handler())
	defer api.Close()
	// bcqb's own listener, for the webhook callbacks: the Web Connector's
	// rules allow http only on localhost, so the base URL names it so.
	var hooks http.Handler = http.NotFoundHandler()
	self := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hooks.ServeHTTP(w, r) }))
	defer self.Close()
	_, port, _ := net.SplitHostPort(self.Listener.Addr().String())

	data := t.TempDir()
	env := map[string]string{
		"BCQB_DATA": data, "BCQB_BASE_URL": "http://localhost:" + port,
		"BCQB_QBWC_USER": "qb", "BCQB_QBWC_PASSWORD": "password1",
		"BCQB_BIGCOMMERCE_API_URL": api.URL + "/stores/{store_hash}/", "BCQB_BIGCOMMERCE_STORE_HASH": "abc123",
		"BCQB_BIGCOMMERCE_TOKEN": "tok-app-test", "BCQB_BIGCOMMERCE_BACKFILL_FROM": "2024-01-01",
	}
	cfg, _, err := config.Parse("serve", nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, cfg.DBPath())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, err := db.PutUser(ctx, cfg.QBWCUser, cfg.QBWCPassword)
	if err != nil {
		t.Fatal(err)
	}
	held := make(chan int64, 100)
	hold := func(id int64) func() { held <- id; return func() {} }
	ps, err := newPullService(ctx, cfg, db, hold, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(data, store.KeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("secret key file: %v %v", fi, err)
	}
	stores, err := db.BCStores(ctx)
	if err != nil || len(stores) != 1 || stores[0].CompanyID != u.CompanyID || stores[0].StoreHash != "abc123" {
		t.Fatalf("connected stores = %+v, %v", stores, err)
	}
	st := stores[0]
	hooks = ps.webhooks()
	c := cron.New()
	if err := ps.start(ctx, c); err != nil {
		t.Fatal(err)
	}
	if len(c.Entries()) != 1 {
		t.Errorf("cron entries = %d, want the pull", len(c.Entries()))
	}
	waitFor(t, "the first pull", func() bool {
		s, err := db.BCStore(ctx, st.ID)
		return err == nil && s.PullState == store.PullOK
	})
	if id := <-held; id != u.CompanyID {
		t.Errorf("held company %d during the pull, want %d", id, u.CompanyID)
	}

	if err := ps.enableWebhooks(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	id := fake.OrderIDs(7)[0]
	if err := fake.MarkPaid(id); err != nil {
		t.Fatal(err)
	}
	fake.WaitWebhooks()
	waitFor(t, "the webhook's order pull", func() bool {
		vs, err := db.DocumentVersions(ctx, st.ID, store.DocOrder, id)
		return err == nil && len(vs) == 2
	})
	if err := ps.disableWebhooks(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	<-c.Stop().Done()
	if err := ps.close(ctx); err != nil {
		t.Fatal(err)
	}

	// A restart with a new token updates the same store.
	env["BCQB_BIGCOMMERCE_TOKEN"] = "tok-rotated"
	cfg, _, err = config.Parse("serve", nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newPullService(ctx, cfg, db, hold, quiet); err != nil {
		t.Fatal(err)
	}
	if stores, _ := db.BCStores(ctx); len(stores) != 1 {
		t.Errorf("a restart made %d stores", len(stores))
	}
}

func TestPullServiceRefusesABadKey(t *testing.T) {
	env := map[string]string{"BCQB_DATA": t.TempDir(), "BCQB_SECRET_KEY": "short"}
	cfg, _, err := config.Parse("serve", nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), cfg.DBPath())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = newPullService(context.Background(), cfg, db, nil, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "BCQB_SECRET_KEY") {
		t.Errorf("err = %v, want it to name BCQB_SECRET_KEY", err)
	}
	var nothing *pullService
	if err := nothing.enableWebhooks(context.Background(), 1); err != errNoPull {
		t.Errorf("webhooks without a pull service: %v", err)
	}
	if err := nothing.disableWebhooks(context.Background(), 1); err != errNoPull {
		t.Errorf("webhooks without a pull service: %v", err)
	}
	rec := httptest.NewRecorder()
	nothing.webhooks().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/webhooks/bigcommerce", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("webhook without a pull service: %d", rec.Code)
	}
}

func TestFakestoreCommand(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- runFakestore(ctx, []string{"--seed", "3", "--orders", "12", "--addr", addr, "--token", "tt"}, &out, io.Discard)
	}()
	var resp *http.Response
	waitFor(t, "the fake store", func() bool {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s/stores/fakestore/v2/orders?limit=250", addr), nil)
		req.Header.Set("X-Auth-Token", "tt")
		req.Header.Set("Accept", "application/json")
		resp, err = http.DefaultClient.Do(req)
		return err == nil
	})
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.Count(string(body), `"id":`) < 5 {
		t.Errorf("orders: %d %.200s", resp.StatusCode, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("fakestore returned %v after cancel", err)
	}
	if !strings.Contains(out.String(), "BCQB_BIGCOMMERCE_API_URL=http://"+addr) {
		t.Errorf("no hint printed:\n%s", out.String())
	}
	if err := runFakestore(context.Background(), []string{"--orders", "-1"}, io.Discard, io.Discard); err == nil {
		t.Error("negative --orders accepted")
	}
	if !strings.Contains(fakestoreUsage, "bcqb fakestore --seed") {
		t.Errorf("usage line %q", fakestoreUsage)
	}
}
