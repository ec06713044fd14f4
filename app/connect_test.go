package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/bigcommerce/bcfake"
	"github.com/bcqb/bcqb/store"
	"github.com/bcqb/bcqb/tlsca"
)

// TestConnectPageIsWired runs bcqb over https with its own CA and the
// offline store as BigCommerce: the connect page's self-check reaches bcqb
// by its name and trusts its root, shows the root's thumbprint, and a store
// connected from the page is pulled at once by the running puller, its
// token sealed with the pull's key.
func TestConnectPageIsWired(t *testing.T) {
	ctx := context.Background()
	const hash, token, admin = "abc123", "apptesttoken0123456789wxyz", "page password for the test"
	fake := bcfake.New(bcfake.Options{Seed: 3, Orders: 10, Token: token, StoreHash: hash, Logger: slog.New(slog.DiscardHandler)})
	api := httptest.NewServer(fake.Handler())
	defer api.Close()
	dir := t.TempDir()
	ts := startServerWith(t, dir, "https://localhost:%d", map[string]string{
		"BCQB_BIGCOMMERCE_API_URL": api.URL + "/stores/{store_hash}/",
		"BCQB_ADMIN_PASSWORD":      admin,
	}, nil)

	caPEM, err := os.ReadFile(filepath.Join(dir, "tls", tlsca.CACertFile))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}
	t.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Transport: tr, Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) string {
		t.Helper()
		resp, err := c.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	post := func(path string, form url.Values) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, ts.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", ts.URL)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	m := csrfField.FindStringSubmatch(get("/login"))
	if m == nil {
		t.Fatal("no login form")
	}
	if resp := post("/login", url.Values{"csrf": {m[1]}, "password": {admin}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login = %d", resp.StatusCode)
	}

	page := get("/connect")
	if !strings.Contains(page, ts.ca.CAThumbprint()) || !strings.Contains(page, "certlm.msc") {
		t.Errorf("the page lacks the CA's thumbprint %s", ts.ca.CAThumbprint())
	}
	if strings.Contains(page, `<li class="fail">`) || !strings.Contains(page, "The certificate names localhost and is valid until") {
		t.Errorf("the self-check of https://localhost with bcqb's own CA fails:\n%s", page)
	}

	m = csrfField.FindStringSubmatch(page)
	resp := post("/connect/store", url.Values{"csrf": {m[1]}, "action": {"connect"}, "store_hash": {hash}, "token": {token}, "user": {testUser}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("connect = %d", resp.StatusCode)
	}
	st, err := ts.DB().BCStoreByHash(ctx, hash)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ts.DB().BCStoreToken(ctx, ts.pull.sealer, st.ID); err != nil || got != token {
		t.Errorf("the pull's sealer opens %q, %v", got, err)
	}
	for deadline := time.Now().Add(20 * time.Second); st.PullState != store.PullOK; st, _ = ts.DB().BCStore(ctx, st.ID) {
		if time.Now().After(deadline) {
			t.Fatalf("the store connected from the page was not pulled: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if page := get("/connect"); strings.Contains(page, token) || !strings.Contains(page, "••••••••wxyz") {
		t.Error("the page shows the token, or not its masked form")
	}
}
