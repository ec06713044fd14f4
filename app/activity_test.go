package app

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bcqb/bcqb/store"
)

// pageClient is a logged-in browser of bcqb's page.
type pageClient struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (p *pageClient) do(req *http.Request) (*http.Response, string) {
	p.t.Helper()
	res, err := p.c.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	if m := csrfField.FindStringSubmatch(string(b)); m != nil {
		p.csrf = m[1]
	}
	return res, string(b)
}

func (p *pageClient) get(path string) (*http.Response, string) {
	p.t.Helper()
	req, err := http.NewRequest(http.MethodGet, p.base+path, nil)
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	return p.do(req)
}

// post sends a form with the page's token and follows the redirect.
func (p *pageClient) post(path string, form url.Values) (*http.Response, string) {
	p.t.Helper()
	form.Set("csrf", p.csrf)
	req, err := http.NewRequest(http.MethodPost, p.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Origin", p.base)
	return p.do(req)
}

func logIn(t *testing.T, ts *testServer) *pageClient {
	t.Helper()
	const password = "a page password for the test"
	if _, err := ts.DB().PutAdminPassword(context.Background(), password); err != nil {
		t.Fatal(err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &pageClient{t: t, base: ts.URL, c: &http.Client{Jar: jar}}
	p.get("/login")
	if res, body := p.post("/login", url.Values{"password": {password}}); res.StatusCode != 200 || !strings.Contains(body, "Dashboard") {
		t.Fatalf("log in = %d %q", res.StatusCode, body)
	}
	return p
}

// TestAttentionEndToEnd: under "items need mapping", the orders whose SKUs
// QuickBooks does not know land on /attention with the SKUs to map; after
// the fix (bcqb may create the items) "Retry all" from the page queues
// them, and the next Web Connector sessions post every one to the cent.
func TestAttentionEndToEnd(t *testing.T) {
	r := newSyncRig(t, 30, 13)
	ctx := context.Background()
	stores, err := r.db.BCStores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st := stores[0]
	if err := r.db.SetBCStoreSettings(ctx, st.ID, `{"items": "mapping"}`); err != nil {
		t.Fatal(err)
	}
	r.pulled()
	r.settle()
	waiting, err := r.db.Postings(ctx, r.companyID(), store.PostingAttention, 1000)
	if err != nil || len(waiting) == 0 {
		t.Fatalf("%d postings need attention (%v); the unknown SKUs should park orders", len(waiting), err)
	}

	p := logIn(t, r.ts)
	_, page := p.get("/attention")
	if !strings.Contains(page, `href="/mapping?sku=`) || !strings.Contains(page, "No QuickBooks item is mapped to") {
		t.Fatalf("/attention does not link the SKUs to map:\n%s", page)
	}
	ids := regexp.MustCompile(`name="sel" value="(p:\d+)"`).FindAllStringSubmatch(page, -1)
	if len(ids) != len(waiting) {
		t.Errorf("/attention lists %d documents, %d need attention", len(ids), len(waiting))
	}

	// The fix: bcqb creates the items QuickBooks does not have.
	if err := r.db.SetBCStoreSettings(ctx, st.ID, `{"items": "noninventory"}`); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page, `value="retry-all"`) {
		t.Fatal("/attention offers no Retry all")
	}
	res, body := p.post("/attention", url.Values{"action": {"retry-all"}})
	if res.StatusCode != 200 || !strings.Contains(body, "queued again.") || strings.Contains(body, "still need") {
		t.Fatalf("Retry = %d %q", res.StatusCode, body)
	}
	r.settle()
	r.checkBooksPosted()
	if _, page := p.get("/attention"); !strings.Contains(page, "Nothing needs attention") {
		t.Errorf("/attention after the sync still lists documents")
	}
	if _, dash := p.get("/"); !strings.Contains(dash, `data-live="attention">0<`) {
		t.Errorf("the dashboard still counts documents needing attention")
	}
}
