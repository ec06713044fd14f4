package bcfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Fault is a misbehaviour the handler serves instead of the next answer.
type Fault int

const (
	// Fault429 answers 429 with the rate-limit headers and drains the
	// current window, as when another app spent the quota.
	Fault429 Fault = iota + 1
	// Fault429Bare answers 429 without any rate-limit header (BigCommerce
	// overloaded).
	Fault429Bare
	// Fault500 answers 500 Internal Server Error.
	Fault500
	// Fault503 answers 503 Service Unavailable (maintenance).
	Fault503
	// FaultSlow answers normally after Options.SlowDelay (or when the
	// client gives up).
	FaultSlow
	// FaultCutBody sends the headers and half the body, then drops the
	// connection.
	FaultCutBody
	// FaultBadJSON sends a complete HTTP answer whose JSON stops halfway.
	FaultBadJSON
)

// InjectFaults queues faults: each of the next API requests gets the next
// fault instead of (or, for FaultSlow, before) its normal answer.
func (s *Store) InjectFaults(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f...)
}

// limiter is BigCommerce's quota: a fixed window that starts with the first
// request after the previous one ended.
type limiter struct {
	quota  int
	window time.Duration
	start  time.Time
	used   int
}

func (l *limiter) roll(now time.Time) {
	if l.start.IsZero() || now.Sub(l.start) >= l.window {
		l.start, l.used = now, 0
	}
}

func (l *limiter) resetIn(now time.Time) time.Duration { return l.window - now.Sub(l.start) }

// ceilMs rounds up to whole milliseconds, so a client waiting that long is
// never early.
func ceilMs(d time.Duration) int64 { return int64((d + time.Millisecond - 1) / time.Millisecond) }

// ceilSeconds is the X-Retry-After value.
func ceilSeconds(d time.Duration) int64 { return int64((d + time.Second - 1) / time.Second) }

func (s *Store) rateHeaders(h http.Header, now time.Time) {
	h.Set("X-Rate-Limit-Time-Window-Ms", strconv.FormatInt(ceilMs(s.limit.window), 10))
	h.Set("X-Rate-Limit-Time-Reset-Ms", strconv.FormatInt(ceilMs(s.limit.resetIn(now)), 10))
	h.Set("X-Rate-Limit-Requests-Quota", strconv.Itoa(s.limit.quota))
	h.Set("X-Rate-Limit-Requests-Left", strconv.Itoa(max(s.limit.quota-s.limit.used, 0)))
}

// Handler serves the API under /stores/{hash}/v2/... and /stores/{hash}/v3/...
// (and, for convenience, /v2/... and /v3/... at the root).
func (s *Store) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

// reply is a rendered answer.
type reply struct {
	status int
	body   any // marshalled as JSON; nil with 204
}

