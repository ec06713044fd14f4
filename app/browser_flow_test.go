package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/bigcommerce/bcfake"
	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/qbsim"
	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/store"
)

// The offline store of the flow: seed 155 has one shipped order (100) of
// one SKU, and the order its shoppers place next (101) sells one other.
const (
	flowHash  = "flow1"
	flowToken = "flowtoken0123456789wxyz"
	flowSeed  = 155
	firstSKU  = "SKU-138"
	laterSKU  = "SKU-101-L-RUS"
	// connectLabel is the store form's label of its Web Connector user
	// (the password form below it has a field named "Web Connector user").
	connectLabel = "Web Connector user (its company file receives this store's orders)"
)

// newFlowRig is the sync rig of a bcqb that knows neither the offline store
// nor a Web Connector user: BCQB_BIGCOMMERCE_API_URL points at the store,
// and the page connects both. Its Web Connector (r.wc) is made once the
// page has created the user (flowConnector).
func newFlowRig(t *testing.T, orders int, seed int64) *syncRig {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	fake := bcfake.New(bcfake.Options{Seed: seed, Orders: orders, Token: flowToken, StoreHash: flowHash,
		Window: 20 * time.Millisecond, Logger: quiet})
	api := httptest.NewServer(fake.Handler())
	t.Cleanup(api.Close)
	apiURL := api.URL + "/stores/{store_hash}/"
	ts := startServerWith(t, t.TempDir(), "http://localhost:%d", map[string]string{
		"BCQB_BIGCOMMERCE_API_URL": apiURL, "BCQB_QBWC_USER": "", "BCQB_QBWC_PASSWORD": "", "BCQB_LOG_LEVEL": "warn",
	}, nil)
	return &syncRig{t: t, fake: fake, ts: ts, db: ts.DB(), url: ts.URL, apiURL: apiURL,
		company: qbsim.NewSampleCompany(qbsim.CompanyOptions{})}
}

// addQBItem adds a non-inventory item to the simulated company, as the
// bookkeeper would in QuickBooks.
func (r *syncRig) addQBItem(name string) {
	r.t.Helper()
	rs := r.qbQuery(&qbxml.ItemNonInventoryAddRq{ItemNonInventoryAdd: qbxml.ItemNonInventoryAdd{Name: name,
		SalesOrPurchase: &qbxml.SalesOrPurchase{Desc: "added in QuickBooks by hand", AccountRef: qbxml.RefName("Sales")}}})
	if h := rs[0].Header(); h.StatusCode != 0 {
		r.t.Fatalf("adding item %s to QuickBooks: %d %s", name, h.StatusCode, h.StatusMessage)
	}
}

// pullNow pulls the store at once (what its schedule or a webhook does).
func (r *syncRig) pullNow() {
	r.t.Helper()
	if _, err := r.ts.pull.puller.Pull(context.Background(), r.store().ID); err != nil {
		r.t.Fatal(err)
	}
}

// posting is the posting of order id, or fails the test.
func (r *syncRig) posting(order int64) store.Posting {
	r.t.Helper()
	return postingOf(r.t, r.db, r.companyID(), order)
}

// dashboardPosted reads the dashboard's count of posted documents.
func dashboardPosted(b *browserTab) int {
	b.t.Helper()
	n, err := strconv.Atoi(b.facts("Documents (orders and refunds)")["posted"])
	if err != nil {
		b.fatalf("the dashboard's posted count: %v", err)
	}
	return n
}

