package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/jobs"
	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/qbsim"
	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/qwc"
	"github.com/bcqb/bcqb/store"
	"github.com/bcqb/bcqb/web"
)

// mappingRig is a logged-in browser on a real server, a BigCommerce store
// with pulled products and orders, and a simulated QuickBooks company whose
// lists the real list-reading job read, through the real job source.
type mappingRig struct {
	t       *testing.T
	ts      *testServer
	b       *browser
	db      *store.DB
	st      store.BCStore
	company int64
	planner *jobs.Planner
	src     *jobs.Source
	sess    qwc.Session
	qb      *qbsim.Company
	csrf    string
}

// product is a pulled catalogue product (v3 with its variants, as the pull stores it).
type product struct {
	ID       int64            `json:"id"`
	Name     string           `json:"name"`
	Type     string           `json:"type"`
	SKU      string           `json:"sku"`
	Price    string           `json:"price"`
	Level    int64            `json:"inventory_level"`
	Tracking string           `json:"inventory_tracking"`
	Variants []map[string]any `json:"variants"`
}

func variant(id int64, sku, size string, level int64) map[string]any {
	return map[string]any{"id": id, "sku": sku, "price": "12.00", "inventory_level": level,
		"option_values": []map[string]any{{"id": id, "label": size, "option_display_name": "Size"}}}
}

var testCatalogue = []product{
	{ID: 10, Name: "Blue Mug", Type: "physical", SKU: "MUG-BLUE", Price: "10.00", Level: 7, Tracking: "product"},
	{ID: 20, Name: "T-Shirt", Type: "physical", SKU: "TEE", Price: "12.00", Tracking: "variant",
		Variants: []map[string]any{variant(21, "TEE-S", "S", 3), variant(22, "TEE-M", "M", 4)}},
	{ID: 30, Name: "Chrome Gadget", Type: "physical", SKU: "Gadget", Price: "49.50", Tracking: "none"},
	{ID: 40, Name: "Gift Card", Type: "digital", Price: "25.00", Tracking: "none"},
}