func (s *Store) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.Trim(r.URL.Path, "/")
	if strings.HasPrefix(path, "stores/") {
		parts := strings.SplitN(path, "/", 3)
		if len(parts) < 3 {
			writeJSON(w, http.StatusNotFound, v3Error(404, "No route found"))
			return
		}
		path = parts[2]
	}
	s.mu.Lock()
	s.stats.Requests++
	now := time.Now()
	s.applyDue(now)
	if s.opts.Token != "" && r.Header.Get("X-Auth-Token") != s.opts.Token {
		s.mu.Unlock()
		writeJSON(w, http.StatusUnauthorized, errFor(path, 401, "You have not been granted access to this resource. Check the X-Auth-Token."))
		return
	}
	if acc := r.Header.Get("Accept"); !strings.Contains(acc, "application/json") && !strings.Contains(acc, "*/*") {
		s.mu.Unlock()
		writeJSON(w, http.StatusNotAcceptable, errFor(path, 406, "The requested content type is not acceptable: send Accept: application/json"))
		return
	}
	var fault Fault
	if len(s.faults) > 0 {
		fault, s.faults = s.faults[0], s.faults[1:]
		s.stats.Injected++
	}
	s.limit.roll(now)
	switch fault {
	case Fault429:
		s.limit.used = s.limit.quota
		s.rateHeaders(w.Header(), now)
		w.Header().Set("X-Retry-After", strconv.FormatInt(ceilSeconds(s.limit.resetIn(now)), 10))
		s.mu.Unlock()
		writeJSON(w, http.StatusTooManyRequests, errFor(path, 429, "Too many requests"))
		return
	case Fault429Bare:
		s.mu.Unlock()
		writeJSON(w, http.StatusTooManyRequests, errFor(path, 429, "Too many requests"))
		return
	}
	if s.limit.used >= s.limit.quota {
		s.stats.RateLimited++
		s.rateHeaders(w.Header(), now)
		w.Header().Set("X-Retry-After", strconv.FormatInt(ceilSeconds(s.limit.resetIn(now)), 10))
		s.mu.Unlock()
		writeJSON(w, http.StatusTooManyRequests, errFor(path, 429, "Too many requests"))
		return
	}
	s.limit.used++
	s.rateHeaders(w.Header(), now)
	switch fault {
	case Fault500:
		s.mu.Unlock()
		writeJSON(w, http.StatusInternalServerError, errFor(path, 500, "Internal Server Error"))
		return
	case Fault503:
		s.mu.Unlock()
		writeJSON(w, http.StatusServiceUnavailable, errFor(path, 503, "Service Unavailable: the store is down for maintenance"))
		return
	}
	rep := s.route(r, path)
	s.mu.Unlock()

	if fault == FaultSlow {
		t := time.NewTimer(s.opts.SlowDelay)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	if rep.status == http.StatusNoContent || rep.body == nil {
		w.WriteHeader(rep.status)
		return
	}
	body, err := json.Marshal(rep.body)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, v3Error(500, err.Error()))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch fault {
	case FaultCutBody:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rep.status)
		_, _ = w.Write(body[:len(body)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler) // drop the connection mid-body
	case FaultBadJSON:
		body = body[:len(body)/2]
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rep.status)
	_, _ = w.Write(body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// v2 errors are a list of {status, message}; v3 errors are a problem object.
func errFor(path string, status int, msg string) any {
	if strings.HasPrefix(path, "v2/") {
		return []map[string]any{{"status": status, "message": msg}}
	}
	return v3Error(status, msg)
}

func v3Error(status int, title string) map[string]any {
	return map[string]any{"status": status, "title": title, "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes", "errors": map[string]any{}}
}

func notFound(path string) reply {
	if strings.HasPrefix(path, "v2/") {
		return reply{http.StatusNotFound, []map[string]any{{"status": 404, "message": "The requested resource was not found."}}}
	}
	return reply{http.StatusNotFound, v3Error(404, "The requested resource was not found.")}
}

func badRequest(path, msg string) reply {
	if strings.HasPrefix(path, "v2/") {
		return reply{http.StatusBadRequest, []map[string]any{{"status": 400, "message": msg}}}
	}
	return reply{http.StatusBadRequest, v3Error(400, msg)}
}

// route dispatches a request; s.mu is held.
func (s *Store) route(r *http.Request, path string) reply {
	seg := strings.Split(path, "/")
	q := r.URL.Query()
	get := r.Method == http.MethodGet
	id := func(i int) (int64, bool) {
		if i >= len(seg) {
			return 0, false
		}
		n, err := strconv.ParseInt(seg[i], 10, 64)
		return n, err == nil
	}
	switch {
	case get && path == "v2/time":
		return reply{200, map[string]any{"time": s.now().Unix()}}
	case get && path == "v2/store":
		return reply{200, s.storeInfo()}
	case get && path == "v2/order_statuses":
		return reply{200, orderStatuses()}
	case get && path == "v2/currencies":
		return v2Page(q, path, currencyList())
	case get && path == "v2/payments/methods":
		return v2Page(q, path, paymentMethods())
	case get && path == "v2/orders":
		return s.listOrders(q, path)
	case get && len(seg) >= 3 && seg[0] == "v2" && seg[1] == "orders":
		oid, ok := id(2)
		o := s.byID[oid]
		if !ok || o == nil {
			return notFound(path)
		}
		if len(seg) == 3 {
			return reply{200, s.renderOrder(o, q.Get("include"))}
		}
		if len(seg) == 4 {
			switch seg[3] {
			case "products":
				return v2Page(q, path, s.renderLines(o))
			case "shipping_addresses", "shippingaddresses":
				return v2Page(q, path, s.renderShipping(o))
			case "coupons":
				return v2Page(q, path, renderCoupons(o))
			case "taxes":
				return v2Page(q, path, s.renderTaxes(o, q.Get("details") == "true"))
			case "consignments":
				// Its include takes only consignments.line_items (spec
				// getOrderConsignments); without it line items are links.
				return reply{200, s.renderConsignments(o, strings.Contains(q.Get("include"), "consignments.line_items"))}
			}
		}
	case get && len(seg) == 4 && seg[0] == "v3" && seg[1] == "orders" && seg[3] == "transactions":
		oid, ok := id(2)
		o := s.byID[oid]
		if !ok || o == nil {
			return notFound(path)
		}
		items := make([]any, 0, len(o.Txns))
		for _, t := range o.Txns {
			items = append(items, renderTxn(o, t))
		}
		if len(items) == 0 {
			return reply{http.StatusNoContent, nil}
		}
		return v3Page(q, path, items)
	case get && path == "v3/orders/payment_actions/refunds":
		return s.listRefunds(q, path)
	case get && len(seg) == 5 && seg[0] == "v3" && seg[1] == "orders" && seg[3] == "payment_actions" && seg[4] == "refunds":
		oid, ok := id(2)
		o := s.byID[oid]
		if !ok || o == nil {
			return notFound(path)
		}
		items := make([]any, 0, len(o.Refunds))
		for _, rf := range o.Refunds {
			items = append(items, renderRefund(rf))
		}
		return v3Page(q, path, items)
	case get && path == "v3/customers":
		return s.listCustomers(q, path)
	case get && path == "v3/catalog/products":
		return s.listProducts(q, path)
	case get && len(seg) == 4 && seg[0] == "v3" && seg[1] == "catalog" && seg[2] == "products":
		pid, _ := id(3)
		for _, p := range s.products {
			if p.ID == pid {
				return reply{200, map[string]any{"data": renderProduct(p, q.Get("include") == "variants"), "meta": map[string]any{}}}
			}
		}
		return notFound(path)
	case get && len(seg) == 5 && seg[0] == "v3" && seg[1] == "catalog" && seg[2] == "products" && seg[4] == "variants":
		pid, _ := id(3)
		for _, p := range s.products {
			if p.ID == pid {
				items := make([]any, 0, len(p.Variants))
				for _, v := range p.Variants {
					items = append(items, renderVariant(p, v))
				}
				return v3Page(q, path, items)
			}
		}
		return notFound(path)
	case get && path == "v3/catalog/variants":
		return s.listVariants(q, path)
	case len(seg) >= 2 && len(seg) <= 3 && seg[0] == "v3" && seg[1] == "hooks":
		return s.routeHooks(r, path, seg)
	case r.Method == http.MethodPut && path == "v3/inventory/adjustments/absolute":
		return s.adjustAbsolute(r, path)
	}
	return notFound(path)
}

// pageParams reads page and limit (default 50, at most 250: more is a 413,
// the status BigCommerce documents for "limit above maximum").
func pageParams(q url.Values) (page, limit int, bad bool) {
	page, limit = 1, 50
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		page = v
	}
	if v, err := strconv.Atoi(q.Get("limit")); err == nil && v > 0 {
		limit = v
	}
	return page, limit, limit > 250
}

