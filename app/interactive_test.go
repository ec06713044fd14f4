package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bcqb/bcqb/internal/qbwcclient"
	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/qbsim"
	"github.com/bcqb/bcqb/store"
)

const pagePassword = "interactive page password"

// pageBrowser is a browser logged in to bcqb's page.
type pageBrowser struct {
	t    testing.TB
	base string
	c    *http.Client
}

func newPageBrowser(t testing.TB, base string, db *store.DB) *pageBrowser {
	t.Helper()
	if _, err := db.PutAdminPassword(context.Background(), pagePassword); err != nil {
		t.Fatal(err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &pageBrowser{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	_, body, err := b.get("/login")
	if err != nil {
		t.Fatal(err)
	}
	if status, _, _, err := b.post("/login", url.Values{"csrf": {csrf(body)}, "password": {pagePassword}}); err != nil || status != http.StatusSeeOther {
		t.Fatalf("log in: %d %v", status, err)
	}
	return b
}

func csrf(body string) string {
	if m := csrfField.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// get and post return errors rather than failing, as they also run in the
// simulated user's goroutine.
func (b *pageBrowser) get(path string) (int, string, error) {
	resp, err := b.c.Get(b.abs(path))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusSeeOther {
		return resp.StatusCode, resp.Header.Get("Location"), err
	}
	return resp.StatusCode, string(body), err
}

func (b *pageBrowser) post(path string, form url.Values) (int, string, string, error) {
	req, err := http.NewRequest(http.MethodPost, b.abs(path), strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	resp, err := b.c.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body), err
}

func (b *pageBrowser) abs(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return b.base + path
}

var skuLink = regexp.MustCompile(`href="/mapping\?store=([0-9]+)&amp;sku=([^"]+)"`)

// visit opens the Web Connector's link, follows it to the page and returns
// the page, its address, and the SKUs it asks to map.
func (b *pageBrowser) visit(link string) (page, at string, skus []string, err error) {
	status, loc, err := b.get(link)
	if err != nil || status != http.StatusSeeOther || !strings.HasPrefix(loc, "/care/interactive/") {
		return "", "", nil, fmt.Errorf("the Web Connector's link = %d %q %v", status, loc, err)
	}
	status, page, err = b.get(loc)
	if err != nil || status != http.StatusOK {
		return "", "", nil, fmt.Errorf("the page = %d %v", status, err)
	}
	for _, m := range skuLink.FindAllStringSubmatch(page, -1) {
		sku, _ := url.QueryUnescape(m[2])
		skus = append(skus, sku)
	}
	return page, loc, skus, nil
}

// mapSKUs maps SKUs to a QuickBooks item in the store's settings, as the
// mapping page does.
func mapSKUs(ctx context.Context, db *store.DB, skus []string, item string) error {
	stores, err := db.BCStores(ctx)
	if err != nil {
		return err
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(stores[0].SettingsJSON), &s); err != nil {
		return err
	}
	m, _ := s["skus"].(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	for _, sku := range skus {
		m[sku] = item
	}
	s["skus"] = m
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return db.SetBCStoreSettings(ctx, stores[0].ID, string(raw))
}

// someItem is a non-inventory item of the company file, to map SKUs to.
func someItem(t *testing.T, r *syncRig) string {
	t.Helper()
	lists, err := r.db.Lists(context.Background(), r.companyID())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lists {
		if l.Type == "Item" && l.SubType == "ItemNonInventory" && l.Active {
			return l.FullName
		}
	}
	t.Fatal("the sample company has no non-inventory item")
	return ""
}

// needingMapping starts a rig whose store requires a mapping for every SKU
// and settles it: its orders wait under "needs attention".
func needingMapping(t *testing.T) *syncRig {
	t.Helper()
	r := newSyncRig(t, 6, 11)
	ctx := context.Background()
	stores, err := r.db.BCStores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.db.SetBCStoreSettings(ctx, stores[0].ID, `{"items": "mapping"}`); err != nil {
		t.Fatal(err)
	}
	r.pulled()
	r.settle()
	if n := len(attentionFor(t, r)); n == 0 {
		t.Fatal("no order needs a mapping")
	}
	return r
}

func attentionFor(t *testing.T, r *syncRig) []store.Posting {
	t.Helper()
	ps, err := r.db.Postings(context.Background(), r.companyID(), store.PostingAttention, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.Posting
	for _, p := range ps {
		if strings.Contains(p.Reason, plan.ErrNeedsMapping.Error()) {
			out = append(out, p)
		}
	}
	return out
}

func setInteractive(t *testing.T, db *store.DB, on bool) {
	t.Helper()
	u, err := db.UserByName(context.Background(), testUser)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetUserInteractive(context.Background(), u.ID, on); err != nil {
		t.Fatal(err)
	}
}

// TestInteractiveModeThroughTheSOAPHandler drives interactive mode call by
// call with the gowsdl-generated client, QuickBooks' side played by the
// simulated company.
func TestInteractiveModeThroughTheSOAPHandler(t *testing.T) {
	r := needingMapping(t)
	ctx := context.Background()
	w := newWC(t, r.url, "")

	// Off (the default): nothing waits for a person, so no session opens.
	if auth := w.authenticate(testUser, testPassword); len(auth) < 2 || auth[1] != "none" {
		t.Fatalf("authenticate with interactive mode off = %q, want none", auth)
	}
	setInteractive(t, r.db, true)
	auth := w.authenticate(testUser, testPassword)
	if len(auth) < 2 || auth[1] != "" {
		t.Fatalf("authenticate with orders to map = %q, want a session on the open file", auth)
	}
	ticket := auth[0]
	info, err := r.company.BeginSession(ctx, qbsim.BeginSessionRequest{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.company.EndSession(ctx)
	sendFirst := func() string {
		t.Helper()
		res, err := w.c.SendRequestXML(&qbwcclient.SendRequestXML{Ticket: ticket, StrHCPResponse: info.HCPResponse,
			StrCompanyFileName: info.CompanyFile, QbXMLCountry: info.Country, QbXMLMajorVers: int32(info.Major), QbXMLMinorVers: int32(info.Minor)})
		if err != nil {
			t.Fatal(err)
		}
		return res.SendRequestXMLResult
	}
	if req := sendFirst(); req != "" {
		t.Fatalf("sendRequestXML with only orders to map = %.200q, want \"\"", req)
	}
	if e := w.lastError(ticket); e != "Interactive mode" {
		t.Fatalf("getLastError = %q, want Interactive mode", e)
	}
	u, err := w.c.GetInteractiveURL(&qbwcclient.GetInteractiveURL{WcTicket: ticket, SessionID: "{A1B2}"})
	if err != nil {
		t.Fatal(err)
	}
	link := u.GetInteractiveURLResult
	if !strings.HasPrefix(link, r.url+"/care/interactive?token=") || strings.Contains(link, ticket) {
		t.Fatalf("getInteractiveURL = %q: want the page with a token that is not the ticket", link)
	}
	done := func() string {
		t.Helper()
		res, err := w.c.InteractiveDone(&qbwcclient.InteractiveDone{WcTicket: ticket})
		if err != nil {
			t.Fatal(err)
		}
		return res.InteractiveDoneResult
	}
	if got := done(); got != "" {
		t.Errorf("interactiveDone before the page was finished = %q, want \"\" (poll again)", got)
	}

	b := newPageBrowser(t, r.url, r.db)
	// Without a login the link leads to the login, and on to the page after it.
	anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := anon.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
		t.Errorf("the link without a login = %d %q", resp.StatusCode, loc)
	}
	page, at, skus, err := b.visit(link)
	if err != nil {
		t.Fatal(err)
	}
	if len(skus) == 0 || !strings.Contains(page, "The Web Connector waits for you") || !strings.Contains(page, `href="/attention"`) {
		t.Fatalf("the page lists no SKU to map:\n%s", page)
	}
	if status, _, _ := b.get(link); status != http.StatusNotFound {
		t.Errorf("the link used a second time = %d, want 404: its token is for one use", status)
	}

	if err := mapSKUs(ctx, r.db, skus, someItem(t, r)); err != nil {
		t.Fatal(err)
	}
	_, body, _ := b.get(at)
	status, loc, _, err := b.post(at+"/done", url.Values{"csrf": {csrf(body)}})
	if err != nil || status != http.StatusSeeOther {
		t.Fatalf("Done = %d %v", status, err)
	}
	if _, page, _ := b.get(loc); !strings.Contains(page, "The Web Connector goes on") {
		t.Errorf("after Done:\n%s", page)
	}
	if got := done(); got != "Continue" {
		t.Fatalf("interactiveDone after the mapping = %q, want Continue", got)
	}

	// The session goes on and posts what was mapped.
	for i := 0; ; i++ {
		res, err := w.c.SendRequestXML(&qbwcclient.SendRequestXML{Ticket: ticket, QbXMLCountry: "US", QbXMLMajorVers: 13})
		if err != nil {
			t.Fatal(err)
		}
		if res.SendRequestXMLResult == "" {
			t.Fatalf("sendRequestXML after Continue = \"\" (%s)", w.lastError(ticket))
		}
		answer, err := r.company.ProcessRequest(ctx, res.SendRequestXMLResult)
		if err != nil {
			t.Fatal(err)
		}
		if pct := w.receive(ticket, answer, "", ""); pct == 100 {
			break
		} else if pct < 0 || i > 50 {
			t.Fatalf("receiveResponseXML = %d: %s", pct, w.lastError(ticket))
		}
	}
	if s := w.close(ticket); strings.Contains(s, "Interactive mode") || !strings.Contains(s, "posted") {
		t.Errorf("closeConnection = %q", s)
	}
	if left := attentionFor(t, r); len(left) != 0 {
		t.Errorf("%d orders still need a mapping: %s", len(left), left[0].Reason)
	}
	r.checkBooksPosted()
	if status, _, _ := b.get(at); status != http.StatusOK {
		t.Errorf("the page after the session = %d", status)
	}
}

// interactiveUser is the person at the PC of the simulated Web Connector:
// accepting, they open the page in their browser, map what it lists and
// press Done.
type interactiveUser struct {
	t      *testing.T
	r      *syncRig
	accept bool
	b      *pageBrowser
	item   string
	wg     sync.WaitGroup
	mu     sync.Mutex
	err    error
	seen   []string
}

func (u *interactiveUser) Accept(context.Context) bool { return u.accept }

func (u *interactiveUser) Open(ctx context.Context, link string) {
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		err := func() error {
			_, at, skus, err := u.b.visit(link)
			if err != nil {
				return err
			}
			u.mu.Lock()
			u.seen = append(u.seen, skus...)
			u.mu.Unlock()
			if err := mapSKUs(ctx, u.r.db, skus, u.item); err != nil {
				return err
			}
			_, body, err := u.b.get(at)
			if err != nil {
				return err
			}
			if status, _, _, err := u.b.post(at+"/done", url.Values{"csrf": {csrf(body)}}); err != nil || status != http.StatusSeeOther {
				return fmt.Errorf("done = %d %v", status, err)
			}
			return nil
		}()
		u.mu.Lock()
		u.err = err
		u.mu.Unlock()
	}()
}

// TestInteractiveModeInTheWebConnector runs whole sessions of the simulated
// Web Connector following interactive mode: declined, it is not asked again
// for the same orders; accepted, the orders the user maps post in that
// same session.
func TestInteractiveModeInTheWebConnector(t *testing.T) {
	r := needingMapping(t)
	ctx := context.Background()
	setInteractive(t, r.db, true)
	user := &interactiveUser{t: t, r: r, b: newPageBrowser(t, r.url, r.db), item: someItem(t, r)}
	wc := func() *qbsim.WebConnector {
		q, err := buildQWC(ctx, r.db, r.url, testUser, 15)
		if err != nil {
			t.Fatal(err)
		}
		w, err := qbsim.NewWebConnector(qbsim.WebConnectorOptions{QWC: q, Password: testPassword, QuickBooks: r.company,
			NoOpWait: 20 * time.Millisecond, User: user, InteractivePoll: 20 * time.Millisecond, InteractiveTimeout: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}()

	// Declined: the session ends, the reason is kept, and the same orders
	// are not offered again.
	res, err := wc.RunSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != qbsim.OutcomeInteractiveRejected || res.Interactive != 1 || !strings.Contains(res.LastError, "without interactive mode") {
		t.Fatalf("declined session = %s %q %v", res.Outcome, res.LastError, res.Methods())
	}
	v, err := r.db.InteractiveVisitOfSession(ctx, lastSession(t, r).ID)
	if err != nil || v.State != store.VisitRejected || v.Reason != "The user declined interactive mode." {
		t.Errorf("the declined visit = %+v, %v", v, err)
	}
	if res, _ := wc.RunSession(ctx); res.Outcome != qbsim.OutcomeNone {
		t.Errorf("the next session = %s %v, want none: those orders were offered once", res.Outcome, res.Methods())
	}

	// New orders needing a mapping: asked again, and this time accepted.
	before := len(attentionFor(t, r))
	r.fake.AddOrders(4)
	stores, err := r.db.BCStores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.ts.pull.puller.Pull(ctx, stores[0].ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the new orders planned", func() bool { return len(attentionFor(t, r)) > before })
	user.accept = true
	res, err = wc.RunSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	user.wg.Wait()
	if user.err != nil {
		t.Fatal(user.err)
	}
	if res.Outcome != qbsim.OutcomeDone || res.Interactive != 1 || len(user.seen) == 0 {
		t.Fatalf("accepted session = %s (%s) interactive %d, saw %v: %v", res.Outcome, res.LastError, res.Interactive, user.seen, res.Methods())
	}
	methods := strings.Join(res.Methods(), ",")
	if !strings.Contains(methods, "getLastError,getInteractiveURL,interactiveDone") || !strings.Contains(methods, "interactiveDone,sendRequestXML,receiveResponseXML") {
		t.Errorf("calls = %s", methods)
	}
	if left := attentionFor(t, r); len(left) != 0 {
		t.Errorf("%d orders still need a mapping after the page", len(left))
	}
	r.checkBooksPosted()
}

func lastSession(t *testing.T, r *syncRig) store.Session {
	t.Helper()
	s, err := r.db.LastSession(context.Background(), r.companyID())
	if err != nil {
		t.Fatal(err)
	}
	return s
}