func newMappingRig(t *testing.T, settings string, catalogue []product) *mappingRig {
	t.Helper()
	ctx := context.Background()
	rg := &mappingRig{t: t, qb: qbsim.NewSampleCompany(qbsim.CompanyOptions{})}
	rg.ts = newServer(t, options{mapping: func(db *store.DB) web.MappingDeps {
		rg.planner = jobs.NewPlanner(db, nil)
		return web.MappingDeps{Replan: rg.planner.Replan, PullEvery: 5 * time.Minute}
	}}, "qb")
	rg.db = rg.ts.db
	rg.b = rg.ts.browser(t)
	rg.csrf = rg.b.setup(adminPassword)
	users, err := rg.db.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rg.company = users[0].CompanyID
	if rg.st, err = rg.db.PutBCStore(ctx, testSealer(t), store.BCStoreInput{StoreHash: "abc123", Token: "secret-token-3f9a", CompanyID: rg.company}); err != nil {
		t.Fatal(err)
	}
	if settings != "" {
		if err := rg.db.SetBCStoreSettings(ctx, rg.st.ID, settings); err != nil {
			t.Fatal(err)
		}
	}
	var docs []store.DocumentInput
	for _, p := range catalogue {
		raw, _ := json.Marshal(p)
		docs = append(docs, store.DocumentInput{Kind: store.DocProduct, BCID: p.ID, Raw: raw})
	}
	if len(docs) > 0 {
		if _, err := rg.db.PutDocuments(ctx, rg.st.ID, docs); err != nil {
			t.Fatal(err)
		}
	}
	// An item named like a SKU, so that the SKU is matched by name.
	rg.qbAdd(&qbxml.ItemNonInventoryAddRq{ItemNonInventoryAdd: qbxml.ItemNonInventoryAdd{Name: "TEE-M",
		SalesOrPurchase: &qbxml.SalesOrPurchase{Desc: "Medium tee", AccountRef: qbxml.RefName("Sales")}}})
	rg.src = jobs.NewSource(rg.db, nil, jobs.Lists{}, jobs.Add{}, jobs.Void{})
	_, s, err := rg.db.CreateSession(ctx, store.NewSession{UserID: users[0].ID, CompanyID: rg.company, State: store.SessionOpen, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	rg.sess = qwc.Session{ID: s.ID, PublicID: s.PublicID, CompanyID: rg.company, Version: qbxml.V13, Country: "US"}
	rg.sync() // the first session reads the company's lists
	return rg
}

// testSealer seals BigCommerce tokens with a key of the test's own.
func testSealer(t *testing.T) *store.Sealer {
	t.Helper()
	key, err := store.LoadOrCreateKey(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := store.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	return sealer
}

func (rg *mappingRig) qbAdd(rq qbxml.Request) {
	rg.t.Helper()
	b, err := qbxml.NewMessage(qbxml.StopOnError).Add("1", rq).Build(qbxml.V13)
	if err != nil {
		rg.t.Fatal(err)
	}
	out, err := rg.qb.ProcessRequest(context.Background(), string(b))
	if err != nil || strings.Contains(out, `statusSeverity="Error"`) {
		rg.t.Fatalf("QuickBooks add: %v %s", err, out)
	}
}

// sync plans and runs the Web Connector session until bcqb has nothing
// left to send to QuickBooks.
func (rg *mappingRig) sync() {
	rg.t.Helper()
	ctx := context.Background()
	idle := 0
	for range 50 {
		if err := rg.planner.Plan(ctx); err != nil {
			rg.t.Fatal(err)
		}
		rq, err := rg.src.Next(ctx, rg.sess)
		if errors.Is(err, qwc.ErrNoWork) {
			if idle++; idle == 2 {
				return
			}
			continue
		}
		if err != nil {
			rg.t.Fatal(err)
		}
		idle = 0
		rs, err := rg.qb.ProcessRequest(ctx, rq)
		if err != nil {
			rg.t.Fatal(err)
		}
		if err := rg.src.Deliver(ctx, rg.sess, qwc.Response{XML: rs}); err != nil {
			rg.t.Fatal(err)
		}
	}
	rg.t.Fatal("bcqb still had work after 50 messages")
}

// order stores a pulled order (as the pull stores it) of one line of sku.
func (rg *mappingRig) order(id int64, sku, name string, price string) {
	rg.t.Helper()
	line := map[string]any{"id": id*10 + 1, "order_id": id, "product_id": 10, "name": name, "sku": sku, "type": "physical",
		"quantity": 1, "base_price": price, "price_ex_tax": price, "price_inc_tax": price, "price_tax": "0.0000",
		"base_total": price, "total_ex_tax": price, "total_inc_tax": price, "total_tax": "0.0000", "discounted_total_inc_tax": price}
	o := map[string]any{"id": id, "status_id": 10, "status": "Completed", "channel_id": 1, "customer_id": 0,
		"date_created": "Tue, 03 Mar 2026 15:00:00 +0000", "date_modified": "Tue, 03 Mar 2026 15:00:00 +0000",
		"subtotal_ex_tax": price, "subtotal_inc_tax": price, "subtotal_tax": "0.0000", "total_ex_tax": price, "total_inc_tax": price,
		"total_tax": "0.0000", "items_total": 1, "payment_method": "Cash", "currency_code": "USD", "default_currency_code": "USD",
		"store_default_currency_code": "USD", "store_default_to_transactional_exchange_rate": "1.0000",
		"billing_address": map[string]any{"first_name": "Jane", "last_name": "Doe", "street_1": "1 Main St", "city": "Austin",
			"state": "Texas", "zip": "78701", "country": "United States", "email": "jane@example.com"}}
	raw, _ := json.Marshal(map[string]any{"order": o, "products": []any{line}})
	if _, err := rg.db.PutDocuments(context.Background(), rg.st.ID, []store.DocumentInput{{Kind: store.DocOrder, BCID: id, Raw: raw,
		DateModified: time.Date(2026, 3, 3, 15, 0, 0, 0, time.UTC)}}); err != nil {
		rg.t.Fatal(err)
	}
}

func (rg *mappingRig) posting(id int64) store.Posting {
	rg.t.Helper()
	ps, err := rg.db.Postings(context.Background(), rg.company, "", 1000)
	if err != nil {
		rg.t.Fatal(err)
	}
	for _, p := range ps {
		if p.DocKind == store.DocOrder && p.BCID == id {
			return p
		}
	}
	rg.t.Fatalf("no posting of order %d", id)
	return store.Posting{}
}

// receiptItems lists the items of the lines of the sales receipt with ref.
func (rg *mappingRig) receiptItems(ref string) []string {
	rg.t.Helper()
	var items []string
	for _, x := range rg.query(&qbxml.SalesReceiptQueryRq{IncludeLineItems: new(true)}) {
		if q, ok := x.(*qbxml.SalesReceiptQueryRs); ok {
			for _, sr := range q.SalesReceipts {
				if sr.RefNumber != ref {
					continue
				}
				for _, l := range sr.Lines {
					if l.ItemRef != nil {
						items = append(items, l.ItemRef.FullName)
					}
				}
			}
		}
	}
	return items
}

// query asks the simulated QuickBooks directly, as a person would look.
func (rg *mappingRig) query(rq qbxml.Request) []qbxml.Response {
	rg.t.Helper()
	b, err := qbxml.NewMessage(qbxml.StopOnError).Add("q", rq).Build(qbxml.V13)
	if err != nil {
		rg.t.Fatal(err)
	}
	out, err := rg.qb.ProcessRequest(context.Background(), string(b))
	if err != nil {
		rg.t.Fatal(err)
	}
	rs, err := qbxml.ParseResponse([]byte(out))
	if err != nil {
		rg.t.Fatal(err)
	}
	return rs.Responses
}

// itemKind is the kind of a QuickBooks item ("" when there is none).
func (rg *mappingRig) itemKind(name string) string {
	rg.t.Helper()
	for _, x := range rg.query(&qbxml.ItemQueryRq{ListFilter: qbxml.ListFilter{ActiveStatus: qbxml.ActiveAll}}) {
		if q, ok := x.(*qbxml.ItemQueryRs); ok {
			for i := range q.Items {
				if q.Items[i].FullName == name || q.Items[i].Name == name {
					return q.Items[i].Kind()
				}
			}
		}
	}
	return ""
}

func (rg *mappingRig) settings() plan.Settings {
	rg.t.Helper()
	st, err := rg.db.BCStore(context.Background(), rg.st.ID)
	if err != nil {
		rg.t.Fatal(err)
	}
	s, err := jobs.StoreSettings(st, false)
	if err != nil {
		rg.t.Fatal(err)
	}
	return s
}

func (rg *mappingRig) storedJSON() string {
	rg.t.Helper()
	st, err := rg.db.BCStore(context.Background(), rg.st.ID)
	if err != nil {
		rg.t.Fatal(err)
	}
	return st.SettingsJSON
}

func (rg *mappingRig) storeParam() string { return strconv.FormatInt(rg.st.ID, 10) }

// post sends a form of the mapping pages with the session's token.
func (rg *mappingRig) post(path string, form url.Values) answer {
	rg.t.Helper()
	form.Set("csrf", rg.csrf)
	if form.Get("store") == "" {
		form.Set("store", rg.storeParam())
	}
	return rg.b.post(path, form)
}

// follow gets the page a redirect names.
func (rg *mappingRig) follow(a answer) answer {
	rg.t.Helper()
	if a.StatusCode != http.StatusSeeOther {
		rg.t.Fatalf("%s %s = %d, want a redirect:\n%s", a.Request.Method, a.Request.URL.Path, a.StatusCode, text(a.body))
	}
	return rg.b.get(a.Header.Get("Location"))
}

var (
	rowRe    = regexp.MustCompile(`(?s)<tr class="[^"]*">\s*<td class="pick-cell"><input type="checkbox" name="sku" value="([^"]*)".*?</tr>`)
	statusRe = regexp.MustCompile(`<span class="status [a-z]+">([^<]+)</span>(?: <code>([^<]*)</code>)?`)
	tagRe    = regexp.MustCompile(`<[^>]+>`)
)

// rows reads the mapping table: SKU → status and item.
func rows(t *testing.T, body string) map[string][2]string {
	t.Helper()
	out := map[string][2]string{}
	for _, m := range rowRe.FindAllStringSubmatch(body, -1) {
		s := statusRe.FindStringSubmatch(m[0])
		if s == nil {
			t.Fatalf("row %s has no status:\n%s", m[1], m[0])
		}
		out[html.UnescapeString(m[1])] = [2]string{s[1], html.UnescapeString(s[2])}
	}
	return out
}

// text is a page's words, for messages and for checking what it says.
func text(body string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tagRe.ReplaceAllString(body, " "))), " ")
}

