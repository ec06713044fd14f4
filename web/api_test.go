package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/bcqb/bcqb/store"
)

// storeToken is the BigCommerce token of the store the API tests connect;
// no answer may ever contain it.
const storeToken = "bc-token-never-shown-7d1f"

// apiCall sends a JSON API request as a script (token) or as the logged-in
// browser b (csrf, when not empty, goes in X-CSRF-Token).
func apiCall(t *testing.T, b *browser, method, path, body, bearer, csrf string) (int, map[string]any, string) {
	t.Helper()
	req, err := http.NewRequest(method, b.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
		req.Header.Set("Origin", b.srv.URL)
	}
	a := b.do(req)
	if ct := a.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s: Content-Type %q, body %q", method, path, ct, a.body)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(a.body), &v); err != nil {
		t.Fatalf("%s %s: not JSON: %v\n%s", method, path, err, a.body)
	}
	if strings.Contains(a.body, storeToken) {
		t.Errorf("%s %s shows the BigCommerce token", method, path)
	}
	return a.StatusCode, v, a.body
}

// apiServer is a server with a Web Connector user, a connected store and a
// logged-in browser.
func apiServer(t *testing.T) (*testServer, *browser, int64) {
	t.Helper()
	ts := newServer(t, options{}, "qb")
	ctx := context.Background()
	sealer, err := store.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	u, err := ts.db.UserByName(ctx, "qb")
	if err != nil {
		t.Fatal(err)
	}
	st, err := ts.db.PutBCStore(ctx, sealer, store.BCStoreInput{StoreHash: "abc123", Token: storeToken, CompanyID: u.CompanyID})
	if err != nil {
		t.Fatal(err)
	}
	b := ts.browser(t)
	b.setup(adminPassword)
	return ts, b, st.ID
}

var newToken = regexp.MustCompile(`id="new-token"[^>]*value="(bcqb_[^"]+)"`)

// makeToken makes an API token on the page and returns it.
func makeToken(t *testing.T, b *browser, name string) string {
	t.Helper()
	page := b.get("/tokens")
	a := b.post("/tokens", url.Values{"csrf": {b.csrf(page)}, "name": {name}})
	m := newToken.FindStringSubmatch(a.body)
	if a.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("POST /tokens = %d, no token shown:\n%s", a.StatusCode, a.body)
	}
	return m[1]
}

func TestAPIAuth(t *testing.T) {
	ts, b, _ := apiServer(t)
	token := makeToken(t, b, "nightly report")
	anon := ts.browser(t)
	tests := []struct {
		name   string
		b      *browser
		bearer string
		status int
		says   string
	}{
		{"no credentials", anon, "", 401, "Authorization: Bearer"},
		{"a wrong token", anon, "bcqb_wrong", 401, "unknown or was revoked"},
		{"not a bearer", anon, "", 401, ""},
		{"a live token", anon, token, 200, ""},
		{"the page's session", b, "", 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "not a bearer" {
				req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/stores", nil)
				req.Header.Set("Authorization", "Basic cWI6cGFzc3dvcmQ=")
				if a := anon.do(req); a.StatusCode != 401 || !strings.Contains(a.body, `\"Bearer <token>\"`) {
					t.Errorf("Basic auth = %d %s", a.StatusCode, a.body)
				}
				return
			}
			status, v, body := apiCall(t, tc.b, http.MethodGet, "/api/stores", "", tc.bearer, "")
			if status != tc.status || (tc.says != "" && !strings.Contains(body, tc.says)) {
				t.Errorf("= %d %s; want %d saying %q", status, body, tc.status, tc.says)
			}
			if status == 200 {
				stores, _ := v["stores"].([]any)
				if len(stores) != 1 || stores[0].(map[string]any)["store_hash"] != "abc123" {
					t.Errorf("stores = %v", v["stores"])
				}
			}
		})
	}

	// The token is shown once: the list shows only its first characters.
	if page := b.get("/tokens"); strings.Contains(page.body, token) || !strings.Contains(page.body, token[:11]) {
		t.Errorf("the tokens page shows the token again, or not its prefix")
	}
	ids := regexp.MustCompile(`action="/tokens/([0-9]+)/revoke"`).FindStringSubmatch(b.get("/tokens").body)
	if ids == nil {
		t.Fatal("no revoke button")
	}
	page := b.get("/tokens")
	if a := b.post("/tokens/"+ids[1]+"/revoke", url.Values{"csrf": {b.csrf(page)}}); a.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke = %d %s", a.StatusCode, a.body)
	}
	if status, _, _ := apiCall(t, anon, http.MethodGet, "/api/stores", "", token, ""); status != 401 {
		t.Errorf("a revoked token = %d; want 401", status)
	}
	if a := b.post("/tokens", url.Values{"csrf": {b.csrf(page)}, "name": {" "}}); a.StatusCode != 400 || !strings.Contains(a.body, "Give the token a name") {
		t.Errorf("a token without a name = %d %s", a.StatusCode, a.body)
	}
}