func tooLarge(path string) reply {
	if strings.HasPrefix(path, "v2/") {
		return reply{http.StatusRequestEntityTooLarge, []map[string]any{{"status": 413, "message": "The limit parameter is above the maximum of 250."}}}
	}
	return reply{http.StatusRequestEntityTooLarge, v3Error(413, "The limit parameter is above the maximum of 250.")}
}

// v2Page serves one page of a v2 list: 204 with no body when the page is
// empty, as BigCommerce does.
func v2Page[T any](q url.Values, path string, all []T) reply {
	page, limit, bad := pageParams(q)
	if bad {
		return tooLarge(path)
	}
	from := (page - 1) * limit
	if from >= len(all) {
		return reply{http.StatusNoContent, nil}
	}
	return reply{200, all[from:min(from+limit, len(all))]}
}

// v3Page serves one page of a v3 list in the {data, meta.pagination} envelope.
func v3Page(q url.Values, path string, all []any) reply {
	page, limit, bad := pageParams(q)
	if bad {
		return tooLarge(path)
	}
	from := min((page-1)*limit, len(all))
	data := all[from:min(from+limit, len(all))]
	totalPages := (len(all) + limit - 1) / limit
	links := map[string]any{"current": fmt.Sprintf("?page=%d&limit=%d", page, limit)}
	if page > 1 {
		links["previous"] = fmt.Sprintf("?page=%d&limit=%d", page-1, limit)
	}
	if page < totalPages {
		links["next"] = fmt.Sprintf("?page=%d&limit=%d", page+1, limit)
	}
	return reply{200, map[string]any{
		"data": data,
		"meta": map[string]any{"pagination": map[string]any{
			"total": len(all), "count": len(data), "per_page": limit, "current_page": page,
			"total_pages": totalPages, "links": links,
		}},
	}}
}