func TestMappingNeedsLoginAndToken(t *testing.T) {
	rg := newMappingRig(t, `{"items":"mapping"}`, testCatalogue)
	anon := rg.ts.browser(t)
	for _, path := range []string{"/mapping", "/mapping?store=" + rg.storeParam(), "/mapping/item?sku=TEE-S",
		"/mapping/settings", "/mapping/export"} {
		a := anon.get(path)
		if a.StatusCode != http.StatusSeeOther || !strings.HasPrefix(a.Header.Get("Location"), "/login") {
			t.Errorf("GET %s without a login = %d %s", path, a.StatusCode, a.Header.Get("Location"))
		}
	}
	before := rg.storedJSON()
	for _, path := range []string{"/mapping", "/mapping/settings", "/mapping/import", "/mapping/replan", "/mapping/lists"} {
		form := url.Values{"store": {rg.storeParam()}, "sku": {"MUG-BLUE"}, "item": {"Widget"}, "action": {"map"}}
		if a := anon.post(path, form); a.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST %s without a login = %d", path, a.StatusCode)
		}
		// Logged in, without the form's token, or with another.
		if a := rg.b.post(path, form); a.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without the token = %d", path, a.StatusCode)
		}
		form.Set("csrf", "not-the-token")
		if a := rg.b.post(path, form); a.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s with a wrong token = %d", path, a.StatusCode)
		}
	}
	if got := rg.storedJSON(); got != before {
		t.Errorf("refused posts changed the settings: %s", got)
	}
	// A file upload needs the token too.
	a := rg.upload(url.Values{"store": {rg.storeParam()}}, "settings.json", []byte(`{}`))
	if a.StatusCode != http.StatusForbidden {
		t.Errorf("import without the token = %d", a.StatusCode)
	}
	// Nothing of the store's token reaches the pages.
	for _, path := range []string{"/mapping", "/mapping/settings", "/mapping/export"} {
		if a := rg.b.get(path); strings.Contains(a.body, "secret-token") {
			t.Errorf("%s shows the BigCommerce token", path)
		}
	}
}

func TestMappingTable(t *testing.T) {
	rg := newMappingRig(t, `{"items":"mapping","skus":{"TEE-S":"Gift Wrap","OLD-SKU":"Old Sprocket"},"create_skus":{"Gift Card #40":"noninventory"}}`, testCatalogue)
	rg.order(501, "SOCK-RED", "Red socks", "4.00") // sold, but not in the catalogue as pulled
	rg.sync()

	a := rg.b.get("/mapping")
	if a.StatusCode != http.StatusOK {
		t.Fatalf("GET /mapping = %d\n%s", a.StatusCode, text(a.body))
	}
	got := rows(t, a.body)
	want := map[string][2]string{
		"MUG-BLUE":      {"Needs mapping", ""},
		"TEE-S":         {"Mapped", "Gift Wrap"},
		"TEE-M":         {"Auto-matched", "TEE-M"},
		"Gadget":        {"Auto-matched", "Gadget"},
		"Gift Card #40": {"Will be created", "Gift Card #40"},
		"SOCK-RED":      {"Needs mapping", ""},
		"OLD-SKU":       {"Mapped", "Old Sprocket"}, // only the settings name it, to an item QuickBooks lacks
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("row %s = %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("rows %v, want %d", got, len(want))
	}
	words := text(a.body)
	for _, w := range []string{"Size: S", "1 order not yet posted", "not in the catalogue as pulled", "(no SKU)", "Chrome Gadget", "49.50",
		"QuickBooks has no such item", "Mapped to a missing item (1)"} {
		if !strings.Contains(words, w) {
			t.Errorf("the table does not say %q:\n%s", w, words)
		}
	}
	if !strings.Contains(a.body, `<option value="Widget">`) || strings.Contains(a.body, `<option value="CA Sales Tax">`) {
		t.Error("the item list is not the items a product can post to")
	}

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"show=unmapped", []string{"Gift Card #40", "MUG-BLUE", "SOCK-RED", "OLD-SKU"}},
		{"show=problem", []string{"OLD-SKU"}},
		{"show=needs", []string{"MUG-BLUE", "SOCK-RED"}},
		{"show=mapped", []string{"TEE-S", "OLD-SKU"}},
		{"show=matched", []string{"Gadget", "TEE-M"}},
		{"sku=TEE-S", []string{"TEE-S"}},
		{"sku=tee-s", []string{"TEE-S"}},
		{"q=shirt", []string{"TEE-M", "TEE-S"}},
		{"q=gift+wrap", []string{"TEE-S"}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			a := rg.b.get("/mapping?store=" + rg.storeParam() + "&" + tc.query)
			got := rows(t, a.body)
			if len(got) != len(tc.want) {
				t.Errorf("rows %v, want %v", got, tc.want)
			}
			for _, k := range tc.want {
				if _, ok := got[k]; !ok {
					t.Errorf("row %s missing: %v", k, got)
				}
			}
		})
	}
	a = rg.b.get("/mapping?store=" + rg.storeParam() + "&sku=NO-SUCH")
	if len(rows(t, a.body)) != 0 || !strings.Contains(text(a.body), "SKU NO-SUCH is not in store abc123's catalogue") {
		t.Errorf("an unknown SKU: %s", text(a.body))
	}
	for _, q := range []string{"?store=x", "?store=99", "?store=-1"} {
		if a := rg.b.get("/mapping" + q); a.StatusCode != http.StatusBadRequest && a.StatusCode != http.StatusNotFound {
			t.Errorf("GET /mapping%s = %d", q, a.StatusCode)
		}
	}
}