// TestBrowserFlow is the bookkeeper's first hour, in the browser: the
// first-run password; logging in; connecting the offline store on /connect
// (the Web Connector user, then "Test connection only" naming the store
// before anything is saved, then saving); orders waiting for a mapping
// (the store's item policy, set on the settings page); mapping a SKU; a
// sync through the simulated Web Connector posting the order (dashboard,
// orders page); a new order with a SKU nothing maps, under "Needs
// attention" with its cause; the fix (the item added in QuickBooks, the
// mapping page reading QuickBooks' lists again, reached by the row's Fix
// link), Retry, a sync, and the order posted. Each page it meets is checked
// for accessibility and for fitting a phone, and with BCQB_SCREENSHOTS set
// the setup, connect, mapping, dashboard and needs-attention pages are saved.
func TestBrowserFlow(t *testing.T) {
	needBrowser(t)
	r := newFlowRig(t, 1, flowSeed)
	ctx := context.Background()
	b := openBrowser(t, r.url)

	// First run: the password, and logging in with it.
	b.open("/")
	b.wantPath("/setup")
	b.checkPage()
	b.wantFits(phone)
	b.screenshot("setup")
	b.setFirstPassword(adminPassword)
	b.logOut()
	b.logIn(adminPassword)
	b.waitText("There is no Web Connector user yet")

	// The Web Connector user, made on the connect page.
	b.clickLinkIn("header nav", "Connect")
	b.wantHeading("Connect")
	b.fill("User name", testUser)
	b.fill("Password", testPassword)
	b.fill("The same password again", testPassword)
	b.clickButton("Add the user")
	b.rowWhere(b.table("Web Connector users"), "User", testUser)
	r.wc = r.webConnector(qbsim.ConnectorFaults{})

	// The store: tested first (its name shows, nothing is saved), then saved.
	b.fill("Store hash", flowHash)
	b.fill("Access token", flowToken)
	b.fill(connectLabel, testUser)
	b.fill("Backfill from (optional)", "2020-01-01")
	b.pressButton("Test connection only")
	b.waitText("The connection works: store bcqb Offline Store")
	if stores, err := r.db.BCStores(ctx); err != nil || len(stores) != 0 {
		t.Fatalf("the test saved %d stores (%v)", len(stores), err)
	}
	b.checkPage()
	b.wantFits(phone)
	b.screenshot("connect")
	b.clickButton("Test and connect")
	row := b.rowWhere(b.table("BigCommerce stores"), "Store", flowHash)
	if !strings.Contains(row["As last tested"], "bcqb Offline Store") || row["Posts to"] != testUser {
		t.Errorf("the connected store's row: %q", row)
	}
	if tok := row["Access token"]; tok != "••••••••wxyz" || strings.Contains(b.visibleText(), flowToken) {
		t.Errorf("the access token shows as %q (want it masked, and the token nowhere)", tok)
	}
	r.pulled()

	// Unknown SKUs wait for a mapping: the store's item policy.
	b.clickLinkIn("header nav", "Mapping")
	b.clickLink("Posting settings")
	b.wantHeading("Posting settings · store " + flowHash)
	b.fill("A SKU QuickBooks has no item for", "its orders wait until it is mapped")
	b.clickButton("Save settings")
	b.waitText("Saved the settings.")
	b.checkPage()
	var saved plan.Settings
	if err := json.Unmarshal([]byte(r.store().SettingsJSON), &saved); err != nil || saved.Items != plan.ItemsRequireMapping {
		t.Fatalf("the store's settings after saving: %s (%v)", r.store().SettingsJSON, err)
	}

	// The first sync reads QuickBooks' lists; the order waits for its SKU.
	r.settle()
	if p := r.posting(100); p.State != store.PostingAttention {
		t.Fatalf("order 100 after the first sync: %s %q, want it waiting for a mapping", p.State, p.Reason)
	}
	b.clickLinkIn("header nav", "Dashboard")
	b.waitText("1 needs attention")

	// Map the SKU on the mapping page.
	b.clickLinkIn("header nav", "Mapping")
	b.fill("Search SKU, product or item", "Blanket")
	b.clickButton("Search")
	skus := b.table("Mapping · store " + flowHash)
	if got := b.rowWhere(skus, "SKU", firstSKU)["Posts to"]; !strings.HasPrefix(got, "Needs mapping") {
		t.Errorf("SKU %s before mapping: %q", firstSKU, got)
	}
	b.fill("QuickBooks item for "+firstSKU, "Widget")
	b.clickButtonIn(`form.row-map:has(input[value="`+firstSKU+`"])`, "Map")
	b.waitText("Mapped 1 SKU. Changes apply to documents not yet in QuickBooks: 1 was planned again")
	skus = b.table("Mapping · store " + flowHash)
	if got := b.rowWhere(skus, "SKU", firstSKU)["Posts to"]; !strings.HasPrefix(got, "Mapped Widget") {
		t.Errorf("SKU %s after mapping: %q", firstSKU, got)
	}
	b.checkPage()
	b.checkFocus(12)
	b.wantFits(phone)
	b.screenshot("mapping")

	// A sync posts the order: the dashboard counts it, the orders page
	// names its QuickBooks transaction.
	r.settle()
	first := r.posting(100)
	if first.State != store.PostingPosted {
		t.Fatalf("order 100 after mapping and a sync: %s %q", first.State, first.Reason)
	}
	b.clickLinkIn("header nav", "Dashboard")
	if n := dashboardPosted(b); n != 1 {
		t.Errorf("the dashboard counts %d posted, want 1", n)
	}
	b.waitText("0 need attention")
	b.clickLink("Orders")
	order := b.rowWhere(b.table("Orders"), "Document", "Order 100 "+flowHash)
	if order["State"] != "posted" || !strings.Contains(order["QuickBooks transaction"], first.RefNumber) {
		t.Errorf("order 100 on the orders page: %q; want it posted as %s", order, first.RefNumber)
	}
	b.checkPage()
	b.wantFits(phone)

	// A new order sells a SKU that nothing maps: it needs attention, and the
	// page says why.
	later := r.fake.AddOrders(1)
	r.pullNow()
	r.settle()
	if p := r.posting(later[0]); p.State != store.PostingAttention {
		t.Fatalf("order %d: %s %q, want it waiting for a mapping of %s", later[0], p.State, p.Reason, laterSKU)
	}
	b.clickLinkIn("header nav", "Dashboard")
	if n := dashboardPosted(b); n != 1 {
		t.Errorf("the dashboard counts %d posted, want 1", n)
	}
	b.checkPage()
	b.checkFocus(6)
	b.wantFits(phone)
	b.screenshot("dashboard")
	b.clickLink("1 needs attention")
	b.wantHeading("Needs attention")
	name := "Order " + strconv.FormatInt(later[0], 10)
	docs := b.table("Documents")
	if len(docs) != 1 {
		t.Fatalf("%d documents need attention, want order %d only: %q", len(docs), later[0], docs)
	}
	if !strings.HasPrefix(docs[0]["Document"], name) ||
		!strings.HasPrefix(docs[0]["Cause and fix"], "No QuickBooks item is mapped to SKU "+laterSKU+". Fix: Map each SKU") {
		t.Errorf("the document needing attention: %q", docs[0])
	}
	b.checkPage()
	b.wantFits(phone)
	b.screenshot("needs-attention")

	// The fix: the bookkeeper adds the item in QuickBooks, follows the row's
	// link to the SKU on the mapping page, and has bcqb read the lists again.
	r.addQBItem(laterSKU)
	b.clickLinkIn("table.attention", "Map SKU "+laterSKU)
	b.wantHeading("Mapping · store " + flowHash)
	b.waitText("Showing SKU " + laterSKU + " only.")
	b.clickButton("Read QuickBooks' lists again")
	b.waitText("The Web Connector reads QuickBooks' lists again at its next run")
	r.settle()
	b.reload()
	skus = b.table("Mapping · store " + flowHash)
	if got := b.rowWhere(skus, "SKU", laterSKU)["Posts to"]; !strings.HasPrefix(got, "Auto-matched "+laterSKU) {
		t.Errorf("SKU %s after QuickBooks got its item: %q", laterSKU, got)
	}

	// The order still waits (reading the lists plans nothing again): Retry.
	b.clickLinkIn("header nav", "Needs attention")
	b.rowWhere(b.table("Documents"), "Document", docs[0]["Document"])
	b.clickButtonIn("table.attention", "Retry")
	b.waitText("1 order queued again.")
	if p := r.posting(later[0]); p.State != store.PostingPlanned {
		t.Errorf("order %d after Retry: %s %q, want it queued", later[0], p.State, p.Reason)
	}
	r.settle()
	r.checkBooksPosted()
	b.reload()
	b.waitText("Nothing needs attention.")
	b.clickLinkIn("header nav", "Dashboard")
	if n := dashboardPosted(b); n != 2 {
		t.Errorf("the dashboard counts %d posted, want 2", n)
	}
	b.clickLink("Orders")
	p := r.posting(later[0])
	order = b.rowWhere(b.table("Orders"), "Document", name+" "+flowHash)
	if order["State"] != "posted" || !strings.Contains(order["QuickBooks transaction"], p.RefNumber) {
		t.Errorf("%s on the orders page: %q; want it posted as %s", name, order, p.RefNumber)
	}
}

