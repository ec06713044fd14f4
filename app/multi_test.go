package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/bigcommerce/bcfake"
	"github.com/bcqb/bcqb/qbsim"
	"github.com/bcqb/bcqb/store"
)

// TestSyncManyStoresAndCompanies: one bcqb, configured by a setup file, with
// two company files reached by their own Web Connector users; two stores
// post into the first (RefNumbers prefixed per store so order 100 of each
// stays apart), one into the second. Each company gets exactly its stores'
// documents, to the cent.
func TestSyncManyStoresAndCompanies(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	fakes := map[string]*bcfake.Store{}
	mux := http.NewServeMux()
	for i, hash := range []string{"acme1", "acme2", "beta1"} {
		f := bcfake.New(bcfake.Options{Seed: int64(40 + i), Orders: 20, Token: "tok-" + hash, StoreHash: hash,
			Window: 20 * time.Millisecond, Logger: quiet})
		fakes[hash] = f
		mux.Handle("/stores/"+hash+"/", f.Handler())
	}
	api := httptest.NewServer(mux)
	defer api.Close()
	dir := t.TempDir()
	setup := filepath.Join(dir, "setup.json")
	if err := os.WriteFile(filepath.Join(dir, "acme.pw"), []byte("acme password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	body := `{"companies": [
		{"qbwc_user": "acme", "qbwc_password_file": "acme.pw", "stores": [
			{"store_hash": "acme1", "token": "tok-acme1", "backfill_from": "2020-01-01"},
			{"store_hash": "acme2", "token": "tok-acme2", "backfill_from": "2020-01-01", "settings": {"mode": "invoice"}}]},
		{"qbwc_user": "beta", "qbwc_password": "beta password", "stores": [
			{"store_hash": "beta1", "token": "tok-beta1", "backfill_from": "2020-01-01"}]}]}`
	if err := os.WriteFile(setup, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	ts := startServerWith(t, filepath.Join(dir, "data"), "http://localhost:%d", map[string]string{
		"BCQB_QBWC_USER": "", "BCQB_QBWC_PASSWORD": "", "BCQB_SETUP": setup,
		"BCQB_BIGCOMMERCE_API_URL": api.URL + "/stores/{store_hash}/", "BCQB_LOG_LEVEL": "warn",
	}, nil)
	ctx := context.Background()
	waitFor(t, "the first pulls", func() bool {
		st, err := ts.DB().BCStores(ctx)
		if err != nil || len(st) != 3 {
			return false
		}
		for _, s := range st {
			if s.PullState != store.PullOK {
				return false
			}
		}
		return true
	})
	for _, c := range []struct{ user, password string }{{"acme", "acme password"}, {"beta", "beta password"}} {
		u, err := ts.DB().UserByName(ctx, c.user)
		if err != nil {
			t.Fatal(err)
		}
		q, err := buildQWC(ctx, ts.DB(), ts.URL, c.user, 15)
		if err != nil {
			t.Fatal(err)
		}
		company := qbsim.NewSampleCompany(qbsim.CompanyOptions{Name: c.user, FilePath: `C:\Books\` + c.user + ".QBW"})
		wc, err := qbsim.NewWebConnector(qbsim.WebConnectorOptions{QWC: q, Password: c.password, QuickBooks: company,
			NoOpWait: 20 * time.Millisecond, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 20; i++ {
			res, err := wc.RunSession(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome == qbsim.OutcomeNone {
				break
			}
		}
		counts := checkBooks(t, ts.DB(), u.CompanyID, company)
		t.Logf("%s: %v", c.user, counts)
		prefixes := map[string]int{}
		for _, x := range company.Transactions() {
			if x.Kind == "SalesReceipt" || x.Kind == "Invoice" {
				p, _, _ := strings.Cut(x.RefNumber, "-")
				if !strings.Contains(x.RefNumber, "-") {
					p = "none"
				}
				prefixes[p]++
			}
		}
		stores, _ := ts.DB().BCStores(ctx)
		switch c.user {
		case "acme":
			// Two stores share the file: each store's RefNumbers carry its prefix.
			for _, s := range stores {
				if s.CompanyID == u.CompanyID && prefixes[fmt.Sprintf("B%d", s.ID)] == 0 {
					t.Errorf("acme: no sale of store %s (prefix B%d-): %v", s.StoreHash, s.ID, prefixes)
				}
			}
			if prefixes["none"] != 0 {
				t.Errorf("acme: %d sales without a store prefix", prefixes["none"])
			}
		case "beta":
			if len(prefixes) != 1 || prefixes["none"] == 0 {
				t.Errorf("beta (one store): RefNumbers %v, want the plain order ids", prefixes)
			}
		}
	}
}