func TestMappingPages(t *testing.T) {
	var big []product
	for i := range 120 {
		big = append(big, product{ID: int64(100 + i), Name: fmt.Sprintf("Product %03d", i), Type: "physical",
			SKU: fmt.Sprintf("P-%03d", i), Price: "1.00", Tracking: "none"})
	}
	rg := newMappingRig(t, "", big)
	seen := map[string]bool{}
	path := "/mapping"
	for page := 1; path != ""; page++ {
		a := rg.b.get(path)
		n := 0
		for k := range rows(t, a.body) {
			if seen[k] {
				t.Errorf("SKU %s on two pages", k)
			}
			seen[k] = true
			n++
		}
		if want := min(50, 120-(page-1)*50); n != want {
			t.Errorf("page %d has %d rows, want %d", page, n, want)
		}
		path = ""
		if m := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(a.body); m != nil {
			path = html.UnescapeString(m[1])
		}
		if page > 3 {
			t.Fatal("more than 3 pages of 50 for 120 SKUs")
		}
	}
	if len(seen) != 120 {
		t.Errorf("%d SKUs over the pages, want 120", len(seen))
	}
	if a := rg.b.get("/mapping?page=99"); len(rows(t, a.body)) != 20 {
		t.Error("a page past the end does not show the last page")
	}
}

// TestMappingPostsToTheMappedItem: an order of an unmapped SKU waits
// ("needs mapping"); mapping the SKU on the page plans it again at once,
// and the next session posts it to the item chosen.
func TestMappingPostsToTheMappedItem(t *testing.T) {
	rg := newMappingRig(t, `{"items":"mapping"}`, testCatalogue)
	rg.order(701, "MUG-BLUE", "Blue Mug", "10.00")
	rg.sync()
	if p := rg.posting(701); p.State != store.PostingAttention || !strings.Contains(p.Reason, "MUG-BLUE") {
		t.Fatalf("order 701 before mapping: %s %q", p.State, p.Reason)
	}
	a := rg.b.get("/mapping?store=" + rg.storeParam() + "&sku=MUG-BLUE")
	if got := rows(t, a.body)["MUG-BLUE"]; got[0] != "Needs mapping" {
		t.Fatalf("MUG-BLUE shows %q", got)
	}
	a = rg.follow(rg.post("/mapping", url.Values{"sku": {"MUG-BLUE"}, "item": {"widget"}, "action": {"map"}, "return": {"sku=MUG-BLUE"}}))
	words := text(a.body)
	if !strings.Contains(words, "Mapped 1 SKU.") || !strings.Contains(words, "1 was planned again") {
		t.Errorf("after mapping: %s", words)
	}
	if got := rows(t, a.body)["MUG-BLUE"]; got != [2]string{"Mapped", "Widget"} {
		t.Errorf("MUG-BLUE after mapping shows %q", got)
	}
	if s := rg.settings(); s.SKUs["MUG-BLUE"] != "Widget" {
		t.Errorf("stored mapping %v", s.SKUs)
	}
	if p := rg.posting(701); p.State != store.PostingPlanned {
		t.Errorf("order 701 after mapping: %s %q, want planned at once", p.State, p.Reason)
	}
	rg.sync()
	if p := rg.posting(701); p.State != store.PostingPosted {
		t.Fatalf("order 701 after the session: %s %q", p.State, p.Reason)
	}
	if items := rg.receiptItems("701"); len(items) == 0 || items[0] != "Widget" {
		t.Errorf("order 701 posted to %q, want Widget", items)
	}

	// "Create in QuickBooks": the order of another unmapped SKU posts to
	// a new item of its name.
	rg.order(702, "TEE-S", "T-Shirt", "12.00")
	rg.sync()
	if p := rg.posting(702); p.State != store.PostingAttention {
		t.Fatalf("order 702: %s %q", p.State, p.Reason)
	}
	a = rg.follow(rg.post("/mapping", url.Values{"sku": {"TEE-S"}, "action": {"create"}, "kind": {"inventory"}}))
	// Planned again at once, the order's job is creating the item already.
	if got := rows(t, a.body)["TEE-S"]; got != [2]string{"Being created", "TEE-S"} {
		t.Errorf("TEE-S marked for creation shows %q", got)
	}
	if s := rg.settings(); s.CreateSKUs["TEE-S"] != plan.ItemsCreateInventory {
		t.Errorf("stored create marks %v", s.CreateSKUs)
	}
	rg.sync()
	if p := rg.posting(702); p.State != store.PostingPosted {
		t.Fatalf("order 702 after creating: %s %q", p.State, p.Reason)
	}
	if items := rg.receiptItems("702"); len(items) == 0 || items[0] != "TEE-S" {
		t.Errorf("order 702 posted to %q, want the new item TEE-S", items)
	}
	if kind := rg.itemKind("TEE-S"); kind != "ItemInventory" {
		t.Errorf("TEE-S was created as %q, want the inventory part chosen", kind)
	}
	a = rg.b.get("/mapping?store=" + rg.storeParam() + "&sku=TEE-S")
	if got := rows(t, a.body)["TEE-S"]; got[0] != "Auto-matched" {
		t.Errorf("TEE-S once created shows %q", got)
	}
}