// attentionRow is the CSS selector of the row of posting p on /attention.
func attentionRow(p store.Posting) string {
	return "table.attention tr:has(#sel-p-" + strconv.FormatInt(p.ID, 10) + ")"
}

// TestBrowserWithoutJavaScript: with JavaScript off in the browser, the core
// actions still work, each a plain form whose answer is a page: testing the
// store's connection, Skip and Undo skip, mapping a SKU from the row of its
// order, and Retry once QuickBooks has the items an order waits for.
func TestBrowserWithoutJavaScript(t *testing.T) {
	needBrowser(t)
	// Seed 36: order 100 (shipped) sells SKU-118 and SKU-102, order 101
	// (completed) SKU-119; both wait for a mapping.
	r := newSyncRig(t, 2, 36)
	ctx := context.Background()
	if err := r.db.SetBCStoreSettings(ctx, r.store().ID, `{"items": "mapping"}`); err != nil {
		t.Fatal(err)
	}
	r.pulled()
	r.settle()
	shipped, paid := r.posting(100), r.posting(101)
	if shipped.State != store.PostingAttention || paid.State != store.PostingAttention {
		t.Fatalf("orders 100 and 101 are %s and %s, want both waiting for a mapping", shipped.State, paid.State)
	}
	b := openBrowser(t, r.url)
	b.disableScripts()
	b.setFirstPassword(adminPassword)

	// "Test connection only" posts the form; the answer is the page.
	b.open("/connect?edit=sync1")
	b.clickButton("Test connection only")
	b.waitText("The connection works: store bcqb Offline Store")
	b.waitText("Nothing was saved yet")

	// Skip, then undo it.
	b.clickLinkIn("header nav", "Needs attention")
	b.clickButtonIn(attentionRow(shipped), "Skip")
	b.waitText("1 order skipped: bcqb will not post it.")
	if p := r.posting(100); p.State != store.PostingSkipped {
		t.Errorf("order 100 after Skip: %s", p.State)
	}
	if rows := b.table("Skipped by you"); len(rows) != 1 || !strings.HasPrefix(rows[0]["Document"], "Order 100") {
		t.Errorf("skipped by you: %q", rows)
	}
	b.clickButton("Undo skip")
	b.waitText("The skip of 1 order was undone")
	if p := r.posting(100); p.State != store.PostingAttention {
		t.Errorf("order 100 after Undo skip: %s %q, want it back waiting for its SKUs", p.State, p.Reason)
	}

	// Map the SKU of order 101 from its row.
	b.clickLinkIn(attentionRow(paid), "Map SKU SKU-119")
	if !evalJS[bool](b, `document.getElementById("select-all").hidden`) {
		t.Error("the mapping page's script ran: JavaScript is not off")
	}
	b.fill("QuickBooks item for SKU-119", "Gadget")
	b.clickButtonIn("form.row-map", "Map")
	b.waitText("Mapped 1 SKU.")
	if p := r.posting(101); p.State != store.PostingPlanned {
		t.Errorf("order 101 after mapping its SKU: %s %q, want it queued", p.State, p.Reason)
	}

	// QuickBooks gets the items of order 100; once bcqb has read the lists
	// again, Retry queues the order, and the next sync posts both.
	r.addQBItem("SKU-118")
	r.addQBItem("SKU-102")
	b.clickButton("Read QuickBooks' lists again")
	b.waitText("The Web Connector reads QuickBooks' lists again at its next run")
	r.settle()
	b.clickLinkIn("header nav", "Needs attention")
	b.clickButtonIn(attentionRow(shipped), "Retry")
	b.waitText("1 order queued again.")
	r.settle()
	r.checkBooksPosted()
	for _, id := range []int64{100, 101} {
		if p := r.posting(id); p.State != store.PostingPosted {
			t.Errorf("order %d: %s %q", id, p.State, p.Reason)
		}
	}
	b.reload()
	b.waitText("Nothing needs attention.")
}

