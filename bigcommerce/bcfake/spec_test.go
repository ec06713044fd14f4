package bcfake_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/bcqb/bcqb/bigcommerce/bcfake"
	"github.com/bcqb/bcqb/internal/sharedref"
)

// specDir is ../shared/reference/bigcommerce/reference (skips when absent).
func specDir(t *testing.T) string {
	return sharedref.Dir(t, "bigcommerce", "reference")
}

// openAPI is a parsed spec file: just enough of OpenAPI 3 to check a
// response body's types, required properties, nullability and enums.
type openAPI struct {
	doc map[string]any
}

func loadSpec(t *testing.T, path string) *openAPI {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &openAPI{doc: doc}
}

func (s *openAPI) resolve(schema map[string]any) map[string]any {
	for i := 0; i < 20; i++ {
		ref, ok := schema["$ref"].(string)
		if !ok {
			return schema
		}
		var node any = s.doc
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			m, _ := node.(map[string]any)
			node = m[part]
		}
		next, ok := node.(map[string]any)
		if !ok {
			return map[string]any{}
		}
		schema = next
	}
	return schema
}

// responseSchema is the application/json schema of method path's 200.
func (s *openAPI) responseSchema(path, method string) (map[string]any, error) {
	paths, _ := s.doc["paths"].(map[string]any)
	item, _ := paths[path].(map[string]any)
	op, _ := item[method].(map[string]any)
	responses, _ := op["responses"].(map[string]any)
	resp, _ := responses["200"].(map[string]any)
	if resp == nil {
		return nil, fmt.Errorf("spec has no 200 for %s %s", method, path)
	}
	resp = s.resolve(resp)
	content, _ := resp["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	schema, _ := media["schema"].(map[string]any)
	if schema == nil {
		return nil, fmt.Errorf("spec has no JSON schema for %s %s", method, path)
	}
	return schema, nil
}

// check validates v against schema and appends what is wrong to errs.
func (s *openAPI) check(schema map[string]any, v any, at string, errs *[]string) {
	schema = s.resolve(schema)
	if all, ok := schema["allOf"].([]any); ok {
		for _, sub := range all {
			if m, ok := sub.(map[string]any); ok {
				s.check(m, v, at, errs)
			}
		}
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		alts, ok := schema[key].([]any)
		if !ok {
			continue
		}
		matched := false
		for _, sub := range alts {
			m, ok := sub.(map[string]any)
			if !ok {
				continue
			}
			var sub []string
			s.check(m, v, at, &sub)
			if len(sub) == 0 {
				matched = true
				break
			}
		}
		if !matched {
			*errs = append(*errs, fmt.Sprintf("%s: matches none of %s", at, key))
		}
	}
	typ, _ := schema["type"].(string)
	if v == nil {
		if nullable, _ := schema["nullable"].(bool); !nullable && typ != "" {
			*errs = append(*errs, fmt.Sprintf("%s: null where the spec says %s (not nullable)", at, typ))
		}
		return
	}
	if enum, ok := schema["enum"].([]any); ok {
		if str, isStr := v.(string); isStr && typ == "string" {
			found := false
			for _, e := range enum {
				if fmt.Sprint(e) == str {
					found = true
				}
			}
			if !found {
				*errs = append(*errs, fmt.Sprintf("%s: %q not in the spec's enum %v", at, str, enum))
			}
		}
	}
	switch typ {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			*errs = append(*errs, fmt.Sprintf("%s: %T where the spec says object", at, v))
			return
		}
		if req, ok := schema["required"].([]any); ok {
			for _, r := range req {
				if _, present := obj[fmt.Sprint(r)]; !present {
					*errs = append(*errs, fmt.Sprintf("%s: required property %q missing", at, r))
				}
			}
		}
		props, _ := schema["properties"].(map[string]any)
		for k, pv := range obj {
			if p, ok := props[k].(map[string]any); ok {
				s.check(p, pv, at+"."+k, errs)
			}
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			*errs = append(*errs, fmt.Sprintf("%s: %T where the spec says array", at, v))
			return
		}
		items, _ := schema["items"].(map[string]any)
		for i, it := range arr {
			if items != nil {
				s.check(items, it, fmt.Sprintf("%s[%d]", at, i), errs)
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			*errs = append(*errs, fmt.Sprintf("%s: %T where the spec says string", at, v))
			return
		}
		if f, _ := schema["format"].(string); f == "date-time" && str != "" {
			if _, err := time.Parse(time.RFC3339, str); err != nil {
				*errs = append(*errs, fmt.Sprintf("%s: %q is not an RFC 3339 date-time", at, str))
			}
		}
	case "integer":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			*errs = append(*errs, fmt.Sprintf("%s: %v (%T) where the spec says integer", at, v, v))
		}
	case "number":
		if _, ok := v.(json.Number); !ok {
			*errs = append(*errs, fmt.Sprintf("%s: %T where the spec says number", at, v))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			*errs = append(*errs, fmt.Sprintf("%s: %T where the spec says boolean", at, v))
		}
	}
}