func TestMappingBulkAndClear(t *testing.T) {
	rg := newMappingRig(t, `{"items":"mapping"}`, testCatalogue)
	a := rg.follow(rg.post("/mapping", url.Values{"sku": {"MUG-BLUE", "TEE-S", "Gift Card #40"}, "item": {"Gift Wrap"}, "action": {"map"}}))
	if !strings.Contains(text(a.body), "Mapped 3 SKUs.") {
		t.Errorf("bulk map: %s", text(a.body))
	}
	s := rg.settings()
	for _, k := range []string{"MUG-BLUE", "TEE-S", "Gift Card #40"} {
		if s.SKUs[k] != "Gift Wrap" {
			t.Errorf("SKU %s mapped to %q", k, s.SKUs[k])
		}
	}
	rg.follow(rg.post("/mapping", url.Values{"sku": {"MUG-BLUE", "TEE-S"}, "action": {"create"}}))
	s = rg.settings()
	if s.SKUs["MUG-BLUE"] != "" || s.CreateSKUs["MUG-BLUE"] != plan.ItemsCreateNonInventory || s.SKUs["Gift Card #40"] != "Gift Wrap" {
		t.Errorf("after create: skus %v create %v", s.SKUs, s.CreateSKUs)
	}
	a = rg.follow(rg.post("/mapping", url.Values{"sku": {"MUG-BLUE", "Gift Card #40"}, "action": {"clear"}}))
	s = rg.settings()
	if _, ok := s.CreateSKUs["MUG-BLUE"]; ok || s.SKUs["Gift Card #40"] != "" || s.CreateSKUs["TEE-S"] == "" {
		t.Errorf("after clear: skus %v create %v", s.SKUs, s.CreateSKUs)
	}
	if got := rows(t, a.body)["MUG-BLUE"]; got[0] != "Needs mapping" {
		t.Errorf("MUG-BLUE cleared shows %q", got)
	}
}

func TestMappingBadInput(t *testing.T) {
	rg := newMappingRig(t, `{"items":"mapping","skus":{"TEE-S":"Gift Wrap"}}`, testCatalogue)
	rg.qbAdd(&qbxml.ItemServiceAddRq{ItemServiceAdd: qbxml.ItemServiceAdd{Name: "Retired", IsActive: new(false),
		SalesOrPurchase: &qbxml.SalesOrPurchase{AccountRef: qbxml.RefName("Sales")}}})
	// Added in QuickBooks since its lists were read: read them again.
	if a := rg.follow(rg.post("/mapping/lists", url.Values{})); !strings.Contains(text(a.body), "reads QuickBooks' lists again at its next run") {
		t.Errorf("after asking for the lists: %s", text(a.body))
	}
	rg.sync()
	long := strings.Repeat("x", 300)
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"nothing selected", url.Values{"item": {"Widget"}, "action": {"map"}}, "Select at least one SKU"},
		{"empty SKU", url.Values{"sku": {"  "}, "item": {"Widget"}, "action": {"map"}}, "Select at least one SKU"},
		{"SKU not in the catalogue", url.Values{"sku": {"NOPE"}, "item": {"Widget"}, "action": {"map"}}, `SKU "NOPE" is not in store abc123's catalogue`},
		{"SKU too long", url.Values{"sku": {long}, "item": {"Widget"}, "action": {"map"}}, "at most 255 characters"},
		{"no item", url.Values{"sku": {"MUG-BLUE"}, "item": {""}, "action": {"map"}}, "Choose the QuickBooks item"},
		{"item too long", url.Values{"sku": {"MUG-BLUE"}, "item": {long}, "action": {"map"}}, "at most 159 characters"},
		{"unknown item", url.Values{"sku": {"MUG-BLUE"}, "item": {"Sprocket"}, "action": {"map"}}, `QuickBooks has no item "Sprocket"`},
		{"a sales tax item", url.Values{"sku": {"MUG-BLUE"}, "item": {"CA Sales Tax"}, "action": {"map"}}, "is a sales tax item in QuickBooks"},
		{"an inactive item", url.Values{"sku": {"MUG-BLUE"}, "item": {"Retired"}, "action": {"map"}}, "is inactive in QuickBooks"},
		{"one bad SKU among good ones", url.Values{"sku": {"MUG-BLUE", "NOPE"}, "item": {"Widget"}, "action": {"map"}}, `SKU "NOPE"`},
		{"no action", url.Values{"sku": {"MUG-BLUE"}, "item": {"Widget"}}, "Choose what to do"},
		{"bad kind", url.Values{"sku": {"MUG-BLUE"}, "action": {"create"}, "kind": {"service"}}, "Choose what kind of item"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := rg.storedJSON()
			a := rg.post("/mapping", tc.form)
			if a.StatusCode != http.StatusBadRequest || !strings.Contains(text(a.body), tc.want) {
				t.Errorf("= %d, want 400 saying %q:\n%s", a.StatusCode, tc.want, text(a.body))
			}
			if !strings.Contains(a.body, `role="alert"`) {
				t.Error("the message is not on the page as an alert")
			}
			if got := rg.storedJSON(); got != before {
				t.Errorf("settings changed: %s", got)
			}
		})
	}
	a := rg.b.get("/mapping/item?store=" + rg.storeParam() + "&sku=NOPE")
	if a.StatusCode != http.StatusNotFound {
		t.Errorf("the item page of an unknown SKU = %d", a.StatusCode)
	}
}

func TestMappingItemSearch(t *testing.T) {
	rg := newMappingRig(t, `{"items":"mapping"}`, testCatalogue)
	a := rg.b.get("/mapping/item?store=" + rg.storeParam() + "&sku=MUG-BLUE&q=wid")
	if a.StatusCode != http.StatusOK || !strings.Contains(a.body, `value="Widget"`) || strings.Contains(a.body, `value="Gadget"`) {
		t.Fatalf("search for wid: %d\n%s", a.StatusCode, text(a.body))
	}
	// Suggestions without a search: items named like the product.
	a = rg.b.get("/mapping/item?store=" + rg.storeParam() + "&sku=Gadget")
	if !strings.Contains(a.body, `value="Gadget"`) {
		t.Errorf("no suggestion for Chrome Gadget:\n%s", text(a.body))
	}
	if a = rg.b.get("/mapping/item?store=" + rg.storeParam() + "&sku=MUG-BLUE&q=zzz"); !strings.Contains(text(a.body), `No active item that a product can post to matches "zzz"`) {
		t.Errorf("no match: %s", text(a.body))
	}
	// The result's form maps the SKU.
	rg.follow(rg.post("/mapping", url.Values{"sku": {"MUG-BLUE"}, "item": {"Widget"}, "action": {"map"}, "return": {"sku=MUG-BLUE"}}))
	if s := rg.settings(); s.SKUs["MUG-BLUE"] != "Widget" {
		t.Errorf("mapped from the search: %v", s.SKUs)
	}
}

