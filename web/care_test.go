package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/alert"
	"github.com/bcqb/bcqb/store"
	"github.com/bcqb/bcqb/web"
)

// backupDeps writes real backups of the test's store into a temporary folder.
func backupDeps(dir string) func(db *store.DB) web.CareDeps {
	return func(db *store.DB) web.CareDeps {
		return web.CareDeps{
			BackupDir: dir,
			Backup: func(ctx context.Context) (string, error) {
				path := filepath.Join(dir, "bcqb-"+time.Now().UTC().Format("20060102-150405")+".db")
				return path, db.Backup(ctx, path)
			},
		}
	}
}

var backupLink = regexp.MustCompile(`href="/care/backups/(bcqb-[0-9]{8}-[0-9]{6}\.db)"`)

func TestBackupFromThePage(t *testing.T) {
	dir := t.TempDir()
	ts := newServer(t, options{care: backupDeps(dir)}, "qb")
	b := ts.browser(t)

	t.Run("needs the login", func(t *testing.T) {
		for _, p := range []string{"/care", "/care/backups/bcqb-20250101-000000.db"} {
			if a := b.get(p); a.StatusCode != http.StatusSeeOther || !strings.HasPrefix(a.Header.Get("Location"), "/setup") {
				t.Errorf("GET %s before logging in = %d %s", p, a.StatusCode, a.Header.Get("Location"))
			}
		}
		if a := b.post("/care/backup", url.Values{}); a.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST /care/backup before logging in = %d", a.StatusCode)
		}
	})
	b.setup(adminPassword)
	page := b.get("/care")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.body, "No backup yet") {
		t.Fatalf("GET /care = %d\n%s", page.StatusCode, page.body)
	}
	if a := b.post("/care/backup", url.Values{"csrf": {"wrong"}}); a.StatusCode != http.StatusForbidden {
		t.Errorf("POST /care/backup with a wrong token = %d", a.StatusCode)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a refused form wrote %d files", len(entries))
	}

	a := b.post("/care/backup", url.Values{"csrf": {b.csrf(page)}})
	loc := a.Header.Get("Location")
	if a.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/care?") {
		t.Fatalf("POST /care/backup = %d %q %s", a.StatusCode, loc, a.body)
	}
	page = b.get(loc)
	m := backupLink.FindStringSubmatch(page.body)
	if m == nil || !strings.Contains(page.body, "The backup is written") {
		t.Fatalf("the page after the backup offers no download:\n%s", page.body)
	}
	dl := b.get("/care/backups/" + m[1])
	if dl.StatusCode != http.StatusOK || !strings.HasPrefix(dl.body, "SQLite format 3\x00") ||
		!strings.Contains(dl.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download = %d %q, %d bytes", dl.StatusCode, dl.Header.Get("Content-Disposition"), len(dl.body))
	}
	// The download is the database: the Web Connector user is in it.
	copyPath := filepath.Join(t.TempDir(), "downloaded.db")
	if err := os.WriteFile(copyPath, []byte(dl.body), 0o600); err != nil {
		t.Fatal(err)
	}
	copyDB, err := store.Open(context.Background(), copyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if _, err := copyDB.UserByName(context.Background(), "qb"); err != nil {
		t.Errorf("the downloaded copy has no Web Connector user: %v", err)
	}

	t.Run("only backups are served", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(dir, "secret.key"), []byte("key"), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/care/backups/secret.key", "/care/backups/bcqb-20990101-000000.db",
			"/care/backups/..%2Fbcqb.db", "/care/backups/bcqb-20250101-000000.db%00"} {
			if a := b.get(p); a.StatusCode == http.StatusOK || a.body == "key" {
				t.Errorf("GET %s = %d %q", p, a.StatusCode, a.body)
			}
		}
	})
}

