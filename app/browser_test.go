package app

// The browser harness: bcqb's page driven in Debian's headless Chromium
// through chromedp, the way a bookkeeper uses it (labels, buttons by their
// words, what the page shows), against a real bcqb (harness_test.go) with
// the offline BigCommerce store and the simulated Web Connector.
//
// One Chromium serves the whole test binary (started by the first browser
// test, stopped by TestMain); each test gets its own tab in its own browser
// context, so no cookie or session leaks from one test to the next.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The variables the browser tests read.
const (
	// envBrowserTests=required makes a missing Chromium a failure, not a
	// skip (.ci/run sets it: CI installs Chromium, so a skip there would
	// hide the tests).
	envBrowserTests = "BCQB_BROWSER_TESTS"
	// envChromium names the browser to run; the default is chromium on PATH.
	envChromium = "BCQB_CHROMIUM"
	// envArtifacts is the folder a failed browser test saves its page in
	// (a screenshot and the HTML); the default is a new temporary folder
	// that is kept and named in the test's log.
	envArtifacts = "BCQB_BROWSER_ARTIFACTS"
	// envScreenshots is a folder: when set, tests save named screenshots of
	// pages at laptop and phone widths there, for the README.
	envScreenshots = "BCQB_SCREENSHOTS"
)

const (
	// browserTestTimeout bounds one browser test, whatever it waits for.
	browserTestTimeout = 2 * time.Minute
	// stepTimeout bounds one step (a page load, a wait for text), so a
	// failure names the step rather than the whole test running out.
	stepTimeout = 15 * time.Second
)

// viewport is a screen size the page is looked at in.
type viewport struct {
	name          string
	width, height int64
	mobile        bool
}

var (
	laptop = viewport{"laptop", 1366, 768, false}
	phone  = viewport{"phone", 390, 844, true}
)

// sharedChromium is the one Chromium of the test binary.
var sharedChromium struct {
	mu          sync.Mutex
	ctx         context.Context // the browser's first tab; parent of every test's tab
	cancel      context.CancelFunc
	cancelAlloc context.CancelFunc
}

// chromiumPath finds the browser, or says how to get one.
func chromiumPath() (string, error) {
	if p := os.Getenv(envChromium); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", envChromium, p, err)
		}
		return p, nil
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		return "", errors.New("no Chromium on PATH: install Debian's package chromium (apt-get install chromium), or set " + envChromium + " to a Chrome or Chromium binary")
	}
	return p, nil
}

// browser returns the running Chromium, starting it on first use (again if
// it died). A test without a Chromium skips, or fails under
// BCQB_BROWSER_TESTS=required.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := chromiumPath()
	if err != nil {
		if os.Getenv(envBrowserTests) == "required" {
			t.Fatalf("browser tests are required (%s=required) but cannot run: %v", envBrowserTests, err)
		}
		t.Skipf("skipping the browser test: %v", err)
	}
	b := &sharedChromium
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ctx != nil && b.ctx.Err() == nil {
		return b.ctx
	}
	if b.ctx != nil {
		t.Log("browser: Chromium had stopped; starting it again")
		b.cancel()
		b.cancelAlloc()
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.DisableGPU,
		chromedp.WindowSize(int(laptop.width), int(laptop.height)),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.Env("LANGUAGE=en_US"),
	)
	// Chromium's sandbox refuses to run as root, which CI is; elsewhere it stays on.
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	// The first Do starts the browser and ties it to its context, so it
	// gets ctx itself; a timer stands in for a deadline.
	began := time.Now()
	stuck := time.AfterFunc(30*time.Second, cancel)
	err = chromedp.Do(ctx)
	stuck.Stop()
	if err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("browser: starting %s: %v", path, err)
	}
	t.Logf("browser: started %s in %s", path, time.Since(began).Round(time.Millisecond))
	b.ctx, b.cancel, b.cancelAlloc = ctx, cancel, cancelAlloc
	return b.ctx
}

// needBrowser skips the test (or fails it, under BCQB_BROWSER_TESTS=required)
// when there is no Chromium: call it first, before starting servers.
func needBrowser(t *testing.T) {
	t.Helper()
	browser(t)
}

// closeBrowser stops the shared Chromium, if a test started it (TestMain).
func closeBrowser() {
	b := &sharedChromium
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ctx != nil {
		b.cancel()
		b.cancelAlloc()
		b.ctx = nil
	}
}