// settingsForm reads the settings page's form (its inputs' values).
func (rg *mappingRig) settingsForm() url.Values {
	rg.t.Helper()
	a := rg.b.get("/mapping/settings?store=" + rg.storeParam())
	if a.StatusCode != http.StatusOK {
		rg.t.Fatalf("GET /mapping/settings = %d\n%s", a.StatusCode, text(a.body))
	}
	form := a.body[strings.Index(a.body, `action="/mapping/settings"`):]
	form = form[:strings.Index(form, "</form>")]
	v := url.Values{}
	for _, m := range regexp.MustCompile(`<input ([^>]*)>`).FindAllStringSubmatch(form, -1) {
		name := attr(m[1], "name")
		if name == "" || name == "csrf" {
			continue
		}
		if attr(m[1], "type") == "checkbox" {
			if strings.Contains(m[1], " checked") {
				v.Set(name, "on")
			}
			continue
		}
		v.Set(name, attr(m[1], "value"))
	}
	for _, m := range regexp.MustCompile(`(?s)<select id="[^"]*" name="([^"]*)"[^>]*>(.*?)</select>`).FindAllStringSubmatch(form, -1) {
		if sel := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(m[2]); sel != nil {
			v.Set(m[1], html.UnescapeString(sel[1]))
		}
	}
	return v
}

func attr(tag, name string) string {
	m := regexp.MustCompile(`(?:^|\s)` + name + `="([^"]*)"`).FindStringSubmatch(tag)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func TestMappingSettings(t *testing.T) {
	rg := newMappingRig(t, "", testCatalogue)
	rg.order(801, "Gadget", "Chrome Gadget", "49.50")
	rg.sync()
	if p := rg.posting(801); p.State != store.PostingPosted {
		t.Fatalf("order 801: %s %q", p.State, p.Reason)
	}
	v := rg.settingsForm()
	if v.Get("deposit_account") != "Undeposited Funds" || v.Get("mode") != plan.ModeAuto || v.Get("pm_bc_0") != "Cash" || v.Get("rounding_limit") != "0.05" {
		t.Fatalf("the form shows %v", v)
	}
	if page := text(rg.b.get("/mapping/settings").body); !strings.Contains(page, "pulled every 5 minutes") {
		t.Errorf("the pull schedule is not shown: %s", page)
	}

	v.Set("deposit_account", "checking")
	v.Set("class", "Web Store")
	v.Set("pm_method_0", "Cash")
	v.Set("pm_deposit_0", "Undeposited Funds")
	v.Set("pm_bc_1", "PayPal")
	v.Set("pm_method_1", "Visa")
	v.Set("tax_name_0", "State Tax")
	v.Set("tax_item_0", "CA Sales Tax")
	v.Set("mode", plan.ModeInvoice)
	v.Set("rounding_limit", "0.10")
	v.Set("time_zone", "America/Chicago")
	v.Set("backfill_from", "2025-01-01")
	v.Set("restock", "on")
	v.Set("inventory", "quickbooks")
	a := rg.follow(rg.post("/mapping/settings", v))
	if words := text(a.body); !strings.Contains(words, "Saved the settings.") || !strings.Contains(words, "apply to documents not yet in QuickBooks: 0 were planned again") {
		t.Errorf("after saving: %s", words)
	}
	s := rg.settings()
	if s.DepositAccount != "Checking" || s.Class != "Web Store" || s.PaymentMethods["Cash"] != "Cash" || s.PaymentMethods["PayPal"] != "Visa" ||
		s.PaymentDeposits["Cash"] != "Undeposited Funds" || s.TaxItems["State Tax"] != "CA Sales Tax" || s.Mode != plan.ModeInvoice ||
		s.RoundingLimit.String() != "0.1" || s.TimeZone != "America/Chicago" || !s.Restock || s.Inventory != "quickbooks" {
		t.Errorf("stored %+v", s)
	}
	st, _ := rg.db.BCStore(context.Background(), rg.st.ID)
	if st.BackfillFrom.Format(time.DateOnly) != "2025-01-01" {
		t.Errorf("backfill %v", st.BackfillFrom)
	}
	if got := rg.settingsForm(); got.Get("deposit_account") != "Checking" || got.Get("pm_bc_1") != "PayPal" || got.Get("backfill_from") != "2025-01-01" {
		t.Errorf("the form after saving shows %v", got)
	}

	// An order not posted yet is planned again with the new settings.
	rg.order(802, "Gadget", "Chrome Gadget", "49.50")
	if err := rg.planner.Plan(context.Background()); err != nil {
		t.Fatal(err)
	}
	v = rg.settingsForm()
	v.Set("mode", plan.ModeAuto)
	if words := text(rg.follow(rg.post("/mapping/settings", v)).body); !strings.Contains(words, "1 was planned again") {
		t.Errorf("re-planned: %s", words)
	}

	for _, tc := range []struct {
		name, field, value, want string
		create                   bool
	}{
		{"unknown account", "income_account", "Web Sales", `QuickBooks has no account "Web Sales"`, false},
		{"wrong account type", "income_account", "Checking", `"Checking" is a bank account in QuickBooks; this needs an income account`, false},
		{"wrong item kind", "shipping_item", "CA Sales Tax", "is a sales tax item in QuickBooks", true},
		{"not creatable", "ar_account", "Receivables 2", "choose an accounts receivable account it has", true},
		{"empty", "deposit_account", "", "choose a bank or other current asset account", false},
		{"too long", "class", strings.Repeat("c", 200), "at most 159 characters", false},
		{"too long to create", "shipping_item", strings.Repeat("s", 40), "at most 31 characters", true},
		{"parent name", "class", "Web:Outlet", "bcqb creates top-level names only", true},
		{"bad choice", "mode", "sometimes", "choose one of the options", false},
		{"bad rounding limit", "rounding_limit", "lots", "is not an amount", false},
		{"rounding limit too big", "rounding_limit", "5", "between 0.00 and 1.00", false},
		{"bad time zone", "time_zone", "Mars/Olympus", "is not a time zone name", false},
		{"bad date", "backfill_from", "2025-13-01", "is not a date", false},
		{"future date", "backfill_from", "2999-01-01", "the date is in the future", false},
		{"prefix too long", "ref_prefix", "STORE-1", "at most 5 characters", false},
		{"payment method without its BigCommerce name", "pm_method_2", "Cash", "Name the BigCommerce payment method", false},
		{"unknown payment method", "pm_method_0", "Bitcoin", `QuickBooks has no payment method "Bitcoin"`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := rg.storedJSON()
			v := rg.settingsForm()
			v.Set("class", "Web Store")
			v.Set(tc.field, tc.value)
			if tc.create {
				v.Set("create_missing", "on")
			}
			a := rg.post("/mapping/settings", v)
			if a.StatusCode != http.StatusBadRequest || !strings.Contains(text(a.body), tc.want) {
				t.Errorf("= %d, want 400 saying %q:\n%s", a.StatusCode, tc.want, text(a.body))
			}
			if !strings.Contains(text(a.body), "Nothing was saved") {
				t.Error("the page does not say nothing was saved")
			}
			if got := rg.storedJSON(); got != before {
				t.Errorf("settings changed: %s", got)
			}
		})
	}

	// A new name is created when the user agrees.
	v = rg.settingsForm()
	v.Set("income_account", "BigCommerce Web Sales")
	v.Set("shipping_item", "Web Shipping")
	v.Set("create_missing", "on")
	a = rg.follow(rg.post("/mapping/settings", v))
	if !strings.Contains(text(a.body), "creates the 2 new names in QuickBooks") {
		t.Errorf("after creating: %s", text(a.body))
	}
	if s := rg.settings(); s.IncomeAccount != "BigCommerce Web Sales" || s.ShippingItem != "Web Shipping" {
		t.Errorf("stored %q %q", s.IncomeAccount, s.ShippingItem)
	}

	// A form made from settings changed since is refused, whole.
	stale := rg.settingsForm()
	v = rg.settingsForm()
	v.Set("class", "")
	rg.follow(rg.post("/mapping/settings", v))
	before := rg.storedJSON()
	stale.Set("refund", plan.RefundByCheck)
	a = rg.post("/mapping/settings", stale)
	if a.StatusCode != http.StatusBadRequest || !strings.Contains(text(a.body), "changed since this page was opened") {
		t.Errorf("stale form = %d: %s", a.StatusCode, text(a.body))
	}
	if got := rg.storedJSON(); got != before {
		t.Errorf("a stale form changed the settings")
	}
}