// TestBrowserBadInput: bad input on the forms gets its message on the page,
// visible and announced (role="alert"), and changes nothing: a token
// BigCommerce refuses (tested by the page's script, and sent), a token that
// cannot be one, an empty store hash, two passwords that differ, an empty
// mapping, an item QuickBooks lacks, a bulk action with nothing ticked, a
// setting naming an account QuickBooks lacks, a settings file that is a CSV,
// and Retry with nothing ticked.
func TestBrowserBadInput(t *testing.T) {
	needBrowser(t)
	r := newSyncRig(t, 1, flowSeed)
	ctx := context.Background()
	r.pulled()
	r.settle()
	st := r.store()
	b := openBrowser(t, r.url)
	b.setFirstPassword(adminPassword)
	unchanged := func(what string) {
		t.Helper()
		stores, err := r.db.BCStores(ctx)
		if err != nil || len(stores) != 1 || stores[0].SettingsJSON != st.SettingsJSON {
			t.Errorf("%s changed the stores: %+v (%v)", what, stores, err)
		}
		if tok, err := r.db.BCStoreToken(ctx, r.ts.pull.sealer, st.ID); err != nil || tok != "tok-sync" {
			t.Errorf("%s: the store's token is now %q (%v)", what, tok, err)
		}
	}

	// The connect page.
	b.open("/connect")
	b.fill("Store hash", "other1")
	b.fill("Access token", "wrongtoken0123456789")
	b.fill(connectLabel, testUser)
	const refused = "BigCommerce refused the access token (401 Unauthorized)"
	b.pressButton("Test connection only")
	b.waitText(refused)
	b.wantAlert(refused)
	b.clickButton("Test and connect")
	b.wantAlert(refused)
	b.wantAlert("Nothing was saved.")
	b.checkPage()
	b.wantFits(phone)
	unchanged("a refused token")

	b.fill("Access token", "not a token!")
	b.clickButton("Test and connect")
	b.wantAlert("Nothing was saved: fix what is marked below.")
	b.waitText("The access token has only letters and digits")
	if !evalJS[bool](b, `document.getElementById("token").getAttribute("aria-invalid") === "true" && document.getElementById("token-error").checkVisibility()`) {
		t.Error("the token field is not marked invalid with its message beside it")
	}
	unchanged("a malformed token")

	b.fill("Store hash", "")
	evalJS[bool](b, `document.getElementById("store-form").noValidate = true`)
	b.clickButton("Test and connect")
	b.wantAlert("Nothing was saved: fix what is marked below.")
	if msg := evalJS[string](b, `(document.getElementById("store_hash-error") || {innerText: ""}).innerText`); msg == "" {
		t.Error("an empty store hash has no message beside its field")
	}
	unchanged("an empty store hash")

	b.fillIn("#add-user + form", "User name", "qb2")
	b.fillIn("#add-user + form", "Password", testPassword)
	b.fillIn("#add-user + form", "The same password again", testPassword+" typo")
	b.clickButton("Add the user")
	b.wantAlert("The user was not created: fix what is marked below.")
	if users, err := r.db.Users(ctx); err != nil || len(users) != 1 {
		t.Errorf("users after two passwords that differ: %d (%v)", len(users), err)
	}

	// The mapping page.
	b.open("/mapping?" + "store=" + strconv.FormatInt(st.ID, 10) + "&sku=" + firstSKU)
	b.clickButtonIn("form.row-map", "Map")
	b.wantAlert(firstSKU + ": Choose the QuickBooks item to map to.")
	b.fill("QuickBooks item for "+firstSKU, "No such item")
	b.clickButtonIn("form.row-map", "Map")
	b.wantAlert(`QuickBooks has no item "No such item"`)
	b.clickButton("Map selected")
	b.wantAlert("Select at least one SKU (tick its box) first.")
	b.checkPage()
	b.wantFits(phone)
	unchanged("a bad mapping")

	// The settings page, and its import.
	b.clickLink("Posting settings")
	b.fill("Deposit account", "No such bank")
	b.clickButton("Save settings")
	b.wantAlert("Nothing was saved: correct what is marked below and save again.")
	b.waitText(`QuickBooks has no account "No such bank"`)
	b.checkPage()
	unchanged("a deposit account QuickBooks lacks")
	csv := t.TempDir() + "/settings.csv"
	if err := os.WriteFile(csv, []byte("setting,value\nitems,mapping\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.upload("Settings file to import", csv)
	b.clickButton("Import")
	b.wantAlert("This looks like a CSV (spreadsheet) file, not a bcqb settings file.")
	unchanged("a CSV import")

	// Needs attention: Retry with nothing ticked.
	r.fake.AddOrders(1)
	if err := r.db.SetBCStoreSettings(ctx, st.ID, `{"items": "mapping"}`); err != nil {
		t.Fatal(err)
	}
	st = r.store()
	r.pullNow()
	r.settle()
	b.clickLinkIn("header nav", "Needs attention")
	b.clickButton("Retry selected")
	b.wantAlert("Nothing was selected: tick the documents first, or use the row's own button.")
	b.checkPage()
}