// browserTab is one test's tab, on a bcqb whose page is at base.
type browserTab struct {
	t    *testing.T
	base string
	// tab is the tab's own context; ctx adds the test's deadline. Steps run
	// under ctx; the failure artifacts under tab, so they are saved even
	// after the deadline passed.
	tab, ctx context.Context

	mu      sync.Mutex
	console []string // errors the page wrote to its console
}

// openBrowser opens a fresh tab (its own cookies and storage) on the bcqb
// at baseURL, at laptop size. When the test fails, the page it was on is
// saved (saveArtifacts); an error or exception in the page's console (a
// script that threw, a CSP violation) fails the test.
func openBrowser(t *testing.T, baseURL string) *browserTab {
	t.Helper()
	parent := browser(t)
	tab, cancelTab := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	ctx, cancelCtx := context.WithTimeout(tab, browserTestTimeout)
	b := &browserTab{t: t, base: strings.TrimRight(baseURL, "/"), tab: tab, ctx: ctx}
	if err := chromedp.Do(tab, setViewport(laptop)); err != nil {
		cancelCtx()
		cancelTab()
		t.Fatalf("browser: opening a tab: %v", err)
	}
	messages := chromedp.Console(tab)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			// A page answered with an error status (a refused form, a 404
			// favicon) is logged by the network: the tests check those pages
			// themselves.
			if (m.Type == chromedp.ConsoleError || m.IsException()) && m.Source != "network" {
				b.mu.Lock()
				b.console = append(b.console, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line))
				b.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		b.mu.Lock()
		for _, m := range b.console {
			t.Errorf("browser: the page's console: %s", m)
		}
		b.mu.Unlock()
		if t.Failed() {
			b.saveArtifacts("the test failed")
		}
		cancelCtx()
		cancelTab()
		<-done
	})
	return b
}

func setViewport(v viewport) chromedp.Action[chromedp.Void] {
	if v.mobile {
		return chromedp.EmulateViewport(v.width, v.height, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	return chromedp.EmulateViewport(v.width, v.height)
}

// step is the context of one step: the test's deadline, and stepTimeout.
func (b *browserTab) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, stepTimeout)
}

// fatalf ends the test with what it was doing and where the page was.
func (b *browserTab) fatalf(format string, args ...any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.tab, 5*time.Second)
	defer cancel()
	where, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		where = "(unknown: " + err.Error() + ")"
	}
	b.t.Fatalf("browser, at %s: %s", where, fmt.Sprintf(format, args...))
}

// evalJS runs JavaScript in the page and decodes its value as T.
func evalJS[T any](b *browserTab, expr string) T {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.fatalf("running %.80q: %v", expr, err)
	}
	return v
}

// jsCall is the expression calling the JavaScript function fn with args,
// each passed as JSON (so any text is safely quoted).
func jsCall(fn string, args ...any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		j, err := json.Marshal(a)
		if err != nil {
			panic(err)
		}
		parts[i] = string(j)
	}
	return "(" + fn + ")(" + strings.Join(parts, ", ") + ")"
}

// open loads the page at path (after the base URL) and waits for it.
func (b *browserTab) open(path string) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(b.base+path)); err != nil {
		b.fatalf("opening %s: %v", path, err)
	}
}

// reload loads the current page again, as F5 does.
func (b *browserTab) reload() {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		b.fatalf("reloading: %v", err)
	}
}

// path is the current page's path and query.
func (b *browserTab) path() string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		b.fatalf("reading the location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		b.fatalf("location %q: %v", loc, err)
	}
	return u.RequestURI()
}

// wantPath fails unless the page is at path (and query, when given).
func (b *browserTab) wantPath(want string) {
	b.t.Helper()
	if got := b.path(); got != want {
		b.fatalf("the page is at %s, want %s", got, want)
	}
}

// findField is the element a <label> names through its for attribute: the
// label's text matches exactly (spaces folded), or else it is the only
// label that starts with it.
const findField = `function (label, scope) {
	const norm = s => s.replace(/\s+/g, " ").trim();
	const root = scope ? document.querySelector(scope) : document;
	if (!root) return {error: "nothing on the page matches " + scope};
	const all = [...root.querySelectorAll("label")];
	let ls = all.filter(l => norm(l.textContent) === label);
	if (ls.length === 0) ls = all.filter(l => norm(l.textContent).startsWith(label));
	if (ls.length === 0) return {error: "no label " + JSON.stringify(label) + " on the page; labels: " + JSON.stringify(all.map(l => norm(l.textContent)))};
	if (ls.length > 1) return {error: ls.length + " labels match " + JSON.stringify(label)};
	const l = ls[0];
	if (!l.htmlFor) return {error: "the label " + JSON.stringify(label) + " has no for attribute"};
	const el = document.getElementById(l.htmlFor);
	if (!el) return {error: "the label " + JSON.stringify(label) + " is for #" + l.htmlFor + ", which is not on the page"};
	return {id: el.id, tag: el.tagName.toLowerCase(), type: (el.type || "").toLowerCase()};
}`