// upload posts a multipart form with a file, as a browser does.
func (rg *mappingRig) upload(fields url.Values, name string, data []byte) answer {
	rg.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			rg.t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, rg.ts.URL+"/mapping/import", &body)
	if err != nil {
		rg.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Origin", rg.ts.URL)
	return rg.b.do(req)
}

func TestMappingExportImport(t *testing.T) {
	rg := newMappingRig(t, `{"items":"mapping","skus":{"MUG-BLUE":"Widget"},"create_skus":{"TEE-S":"inventory"},"deposit_account":"Checking","payment_methods":{"Cash":"Cash"}}`, testCatalogue)
	a := rg.b.get("/mapping/export?store=" + rg.storeParam())
	if a.StatusCode != http.StatusOK || !strings.Contains(a.Header.Get("Content-Disposition"), "bcqb-settings-abc123-") ||
		!strings.HasPrefix(a.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("export = %d %v", a.StatusCode, a.Header)
	}
	exported := []byte(a.body)
	var file struct {
		Format   string        `json:"format"`
		Version  int           `json:"version"`
		Store    string        `json:"store_hash"`
		Settings plan.Settings `json:"settings"`
	}
	if err := json.Unmarshal(exported, &file); err != nil {
		t.Fatal(err)
	}
	if file.Format != "bcqb-settings" || file.Version != 1 || file.Store != "abc123" || file.Settings.SKUs["MUG-BLUE"] != "Widget" ||
		file.Settings.CreateSKUs["TEE-S"] != "inventory" || file.Settings.DepositAccount != "Checking" {
		t.Fatalf("exported %s", exported)
	}

	// Change everything, then import the file back: as exported again.
	rg.follow(rg.post("/mapping", url.Values{"sku": {"MUG-BLUE"}, "item": {"Gadget"}, "action": {"map"}}))
	v := rg.settingsForm()
	v.Set("deposit_account", "Undeposited Funds")
	v.Set("mode", plan.ModeInvoice)
	rg.follow(rg.post("/mapping/settings", v))
	fields := url.Values{"csrf": {rg.csrf}, "store": {rg.storeParam()}}
	a = rg.follow(rg.upload(fields, "settings.json", exported))
	if !strings.Contains(text(a.body), "Imported the settings file.") {
		t.Errorf("after import: %s", text(a.body))
	}
	s := rg.settings()
	if s.SKUs["MUG-BLUE"] != "Widget" || s.DepositAccount != "Checking" || s.Mode != plan.ModeAuto || s.CreateSKUs["TEE-S"] != "inventory" {
		t.Errorf("imported %+v", s)
	}
	again := rg.b.get("/mapping/export?store=" + rg.storeParam()).body
	strip := regexp.MustCompile(`"exported_at": "[^"]*"`)
	if strip.ReplaceAllString(again, "") != strip.ReplaceAllString(string(exported), "") {
		t.Errorf("export → import → export differs:\n%s\n%s", exported, again)
	}

	edit := func(change func(m map[string]any)) []byte {
		var m map[string]any
		json.Unmarshal(exported, &m)
		change(m)
		b, _ := json.Marshal(m)
		return b
	}
	settingsOf := func(m map[string]any) map[string]any { return m["settings"].(map[string]any) }
	for _, tc := range []struct {
		name string
		data []byte
		file string
		want string
	}{
		{"no file", nil, "", "Choose the settings file to import"},
		{"too large", bytes.Repeat([]byte("{"), 3<<20), "big.json", "larger than 2 MB"},
		{"larger than a form takes", bytes.Repeat([]byte("x"), 5<<20), "huge.json", "could not read this form"},
		{"empty", []byte("  \n"), "settings.json", "The file is empty"},
		{"a CSV", []byte("sku,item\nMUG-BLUE,Widget\n"), "mapping.csv", "looks like a CSV"},
		{"not JSON", []byte("\x00\x01binary"), "x.bin", "it is not JSON"},
		{"another JSON", []byte(`{"name":"my-app","version":"1.0.0"}`), "package.json", `has no "format": "bcqb-settings"`},
		{"a JSON list", []byte(`[1,2,3]`), "list.json", "not a bcqb settings file"},
		{"a newer version", edit(func(m map[string]any) { m["version"] = 2 }), "new.json", "written by a newer bcqb"},
		{"no version", edit(func(m map[string]any) { delete(m, "version") }), "old.json", "no valid format version"},
		{"unknown setting", edit(func(m map[string]any) { settingsOf(m)["colour"] = "blue" }), "s.json", `the setting "colour", which this bcqb does not know`},
		{"wrong type", edit(func(m map[string]any) { settingsOf(m)["restock"] = "yes" }), "s.json", "should be true or false"},
		{"bad choice", edit(func(m map[string]any) { settingsOf(m)["mode"] = "sometimes" }), "s.json", "choose one of the options"},
		{"unknown account", edit(func(m map[string]any) { settingsOf(m)["deposit_account"] = "Piggy Bank" }), "s.json", `QuickBooks has no account "Piggy Bank"`},
		{"SKU not in the catalogue", edit(func(m map[string]any) { settingsOf(m)["skus"] = map[string]string{"GHOST": "Widget"} }), "s.json", `SKU "GHOST" is not in the store's catalogue`},
		{"SKU to an unknown item", edit(func(m map[string]any) { settingsOf(m)["skus"] = map[string]string{"TEE-M": "Sprocket"} }), "s.json", `QuickBooks has no item "Sprocket"`},
		{"bad create kind", edit(func(m map[string]any) { settingsOf(m)["create_skus"] = map[string]string{"TEE-M": "service"} }), "s.json", "Only \"noninventory\" and \"inventory\""},
		{"bad fee", edit(func(m map[string]any) {
			settingsOf(m)["fees"] = map[string]any{"Cash": map[string]string{"percent": "250", "fixed": "0"}}
		}), "s.json", "a percentage between 0 and 100"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := rg.storedJSON()
			a := rg.upload(fields, tc.file, tc.data)
			if a.StatusCode != http.StatusBadRequest || !strings.Contains(text(a.body), tc.want) {
				t.Errorf("= %d, want 400 saying %q:\n%s", a.StatusCode, tc.want, text(a.body))
			}
			if !strings.Contains(text(a.body), "othing was changed") && tc.file != "" && tc.name != "larger than a form takes" {
				t.Error("the page does not say nothing was changed")
			}
			if got := rg.storedJSON(); got != before {
				t.Errorf("a refused file changed the settings: %s", got)
			}
		})
	}
	// The create tick lets a file name what QuickBooks lacks.
	data := edit(func(m map[string]any) { settingsOf(m)["deposit_account"] = "Stripe Clearing" })
	fields.Set("create_missing", "on")
	rg.follow(rg.upload(fields, "s.json", data))
	if s := rg.settings(); s.DepositAccount != "Stripe Clearing" {
		t.Errorf("deposit account %q after an import that creates it", s.DepositAccount)
	}
}

