package app

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/store"
)

// adminPassword is the page's password in the browser tests.
const adminPassword = "a long admin password"

// TestBrowserFirstPasswordAndLogin: a fresh bcqb's first visit asks for the
// password and refuses a short one, two that differ and a too long one, each
// with its message; then logging out, a wrong password and logging in again.
func TestBrowserFirstPasswordAndLogin(t *testing.T) {
	needBrowser(t)
	ts := startServer(t, t.TempDir())
	b := openBrowser(t, ts.URL)
	ctx := context.Background()
	passwordSet := func() bool {
		set, err := ts.DB().AdminPasswordSet(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return set
	}

	b.open("/")
	b.wantPath("/setup")
	b.wantHeading("Choose bcqb's password")
	b.wantFits(phone)

	// Too short: the browser itself will not send it, and says why.
	b.fill("Password", "short")
	b.fill("The same password again", "short")
	evalJS[bool](b, `window.__bcqbOldPage = true`)
	b.pressButton("Set the password and log in")
	if msg := evalJS[string](b, `document.getElementById("password").validationMessage`); !strings.Contains(msg, "10") {
		t.Errorf("the browser's message for a short password = %q, want one naming the 10 characters", msg)
	}
	time.Sleep(200 * time.Millisecond) // long enough for a form that was sent to have been answered
	if !evalJS[bool](b, `window.__bcqbOldPage === true`) || passwordSet() {
		t.Fatal("the browser sent a password shorter than the form's minlength")
	}

	// bcqb's own messages, for what the browser does not check.
	for _, tc := range []struct {
		name, password, confirm, want string
		noValidate                    bool
	}{
		{"short, unchecked by the browser", "short", "short", "The password must be at least 10 characters long.", true},
		{"mismatch", adminPassword, adminPassword + "!", "The two passwords differ; type the same one twice.", false},
		{"too long", strings.Repeat("x", 73), strings.Repeat("x", 73), "The password must be at most 72 bytes long (bcrypt's limit).", false},
	} {
		if tc.noValidate {
			evalJS[bool](b, `document.querySelector("form[action='/setup']").noValidate = true`)
		}
		b.fill("Password", tc.password)
		b.fill("The same password again", tc.confirm)
		b.clickButton("Set the password and log in")
		b.wantPath("/setup")
		if got := b.alert(); got != tc.want {
			t.Errorf("%s: the page says %q, want %q", tc.name, got, tc.want)
		}
		if passwordSet() {
			t.Fatalf("%s: the password was set", tc.name)
		}
	}

	b.fill("Password", adminPassword)
	b.fill("The same password again", adminPassword)
	b.clickButton("Set the password and log in")
	b.wantPath("/")
	b.wantHeading("Dashboard")
	if !passwordSet() {
		t.Fatal("the password is not stored")
	}
	// The first-visit form is gone once the password is set.
	b.open("/setup")
	b.wantPath("/")

	b.logOut()
	b.wantHeading("Log in to bcqb")
	b.open("/")
	b.wantPath("/login")

	b.fill("Password", "not the password")
	b.clickButton("Log in")
	b.wantPath("/login")
	if got := b.alert(); got != "That password is not right." {
		t.Errorf("a wrong password: the page says %q", got)
	}
	b.wantFits(phone)
	b.screenshot("login-wrong-password")
	b.open("/")
	b.wantPath("/login")

	b.logIn(adminPassword)
	b.wantHeading("Dashboard")
}

// TestBrowserDashboardAfterSync: the dashboard names the Web Connector
// user's company file and the store; after a sync through the simulated Web
// Connector, a reload counts the documents in each state as the store does,
// and the recent sessions say what they posted.
func TestBrowserDashboardAfterSync(t *testing.T) {
	needBrowser(t)
	r := newSyncRig(t, 4, 11)
	r.pulled()
	b := openBrowser(t, r.url)
	b.setFirstPassword(adminPassword)

	b.waitText("Web Connector user " + testUser)
	if counts := b.facts("Documents (orders and refunds)"); counts["posted"] != "0" {
		t.Errorf("before any sync the page counts %s posted", counts["posted"])
	}
	st := b.rowWhere(b.table("BigCommerce stores"), "Store", "sync1")
	if st["Posts to"] != testUser || !strings.HasPrefix(st["State"], "ok") {
		t.Errorf("the store's row = %q, want it posting to %s, its pull ok", st, testUser)
	}
	b.waitText("No Web Connector session has done anything yet.")

	sessions := r.settle()
	if books := r.checkBooks(); books["order posted"] == 0 {
		t.Fatalf("the sync posted no order: %v", books)
	}

	b.reload()
	want, err := r.db.PostingCounts(context.Background(), r.companyID())
	if err != nil {
		t.Fatal(err)
	}
	got := b.facts("Documents (orders and refunds)")
	for state, words := range map[string]string{store.PostingAttention: "needs attention", store.PostingWaiting: "waiting",
		store.PostingPlanned: "queued", store.PostingPosted: "posted", store.PostingVoided: "voided", store.PostingSkipped: "skipped"} {
		if got[words] != strconv.Itoa(want[state]) {
			t.Errorf("the page counts %q %s; the store has %d", got[words], words, want[state])
		}
	}
	if got["posted"] == "0" {
		t.Error("the page counts nothing posted after the sync")
	}
	rows := b.table("Recent Web Connector sessions")
	if len(rows) == 0 || len(rows) > len(sessions) {
		t.Errorf("%d sessions listed after %d", len(rows), len(sessions))
	}
	var said []string
	for _, row := range rows {
		if row["User"] != testUser {
			t.Errorf("a session of %q", row["User"])
		}
		said = append(said, row["What happened"])
	}
	if !strings.Contains(strings.Join(said, "\n"), "posted") {
		t.Errorf("no session says what it posted: %q", said)
	}
	b.checkPage()
	b.wantFits(phone)
}

// TestBrowserFormWithoutCSRFTokenRefused: a form whose token is missing or
// wrong (here taken out or changed in the page before it is sent) is refused
// with its message, and does nothing.
func TestBrowserFormWithoutCSRFTokenRefused(t *testing.T) {
	needBrowser(t)
	const refused = "This form's security token is missing or out of date, so bcqb refused it"
	ts := startServer(t, t.TempDir())
	b := openBrowser(t, ts.URL)
	b.setFirstPassword(adminPassword)

	// Log out without the session's token: refused, and still logged in.
	if n := evalJS[int](b, `(() => {
		const f = document.querySelector("form[action='/logout']");
		f.querySelectorAll("input[name=csrf]").forEach(e => e.remove());
		return f.querySelectorAll("input[name=csrf]").length;
	})()`); n != 0 {
		t.Fatalf("%d tokens left in the logout form", n)
	}
	b.clickButton("Log out")
	b.waitText(refused)
	b.wantHeading("Forbidden")
	b.open("/")
	b.wantPath("/")

	// Log in with a changed token: refused, and not logged in.
	b.logOut()
	evalJS[string](b, `document.querySelector("form[action='/login'] input[name=csrf]").value = "not-the-token"`)
	b.fill("Password", adminPassword)
	b.clickButton("Log in")
	b.waitText(refused)
	b.open("/")
	b.wantPath("/login")
}

// TestBrowserHarness checks the harness's own helpers on a small page (a
// select, a checkbox, a table, a script error) and on bcqb's (the CSP
// violation of an inline script is caught), and that a failed test's page is
// saved.
func TestBrowserHarness(t *testing.T) {
	needBrowser(t)
	page := http.NewServeMux()
	page.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>harness</title><h1>Form</h1>
<form method="get" action="/echo" id="first">
<label for="n">Name <span>(as in QuickBooks)</span></label><input id="n" name="n">
<label for="k">Kind</label><select id="k" name="k"><option value="a">Alpha</option><option value="b">Beta item</option></select>
<label for="c">Create it</label><input id="c" name="c" type="checkbox" value="yes">
<button type="submit">Send  it</button>
</form>
<form method="get" action="/echo" id="second"><input type="hidden" name="n" value="second"><button type="submit">Send it</button></form><a href="/echo?n=link">Follow me</a>`)
	})
	page.HandleFunc("/bad", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>bad</title><style>#go:focus-visible { outline: none }</style>
<h1>One</h1><h1>Two</h1><h3>A level skipped</h3>
<input id="nolabel"><p style="color: #aaa">faint words</p><a href="/"></a><button id="go">Go</button>`)
	})
	page.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		q := r.URL.Query()
		fmt.Fprintf(w, `<!doctype html><title>echo</title><h2>What came</h2>
<table><thead><tr><th>Field</th><th>Value</th></tr></thead><tbody>
<tr><td>n</td><td>%s</td></tr><tr><td>k</td><td>%s</td></tr><tr><td>c</td><td>%s</td></tr></tbody></table>
<p role="alert">done</p>`,
			html.EscapeString(q.Get("n")), html.EscapeString(q.Get("k")), html.EscapeString(q.Get("c")))
		if q.Has("k") {
			fmt.Fprint(w, `<script>throw new Error("boom from the page")</script>`)
		}
	})
	srv := httptest.NewServer(page)
	t.Cleanup(srv.Close)

	b := openBrowser(t, srv.URL)
	b.open("/")
	b.fill("Name", `O'Brien & "Sons"`)
	b.fill("Kind", "Beta item")
	b.setChecked("Create it", true)
	b.clickButtonIn("#first", "Send it") // two buttons say so
	b.wantPath(`/echo?n=O%27Brien+%26+%22Sons%22&k=b&c=yes`)
	rows := b.table("What came")
	if got := b.rowWhere(rows, "Field", "n")["Value"]; got != `O'Brien & "Sons"` {
		t.Errorf("n = %q", got)
	}
	if got := b.rowWhere(rows, "Field", "k")["Value"]; got != "b" {
		t.Errorf("k = %q", got)
	}
	if b.alert() != "done" {
		t.Errorf("alert = %q", b.alert())
	}
	b.waitConsole("boom from the page")

	b.open("/")
	b.clickLink("Follow me")
	b.waitText("link")

	// The accessibility checks find what they look for.
	b.open("/bad")
	got := strings.Join(b.pageProblems(), "\n")
	for _, want := range []string{"2 h1 headings", `heading H3 "A level skipped" comes after an h1`,
		"a field without a label: input#nolabel", `(want 4.5:1) of rgb(170, 170, 170) on rgb(255, 255, 255): p "faint words"`, "a link without words"} {
		if !strings.Contains(got, want) {
			t.Errorf("the page's problems do not say %q:\n%s", want, got)
		}
	}
	if got := strings.Join(b.focusProblems(3), "\n"); !strings.Contains(got, `the focus on button#go "Go": no outline or box shadow`) {
		t.Errorf("the focus problems miss the button without an outline:\n%s", got)
	}

	// A failed test's page is saved where BCQB_BROWSER_ARTIFACTS says.
	dir := t.TempDir()
	t.Setenv(envArtifacts, dir)
	b.saveArtifacts("asked by TestBrowserHarness")
	for _, f := range []string{"page.png", "page.html", "url.txt"} {
		fi, err := os.Stat(filepath.Join(dir, t.Name(), f))
		if err != nil || fi.Size() == 0 {
			t.Errorf("artifact %s: %v", f, err)
		}
	}

	// On bcqb's page the CSP refuses an inline script, and the harness
	// notices: a page that needs one fails its test.
	ts := startServer(t, t.TempDir())
	c := openBrowser(t, ts.URL)
	c.open("/setup")
	evalJS[bool](c, `(() => { const s = document.createElement("script"); s.textContent = "window.inlineRan = true"; document.body.append(s); return true })()`)
	c.waitConsole("Content Security Policy")
	if evalJS[bool](c, `window.inlineRan === true`) {
		t.Error("an inline script ran on bcqb's page")
	}
}
