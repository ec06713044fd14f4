package app

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/pull"
	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/store"
)

// formClient is a browser on bcqb's page: a cookie jar, no redirects followed.
type formClient struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func newFormClient(t *testing.T, base string) *formClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &formClient{t: t, base: base, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (p *formClient) do(method, path string, form url.Values) (int, http.Header, string) {
	p.t.Helper()
	var body io.Reader
	if form != nil {
		if form.Get("csrf") == "" {
			form.Set("csrf", p.csrf)
		}
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, p.base+path, body)
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", p.base)
	}
	resp, err := p.c.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindSubmatch(b); m != nil {
		p.csrf = string(m[1])
	}
	return resp.StatusCode, resp.Header, string(b)
}

// TestMappingOnThePagePosts: the bookkeeper chooses the page's password,
// finds an order's SKUs "needing mapping" on the mapping page, maps them to
// an item of the company file there, and the next Web Connector session
// posts the order to that item in QuickBooks.
func TestMappingOnThePagePosts(t *testing.T) {
	r := newSyncRig(t, 20, 5)
	ctx := context.Background()
	st := r.store()
	if err := r.db.SetBCStoreSettings(ctx, st.ID, `{"items": "mapping"}`); err != nil {
		t.Fatal(err)
	}
	r.pulled()
	r.settle()

	// An order of the store, completed, that needs its SKUs mapped.
	ps, err := r.db.Postings(ctx, r.companyID(), store.PostingAttention, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var order int64
	var skus []string
	for _, p := range ps {
		if p.DocKind != store.DocOrder || !strings.Contains(p.Reason, "map SKU") {
			continue
		}
		d, err := r.db.LatestDocument(ctx, st.ID, store.DocOrder, p.BCID)
		if err != nil {
			t.Fatal(err)
		}
		det, err := pull.DecodeOrder([]byte(d.Raw))
		if err != nil || det.Order.StatusID != 10 {
			continue
		}
		order = p.BCID
		seen := map[string]bool{}
		for _, line := range det.Products {
			if k := plan.ItemKey(line); !seen[k] {
				seen[k] = true
				skus = append(skus, k)
			}
		}
		break
	}
	if order == 0 {
		t.Fatal("no completed order needs mapping; pick another seed")
	}

	b := newFormClient(t, r.url)
	b.do(http.MethodGet, "/setup", nil)
	if code, h, body := b.do(http.MethodPost, "/setup", url.Values{"password": {testPassword}, "confirm": {testPassword}}); code != http.StatusSeeOther {
		t.Fatalf("choosing the password = %d %v %s", code, h, body)
	}
	storeParam := strconv.FormatInt(st.ID, 10)
	code, _, body := b.do(http.MethodGet, "/mapping?"+url.Values{"store": {storeParam}, "sku": {skus[0]}}.Encode(), nil)
	if code != http.StatusOK || !strings.Contains(body, "Needs mapping") {
		t.Fatalf("GET /mapping for SKU %s = %d:\n%s", skus[0], code, body)
	}
	code, h, body := b.do(http.MethodPost, "/mapping", url.Values{"store": {storeParam}, "sku": skus, "item": {"Widget"}, "action": {"map"}})
	if code != http.StatusSeeOther {
		t.Fatalf("mapping = %d:\n%s", code, body)
	}
	if code, _, body = b.do(http.MethodGet, h.Get("Location"), nil); !strings.Contains(body, "planned again") {
		t.Errorf("after mapping = %d, no word of planning again:\n%s", code, body)
	}

	r.settle()
	p := postingOf(t, r.db, r.companyID(), order)
	if p.State != store.PostingPosted {
		t.Fatalf("order %d after mapping: %s %q", order, p.State, p.Reason)
	}
	items := map[string]bool{}
	for _, rs := range r.qbQuery(&qbxml.SalesReceiptQueryRq{IncludeLineItems: new(true)}) {
		if q, ok := rs.(*qbxml.SalesReceiptQueryRs); ok {
			for _, sr := range q.SalesReceipts {
				if sr.RefNumber != p.RefNumber {
					continue
				}
				for _, l := range sr.Lines {
					if l.ItemRef != nil {
						items[l.ItemRef.FullName] = true
					}
				}
			}
		}
	}
	t.Logf("order %d, SKUs %v mapped on the page, posted to %v", order, skus, items)
	if !items["Widget"] {
		t.Errorf("order %d (RefNumber %s) posted to %v; want its SKUs %v on Widget", order, p.RefNumber, items, skus)
	}
	for _, k := range skus {
		if items[k] {
			t.Errorf("SKU %s got an item of its own though mapped to Widget", k)
		}
	}
}

func postingOf(t *testing.T, db *store.DB, companyID, order int64) store.Posting {
	t.Helper()
	ps, err := db.Postings(context.Background(), companyID, "", 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.DocKind == store.DocOrder && p.BCID == order {
			return p
		}
	}
	t.Fatalf("no posting of order %d", order)
	return store.Posting{}
}

// qbQuery asks the simulated company directly.
func (r *syncRig) qbQuery(rq qbxml.Request) []qbxml.Response {
	r.t.Helper()
	b, err := qbxml.NewMessage(qbxml.StopOnError).Add("q", rq).Build(qbxml.V13)
	if err != nil {
		r.t.Fatal(err)
	}
	out, err := r.company.ProcessRequest(context.Background(), string(b))
	if err != nil {
		r.t.Fatal(err)
	}
	rs, err := qbxml.ParseResponse([]byte(out))
	if err != nil {
		r.t.Fatal(err)
	}
	return rs.Responses
}