func TestMappingStorePicker(t *testing.T) {
	rg := newMappingRig(t, "", testCatalogue)
	other, err := rg.db.PutBCStore(context.Background(), testSealer(t), store.BCStoreInput{StoreHash: "zzz999", Token: "tok", CompanyID: rg.company})
	if err != nil {
		t.Fatal(err)
	}
	a := rg.b.get("/mapping")
	if a.StatusCode != http.StatusOK || !strings.Contains(a.body, "/mapping?store="+rg.storeParam()) ||
		!strings.Contains(a.body, fmt.Sprintf("/mapping?store=%d", other.ID)) || len(rows(t, a.body)) != 0 {
		t.Errorf("with two stores, /mapping is not a picker:\n%s", text(a.body))
	}
	a = rg.b.get(fmt.Sprintf("/mapping?store=%d", other.ID))
	if len(rows(t, a.body)) != 0 || !strings.Contains(text(a.body), "zzz999") {
		t.Errorf("the other store's table: %s", text(a.body))
	}
	// Two stores share the company file: the prefix each posts with is said.
	if words := text(rg.b.get("/mapping/settings?store=" + rg.storeParam()).body); !strings.Contains(words, fmt.Sprintf("empty means B%d-", rg.st.ID)) {
		t.Errorf("shared company file: %s", words)
	}
}

// TestMappingKeepsTheDefaultsThePlannerWouldPick: a first change on the
// page, before the planner stored the settings it picks from the company
// file, saves those picks with the change, not bcqb's bare defaults.
func TestMappingKeepsTheDefaultsThePlannerWouldPick(t *testing.T) {
	rg := newMappingRig(t, "", testCatalogue)
	if err := rg.db.SetBCStoreSettings(context.Background(), rg.st.ID, "{}"); err != nil {
		t.Fatal(err)
	}
	// The sample company has a "Shipping" item; bcqb's own default is another.
	if plan.DefaultShippingItem == "Shipping" {
		t.Fatal("the test needs a default unlike the company's item")
	}
	if v := rg.settingsForm(); v.Get("shipping_item") != "Shipping" {
		t.Errorf("the form shows shipping item %q, not the company file's", v.Get("shipping_item"))
	}
	rg.follow(rg.post("/mapping", url.Values{"sku": {"MUG-BLUE"}, "item": {"Widget"}, "action": {"map"}}))
	if s := rg.settings(); s.ShippingItem != "Shipping" || s.SKUs["MUG-BLUE"] != "Widget" {
		t.Errorf("after the first change: shipping item %q, SKUs %v", s.ShippingItem, s.SKUs)
	}
}