type fieldInfo struct {
	ID, Tag, Type, Error string
}

func (b *browserTab) field(label string) fieldInfo {
	b.t.Helper()
	return b.fieldIn("", label)
}

// fieldIn is field among the labels inside scope (a CSS selector: a form).
func (b *browserTab) fieldIn(scope, label string) fieldInfo {
	b.t.Helper()
	f := evalJS[fieldInfo](b, jsCall(findField, label, scope))
	if f.Error != "" {
		b.fatalf("field %q: %s", label, f.Error)
	}
	return f
}

// fill types value into the field labelled label, as a person would (key by
// key, after emptying it), and checks the field then holds value. A <select>
// gets the option whose text is value (or the only one whose text is value
// and more words); a date field is set, as a date picker sets it.
func (b *browserTab) fill(label, value string) {
	b.t.Helper()
	b.fillIn("", label, value)
}

// fillIn is fill for the field labelled label inside scope (a CSS
// selector), for a label that two forms of the page share.
func (b *browserTab) fillIn(scope, label, value string) {
	b.t.Helper()
	f := b.fieldIn(scope, label)
	if f.Tag == "select" {
		b.choose(f, label, value)
		return
	}
	if f.Type == "checkbox" || f.Type == "radio" {
		b.fatalf("field %q is a %s: use setChecked", label, f.Type)
	}
	if f.Type == "date" {
		// Typed dates follow the browser's locale (mm/dd/yyyy here); the
		// value is what the form sends, so it is set as a date picker would.
		if got := evalJS[string](b, jsCall(`(id, v) => { const el = document.getElementById(id); el.value = v;
			el.dispatchEvent(new Event("input", {bubbles: true})); el.dispatchEvent(new Event("change", {bubbles: true})); return el.value }`, f.ID, value)); got != value {
			b.fatalf("date field %q holds %q after setting %q", label, got, value)
		}
		return
	}
	// Emptied by script: chromedp.Clear resets the value attribute, which a
	// field already typed into no longer follows.
	evalJS[bool](b, jsCall(`id => { const el = document.getElementById(id); el.value = ""; el.dispatchEvent(new Event("input", {bubbles: true})); return true }`, f.ID))
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID(f.ID), value)); err != nil {
		b.fatalf("typing into %q: %v", label, err)
	}
	if got := evalJS[string](b, jsCall(`id => document.getElementById(id).value`, f.ID)); got != value && f.Type != "file" {
		b.fatalf("field %q holds %q after typing %q (a maxlength, or a script changing it?)", label, got, value)
	}
}

// choose picks the option with the visible text value in a <select>, and
// tells the page's scripts, as a person's choice would.
func (b *browserTab) choose(f fieldInfo, label, value string) {
	b.t.Helper()
	err := evalJS[string](b, jsCall(`function (id, text) {
		const el = document.getElementById(id);
		const norm = s => s.replace(/\s+/g, " ").trim();
		let o = [...el.options].find(o => norm(o.text) === text);
		const starts = [...el.options].filter(o => norm(o.text).startsWith(text + " "));
		if (!o && starts.length === 1) o = starts[0];
		if (!o) return "no option " + JSON.stringify(text) + "; options: " + JSON.stringify([...el.options].map(o => norm(o.text)));
		el.value = o.value;
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true}));
		return "";
	}`, f.ID, value))
	if err != "" {
		b.fatalf("choosing in %q: %s", label, err)
	}
}

// setChecked ticks (or unticks) the checkbox labelled label by clicking it.
func (b *browserTab) setChecked(label string, on bool) {
	b.t.Helper()
	f := b.field(label)
	if f.Type != "checkbox" && f.Type != "radio" {
		b.fatalf("field %q is a %s %s, not a checkbox", label, f.Tag, f.Type)
	}
	if evalJS[bool](b, jsCall(`id => document.getElementById(id).checked`, f.ID)) == on {
		return
	}
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID(f.ID))); err != nil {
		b.fatalf("clicking %q: %v", label, err)
	}
}