func TestAPISettings(t *testing.T) {
	ts, b, storeID := apiServer(t)
	ctx := context.Background()
	token := makeToken(t, b, "settings script")
	path := "/api/stores/" + itoa(storeID) + "/settings"

	status, v, body := apiCall(t, b, http.MethodGet, path, "", token, "")
	if status != 200 || v["mode"] != "auto" || v["shipping_item"] != "BigCommerce Shipping" {
		t.Fatalf("GET settings = %d %s", status, body)
	}
	stored := func() string {
		st, err := ts.db.BCStore(ctx, storeID)
		if err != nil {
			t.Fatal(err)
		}
		return st.SettingsJSON
	}
	before := stored()
	csrf := b.csrf(b.get("/"))
	bad := []struct {
		name, body, bearer, csrf string
		status                   int
		says                     string
	}{
		{"a browser without the CSRF header", `{"mode": "invoice"}`, "", "", 403, "security token"},
		{"a browser with a wrong CSRF header", `{"mode": "invoice"}`, "", "nope", 403, "security token"},
		{"not JSON", `mode=invoice`, token, "", 400, "not JSON"},
		{"an unknown field", `{"mood": "invoice"}`, token, "", 400, `unknown field \"mood\"`},
		{"a mode bcqb does not know", `{"mode": "weekly"}`, token, "", 400, `mode is \"weekly\"`},
		{"a name QuickBooks cannot hold", `{"shipping_item": "` + strings.Repeat("S", 40) + `"}`, token, "", 400, "31 characters"},
		{"two values", `{"mode": "invoice"} {}`, token, "", 400, "more than one"},
		{"too large", `{"skus": {"` + strings.Repeat("A", 2<<20) + `": "x"}}`, token, "", 413, "larger than"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := apiCall(t, b, http.MethodPut, path, tc.body, tc.bearer, tc.csrf)
			if status != tc.status || !strings.Contains(body, tc.says) {
				t.Errorf("= %d %s; want %d saying %q", status, body, tc.status, tc.says)
			}
			if got := stored(); got != before {
				t.Errorf("the settings changed to %s", got)
			}
		})
	}

	status, v, body = apiCall(t, b, http.MethodPut, path, `{"mode": "invoice", "skus": {"MUG-1": "Coffee Mug"}}`, "", csrf)
	if status != 200 || v["saved"] != true || !strings.Contains(body, "not posted yet") {
		t.Fatalf("PUT from the page = %d %s", status, body)
	}
	if got := stored(); !strings.Contains(got, `"mode":"invoice"`) || !strings.Contains(got, `"MUG-1":"Coffee Mug"`) {
		t.Errorf("stored settings %s", got)
	}
	if status, _, body := apiCall(t, b, http.MethodGet, "/api/stores/999/settings", "", token, ""); status != 404 {
		t.Errorf("an unknown store = %d %s", status, body)
	}
}

