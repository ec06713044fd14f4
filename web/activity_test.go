package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/bigcommerce/bcfake"
	"github.com/bcqb/bcqb/jobs"
	"github.com/bcqb/bcqb/pull"
	"github.com/bcqb/bcqb/qbsim"
	"github.com/bcqb/bcqb/qwc"
	"github.com/bcqb/bcqb/soap"
	"github.com/bcqb/bcqb/store"
	"github.com/bcqb/bcqb/web"
)

// activityRig is bcqb's whole chain in one test: the offline BigCommerce
// store pulled by the real puller, the real planner, and the simulated Web
// Connector driving a simulated QuickBooks company through the handler's
// real Web Connector endpoint. The pages then show what a sync left.
type activityRig struct {
	t         *testing.T
	ts        *testServer
	db        *store.DB
	fake      *bcfake.Store
	planner   *jobs.Planner
	puller    *pull.Puller
	company   *qbsim.Company
	wc        *qbsim.WebConnector
	storeID   int64
	companyID int64
}

const rigToken = "tok-activity-5f3a"

func newActivityRig(t *testing.T, orders int, seed int64, settings string) *activityRig {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	r := &activityRig{t: t, company: qbsim.NewSampleCompany(qbsim.CompanyOptions{})}
	r.fake = bcfake.New(bcfake.Options{Seed: seed, Orders: orders, Token: rigToken, StoreHash: "act1",
		Window: 20 * time.Millisecond, Logger: quiet})
	api := httptest.NewServer(r.fake.Handler())
	t.Cleanup(api.Close)
	r.ts = newServer(t, options{wire: func(d *web.Deps, db *store.DB, baseURL string) {
		owner := func(ctx context.Context) (string, error) {
			return db.SettingOrCreate(ctx, qwc.SettingOwnerID, store.NewGUID)
		}
		if _, err := owner(ctx); err != nil {
			t.Fatal(err)
		}
		r.planner = jobs.NewPlanner(db, quiet)
		src := jobs.NewSource(db, quiet, jobs.CompanyInfo{OwnerID: owner}, jobs.Lists{}, jobs.Add{}, jobs.Void{})
		svc := qwc.NewService(qwc.DefaultConfig("test", baseURL+"/"), db, src, quiet)
		d.SOAP = soap.NewHandler(svc, baseURL+"/qbwc", 0, quiet)
		d.Activity = web.ActivityDeps{Replan: r.planner.Replan, Wake: r.planner.Wake}
	}}, "qb")
	r.db = r.ts.db
	users, err := r.db.Users(ctx)
	if err != nil || len(users) != 1 {
		t.Fatal(users, err)
	}
	r.companyID = users[0].CompanyID
	key, err := store.LoadOrCreateKey(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := store.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	st, err := r.db.PutBCStore(ctx, sealer, store.BCStoreInput{StoreHash: "act1", Token: rigToken, CompanyID: r.companyID,
		BackfillFrom: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	r.storeID = st.ID
	if err := r.db.SetBCStoreSettings(ctx, st.ID, settings); err != nil {
		t.Fatal(err)
	}
	if r.puller, err = pull.New(pull.Options{Store: r.db, Sealer: sealer, APIURL: api.URL + "/stores/{store_hash}/", Log: quiet}); err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.EnqueueCompanyInfo(ctx, r.db); err != nil {
		t.Fatal(err)
	}
	// The Web Connector allows plain http for localhost only.
	f, err := qwc.BuildFile(ctx, r.db, store.NewGUID, qwc.FileOptions{
		BaseURL: strings.Replace(r.ts.URL, "127.0.0.1", "localhost", 1), UserName: "qb", RunEveryNMinutes: 15})
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	q, err := qbsim.ParseQWC(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if r.wc, err = qbsim.NewWebConnector(qbsim.WebConnectorOptions{QWC: q, Password: "password-qb", QuickBooks: r.company,
		NoOpWait: 20 * time.Millisecond, Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	return r
}

// pull runs one queued pull task of the store, as the puller's workers do.
func (r *activityRig) pull(kind string) {
	r.t.Helper()
	ctx := context.Background()
	if _, _, err := r.puller.Enqueue(ctx, store.PullTask{StoreID: r.storeID, Kind: kind, Since: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		r.t.Fatal(err)
	}
	if ran, err := r.puller.RunNext(ctx); err != nil || !ran {
		r.t.Fatalf("pull: ran %v, %v", ran, err)
	}
}

// sync plans and runs Web Connector sessions until bcqb has nothing to send.
func (r *activityRig) sync() {
	r.t.Helper()
	ctx := context.Background()
	for i := 0; i < 20; i++ {
		if err := r.planner.Plan(ctx); err != nil {
			r.t.Fatal(err)
		}
		res, err := r.wc.RunSession(ctx)
		if err != nil {
			r.t.Fatal(err)
		}
		if res.Outcome == qbsim.OutcomeNone {
			return
		}
	}
	r.t.Fatal("bcqb still had work after 20 sessions")
}

func (r *activityRig) postings(states ...string) []store.PostingRow {
	r.t.Helper()
	rows, _, err := r.db.PostingRows(context.Background(), store.PostingQuery{StoreID: r.storeID, States: states, Limit: 10000})
	if err != nil {
		r.t.Fatal(err)
	}
	return rows
}

func (r *activityRig) posting(id int64) store.PostingRow {
	r.t.Helper()
	rows, err := r.db.PostingRowsByID(context.Background(), []int64{id})
	if err != nil || len(rows) != 1 {
		r.t.Fatalf("posting %d: %v %v", id, rows, err)
	}
	return rows[0]
}

// inQuickBooks reports whether QuickBooks holds the document's sale or
// credit memo (by its RefNumber).
func (r *activityRig) inQuickBooks(p store.PostingRow) bool {
	kinds := map[string]bool{"SalesReceipt": true, "Invoice": true}
	if p.DocKind == store.DocRefund {
		kinds = map[string]bool{"CreditMemo": true}
	}
	for _, x := range r.company.Transactions() {
		if kinds[x.Kind] && x.RefNumber == p.RefNumber {
			return true
		}
	}
	return false
}

// noun is how the page counts the documents: orders, refunds or both.
func noun(rows []store.PostingRow) string {
	kinds := map[string]bool{}
	for _, p := range rows {
		kinds[p.DocKind] = true
	}
	switch {
	case len(kinds) > 1:
		return "documents"
	case kinds[store.DocRefund]:
		return "refunds"
	}
	return "orders"
}

var noticeRE = regexp.MustCompile(`(?s)<p class="notice[^"]*" role="status">(.*?)</p>`)

// notice is the message a page shows after an action ("" when none).
func notice(body string) string {
	if m := noticeRE.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// follow GETs the redirect of a POST's answer.
func (b *browser) follow(a answer) answer {
	b.t.Helper()
	if a.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("%s = %d %q; want a redirect", a.Request.URL.Path, a.StatusCode, a.body)
	}
	return b.get(a.Header.Get("Location"))
}

// TestNeedsAttention: orders whose SKUs have no QuickBooks item land on
// /attention with the SKUs to map; Skip (one, then in bulk) keeps a document
// out of QuickBooks for good, even once it is planned with jobs; Retry after
// the fix queues the rest, and the sync posts them; undoing a skip posts it.
func TestNeedsAttention(t *testing.T) {
	r := newActivityRig(t, 14, 5, `{"items": "mapping"}`)
	ctx := context.Background()
	r.pull(store.PullIncremental)
	r.sync()
	waiting := r.postings(store.PostingAttention)
	// Orders first: the two skipped below are orders.
	sort.SliceStable(waiting, func(i, j int) bool {
		return waiting[i].DocKind == store.DocOrder && waiting[j].DocKind != store.DocOrder
	})
	if len(waiting) < 4 || waiting[1].DocKind != store.DocOrder {
		t.Fatalf("%d documents need attention; the seeded store should have more orders needing a mapping", len(waiting))
	}
	b := r.ts.browser(t)
	b.setup(adminPassword)

	page := b.get("/attention")
	if page.StatusCode != 200 {
		t.Fatalf("GET /attention = %d %q", page.StatusCode, page.body)
	}
	sku := waiting[0].SKUs
	if len(sku) == 0 {
		t.Fatalf("posting %d needs attention without the SKUs it waits for: %q", waiting[0].ID, waiting[0].Reason)
	}
	link := `href="/mapping?` + strings.ReplaceAll(url.Values{"sku": {sku[0]}, "store": {strconv.FormatInt(r.storeID, 10)}}.Encode(), "&", "&amp;") + `"`
	for _, want := range []string{link, "No QuickBooks item is mapped to", `value="retry:p:`, `value="skip:p:`,
		fmt.Sprintf(`value="p:%d"`, waiting[0].ID), "Map SKU <code>" + sku[0] + "</code>"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("/attention does not show %s", want)
		}
	}
	if got := strings.Count(page.body, `name="sel" value="p:`); got != len(waiting) {
		t.Errorf("/attention lists %d documents, the store has %d needing attention", got, len(waiting))
	}

	t.Run("the dashboard counts them", func(t *testing.T) {
		counts, err := r.db.PostingCounts(ctx, r.companyID)
		if err != nil {
			t.Fatal(err)
		}
		d := b.get("/")
		key := fmt.Sprintf("companies.c%d.postings.", r.companyID)
		for _, state := range []string{store.PostingAttention, store.PostingPosted, store.PostingSkipped} {
			want := fmt.Sprintf(`data-live="%s%s">%d<`, key, state, counts[state])
			if !strings.Contains(d.body, want) {
				t.Errorf("dashboard does not show %s", want)
			}
		}
		a := b.get("/api/status")
		var st struct {
			Attention int `json:"attention"`
			Companies map[string]struct {
				Postings map[string]int `json:"postings"`
				Jobs     struct {
					Failed int `json:"failed"`
				} `json:"jobs"`
				LastCall time.Time `json:"last_call"`
			} `json:"companies"`
			Stores map[string]struct {
				PullState string `json:"pull_state"`
				Pull      struct {
					Orders  int `json:"orders"`
					Percent int `json:"percent"`
				} `json:"pull"`
			} `json:"stores"`
		}
		if err := json.Unmarshal([]byte(a.body), &st); err != nil || !strings.HasPrefix(a.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("/api/status = %q %q: %v", a.Header.Get("Content-Type"), a.body, err)
		}
		c := st.Companies[fmt.Sprintf("c%d", r.companyID)]
		if c.Postings[store.PostingAttention] != counts[store.PostingAttention] || st.Attention != counts[store.PostingAttention] ||
			c.LastCall.IsZero() {
			t.Errorf("/api/status = %s; want %d needing attention", a.body, counts[store.PostingAttention])
		}
		s := st.Stores[fmt.Sprintf("s%d", r.storeID)]
		if s.PullState != store.PullOK || s.Pull.Orders == 0 || s.Pull.Percent != 100 {
			t.Errorf("/api/status store = %+v; want the finished pull with its orders", s)
		}
	})

	tok := b.csrf(page)
	first := waiting[0]
	a := b.follow(b.post("/attention", url.Values{"csrf": {tok}, "one": {fmt.Sprintf("skip:p:%d", first.ID)}}))
	if !strings.Contains(a.body, "1 order skipped: bcqb will not post it.") {
		t.Errorf("after Skip: %q", notice(a.body))
	}
	if p := r.posting(first.ID); p.State != store.PostingSkipped || p.SkippedBy != "the admin (from 127.0.0.1)" ||
		!strings.HasPrefix(p.Reason, "Skipped by the admin (from 127.0.0.1) on ") {
		t.Errorf("skipped posting = %s by %q: %q", p.State, p.SkippedBy, p.Reason)
	}

	// The bookkeeper lets bcqb create the items, and retries every other one.
	if err := r.db.SetBCStoreSettings(ctx, r.storeID, `{"items": "noninventory"}`); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"csrf": {tok}, "action": {"retry"}}
	for _, p := range waiting[1:] {
		form.Add("sel", fmt.Sprintf("p:%d", p.ID))
	}
	a = b.follow(b.post("/attention", form))
	if want := fmt.Sprintf("%d %s queued again.", len(waiting)-1, noun(waiting[1:])); !strings.Contains(a.body, want) {
		t.Errorf("after Retry: want %q", want)
	}
	for _, p := range waiting[1:] {
		if got := r.posting(p.ID); got.State != store.PostingPlanned || got.JobID == 0 || got.JobState != store.JobQueued {
			t.Errorf("order %d after Retry: %s, job %d %s (%q)", got.BCID, got.State, got.JobID, got.JobState, got.Reason)
		}
	}
	if p := r.posting(first.ID); p.State != store.PostingSkipped {
		t.Errorf("Retry (planning the store again) brought back the skipped order: %s", p.State)
	}

	// Skipped in bulk once planned, with its jobs queued: never sent.
	second := r.posting(waiting[1].ID)
	a = b.follow(b.post("/attention", url.Values{"csrf": {tok}, "action": {"skip"}, "sel": {fmt.Sprintf("p:%d", second.ID)}}))
	if !strings.Contains(a.body, "1 order skipped") {
		t.Errorf("after bulk Skip: %q", notice(a.body))
	}
	r.sync()
	for _, p := range []store.PostingRow{first, second} {
		if got := r.posting(p.ID); got.State != store.PostingSkipped {
			t.Errorf("skipped order %d after the sync: %s", p.BCID, got.State)
		}
		if r.inQuickBooks(p) {
			t.Errorf("skipped order %d (RefNumber %s) was sent to QuickBooks", p.BCID, p.RefNumber)
		}
	}
	for _, p := range waiting[2:] {
		if got := r.posting(p.ID); got.State != store.PostingPosted || !r.inQuickBooks(got) {
			t.Errorf("order %d after the fix and a retry: %s (%q)", got.BCID, got.State, got.Reason)
		}
	}
	// A new version from BigCommerce leaves a skipped order skipped.
	if err := r.fake.SetStaffNotes(first.BCID, "the customer called"); err != nil {
		t.Fatal(err)
	}
	r.pull(store.PullIncremental)
	r.sync()
	if v, err := r.db.DocumentVersions(ctx, r.storeID, store.DocOrder, first.BCID); err != nil || len(v) < 2 {
		t.Fatalf("order %d has %d versions (%v); the change in BigCommerce was not pulled", first.BCID, len(v), err)
	}
	if got := r.posting(first.ID); got.State != store.PostingSkipped || r.inQuickBooks(got) {
		t.Errorf("skipped order after a new version: %s", got.State)
	}

	t.Run("undo a skip", func(t *testing.T) {
		page := b.get("/attention")
		if !strings.Contains(page.body, fmt.Sprintf(`value="unskip:p:%d"`, first.ID)) {
			t.Fatalf("/attention does not offer to undo the skip:\n%s", page.body)
		}
		a := b.follow(b.post("/attention", url.Values{"csrf": {tok}, "one": {fmt.Sprintf("unskip:p:%d", first.ID)}}))
		if !strings.Contains(a.body, "The skip of 1 order was undone") {
			t.Errorf("after Undo skip: %q", notice(a.body))
		}
		r.sync()
		if got := r.posting(first.ID); got.State != store.PostingPosted || !r.inQuickBooks(got) {
			t.Errorf("order after undoing its skip: %s (%q)", got.State, got.Reason)
		}
	})

	t.Run("bad selections", func(t *testing.T) {
		for _, f := range []url.Values{
			{"csrf": {tok}, "action": {"retry"}, "sel": {"p:abc"}},
			{"csrf": {tok}, "action": {"retry"}, "sel": {"x:1"}},
			{"csrf": {tok}, "action": {"explode"}, "sel": {"p:1"}},
			{"csrf": {tok}, "one": {"retry"}},
		} {
			if a := b.post("/attention", f); a.StatusCode != http.StatusBadRequest || !strings.Contains(a.body, "bcqb") {
				t.Errorf("POST %v = %d %q; want 400 saying why", f, a.StatusCode, a.body)
			}
		}
		a := b.follow(b.post("/attention", url.Values{"csrf": {tok}, "action": {"skip"}}))
		if !strings.Contains(a.body, "Nothing was selected") {
			t.Errorf("an empty selection: %q", notice(a.body))
		}
	})
}

// TestFailedRecordRetry: a failed QuickBooks record that carries no
// document (a customer bcqb could not create) is listed with what QuickBooks
// said, and Retry puts it back in the queue.
func TestFailedRecordRetry(t *testing.T) {
	ts := newServer(t, options{}, "qb")
	ctx := context.Background()
	users, _ := ts.db.Users(ctx)
	j, _, err := ts.db.Enqueue(ctx, store.Job{CompanyID: users[0].CompanyID, Kind: jobs.KindAdd, DedupeKey: "customer:email:jane@example.com",
		Payload: `{"key":"customer:email:jane@example.com","what":"customer Jane Doe"}`})
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.db.Update(ctx, func(tx *store.Tx) error {
		return tx.EndJob(ctx, j.ID, store.JobFailed, "customer Jane Doe: the name is used in QuickBooks by a vendor")
	}); err != nil {
		t.Fatal(err)
	}
	b := ts.browser(t)
	tok := b.setup(adminPassword)
	page := b.get("/attention")
	for _, want := range []string{"customer Jane Doe", "the name is used in QuickBooks by a vendor", fmt.Sprintf(`value="retry:j:%d"`, j.ID)} {
		if !strings.Contains(page.body, want) {
			t.Errorf("/attention does not show %q", want)
		}
	}
	if d := b.get("/"); !strings.Contains(d.body, `data-live="attention">1<`) {
		t.Error("the dashboard does not count the failed record")
	}
	a := b.follow(b.post("/attention", url.Values{"csrf": {tok}, "one": {fmt.Sprintf("retry:j:%d", j.ID)}}))
	if !strings.Contains(a.body, "1 failed QuickBooks record queued again.") {
		t.Errorf("after Retry: %q", notice(a.body))
	}
	if got, _ := ts.db.Job(ctx, j.ID); got.State != store.JobQueued {
		t.Errorf("job after Retry = %s", got.State)
	}
}

// TestActivityPagesNeedLogin: every activity page and action needs the
// login, and every action the form's token from bcqb's own page.
func TestActivityPagesNeedLogin(t *testing.T) {
	ts := newServer(t, options{}, "qb")
	ctx := context.Background()
	if _, err := ts.db.PutAdminPassword(ctx, adminPassword); err != nil {
		t.Fatal(err)
	}
	anon := ts.browser(t)
	if a := anon.get("/api/status"); a.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/status logged out = %d; want 401", a.StatusCode)
	}
	for _, path := range []string{"/attention", "/orders", "/log", "/log.csv", "/log/messages/1", "/reconcile"} {
		a := anon.get(path)
		if a.StatusCode != http.StatusSeeOther || !strings.HasPrefix(a.Header.Get("Location"), "/login?next=") {
			t.Errorf("GET %s logged out = %d %q; want on to the login", path, a.StatusCode, a.Header.Get("Location"))
		}
	}
	if a := anon.post("/attention", url.Values{"action": {"retry"}, "sel": {"j:1"}}); a.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST /attention logged out = %d", a.StatusCode)
	}

	users, _ := ts.db.Users(ctx)
	j, _, _ := ts.db.Enqueue(ctx, store.Job{CompanyID: users[0].CompanyID, Kind: jobs.KindAdd, DedupeKey: "item:x"})
	ts.db.Update(ctx, func(tx *store.Tx) error { return tx.EndJob(ctx, j.ID, store.JobFailed, "item x: refused") })
	b := ts.browser(t)
	tok := b.login(adminPassword)
	for name, tc := range map[string]struct {
		form    url.Values
		headers []string
	}{
		"no token":          {url.Values{"action": {"retry"}, "sel": {fmt.Sprintf("j:%d", j.ID)}}, nil},
		"a wrong token":     {url.Values{"csrf": {tok + "x"}, "action": {"retry"}, "sel": {fmt.Sprintf("j:%d", j.ID)}}, nil},
		"from another site": {url.Values{"csrf": {tok}, "action": {"retry"}, "sel": {fmt.Sprintf("j:%d", j.ID)}}, []string{"Origin", "https://evil.example"}},
	} {
		t.Run(name, func(t *testing.T) {
			if a := b.post("/attention", tc.form, tc.headers...); a.StatusCode != http.StatusForbidden {
				t.Errorf("POST /attention = %d %q; want 403", a.StatusCode, a.body)
			}
			if got, _ := ts.db.Job(ctx, j.ID); got.State != store.JobFailed {
				t.Errorf("a refused form retried the job: %s", got.State)
			}
		})
	}
}

var csvSecrets = regexp.MustCompile(`(?i)` + regexp.QuoteMeta(rigToken) + `|password-qb|` + regexp.QuoteMeta(adminPassword))

// TestOrdersLogAndReconcile: after a sync, /orders shows each order with its
// QuickBooks transaction, the sync log lists the sessions, messages and
// pulls (and exports them as valid CSV without secrets), and the
// reconciliation matches until QuickBooks holds another amount for an order.
func TestOrdersLogAndReconcile(t *testing.T) {
	r := newActivityRig(t, 12, 9, `{}`)
	ctx := context.Background()
	r.pull(store.PullIncremental)
	r.sync()
	posted := r.postings(store.PostingPosted)
	if len(posted) == 0 {
		t.Fatal("nothing was posted")
	}
	b := r.ts.browser(t)
	b.setup(adminPassword)

	t.Run("orders", func(t *testing.T) {
		var order store.PostingRow
		for _, p := range posted {
			if p.DocKind == store.DocOrder && p.TxnID != "" {
				order = p
				break
			}
		}
		a := b.get("/orders?q=" + strconv.FormatInt(order.BCID, 10))
		for _, want := range []string{fmt.Sprintf("Order %d", order.BCID), order.TxnID, order.TxnType, "<code>" + order.RefNumber + "</code>", order.BCTotal} {
			if !strings.Contains(a.body, want) {
				t.Errorf("/orders?q=%d does not show %q", order.BCID, want)
			}
		}
		all := b.get("/orders?state=posted")
		if n := strings.Count(all.body, `class="state state-posted"`); n != min(len(posted), 50) {
			t.Errorf("/orders?state=posted lists %d, the store has %d posted", n, len(posted))
		}
		if strings.Contains(all.body, `class="state state-skipped"`) {
			t.Error("/orders?state=posted lists a skipped document")
		}
		for _, bad := range []string{"/orders?state=lost", "/orders?page=0", "/orders?store=999", "/orders?day=yesterday"} {
			if a := b.get(bad); a.StatusCode < 400 || a.StatusCode >= 500 {
				t.Errorf("GET %s = %d; want it refused with a reason", bad, a.StatusCode)
			}
		}
	})

	t.Run("log", func(t *testing.T) {
		a := b.get("/log")
		for _, want := range []string{"Web Connector session", "qbXML message", "Pull of act1", "products pulled", "BigCommerce order"} {
			if !strings.Contains(a.body, want) {
				t.Errorf("/log does not show %q", want)
			}
		}
		m := regexp.MustCompile(`href="/log/messages/(\d+)"`).FindStringSubmatch(a.body)
		if m == nil {
			t.Fatal("/log links no message")
		}
		msg := b.get("/log/messages/" + m[1])
		if msg.StatusCode != 200 || !strings.Contains(msg.body, "QuickBooks' answers") || !strings.Contains(msg.body, "&lt;QBXML&gt;") {
			t.Errorf("GET /log/messages/%s = %d, without QuickBooks' answers or the qbXML", m[1], msg.StatusCode)
		}
		if a := b.get("/log/messages/99999999"); a.StatusCode != http.StatusNotFound {
			t.Errorf("a message that does not exist = %d", a.StatusCode)
		}

		c := b.get("/log.csv")
		if c.StatusCode != 200 || !strings.HasPrefix(c.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(c.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("GET /log.csv = %d %q %q", c.StatusCode, c.Header.Get("Content-Type"), c.Header.Get("Content-Disposition"))
		}
		recs, err := csv.NewReader(strings.NewReader(c.body)).ReadAll()
		if err != nil {
			t.Fatalf("the CSV does not parse: %v", err)
		}
		if len(recs) < 3 || strings.Join(recs[0], ",") != "time_utc,type,id,who,session,state,summary,error,jobs,ended_utc" {
			t.Fatalf("CSV header %q, %d rows", recs[0], len(recs))
		}
		kinds := map[string]int{}
		for _, rec := range recs[1:] {
			kinds[rec[1]]++
			if _, err := time.Parse(time.RFC3339, rec[0]); err != nil {
				t.Errorf("CSV row %q: time %v", rec, err)
			}
		}
		if kinds["session"] == 0 || kinds["message"] == 0 || kinds["pull"] == 0 {
			t.Errorf("CSV rows by type = %v; want sessions, messages and pulls", kinds)
		}
		if !strings.Contains(c.body, "\r\n") {
			t.Error("the CSV's lines do not end in CRLF (RFC 4180)")
		}
		if s := csvSecrets.FindString(c.body + a.body); s != "" {
			t.Errorf("the log shows a secret: %q", s)
		}
		only, err := csv.NewReader(strings.NewReader(b.get("/log.csv?show=message").body)).ReadAll()
		if err != nil || len(only) < 2 {
			t.Fatalf("/log.csv?show=message: %d rows, %v", len(only), err)
		}
		for _, rec := range only[1:] {
			if rec[1] != "message" {
				t.Errorf("/log.csv?show=message has a %s row", rec[1])
			}
		}
	})

	t.Run("reconcile", func(t *testing.T) {
		var order store.PostingRow
		for _, p := range posted {
			if p.DocKind == store.DocOrder && p.PostedAmount != "" {
				order = p
				break
			}
		}
		day := order.DocDate.UTC().Format("2006-01-02")
		path := fmt.Sprintf("/reconcile?store=%d&from=%s&to=%s", r.storeID, day, day)
		a := b.get(path)
		if a.StatusCode != 200 || strings.Contains(a.body, `class="flagged"`) || !strings.Contains(a.body, "No day differs") {
			t.Fatalf("GET %s before = %d %q", path, a.StatusCode, a.body)
		}
		// QuickBooks holds 5.00 less for the order than BigCommerce's total.
		e, err := r.db.Ledger(ctx, r.companyID, fmt.Sprintf("order:%d:%d", r.storeID, order.BCID))
		if err != nil {
			t.Fatal(err)
		}
		amount, err := decimal.NewFromString(e.Amount)
		if err != nil {
			t.Fatal(err)
		}
		e.Amount = amount.Sub(decimal.NewFromInt(5)).StringFixed(2)
		if err := r.db.Update(ctx, func(tx *store.Tx) error { return tx.PutLedger(ctx, r.companyID, e) }); err != nil {
			t.Fatal(err)
		}
		a = b.get(path)
		if !strings.Contains(a.body, `class="flagged"`) || !strings.Contains(a.body, "differs by 5.00") || !strings.Contains(a.body, "1 day differs") {
			t.Errorf("GET %s after = %q; want the day flagged, 5.00 apart", path, a.body)
		}
		for _, bad := range []string{"/reconcile?from=2026-13-01", "/reconcile?from=2026-03-02&to=2026-03-01", "/reconcile?from=2020-01-01&to=2026-01-01"} {
			if a := b.get(bad); a.StatusCode != http.StatusBadRequest {
				t.Errorf("GET %s = %d; want 400", bad, a.StatusCode)
			}
		}
	})
}