// parseFilterDate reads a date filter in either format BigCommerce accepts
// (RFC 2822 or ISO 8601). A "+" sent unencoded arrives as a space and fails,
// as it does against the real API.
func parseFilterDate(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC1123Z, time.RFC3339Nano, "2006-01-02T15:04:05-0700", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("invalid date %q", s)
}

func (s *Store) listOrders(q url.Values, path string) reply {
	type dateFilter struct {
		name string
		get  func(*order) time.Time
		min  bool
	}
	filters := []dateFilter{
		{"min_date_modified", func(o *order) time.Time { return o.Modified }, true},
		{"max_date_modified", func(o *order) time.Time { return o.Modified }, false},
		{"min_date_created", func(o *order) time.Time { return o.Created }, true},
		{"max_date_created", func(o *order) time.Time { return o.Created }, false},
	}
	type active struct {
		f dateFilter
		t time.Time
	}
	var dates []active
	for _, f := range filters {
		if v := q.Get(f.name); v != "" {
			t, err := parseFilterDate(v)
			if err != nil {
				return badRequest(path, fmt.Sprintf("The field '%s' is invalid: %v", f.name, err))
			}
			dates = append(dates, active{f, t})
		}
	}
	intParam := func(name string) (int64, bool, error) {
		v := q.Get(name)
		if v == "" {
			return 0, false, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		return n, true, err
	}
	minID, hasMin, err1 := intParam("min_id")
	maxID, hasMax, err2 := intParam("max_id")
	status, hasStatus, err3 := intParam("status_id")
	cust, hasCust, err4 := intParam("customer_id")
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			return badRequest(path, "invalid integer filter")
		}
	}
	email := q.Get("email")
	var out []*order
	for _, o := range s.orders {
		if hasStatus {
			if int64(o.StatusID) != status {
				continue
			}
		} else if o.StatusID == 0 {
			continue // incomplete orders only show when asked for by status
		}
		if hasMin && o.ID < minID || hasMax && o.ID > maxID || hasCust && o.CustomerID != cust {
			continue
		}
		if email != "" && !strings.EqualFold(o.Billing.Email, email) {
			continue
		}
		keep := true
		for _, d := range dates {
			v := d.f.get(o)
			if d.f.min && v.Before(d.t) || !d.f.min && v.After(d.t) {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, o)
		}
	}
	field, dir, _ := strings.Cut(q.Get("sort"), ":")
	desc := dir == "desc"
	switch field {
	case "", "id":
		out = sortedOrders(out, func(o *order) int64 { return o.ID }, desc)
	case "date_modified":
		out = sortedOrders(out, func(o *order) int64 { return o.Modified.Unix() }, desc)
	case "date_created":
		out = sortedOrders(out, func(o *order) int64 { return o.Created.Unix() }, desc)
	case "status_id":
		out = sortedOrders(out, func(o *order) int64 { return int64(o.StatusID) }, desc)
	case "customer_id":
		out = sortedOrders(out, func(o *order) int64 { return o.CustomerID }, desc)
	default:
		return badRequest(path, "invalid sort field "+field)
	}
	page, limit, bad := pageParams(q)
	if bad {
		return tooLarge(path)
	}
	from := (page - 1) * limit
	if from >= len(out) {
		return reply{http.StatusNoContent, nil}
	}
	rendered := make([]any, 0, limit)
	for _, o := range out[from:min(from+limit, len(out))] {
		rendered = append(rendered, s.renderOrder(o, q.Get("include")))
	}
	return reply{200, rendered}
}