// findControl finds the one visible button (or link, for kind "link")
// whose words are text, inside the first element matching scope.
const findControl = `function (kind, text, scope, count) {
	const norm = s => s.replace(/\s+/g, " ").trim();
	const root = scope ? document.querySelector(scope) : document;
	if (!root) return count ? "nothing on the page matches " + scope : null;
	const sel = kind === "link" ? "a[href]" : "button, input[type=submit], input[type=button], input[type=reset]";
	const all = [...root.querySelectorAll(sel)].filter(e => e.getClientRects().length > 0);
	const hit = all.filter(e => norm(e.tagName === "INPUT" ? e.value : e.innerText) === text);
	if (!count) return hit.length === 1 ? hit[0] : null;
	if (hit.length === 1) return "";
	const words = all.map(e => norm(e.tagName === "INPUT" ? e.value : e.innerText));
	return hit.length === 0 ? "no " + kind + " " + JSON.stringify(text) + "; there are " + JSON.stringify(words) : hit.length + " " + kind + "s say " + JSON.stringify(text) + ": give a scope";
}`

// clickButton clicks the button whose words are text and waits for the
// page it leads to (a form's POST, then its redirect's GET).
func (b *browserTab) clickButton(text string) {
	b.t.Helper()
	b.clickAndWait("button", text, "")
}

// clickButtonIn is clickButton among the buttons inside scope (a CSS
// selector: a form, a table row), for pages with one button per row.
func (b *browserTab) clickButtonIn(scope, text string) {
	b.t.Helper()
	b.clickAndWait("button", text, scope)
}

// clickLink follows the link whose words are text.
func (b *browserTab) clickLink(text string) {
	b.t.Helper()
	b.clickAndWait("link", text, "")
}

// clickLinkIn is clickLink among the links inside scope (a CSS selector).
func (b *browserTab) clickLinkIn(scope, text string) {
	b.t.Helper()
	b.clickAndWait("link", text, scope)
}

// pressButton clicks the button whose words are text without waiting for a
// new page: for a button the page's script handles, or a form the browser
// refuses to send.
func (b *browserTab) pressButton(text string) {
	b.t.Helper()
	b.click("button", text, "")
}

func (b *browserTab) click(kind, text, scope string) {
	b.t.Helper()
	if msg := evalJS[string](b, jsCall(findControl, kind, text, scope, true)); msg != "" {
		b.fatalf("clicking %s %q: %s", kind, text, msg)
	}
	ctx, cancel := b.step()
	defer cancel()
	// A real mouse click at the control's centre, so a control covered by
	// something else, or off screen, fails as it would for a person.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.JSPath(jsCall(findControl, kind, text, scope, false)))); err != nil {
		b.fatalf("clicking %s %q: %v", kind, text, err)
	}
}

// clickAndWait clicks and waits until a new document has loaded: the mark
// left on the old page's window is gone with it.
func (b *browserTab) clickAndWait(kind, text, scope string) {
	b.t.Helper()
	evalJS[bool](b, `window.__bcqbOldPage = true`)
	b.click(kind, text, scope)
	b.waitJS(fmt.Sprintf("a new page after clicking %s %q", kind, text),
		`window.__bcqbOldPage === undefined && document.readyState === "complete"`)
}