// alertDeps seals with a test key and sends test alerts to a real webhook
// receiver, recording them in the store as bcqb does.
func alertDeps(hookURL string) func(db *store.DB) web.CareDeps {
	return func(db *store.DB) web.CareDeps {
		sealer, err := store.NewSealer([]byte(strings.Repeat("s", store.KeySize)))
		if err != nil {
			panic(err)
		}
		return web.CareDeps{Sealer: sealer, TestAlert: func(ctx context.Context) ([]store.AlertRecord, error) {
			s, err := db.AlertSettings(ctx, sealer)
			if err != nil {
				return nil, err
			}
			h := alert.Webhook{URL: s.WebhookURL}
			rec := store.AlertRecord{Channel: h.Name(), Kind: "test", Subject: "bcqb: test alert", Body: "test"}
			if err := h.Send(ctx, alert.Message{Kind: "test", Subject: rec.Subject, Text: rec.Body}); err != nil {
				rec.Error = err.Error()
			}
			rec.ID, err = db.RecordAlert(ctx, "webhook", rec, nil)
			return []store.AlertRecord{rec}, err
		}}
	}
}

func TestAlertSettings(t *testing.T) {
	var hookStatus = http.StatusOK
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(hookStatus) }))
	defer hook.Close()
	var deps web.CareDeps
	ts := newServer(t, options{care: func(db *store.DB) web.CareDeps { deps = alertDeps(hook.URL)(db); return deps }}, "qb")
	ctx := context.Background()
	b := ts.browser(t)
	tok := b.setup(adminPassword)

	// Nothing set up: the test says so.
	a := b.post("/care/alerts/test", url.Values{"csrf": {tok}})
	if a.StatusCode != http.StatusBadRequest || !strings.Contains(a.body, "No alert is set up yet") {
		t.Errorf("test alert with nothing set up = %d\n%s", a.StatusCode, a.body)
	}

	good := url.Values{"csrf": {tok}, "smtp_host": {"smtp.example.com"}, "smtp_port": {"2525"}, "smtp_user": {"bcqb"},
		"smtp_password": {"hunter2-app-password"}, "mail_from": {"bcqb <bcqb@example.com>"},
		"mail_to": {"books@example.com; Owner <owner@example.com>"}, "webhook_url": {hook.URL + "/services/T1/B2/SECRETPART"}}
	if a := b.post("/care/alerts", url.Values{"smtp_host": {"x"}}); a.StatusCode != http.StatusForbidden {
		t.Errorf("POST /care/alerts without the form token = %d", a.StatusCode)
	}
	a = b.post("/care/alerts", good)
	if a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != "/care?done=alerts#alerts" {
		t.Fatalf("save = %d %q\n%s", a.StatusCode, a.Header.Get("Location"), a.body)
	}
	saved, err := ts.db.AlertSettings(ctx, deps.Sealer)
	if err != nil {
		t.Fatal(err)
	}
	if saved.SMTPHost != "smtp.example.com" || saved.SMTPPort != 2525 || saved.SMTPPassword != "hunter2-app-password" ||
		strings.Join(saved.To, ",") != `books@example.com,"Owner" <owner@example.com>` || !strings.HasSuffix(saved.WebhookURL, "SECRETPART") {
		t.Errorf("saved = %+v", saved)
	}
	page := b.get(a.Header.Get("Location"))
	for _, secret := range []string{"hunter2", "SECRETPART", "/services/T1"} {
		if strings.Contains(page.body, secret) {
			t.Errorf("/care shows %q", secret)
		}
	}
	if !strings.Contains(page.body, "A password is saved") || !strings.Contains(page.body, "/••••••••") ||
		!strings.Contains(page.body, "The alert settings are saved") {
		t.Errorf("/care after saving:\n%s", page.body)
	}

	// Empty secret fields keep the saved ones; the boxes remove them.
	keep := url.Values{}
	for k, v := range good {
		keep[k] = v
	}
	keep.Set("smtp_password", "")
	keep.Set("webhook_url", "")
	keep.Set("smtp_port", "")
	b.post("/care/alerts", keep)
	if s, _ := ts.db.AlertSettings(ctx, deps.Sealer); s.SMTPPassword != "hunter2-app-password" || s.WebhookURL != saved.WebhookURL || s.SMTPPort != 587 {
		t.Errorf("after saving with empty secret fields = %+v", s)
	}

	// The test alert reaches the webhook, and then fails in words.
	a = b.post("/care/alerts/test", url.Values{"csrf": {tok}})
	if a.StatusCode != http.StatusSeeOther {
		t.Fatalf("test alert = %d\n%s", a.StatusCode, a.body)
	}
	if page := b.get(a.Header.Get("Location")); !strings.Contains(page.body, "The test alert was sent by webhook http://127.0.0.1") {
		t.Errorf("after the test:\n%s", page.body)
	}
	hookStatus = http.StatusNotFound
	a = b.post("/care/alerts/test", url.Values{"csrf": {tok}})
	if page := b.get(a.Header.Get("Location")); !strings.Contains(page.body, "failed: alert: webhook http://127.0.0.1") ||
		!strings.Contains(page.body, "404 Not Found") || strings.Contains(page.body, "SECRETPART") {
		t.Errorf("after a failed test:\n%s", page.body)
	}

	keep.Set("smtp_password_clear", "1")
	keep.Set("webhook_clear", "1")
	b.post("/care/alerts", keep)
	if s, _ := ts.db.AlertSettings(ctx, deps.Sealer); s.SMTPPassword != "" || s.WebhookURL != "" || s.SMTPHost != "smtp.example.com" {
		t.Errorf("after removing the secrets = %+v", s)
	}

	before, _ := ts.db.AlertSettings(ctx, deps.Sealer)
	for _, tc := range []struct {
		name, field, value, want string
	}{
		{"a port that is no number", "smtp_port", "abc", "The port must be a number"},
		{"a port out of range", "smtp_port", "70000", "between 1 and 65535"},
		{"a recipient that is no address", "mail_to", "books", "The recipients must be e-mail addresses"},
		{"no recipient", "mail_to", "", "at least one recipient"},
		{"a sender that is no address", "mail_from", "bcqb", "The sender"},
		{"a server with a scheme", "smtp_host", "smtp://smtp.example.com", "must be a host name"},
		{"e-mail fields without a server", "smtp_host", "", "Give the SMTP server"},
		{"a webhook that is not http", "webhook_url", "ftp://example.com/x", "http or https"},
		{"a webhook with a password", "webhook_url", "https://u:p@example.com/x", "no user name or password"},
		{"a server name too long", "smtp_host", strings.Repeat("a", 300), "too long"},
		{"a webhook too long", "webhook_url", "https://example.com/" + strings.Repeat("a", 3000), "longer than 2048"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{}
			for k, v := range good {
				form[k] = v
			}
			form.Set(tc.field, tc.value)
			a := b.post("/care/alerts", form)
			if a.StatusCode != http.StatusBadRequest || !strings.Contains(a.body, tc.want) || !strings.Contains(a.body, `aria-invalid="true"`) {
				t.Errorf("= %d, want 400 with %q:\n%s", a.StatusCode, tc.want, a.body)
			}
			if strings.Contains(a.body, "hunter2") {
				t.Error("the refused form shows the password typed")
			}
			if after, _ := ts.db.AlertSettings(ctx, deps.Sealer); after.SMTPHost != before.SMTPHost || after.SMTPPort != before.SMTPPort ||
				after.From != before.From || strings.Join(after.To, ",") != strings.Join(before.To, ",") || after.WebhookURL != before.WebhookURL {
				t.Errorf("a refused form changed the settings: %+v", after)
			}
		})
	}
}