func splitInts(v string) (map[int64]bool, error) {
	out := map[int64]bool{}
	for _, p := range strings.Split(v, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, nil
}

func (s *Store) listRefunds(q url.Values, path string) reply {
	f, bad := readV3Filters(q, "created:min", "created:max", "order_id:in", "id:in")
	if bad != nil {
		return *bad
	}
	items := []any{}
	for _, r := range s.refunds {
		if f.before("created:min", r.Created) || f.after("created:max", r.Created) || !f.has("order_id:in", r.OrderID) || !f.has("id:in", r.ID) {
			continue
		}
		items = append(items, renderRefund(r))
	}
	return v3Page(q, path, items)
}

func (s *Store) listCustomers(q url.Values, path string) reply {
	var emails map[string]bool
	if v := q.Get("email:in"); v != "" {
		emails = map[string]bool{}
		for _, e := range strings.Split(v, ",") {
			emails[strings.ToLower(strings.TrimSpace(e))] = true
		}
	}
	f, bad := readV3Filters(q, "id:in", "date_modified:min")
	if bad != nil {
		return *bad
	}
	include := q.Get("include")
	items := []any{}
	for _, c := range s.customers {
		if emails != nil && !emails[strings.ToLower(c.Email)] || !f.has("id:in", c.ID) || f.before("date_modified:min", c.Modified) {
			continue
		}
		items = append(items, renderCustomer(c, strings.Contains(include, "addresses"), strings.Contains(include, "storecredit")))
	}
	return v3Page(q, path, items)
}

// v3Filters holds the parsed id-list (name:in) and date (name:min/max)
// filters of a v3 list request.
type v3Filters struct {
	ids   map[string]map[int64]bool
	dates map[string]time.Time
}

// readV3Filters parses the named filters; a malformed one is a 422 as in
// BigCommerce.
func readV3Filters(q url.Values, names ...string) (v3Filters, *reply) {
	f := v3Filters{ids: map[string]map[int64]bool{}, dates: map[string]time.Time{}}
	for _, name := range names {
		v := q.Get(name)
		if v == "" {
			continue
		}
		if strings.HasSuffix(name, ":in") {
			ids, err := splitInts(v)
			if err != nil {
				return f, &reply{422, v3Error(422, name+" must be a list of integers")}
			}
			f.ids[name] = ids
			continue
		}
		t, err := parseFilterDate(v)
		if err != nil {
			return f, &reply{422, v3Error(422, name+" must be an RFC 3339 date")}
		}
		f.dates[name] = t
	}
	return f, nil
}

// has reports whether id passes the name:in filter (true when absent).
func (f v3Filters) has(name string, id int64) bool {
	ids, ok := f.ids[name]
	return !ok || ids[id]
}

// before reports whether t falls before the name:min date (false when absent).
func (f v3Filters) before(name string, t time.Time) bool {
	m, ok := f.dates[name]
	return ok && t.Before(m)
}

// after reports whether t falls after the name:max date (false when absent).
func (f v3Filters) after(name string, t time.Time) bool {
	m, ok := f.dates[name]
	return ok && t.After(m)
}

func (s *Store) listProducts(q url.Values, path string) reply {
	f, bad := readV3Filters(q, "id:in", "date_modified:min")
	if bad != nil {
		return *bad
	}
	sku := q.Get("sku")
	withVariants := strings.Contains(q.Get("include"), "variants")
	items := []any{}
	ps := append([]*product(nil), s.products...)
	if q.Get("sort") == "date_modified" {
		desc := q.Get("direction") == "desc"
		sortProducts(ps, desc)
	}
	for _, p := range ps {
		if !f.has("id:in", p.ID) || sku != "" && p.SKU != sku || f.before("date_modified:min", p.Modified) {
			continue
		}
		items = append(items, renderProduct(p, withVariants))
	}
	return v3Page(q, path, items)
}

func sortProducts(ps []*product, desc bool) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i].Modified, ps[j].Modified
		if a.Equal(b) {
			return ps[i].ID < ps[j].ID
		}
		return a.Before(b) != desc
	})
}

func (s *Store) listVariants(q url.Values, path string) reply {
	f, bad := readV3Filters(q, "id:in", "product_id:in")
	if bad != nil {
		return *bad
	}
	sku := q.Get("sku")
	items := []any{}
	for _, p := range s.products {
		if !f.has("product_id:in", p.ID) {
			continue
		}
		for _, v := range p.Variants {
			if !f.has("id:in", v.ID) || sku != "" && v.SKU != sku {
				continue
			}
			items = append(items, renderVariant(p, v))
		}
	}
	return v3Page(q, path, items)
}