// waitJS waits until the expression is true in the page, polling; errors
// while a page is being replaced are part of the wait.
func (b *browserTab) waitJS(what, expr string) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	var last error
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			if last != nil {
				b.fatalf("timed out waiting for %s (last error: %v)", what, last)
			}
			b.fatalf("timed out waiting for %s", what)
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// waitText waits until the page shows text (in what a person sees: hidden
// elements do not count).
func (b *browserTab) waitText(text string) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	expr := jsCall(`t => document.readyState === "complete" && document.body !== null && document.body.innerText.replace(/\s+/g, " ").includes(t)`, text)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		select {
		case <-ctx.Done():
			b.fatalf("the page does not show %q; it shows:\n%s", text, b.visibleText())
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// waitConsole waits for a console error containing text, and takes it off
// the list the test would fail on.
func (b *browserTab) waitConsole(text string) {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		b.mu.Lock()
		for i, m := range b.console {
			if strings.Contains(m, text) {
				b.console = append(b.console[:i], b.console[i+1:]...)
				b.mu.Unlock()
				return
			}
		}
		got := strings.Join(b.console, "\n")
		b.mu.Unlock()
		if time.Now().After(deadline) {
			b.fatalf("no console error says %q; the console has:\n%s", text, got)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// visibleText is the page's text as a person reads it, spaces folded per line.
func (b *browserTab) visibleText() string {
	ctx, cancel := context.WithTimeout(b.tab, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	return s
}

// heading is the page's first <h1>.
func (b *browserTab) heading() string {
	b.t.Helper()
	return evalJS[string](b, `(document.querySelector("h1") || {innerText: ""}).innerText.trim()`)
}

// wantHeading fails the test (and goes on) unless the page's <h1> is want.
func (b *browserTab) wantHeading(want string) {
	b.t.Helper()
	if got := b.heading(); got != want {
		b.t.Errorf("browser: the page's heading is %q, want %q", got, want)
	}
}

// alert is the text of the page's role="alert" messages, "" when none.
func (b *browserTab) alert() string {
	b.t.Helper()
	return evalJS[string](b, `[...document.querySelectorAll("[role=alert]")].map(e => e.innerText.replace(/\s+/g, " ").trim()).join("\n")`)
}

// readTable reads the table named title: by its <caption>, aria-label or
// aria-labelledby, or else by the heading just before it. Each row maps
// the column headers to the cells' visible text.
const readTable = `function (title) {
	const norm = s => s.replace(/\s+/g, " ").trim();
	const named = [], seen = [];
	let heading = "";
	for (const e of document.querySelectorAll("h1, h2, h3, h4, h5, h6, table")) {
		if (e.tagName !== "TABLE") { heading = norm(e.innerText); continue; }
		let name = e.caption ? norm(e.caption.innerText) : "";
		if (!name) name = norm(e.getAttribute("aria-label") || "");
		if (!name && e.getAttribute("aria-labelledby")) {
			const l = document.getElementById(e.getAttribute("aria-labelledby"));
			name = l ? norm(l.innerText) : "";
		}
		if (!name) name = heading;
		seen.push(name);
		if (name === title) named.push(e);
	}
	if (named.length !== 1) return {error: named.length + " tables named " + JSON.stringify(title) + "; the tables: " + JSON.stringify(seen)};
	const t = named[0];
	const headRow = t.tHead ? t.tHead.rows[0] : t.rows[0];
	if (!headRow) return {error: "the table " + JSON.stringify(title) + " has no rows"};
	const head = [...headRow.cells].map(c => norm(c.innerText));
	const rows = [...t.rows].filter(r => r !== headRow && r.parentElement.tagName !== "THEAD")
		.map(r => [...r.cells].map(c => norm(c.innerText)));
	return {head, rows};
}`

// table reads the table named title (see readTable) as one map per row,
// from the column's header to the cell's text.
func (b *browserTab) table(title string) []map[string]string {
	b.t.Helper()
	v := b.cells(title)
	out := make([]map[string]string, 0, len(v.Rows))
	for i, r := range v.Rows {
		if len(r) != len(v.Head) {
			b.fatalf("table %q: row %d has %d cells for %d columns (%q)", title, i+1, len(r), len(v.Head), r)
		}
		m := make(map[string]string, len(r))
		for j, c := range r {
			m[v.Head[j]] = c
		}
		out = append(out, m)
	}
	return out
}

// tableCells are a table's header cells and rows of cells, as read.
type tableCells struct {
	Head  []string
	Rows  [][]string
	Error string
}

func (b *browserTab) cells(title string) tableCells {
	b.t.Helper()
	v := evalJS[tableCells](b, jsCall(readTable, title))
	if v.Error != "" {
		b.fatalf("table %q: %s", title, v.Error)
	}
	return v
}

// rowWhere is the one row of rows whose column col is value.
func (b *browserTab) rowWhere(rows []map[string]string, col, value string) map[string]string {
	b.t.Helper()
	var hit []map[string]string
	for _, r := range rows {
		if r[col] == value {
			hit = append(hit, r)
		}
	}
	if len(hit) != 1 {
		b.fatalf("%d rows have %s = %q; rows: %q", len(hit), col, value, rows)
	}
	return hit[0]
}

// wantFits fails unless the page fits the width of v with no sideways
// scrolling (a wide table must scroll in its own <div class="table-wrap">),
// naming the elements that stick out. The page is back at laptop size after.
func (b *browserTab) wantFits(v viewport) {
	b.t.Helper()
	ctx, cancel := b.step()
	err := chromedp.Do(ctx, setViewport(v))
	cancel()
	if err != nil {
		b.fatalf("viewport %s: %v", v.name, err)
	}
	defer func() {
		ctx, cancel := b.step()
		defer cancel()
		if err := chromedp.Do(ctx, setViewport(laptop)); err != nil {
			b.t.Errorf("browser: back to laptop width: %v", err)
		}
	}()
	out := evalJS[struct {
		Width, Page int
		Wide        []string
	}](b, `(() => {
		const width = document.documentElement.clientWidth;
		const wide = [];
		// What scrolls (or is clipped) inside its own box, as a table in its
		// <div class="table-wrap">, is fine; the box itself must fit. Text
		// that overflows its box (a long path or code that cannot wrap)
		// counts, and so does a wrap a flex or grid parent stretched.
		const clips = e => getComputedStyle(e).overflowX !== "visible";
		// An absolute box (a visually hidden label) is clipped only by a
		// scroller that is, or contains, its containing block.
		const inClip = e => {
			let abs = ["absolute", "fixed"].includes(getComputedStyle(e).position);
			for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
				const pos = getComputedStyle(a).position;
				if (clips(a) && (!abs || pos !== "static")) return true;
				if (abs && pos !== "static") abs = ["absolute", "fixed"].includes(pos);
			}
			return false;
		};
		const extent = e => { const r = e.getBoundingClientRect(); return clips(e) || !e.scrollWidth ? r.right : Math.max(r.right, r.left + e.scrollWidth); };
		for (const e of document.body.querySelectorAll("*")) {
			const right = extent(e);
			if (right <= width + 1 || inClip(e)) continue;
			if (!clips(e) && [...e.children].some(c => extent(c) > width + 1)) continue;
			wide.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + String(e.className).split(" ").join(".") : "") +
				" (" + Math.round(right) + "px): " + JSON.stringify(e.innerText.replace(/\s+/g, " ").trim().slice(0, 60)));
		}
		return {width, page: document.documentElement.scrollWidth, wide: wide.slice(0, 5)};
	})()`)
	if out.Page > out.Width {
		b.t.Errorf("browser: at %s width (%dpx) the page is %dpx wide; sticking out:\n%s", v.name, out.Width, out.Page, strings.Join(out.Wide, "\n"))
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// screenshot saves the current page, whole, as name-laptop.png and
// name-phone.png in $BCQB_SCREENSHOTS, for the README; without that
// variable it does nothing (so the tests stay cheap).
func (b *browserTab) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv(envScreenshots)
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	for _, v := range []viewport{laptop, phone} {
		ctx, cancel := b.step()
		err := chromedp.Do(ctx, setViewport(v))
		var png []byte
		if err == nil {
			png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		}
		cancel()
		if err != nil {
			b.fatalf("screenshot %s at %s width: %v", name, v.name, err)
		}
		file := filepath.Join(dir, unsafeName.ReplaceAllString(name, "_")+"-"+v.name+".png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			b.t.Fatal(err)
		}
		b.t.Logf("browser: saved %s", file)
	}
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, setViewport(laptop)); err != nil {
		b.fatalf("back to laptop width: %v", err)
	}
}

// saveArtifacts saves the page as it is (a full-page screenshot, its HTML
// and its address), for the reason why, in $BCQB_BROWSER_ARTIFACTS/<test>, or in a new
// temporary folder that is kept, and says where in the test's log.
func (b *browserTab) saveArtifacts(why string) {
	t := b.t
	dir := os.Getenv(envArtifacts)
	var err error
	if dir != "" {
		dir = filepath.Join(dir, unsafeName.ReplaceAllString(t.Name(), "_"))
		err = os.MkdirAll(dir, 0o755)
	} else {
		dir, err = os.MkdirTemp("", "bcqb-browser-")
	}
	if err != nil {
		t.Logf("browser: cannot save the failed page: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(b.tab, 15*time.Second)
	defer cancel()
	var saved []string
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		if os.WriteFile(filepath.Join(dir, "url.txt"), []byte(loc+"\n"), 0o644) == nil {
			saved = append(saved, "url.txt ("+loc+")")
		}
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
		t.Logf("browser: no screenshot of the failed page: %v", err)
	} else if os.WriteFile(filepath.Join(dir, "page.png"), png, 0o644) == nil {
		saved = append(saved, "page.png")
	}
	if html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement ? document.documentElement.outerHTML : ""`)); err != nil {
		t.Logf("browser: no HTML of the failed page: %v", err)
	} else if os.WriteFile(filepath.Join(dir, "page.html"), []byte(html), 0o644) == nil {
		saved = append(saved, "page.html")
	}
	t.Logf("browser: %s; the page is saved in %s: %s", why, dir, strings.Join(saved, ", "))
}

// setFirstPassword chooses the admin password on a fresh bcqb's first
// visit and lands on the dashboard, logged in.
func (b *browserTab) setFirstPassword(password string) {
	b.t.Helper()
	b.open("/")
	b.wantPath("/setup")
	b.fill("Password", password)
	b.fill("The same password again", password)
	b.clickButton("Set the password and log in")
	b.wantPath("/")
	b.waitText("Dashboard")
}

// logIn logs in from the login page and lands on the dashboard.
func (b *browserTab) logIn(password string) {
	b.t.Helper()
	b.open("/login")
	b.fill("Password", password)
	b.clickButton("Log in")
	b.wantPath("/")
}

// logOut presses the header's Log out button and lands on the login page.
func (b *browserTab) logOut() {
	b.t.Helper()
	b.clickButton("Log out")
	b.wantPath("/login")
}

// facts reads a table whose rows are a header cell and a value (the
// dashboard's counts), named as for table, as a map from the row's header
// to its value.
func (b *browserTab) facts(title string) map[string]string {
	b.t.Helper()
	v := b.cells(title)
	out := map[string]string{}
	for _, r := range append([][]string{v.Head}, v.Rows...) {
		if len(r) != 2 {
			b.fatalf("table %q: a row of %d cells (%q), want a header and a value", title, len(r), r)
		}
		out[r[0]] = r[1]
	}
	return out
}

// wantAlert fails unless a visible role="alert" element on the page says
// want (among other words): the message a screen reader announces, and a
// person sees.
func (b *browserTab) wantAlert(want string) {
	b.t.Helper()
	got := evalJS[[]string](b, `[...document.querySelectorAll("[role=alert]")].filter(e => e.checkVisibility()).map(e => e.innerText.replace(/\s+/g, " ").trim())`)
	for _, g := range got {
		if strings.Contains(g, want) {
			return
		}
	}
	b.fatalf("no visible alert says %q; the visible alerts: %q", want, got)
}

// disableScripts turns JavaScript off in the tab, for its next pages too,
// as a browser with JavaScript disabled: the page's own scripts do not run
// (the harness still reads the page through the DevTools protocol).
func (b *browserTab) disableScripts() {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		return t.Call(ctx, "Emulation.setScriptExecutionDisabled", map[string]bool{"value": true}, nil)
	}))
	if err != nil {
		b.fatalf("turning JavaScript off: %v", err)
	}
}

// checkPage is what can be checked of the current page's accessibility
// cheaply: one h1, headings that skip no level going down, a label (or
// aria-label) on every field a person can use, words on every button and
// link, no id used twice, and text contrast of at least 4.5:1 (3:1 for large
// text) against the background it is drawn on. Each problem fails the test
// (and the test goes on).
func (b *browserTab) checkPage() {
	b.t.Helper()
	for _, p := range b.pageProblems() {
		b.t.Errorf("browser: %s: %s", b.path(), p)
	}
}

// pageProblems lists what checkPage finds on the page.
func (b *browserTab) pageProblems() []string {
	b.t.Helper()
	return evalJS[[]string](b, checkPageJS)
}

const checkPageJS = `(() => {
	const out = [];
	const norm = s => (s || "").replace(/\s+/g, " ").trim();
	const desc = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.name ? "[name=" + e.name + "]" : "") + " " + JSON.stringify(norm(e.innerText || e.value || "").slice(0, 40));
	const h1 = document.querySelectorAll("h1");
	if (h1.length !== 1) out.push(h1.length + " h1 headings, want one");
	let last = 0;
	for (const h of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
		const l = +h.tagName[1];
		if (last && l > last + 1) out.push("heading " + h.tagName + " " + JSON.stringify(norm(h.innerText)) + " comes after an h" + last);
		last = l;
	}
	for (const e of document.querySelectorAll("input, select, textarea")) {
		if (e.type === "hidden" || e.hidden) continue;
		if (e.labels.length === 0 && !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby")) out.push("a field without a label: " + desc(e));
		for (const l of e.labels) if (!norm(l.textContent)) out.push("an empty label for " + desc(e));
	}
	for (const e of document.querySelectorAll("button, a[href]")) {
		if (!norm(e.textContent) && !e.getAttribute("aria-label")) out.push((e.tagName === "A" ? "a link" : "a button") + " without words: " + e.outerHTML.slice(0, 80));
	}
	const ids = {};
	for (const e of document.querySelectorAll("[id]")) {
		if (ids[e.id]) out.push("the id " + e.id + " is used twice");
		ids[e.id] = true;
	}
	// Contrast, WCAG's way: relative luminance of the text's colour and of
	// the background behind it (the first ancestor that paints one), alpha
	// and opacity blended in.
	const rgba = s => { const m = s.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/); return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : null; };
	const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
	const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
	const background = e => {
		const layers = [];
		for (let a = e; a; a = a.parentElement) {
			const c = rgba(getComputedStyle(a).backgroundColor);
			if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
		}
		let bg = [255, 255, 255, 1];
		for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
		return bg;
	};
	const seen = new Set();
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = walker.nextNode(); n; n = walker.nextNode()) {
		const e = n.parentElement;
		if (!norm(n.textContent) || seen.has(e) || e.closest("svg, option, datalist, script, style")) continue;
		seen.add(e);
		if (!e.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
		const r = e.getBoundingClientRect();
		if (r.width <= 1 || r.height <= 1) continue; // visually hidden, for screen readers
		const st = getComputedStyle(e);
		let fg = rgba(st.color);
		if (!fg) continue;
		let opacity = 1;
		for (let a = e; a; a = a.parentElement) opacity *= +getComputedStyle(a).opacity;
		const bg = background(e);
		fg = over([fg[0], fg[1], fg[2], fg[3] * opacity], bg);
		const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
		const ratio = (hi + 0.05) / (lo + 0.05);
		const size = parseFloat(st.fontSize), bold = +st.fontWeight >= 700;
		const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
		if (ratio < need) out.push("contrast " + ratio.toFixed(2) + ":1 (want " + need + ":1) of " + st.color + " on " + "rgb(" + bg.slice(0, 3).map(Math.round).join(", ") + "): " + desc(e));
	}
	return out;
})()`

// checkFocus presses Tab through the first n controls of the page and
// fails for each that shows no focus indicator: an outline (or a box shadow)
// that contrasts 3:1 with what is around it, as WCAG asks of a control's
// visible parts.
func (b *browserTab) checkFocus(n int) {
	b.t.Helper()
	for _, p := range b.focusProblems(n) {
		b.t.Errorf("browser: %s: %s", b.path(), p)
	}
}

// focusProblems lists what checkFocus finds, pressing Tab n times.
func (b *browserTab) focusProblems(n int) []string {
	b.t.Helper()
	var problems []string
	evalJS[bool](b, `(() => { if (document.activeElement) document.activeElement.blur(); window.scrollTo(0, 0); return true })()`)
	seen := map[string]bool{}
	for range n {
		ctx, cancel := b.step()
		err := chromedp.Do(ctx, chromedp.KeyEvent("\t"))
		cancel()
		if err != nil {
			b.fatalf("pressing Tab: %v", err)
		}
		got := evalJS[struct{ What, Problem string }](b, focusJS)
		if got.What == "" || seen[got.What] {
			continue
		}
		seen[got.What] = true
		if got.Problem != "" {
			problems = append(problems, "the focus on "+got.What+": "+got.Problem)
		}
	}
	if len(seen) == 0 {
		problems = append(problems, "Tab reached no control")
	}
	evalJS[bool](b, `(() => { if (document.activeElement) document.activeElement.blur(); return true })()`)
	return problems
}

// upload chooses the file at path in the file field labelled label.
func (b *browserTab) upload(label, path string) {
	b.t.Helper()
	f := b.field(label)
	if f.Type != "file" {
		b.fatalf("field %q is a %s %s, not a file field", label, f.Tag, f.Type)
	}
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID(f.ID), []string{path})); err != nil {
		b.fatalf("choosing %s for %q: %v", path, label, err)
	}
}

const focusJS = `(() => {
	const e = document.activeElement;
	if (!e || e === document.body) return {what: "", problem: ""};
	const what = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + " " + JSON.stringify((e.innerText || e.value || "").replace(/\s+/g, " ").trim().slice(0, 40));
	if (!e.matches(":focus-visible")) return {what, problem: "not :focus-visible after Tab"};
	const st = getComputedStyle(e);
	const rgba = s => { const m = s.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/); return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : null; };
	const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
	let ring = null;
	if (st.outlineStyle !== "none" && parseFloat(st.outlineWidth) >= 1) ring = rgba(st.outlineColor);
	else if (st.boxShadow && st.boxShadow !== "none") ring = rgba(st.boxShadow);
	if (!ring || ring[3] === 0) return {what, problem: "no outline or box shadow"};
	let bg = null;
	for (let a = e.parentElement; a && !bg; a = a.parentElement) {
		const c = rgba(getComputedStyle(a).backgroundColor);
		if (c && c[3] >= 1) bg = c;
	}
	bg = bg || [255, 255, 255, 1];
	const [hi, lo] = [lum(ring), lum(bg)].sort((x, y) => y - x);
	const ratio = (hi + 0.05) / (lo + 0.05);
	return {what, problem: ratio < 3 ? "the outline " + st.outlineColor + " has a contrast of " + ratio.toFixed(2) + ":1 with the background rgb(" + bg.slice(0, 3).join(", ") + ")" : ""};
})()`