func TestAPIPostings(t *testing.T) {
	ts, b, _ := apiServer(t)
	token := makeToken(t, b, "report")
	u, err := ts.db.UserByName(context.Background(), "qb")
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/companies/" + itoa(u.CompanyID) + "/postings"
	if status, v, body := apiCall(t, b, http.MethodGet, path+"?state=attention", "", token, ""); status != 200 || v["postings"] == nil {
		t.Errorf("postings = %d %s", status, body)
	}
	if status, _, body := apiCall(t, b, http.MethodGet, path+"?state=lost", "", token, ""); status != 400 || !strings.Contains(body, `state \"lost\"`) {
		t.Errorf("an unknown state = %d %s", status, body)
	}
	status, v, body := apiCall(t, b, http.MethodGet, "/api/companies", "", token, "")
	if companies, _ := v["companies"].([]any); status != 200 || len(companies) != 1 {
		t.Errorf("companies = %d %s", status, body)
	}
	if status, _, body := apiCall(t, b, http.MethodGet, "/api/nothing", "", token, ""); status != 404 {
		t.Errorf("an unknown endpoint = %d %s", status, body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestAPIMappings(t *testing.T) {
	rg := newMappingRig(t, "", testCatalogue)
	token := makeToken(t, rg.b, "mapping script")
	base := "/api/stores/" + itoa(rg.st.ID) + "/mappings"
	status, v, body := apiCall(t, rg.b, http.MethodGet, base, "", token, "")
	if status != 200 || v["lists_read"] != true {
		t.Fatalf("GET mappings = %d %s", status, body)
	}
	how := map[string]string{}
	for _, m := range v["mappings"].([]any) {
		m := m.(map[string]any)
		how[m["sku"].(string)] = m["how"].(string) + " " + m["item"].(string)
	}
	if how["TEE-M"] == "" || how["MUG-BLUE"] == "" || !strings.Contains(how["TEE-M"], "TEE-M") {
		t.Fatalf("mappings = %v", how)
	}

	bad := []struct {
		name, method, sku, body string
		status                  int
		says                    string
	}{
		{"an item QuickBooks does not have", "PUT", "MUG-BLUE", `{"item": "Nothing Such"}`, 400, `QuickBooks has no item \"Nothing Such\"`},
		{"a SKU not in the catalogue", "PUT", "NOPE", `{"item": "Widget"}`, 404, "not in store abc123's catalogue"},
		{"both item and create", "PUT", "MUG-BLUE", `{"item": "Widget", "create": "inventory"}`, 400, "not both"},
		{"neither", "PUT", "MUG-BLUE", `{}`, 400, "not both"},
		{"a kind bcqb cannot create", "PUT", "MUG-BLUE", `{"create": "service"}`, 400, `\"create\" is \"service\"`},
		{"an unknown field", "PUT", "MUG-BLUE", `{"itme": "Widget"}`, 400, "unknown field"},
	}
	before := rg.storedJSON()
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := apiCall(t, rg.b, tc.method, base+"/"+tc.sku, tc.body, token, "")
			if status != tc.status || !strings.Contains(body, tc.says) {
				t.Errorf("= %d %s; want %d saying %q", status, body, tc.status, tc.says)
			}
			if got := rg.storedJSON(); got != before {
				t.Errorf("settings changed to %s", got)
			}
		})
	}
	if status, _, body := apiCall(t, rg.b, "PUT", base+"/MUG-BLUE", `{"item": "Widget"}`, "", ""); status != 403 {
		t.Errorf("a browser's PUT without the CSRF header = %d %s", status, body)
	}

	if status, _, body := apiCall(t, rg.b, "PUT", base+"/mug-blue", `{"item": "widget"}`, token, ""); status != 200 || !strings.Contains(body, `"item": "Widget"`) {
		t.Fatalf("map MUG-BLUE = %d %s", status, body)
	}
	if got := rg.settings().SKUs["MUG-BLUE"]; got != "Widget" {
		t.Errorf("stored mapping of MUG-BLUE = %q; want Widget (QuickBooks' spelling)", got)
	}
	if status, _, body := apiCall(t, rg.b, "PUT", base+"/TEE-S", `{"create": "inventory"}`, token, ""); status != 200 {
		t.Fatalf("create TEE-S = %d %s", status, body)
	}
	if got := rg.settings().CreateSKUs["TEE-S"]; got != "inventory" {
		t.Errorf("TEE-S create = %q", got)
	}
	if status, _, body := apiCall(t, rg.b, "DELETE", base+"/MUG-BLUE", "", token, ""); status != 200 {
		t.Fatalf("clear MUG-BLUE = %d %s", status, body)
	}
	if _, ok := rg.settings().SKUs["MUG-BLUE"]; ok {
		t.Error("MUG-BLUE is still mapped after DELETE")
	}
}