// adjustAbsolute sets stock levels. Like BigCommerce it rejects an item
// addressed at the wrong tracking level with a 422 naming it, and applies
// nothing from a request that has any bad item.
func (s *Store) adjustAbsolute(r *http.Request, path string) reply {
	if ct := r.Header.Get("Content-Type"); !strings.Contains(ct, "application/json") {
		return reply{http.StatusUnsupportedMediaType, v3Error(415, "Content-Type must be application/json")}
	}
	var body struct {
		Reason string `json:"reason"`
		Items  []struct {
			LocationID int64  `json:"location_id"`
			VariantID  int64  `json:"variant_id"`
			ProductID  int64  `json:"product_id"`
			SKU        string `json:"sku"`
			Quantity   *int64 `json:"quantity"`
		} `json:"items"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		return reply{422, v3Error(422, "invalid JSON: "+err.Error())}
	}
	if len(body.Items) == 0 || len(body.Items) > 2000 {
		return reply{422, v3Error(422, "items must hold 1 to 2000 entries")}
	}
	var todo []adjustment
	for _, it := range body.Items {
		if it.LocationID != 1 {
			return reply{422, v3Error(422, fmt.Sprintf("[Location %d does not exist]", it.LocationID))}
		}
		if it.Quantity == nil || *it.Quantity < 0 {
			return reply{422, v3Error(422, "[quantity must be zero or more]")}
		}
		n := 0
		for _, set := range []bool{it.VariantID != 0, it.ProductID != 0, it.SKU != ""} {
			if set {
				n++
			}
		}
		if n != 1 {
			return reply{422, v3Error(422, "[Exactly one of variant_id, product_id or sku identifies an item]")}
		}
		var found *adjustment
		for _, p := range s.products {
			for _, v := range p.Variants {
				if it.VariantID == v.ID || it.SKU != "" && it.SKU == v.SKU {
					found = &adjustment{p, v, *it.Quantity}
				}
			}
			if it.ProductID == p.ID {
				found = &adjustment{p, nil, *it.Quantity}
			}
		}
		switch {
		case found == nil:
			return reply{422, v3Error(422, "[Item not found]")}
		case found.p.Tracking == "none":
			return reply{422, v3Error(422, fmt.Sprintf("[Item with product_id %d has inventory tracking disabled]", found.p.ID))}
		case it.VariantID != 0 && found.p.Tracking == "product":
			return reply{422, v3Error(422, fmt.Sprintf("[Item with variant_id %d is tracked by product, please update stock by product id]", it.VariantID))}
		case it.ProductID != 0 && found.p.Tracking == "variant":
			return reply{422, v3Error(422, fmt.Sprintf("[Item with product_id %d is tracked by variant, please update stock by variant id]", it.ProductID))}
		}
		if found.p.Tracking == "product" {
			found.v = nil
		}
		todo = append(todo, *found)
	}
	if s.opts.InventoryDelay > 0 {
		s.pending = append(s.pending, pendingAdjustments{due: time.Now().Add(s.opts.InventoryDelay), items: todo})
	} else {
		s.applyAdjustments(todo)
	}
	s.seq.inventory++
	return reply{200, map[string]any{"transaction_id": fmt.Sprintf("bcfake-%08x-%04d", uint32(s.opts.Seed), s.seq.inventory)}}
}

// adjustment is one validated absolute stock level. p.Tracking decides
// whether it lands on the product (v nil) or on a variant.
type adjustment struct {
	p   *product
	v   *variant
	qty int64
}

// pendingAdjustments are accepted but not yet applied (Options.InventoryDelay).
type pendingAdjustments struct {
	due   time.Time
	items []adjustment
}

// applyDue applies the adjustments whose time has come; s.mu is held.
func (s *Store) applyDue(now time.Time) {
	for len(s.pending) > 0 && !now.Before(s.pending[0].due) {
		s.applyAdjustments(s.pending[0].items)
		s.pending = s.pending[1:]
	}
}

// applyAdjustments sets the levels and sends the inventory webhooks; s.mu is held.
func (s *Store) applyAdjustments(todo []adjustment) {
	now := s.now()
	for _, a := range todo {
		if a.v == nil {
			a.p.Level = a.qty
			if len(a.p.Variants) == 1 {
				a.p.Variants[0].Level = a.qty
			}
		} else {
			a.v.Level = a.qty
			a.p.Level = 0
			for _, v := range a.p.Variants {
				a.p.Level += v.Level
			}
		}
		a.p.Modified = now
		if a.v == nil {
			s.emit("store/product/inventory/updated", map[string]any{"type": "product", "id": a.p.ID,
				"inventory": map[string]any{"product_id": a.p.ID, "method": "absolute", "value": a.qty}})
		} else {
			s.emit("store/sku/inventory/updated", map[string]any{"type": "sku", "id": a.v.SKUID,
				"inventory": map[string]any{"product_id": a.p.ID, "variant_id": a.v.ID, "method": "absolute", "value": a.qty}})
		}
	}
}