// TestResponsesMatchSpecs calls every endpoint of the fake and checks each
// body against BigCommerce's OpenAPI spec for it, so the fake cannot drift
// from the real API's shapes.
func TestResponsesMatchSpecs(t *testing.T) {
	dir := specDir(t)
	specs := map[string]*openAPI{}
	spec := func(name string) *openAPI {
		if specs[name] == nil {
			specs[name] = loadSpec(t, filepath.Join(dir, name))
		}
		return specs[name]
	}
	store := bcfake.New(bcfake.Options{Seed: 21, Orders: 600, Quota: 1 << 20, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(store.Handler())
	defer srv.Close()

	// One webhook, so /v3/hooks has something to list.
	hreq, _ := http.NewRequest(http.MethodPost, srv.URL+"/v3/hooks", strings.NewReader(`{"scope":"store/order/*","destination":"https://example.test/hook","is_active":true,"headers":{"X-Secret":"s"}}`))
	hreq.Header.Set("Accept", "application/json")
	hreq.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(hreq); err != nil || resp.StatusCode != 200 {
		t.Fatalf("create hook: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	type call struct {
		url, file, path string
	}
	calls := []call{
		{"v2/time", "store_information.v2.yml", "/time"},
		{"v2/store", "store_information.v2.yml", "/store"},
		{"v2/order_statuses", "orders.v2.oas2.yml", "/order_statuses"},
		{"v2/currencies", "currencies.v2.yml", "/currencies"},
		{"v2/payments/methods", "payments/methods_payments.v2.yml", "/payments/methods"},
		{"v2/orders?limit=250&include=fees&sort=date_modified:asc&min_date_modified=2020-01-01T00:00:00%2B00:00", "orders.v2.oas2.yml", "/orders"},
		{"v2/orders?limit=250&include=fees,consignments.line_items&consignment_structure=object&sort=date_modified:asc&min_date_modified=2020-01-01T00:00:00%2B00:00", "orders.v2.oas2.yml", "/orders"},
		{"v3/orders/payment_actions/refunds?limit=250", "orders.v3.yml", "/orders/payment_actions/refunds"},
		{"v3/customers?include=addresses,storecredit&limit=250", "customers.v3.yml", "/customers"},
		{"v3/catalog/products?include=variants&limit=250", "catalog/products_catalog.v3.yml", "/catalog/products"},
		{"v3/catalog/products/105", "catalog/products_catalog.v3.yml", "/catalog/products/{product_id}"},
		{"v3/catalog/products/101/variants", "catalog/product-variants_catalog.v3.yml", "/catalog/products/{product_id}/variants"},
		{"v3/catalog/variants?limit=250", "catalog/product-variants_catalog.v3.yml", "/catalog/variants"},
		{"v3/hooks", "webhooks.v3.yml", "/hooks"},
		{"v3/hooks/1", "webhooks.v3.yml", "/hooks/{webhook_id}"},
	}
	// Per-order endpoints for a few orders of every status.
	perStatus := map[int]int{}
	for _, id := range store.OrderIDs() {
		st, _ := store.OrderStatus(id)
		if perStatus[st] >= 3 {
			continue
		}
		perStatus[st]++
		calls = append(calls,
			call{fmt.Sprintf("v2/orders/%d", id), "orders.v2.oas2.yml", "/orders/{order_id}"},
			call{fmt.Sprintf("v2/orders/%d/products?limit=250", id), "orders.v2.oas2.yml", "/orders/{order_id}/products"},
			call{fmt.Sprintf("v2/orders/%d/shipping_addresses", id), "orders.v2.oas2.yml", "/orders/{order_id}/shipping_addresses"},
			call{fmt.Sprintf("v2/orders/%d/coupons", id), "orders.v2.oas2.yml", "/orders/{order_id}/coupons"},
			call{fmt.Sprintf("v2/orders/%d?include=fees", id), "orders.v2.oas2.yml", "/orders/{order_id}"},
			call{fmt.Sprintf("v2/orders/%d/taxes?details=true", id), "orders.v2.oas2.yml", "/orders/{order_id}/taxes"},
			call{fmt.Sprintf("v3/orders/%d/transactions", id), "orders.v3.yml", "/orders/{order_id}/transactions"},
			call{fmt.Sprintf("v3/orders/%d/payment_actions/refunds", id), "orders.v3.yml", "/orders/{order_id}/payment_actions/refunds"},
			call{fmt.Sprintf("v2/orders/%d?include=fees,consignments.line_items&consignment_structure=object", id), "orders.v2.oas2.yml", "/orders/{order_id}"},
			call{fmt.Sprintf("v2/orders/%d/consignments", id), "orders.v2.oas2.yml", "/orders/{order_id}/consignments"},
			call{fmt.Sprintf("v2/orders/%d/consignments?include=consignments.line_items", id), "orders.v2.oas2.yml", "/orders/{order_id}/consignments"},
		)
	}
	checked := 0
	for _, c := range calls {
		t.Run(c.url, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/stores/fake/"+c.url, nil)
			req.Header.Set("Accept", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode == http.StatusNoContent {
				return // an empty list: nothing to check
			}
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			for _, h := range []string{"X-Rate-Limit-Requests-Left", "X-Rate-Limit-Requests-Quota", "X-Rate-Limit-Time-Reset-Ms", "X-Rate-Limit-Time-Window-Ms"} {
				if resp.Header.Get(h) == "" {
					t.Errorf("header %s missing", h)
				}
			}
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			sp := spec(c.file)
			schema, err := sp.responseSchema(c.path, "get")
			if err != nil {
				t.Fatal(err)
			}
			var errs []string
			sp.check(schema, v, "body", &errs)
			sort.Strings(errs)
			if len(errs) > 10 {
				errs = append(errs[:10], fmt.Sprintf("... and %d more", len(errs)-10))
			}
			for _, e := range errs {
				t.Error(e)
			}
			checked++
		})
	}
	if checked < 50 {
		t.Errorf("only %d responses checked", checked)
	}
}

// TestSpecCheckerCatchesDrift feeds the checker bodies that break the spec,
// so a passing TestResponsesMatchSpecs means something.
func TestSpecCheckerCatchesDrift(t *testing.T) {
	sp := loadSpec(t, filepath.Join(specDir(t), "orders.v3.yml"))
	schema, err := sp.responseSchema("/orders/{order_id}/transactions", "get")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, body, want string
	}{
		{"amount as string", `{"data":[{"event":"purchase","method":"credit_card","amount":"1.00","currency":"USD","gateway":"braintree"}]}`, "says number"},
		{"required missing", `{"data":[{"event":"purchase","method":"credit_card","amount":1,"currency":"USD"}]}`, `"gateway" missing`},
		{"bad date", `{"data":[{"event":"purchase","method":"credit_card","amount":1,"currency":"USD","gateway":"braintree","date_created":"Tue, 05 Mar 2019 21:40:11 +0000"}]}`, "RFC 3339"},
		{"bad enum", `{"data":[{"event":"teleport","method":"credit_card","amount":1,"currency":"USD","gateway":"braintree"}]}`, "not in the spec's enum"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dec := json.NewDecoder(strings.NewReader(tc.body))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			var errs []string
			sp.check(schema, v, "body", &errs)
			if !strings.Contains(strings.Join(errs, "\n"), tc.want) {
				t.Errorf("errors %q do not mention %q", errs, tc.want)
			}
		})
	}
}

// getSpecJSON fetches a fake's answer as JSON with numbers kept.
func getSpecJSON(t *testing.T, srv *httptest.Server, path string) any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/stores/fake/"+path, nil)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestConsignmentsMatchSpec checks the consignments an order embeds with
// include=consignments.line_items against the spec's orderConsignment_Get
// directly (the order schema's oneOf also admits a bare link, which would
// let any object pass), each embedded line against orderProducts, and that
// the embedded lines are exactly /v2/orders/{id}/products. With only
// include=consignments the line items are {url, resource} links; without
// include the field is absent, as in the recorded responses.
func TestConsignmentsMatchSpec(t *testing.T) {
	sp := loadSpec(t, filepath.Join(specDir(t), "orders.v2.oas2.yml"))
	schemas := sp.doc["components"].(map[string]any)["schemas"].(map[string]any)
	consignmentSchema := schemas["orderConsignment_Get"].(map[string]any)
	lineSchema := schemas["orderProducts"].(map[string]any)
	linkSchema := schemas["products_Resource"].(map[string]any)
	store := bcfake.New(bcfake.Options{Seed: 21, Orders: 300, Quota: 1 << 20, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(store.Handler())
	defer srv.Close()
	kinds := map[string]int{}
	for _, id := range store.OrderIDs() {
		full := getSpecJSON(t, srv, fmt.Sprintf("v2/orders/%d?include=fees,consignments.line_items&consignment_structure=object", id)).(map[string]any)
		c, ok := full["consignments"].(map[string]any)
		if !ok {
			t.Fatalf("order %d: consignments is %T", id, full["consignments"])
		}
		var errs []string
		sp.check(consignmentSchema, c, fmt.Sprintf("order %d consignments", id), &errs)
		var embedded []any
		for _, kind := range []string{"pickups", "shipping", "downloads"} {
			for _, g := range c[kind].([]any) {
				kinds[kind]++
				embedded = append(embedded, g.(map[string]any)["line_items"].([]any)...)
			}
		}
		for _, g := range c["email"].(map[string]any)["gift_certificates"].([]any) {
			kinds["gift_certificates"]++
			embedded = append(embedded, g.(map[string]any)["line_items"].([]any)...)
		}
		for i, l := range embedded {
			sp.check(lineSchema, l, fmt.Sprintf("order %d embedded line %d", id, i), &errs)
		}
		for _, e := range errs {
			t.Error(e)
		}
		want := getSpecJSON(t, srv, fmt.Sprintf("v2/orders/%d/products?limit=250", id)).([]any)
		sort.Slice(embedded, func(i, j int) bool {
			a, _ := embedded[i].(map[string]any)["id"].(json.Number).Int64()
			b, _ := embedded[j].(map[string]any)["id"].(json.Number).Int64()
			return a < b
		})
		if !reflect.DeepEqual(embedded, want) {
			t.Fatalf("order %d: embedded lines differ from /products:\n%v\n%v", id, embedded, want)
		}

		links := getSpecJSON(t, srv, fmt.Sprintf("v2/orders/%d?include=consignments&consignment_structure=object", id)).(map[string]any)
		for _, g := range links["consignments"].(map[string]any)["shipping"].([]any) {
			for _, l := range g.(map[string]any)["line_items"].([]any) {
				lm := l.(map[string]any)
				if len(lm) != 2 || lm["resource"] == nil {
					t.Fatalf("order %d: include=consignments line item %v is not a link", id, lm)
				}
				var errs []string
				sp.check(linkSchema, lm, "link", &errs)
				for _, e := range errs {
					t.Error(e)
				}
			}
		}
		plain := getSpecJSON(t, srv, fmt.Sprintf("v2/orders/%d", id)).(map[string]any)
		if c, present := plain["consignments"]; present {
			t.Fatalf("order %d without include: consignments %v (recorded responses have none)", id, c)
		}
	}
	for _, kind := range []string{"shipping", "downloads", "gift_certificates"} {
		if kinds[kind] == 0 {
			t.Errorf("no %s consignment among the orders", kind)
		}
	}
}