func TestInventoryPage(t *testing.T) {
	read := time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC)
	audit := []web.InventoryStore{{StoreID: 1, StoreHash: "abc123", User: "qb", Sync: "quickbooks", PulledAt: read.Add(-time.Hour), ReadAt: read,
		Differences: 1, Rows: []web.InventoryRow{
			{SKU: "W-1", Product: "Widget", Tracked: true, BigCommerce: "10", Item: "Widget", OnHand: "12", Unposted: "1", Expected: "11", Difference: "-1", Differs: true},
			{SKU: "NOPE", Product: "Nope <b>", Tracked: true, BigCommerce: "1", Note: "No QuickBooks item: map this SKU on the mapping page."},
			{SKU: "G-1", Product: "Gadget", Tracked: true, BigCommerce: "5", Item: "Gadget", OnHand: "5", Unposted: "0", Expected: "5"},
		}}}
	queued := 0
	ts := newServer(t, options{care: func(*store.DB) web.CareDeps {
		return web.CareDeps{
			Inventory:     func(context.Context) ([]web.InventoryStore, error) { return audit, nil },
			ReadInventory: func(context.Context) (int, error) { queued++; return 1, nil },
		}
	}}, "qb")
	b := ts.browser(t)
	if a := b.get("/care/inventory"); a.StatusCode != http.StatusSeeOther {
		t.Errorf("the audit without a login = %d", a.StatusCode)
	}
	tok := b.setup(adminPassword)
	page := b.get("/care/inventory")
	for _, want := range []string{"Store <code>abc123</code>", "2025-06-02 09:30 UTC", "QuickBooks sets BigCommerce", "1 SKU differ",
		`<tr class="differs"><td><code>W-1</code>`, `<strong class="diff">-1</strong>`, "No QuickBooks item", "Nope &lt;b&gt;", `<div class="table-wrap">`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the audit lacks %q", want)
		}
	}
	only := b.get("/care/inventory?show=differences")
	if !strings.Contains(only.body, "W-1") || strings.Contains(only.body, "G-1") || strings.Contains(only.body, "NOPE") {
		t.Errorf("only the differences shows:\n%s", only.body)
	}
	if a := b.post("/care/inventory/read", url.Values{}); a.StatusCode != http.StatusForbidden || queued != 0 {
		t.Errorf("reading without the form token = %d, %d queued", a.StatusCode, queued)
	}
	a := b.post("/care/inventory/read", url.Values{"csrf": {tok}})
	if a.StatusCode != http.StatusSeeOther || queued != 1 {
		t.Fatalf("reading = %d, %d queued", a.StatusCode, queued)
	}
	if page := b.get(a.Header.Get("Location")); !strings.Contains(page.body, "will be read at the Web Connector&#39;s next update") {
		t.Errorf("after asking for a reading:\n%s", page.body)
	}
	if care := b.get("/care"); !strings.Contains(care.body, `href="/care/inventory"`) {
		t.Error("/care does not link the inventory audit")
	}
}

func TestInteractivePages(t *testing.T) {
	needs := []web.MappingNeed{{StoreID: 7, StoreHash: "abc123", DocKind: "order", BCID: 101,
		Reason: "needs mapping: map SKU TEE RED on the mapping page", SKUs: []string{"TEE RED", "MUG&CO"}}}
	var asked int64
	ts := newServer(t, options{care: func(*store.DB) web.CareDeps {
		return web.CareDeps{MappingNeeds: func(_ context.Context, companyID int64) ([]web.MappingNeed, error) {
			asked = companyID
			return needs, nil
		}}
	}}, "qb")
	ctx := context.Background()
	u, err := ts.db.UserByName(ctx, "qb")
	if err != nil {
		t.Fatal(err)
	}
	_, sess, err := ts.db.CreateSession(ctx, store.NewSession{UserID: u.ID, CompanyID: u.CompanyID, State: store.SessionOpen, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	v, err := ts.db.OfferInteractive(ctx, sess.ID, u.CompanyID, "mapping", []string{"1:x"}, 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.db.SetInteractiveToken(ctx, sess.ID, "one-time-token"); err != nil {
		t.Fatal(err)
	}
	b := ts.browser(t)
	if a := b.get("/care/interactive?token=one-time-token"); a.StatusCode != http.StatusSeeOther || !strings.HasPrefix(a.Header.Get("Location"), "/setup?next=") {
		t.Errorf("the link before logging in = %d %q", a.StatusCode, a.Header.Get("Location"))
	}
	tok := b.setup(adminPassword)
	if a := b.get("/care/interactive?token=wrong"); a.StatusCode != http.StatusNotFound || !strings.Contains(a.body, "used already or has expired") {
		t.Errorf("a wrong token = %d\n%s", a.StatusCode, a.body)
	}
	a := b.get("/care/interactive?token=one-time-token")
	at := fmt.Sprintf("/care/interactive/%d", v.ID)
	if a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != at {
		t.Fatalf("the link = %d %q", a.StatusCode, a.Header.Get("Location"))
	}
	if a := b.get("/care/interactive?token=one-time-token"); a.StatusCode != http.StatusNotFound {
		t.Errorf("the link used twice = %d", a.StatusCode)
	}
	page := b.get(at)
	for _, want := range []string{"The Web Connector waits for you", `href="/mapping?store=7&amp;sku=TEE%20RED"`, `sku=MUG%26CO"`,
		"order 101", `action="` + at + `/done"`, `href="/attention"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the page lacks %s:\n%s", want, page.body)
		}
	}
	if asked != u.CompanyID {
		t.Errorf("the needs of company %d were listed, want %d", asked, u.CompanyID)
	}
	if a := b.post(at+"/done", url.Values{}); a.StatusCode != http.StatusForbidden {
		t.Errorf("Done without the form token = %d", a.StatusCode)
	}
	a = b.post(at+"/done", url.Values{"csrf": {tok}})
	if a.StatusCode != http.StatusSeeOther {
		t.Fatalf("Done = %d %s", a.StatusCode, a.body)
	}
	if got, _ := ts.db.InteractiveVisit(ctx, v.ID); got.State != store.VisitDone {
		t.Errorf("visit after Done = %+v", got)
	}
	if page := b.get(a.Header.Get("Location")); !strings.Contains(page.body, "goes on within a minute") || strings.Contains(page.body, `/done"`) {
		t.Errorf("after Done:\n%s", page.body)
	}
	if a := b.post(at+"/done", url.Values{"csrf": {tok}}); a.StatusCode != http.StatusConflict {
		t.Errorf("Done twice = %d", a.StatusCode)
	}
	if a := b.get("/care/interactive/999"); a.StatusCode != http.StatusNotFound {
		t.Errorf("no such visit = %d", a.StatusCode)
	}

	t.Run("the setting", func(t *testing.T) {
		care := b.get("/care")
		if !strings.Contains(care.body, "Turn on for qb") {
			t.Fatalf("/care offers no switch:\n%s", care.body)
		}
		for _, form := range []url.Values{{"csrf": {tok}, "user": {"x"}, "on": {"1"}}, {"csrf": {tok}, "user": {fmt.Sprint(u.ID)}, "on": {"yes"}}} {
			if a := b.post("/care/interactive-mode", form); a.StatusCode != http.StatusBadRequest {
				t.Errorf("POST %v = %d", form, a.StatusCode)
			}
		}
		if a := b.post("/care/interactive-mode", url.Values{"csrf": {tok}, "user": {"999"}, "on": {"1"}}); a.StatusCode != http.StatusNotFound {
			t.Errorf("no such user = %d", a.StatusCode)
		}
		a := b.post("/care/interactive-mode", url.Values{"csrf": {tok}, "user": {fmt.Sprint(u.ID)}, "on": {"1"}})
		if a.StatusCode != http.StatusSeeOther {
			t.Fatalf("turn on = %d", a.StatusCode)
		}
		if on, _ := ts.db.InteractiveUsers(ctx); !on[u.ID] {
			t.Error("interactive mode is not on")
		}
		if care := b.get(a.Header.Get("Location")); !strings.Contains(care.body, "Turn off for qb") || !strings.Contains(care.body, "Interactive mode is changed") {
			t.Errorf("/care after turning on:\n%s", care.body)
		}
	})
}
