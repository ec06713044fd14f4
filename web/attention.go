package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/store"
)

// maxSKUsListed bounds the list of SKUs to map at the top of the page.
const maxSKUsListed = 20

// maxSelected bounds one bulk action (the form's 64 KB holds about as many).
const maxSelected = 2000

// fixLink is a way to fix a cause: a page and what it does there.
type fixLink struct {
	Label string
	URL   string
}

// cause is why a posting needs attention, in plain words, and its fix.
type cause struct {
	// Kind is mapping, settings, document, quickbooks, waiting or other.
	Kind  string
	Words string
	Fix   string
	Links []fixLink
}

// skuInReason finds the SKUs in a reason written before postings kept them
// (plan's "map SKU X on the mapping page or create item ...").
var skuInReason = regexp.MustCompile(`map SKU (.+?) on the mapping page`)

func mappingURL(storeID int64, sku string) string {
	return "/mapping?" + url.Values{"store": {strconv.FormatInt(storeID, 10)}, "sku": {sku}}.Encode()
}

func settingsURL(storeID int64) string {
	return "/mapping/settings?" + url.Values{"store": {strconv.FormatInt(storeID, 10)}}.Encode()
}

// postingSKUs are the SKUs a posting waits for a mapping of.
func postingSKUs(p store.PostingRow) []string {
	if len(p.SKUs) > 0 {
		return p.SKUs
	}
	var out []string
	for _, m := range skuInReason.FindAllStringSubmatch(p.Reason, -1) {
		out = append(out, m[1])
	}
	return out
}

// explain says why a posting needs attention and how to fix it.
func explain(p store.PostingRow) cause {
	r := p.Reason
	settings := fixLink{"Open the settings of " + p.StoreHash, settingsURL(p.StoreID)}
	if skus := postingSKUs(p); len(skus) > 0 {
		c := cause{Kind: "mapping", Fix: "Map each SKU to a QuickBooks item on the mapping page (or let bcqb create the items, in the settings), then Retry."}
		quoted := make([]string, len(skus))
		for i, sku := range skus {
			quoted[i] = sku
			c.Links = append(c.Links, fixLink{"Map SKU " + sku, mappingURL(p.StoreID, sku)})
		}
		c.Words = "No QuickBooks item is mapped to SKU " + strings.Join(quoted, ", ") + "."
		if len(skus) > 1 {
			c.Words = "No QuickBooks item is mapped to the SKUs " + strings.Join(quoted, ", ") + "."
		}
		c.Links = append(c.Links, settings)
		return c
	}
	waiting := strings.HasPrefix(r, "waits for what needs attention first: ")
	lower := strings.ToLower(r)
	switch {
	case waiting && strings.Contains(r, "Skipped by "):
		return cause{Kind: "waiting", Words: "It waits for a document you skipped (" + strings.TrimPrefix(r, "waits for what needs attention first: ") + ").",
			Fix: "Skip this one too, or undo the skip of the other and Retry both."}
	case waiting:
		return cause{Kind: "waiting", Words: "It waits for another QuickBooks record that failed: " + strings.TrimPrefix(r, "waits for what needs attention first: "),
			Fix: "Fix that record (it is listed under “QuickBooks records that failed”), then Retry."}
	case strings.Contains(r, plan.ErrSettings.Error()), strings.Contains(r, plan.ErrNeedsMapping.Error()):
		return cause{Kind: "settings", Words: r, Fix: "Change the setting it names, then Retry.", Links: []fixLink{settings}}
	case strings.Contains(r, plan.ErrMalformed.Error()), strings.Contains(r, "cannot be read"):
		return cause{Kind: "document", Words: "The BigCommerce document does not add up or cannot be read: " + r,
			Fix: "Correct it in BigCommerce (bcqb pulls it again when it changes), or Skip it and enter it in QuickBooks by hand."}
	case strings.Contains(lower, "check the mapping"), strings.Contains(lower, "mapping page"),
		strings.Contains(lower, "quickbooks preferences"), strings.Contains(lower, "refused a value"):
		return cause{Kind: "quickbooks", Words: r,
			Fix:   "Make the account, item or payment method it names exist in QuickBooks, or choose another in the settings, then Retry.",
			Links: []fixLink{settings}}
	case strings.Contains(lower, "integrated applications"):
		return cause{Kind: "quickbooks", Words: r,
			Fix: "In QuickBooks, as its admin: Edit → Preferences → Integrated Applications, allow bcqb what it names, then Retry."}
	case strings.Contains(lower, "quickbooks"):
		return cause{Kind: "quickbooks", Words: r, Fix: "Correct what QuickBooks names, in QuickBooks or in the settings, then Retry.",
			Links: []fixLink{settings}}
	case r == "":
		return cause{Kind: "other", Words: "bcqb recorded no reason.", Fix: "Retry; if it comes back, Skip it and enter it in QuickBooks by hand."}
	}
	return cause{Kind: "other", Words: r, Fix: "Retry; if it comes back, Skip it and enter it in QuickBooks by hand."}
}

type attentionRow struct {
	Key     string
	ID      int64
	What    string
	Store   string
	StoreID int64
	Company string
	Date    string
	Total   string
	Cause   cause
	Updated string
	// Posted: the document is in QuickBooks already (a later version needs attention).
	Posted string
}

type failedJobRow struct {
	Key     string
	ID      int64
	What    string
	Company string
	Error   string
	Waiting int
	Updated string
}

type skuCount struct {
	SKU, Store, URL string
	Count           int
}

type attentionPage struct {
	pageData
	Flash      string
	FlashError bool
	Stores     []storeOption
	StoreID    int64
	Rows       []attentionRow
	Pager      pager
	Failed     []failedJobRow
	Skipped    []attentionRow
	SKUs       []skuCount
	// MoreSKUs counts the SKUs to map beyond those listed.
	MoreSKUs    int
	SKUSettings []fixLink
}

// flashWords says what the last action did, from the codes the redirect
// carries (never words from the query string, which anyone could write).
func flashWords(q url.Values) (string, bool) {
	n := func(k string) int {
		v, _ := strconv.Atoi(q.Get(k))
		return max(v, 0)
	}
	noun := map[string][2]string{"o": {"order", "orders"}, "r": {"refund", "refunds"}}[q.Get("k")]
	if noun[0] == "" {
		noun = [2]string{"document", "documents"}
	}
	var parts []string
	bad := false
	switch q.Get("did") {
	case "retry":
		if k := n("n"); k > 0 || n("jobs") == 0 {
			parts = append(parts, countOf(k, noun[0], noun[1])+" queued again.")
		}
		if k := n("jobs"); k > 0 {
			parts = append(parts, countOf(k, "failed QuickBooks record", "failed QuickBooks records")+" queued again.")
		}
		if k := n("left"); k > 0 {
			bad = true
			parts = append(parts, countOf(k, "still needs", "still need")+" attention: the cause is below.")
		}
	case "skip":
		parts = append(parts, countOf(n("n"), noun[0], noun[1])+" skipped: bcqb will not post "+map[bool]string{true: "it", false: "them"}[n("n") == 1]+".")
		if k := n("busy"); k > 0 {
			bad = true
			parts = append(parts, countOf(k, "was", "were")+" not skipped: being sent to QuickBooks right now (try again after this Web Connector session).")
		}
		if k := n("closed"); k > 0 {
			parts = append(parts, countOf(k, "was", "were")+" not skipped: nothing is left to skip (posted, voided or skipped already).")
		}
		if k := n("jobs"); k > 0 {
			bad = true
			parts = append(parts, countOf(k, "failed QuickBooks record was", "failed QuickBooks records were")+" not skipped: only orders and refunds can be; retry the record, or skip the documents waiting for it.")
		}
	case "unskip":
		parts = append(parts, "The skip of "+countOf(n("n"), noun[0], noun[1])+" was undone: bcqb plans "+map[bool]string{true: "it", false: "them"}[n("n") == 1]+" again.")
		if k := n("left"); k > 0 {
			bad = true
			parts = append(parts, countOf(k, "needs", "need")+" attention: the cause is below.")
		}
	case "none":
		return "Nothing was selected: tick the documents first, or use the row's own button.", true
	default:
		return "", false
	}
	return strings.Join(parts, " "), bad
}

func (s *server) attention(w http.ResponseWriter, r *http.Request) {
	d, err := s.attentionData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Flash, d.FlashError = flashWords(r.URL.Query())
	s.render(w, r, http.StatusOK, "attention.html", d)
}

func (s *server) attentionData(r *http.Request) (attentionPage, error) {
	ctx := r.Context()
	d := attentionPage{pageData: s.pageData(r, "Needs attention")}
	n, storeID, page, err := s.listParams(r)
	if err != nil {
		return d, err
	}
	d.StoreID = storeID
	d.Stores = n.storeOptions(d.StoreID)
	rows, total, err := s.Store.PostingRows(ctx, store.PostingQuery{StoreID: d.StoreID, States: []string{store.PostingAttention},
		Newest: true, Limit: perPage, Offset: (page - 1) * perPage})
	if err != nil {
		return d, err
	}
	d.Pager = newPager(r, page, perPage, total)
	for _, p := range rows {
		d.Rows = append(d.Rows, s.attentionRow(p, n))
	}
	// The SKUs to map, over every document needing attention (not only
	// this page): one mapping fixes them all.
	all, _, err := s.Store.PostingRows(ctx, store.PostingQuery{StoreID: d.StoreID, States: []string{store.PostingAttention},
		Newest: true, Limit: 10000})
	if err != nil {
		return d, err
	}
	bySKU := map[[2]string]*skuCount{}
	for _, p := range all {
		for _, sku := range postingSKUs(p) {
			k := [2]string{p.StoreHash, sku}
			if bySKU[k] == nil {
				bySKU[k] = &skuCount{SKU: sku, Store: p.StoreHash, URL: mappingURL(p.StoreID, sku)}
				d.SKUs = append(d.SKUs, *bySKU[k])
			}
			bySKU[k].Count++
		}
	}
	settingsOf := map[int64]bool{}
	for _, p := range all {
		if len(postingSKUs(p)) > 0 && !settingsOf[p.StoreID] {
			settingsOf[p.StoreID] = true
			d.SKUSettings = append(d.SKUSettings, fixLink{"the settings of " + p.StoreHash, settingsURL(p.StoreID)})
		}
	}
	for i := range d.SKUs {
		d.SKUs[i].Count = bySKU[[2]string{d.SKUs[i].Store, d.SKUs[i].SKU}].Count
	}
	// The SKUs that hold the most documents first.
	sort.SliceStable(d.SKUs, func(i, j int) bool { return d.SKUs[i].Count > d.SKUs[j].Count })
	if len(d.SKUs) > maxSKUsListed {
		d.MoreSKUs = len(d.SKUs) - maxSKUsListed
		d.SKUs = d.SKUs[:maxSKUsListed]
	}
	var companyID int64
	if d.StoreID != 0 {
		companyID = n.storeByID[d.StoreID].CompanyID
	}
	if d.StoreID == 0 || companyID != 0 {
		failed, err := s.Store.FailedJobs(ctx, companyID, 200)
		if err != nil {
			return d, err
		}
		for _, j := range failed {
			what := j.What
			if what == "" {
				what = j.Kind + " " + j.DedupeKey
			}
			d.Failed = append(d.Failed, failedJobRow{Key: fmt.Sprintf("j:%d", j.ID), ID: j.ID, What: what, Company: n.company(j.CompanyID),
				Error: j.LastError, Waiting: j.Waiting, Updated: j.UpdatedAt.UTC().Format("2006-01-02 15:04 UTC")})
		}
	}
	skipped, _, err := s.Store.PostingRows(ctx, store.PostingQuery{StoreID: d.StoreID, States: []string{store.PostingSkipped},
		Newest: true, Limit: 200})
	if err != nil {
		return d, err
	}
	for _, p := range skipped {
		if p.SkippedBy != "" && len(d.Skipped) < 20 {
			row := s.attentionRow(p, n)
			row.Cause = cause{Words: p.Reason}
			d.Skipped = append(d.Skipped, row)
		}
	}
	return d, nil
}

func (s *server) attentionRow(p store.PostingRow, n names) attentionRow {
	row := attentionRow{Key: fmt.Sprintf("p:%d", p.ID), ID: p.ID, What: documentName(p.Posting), Store: p.StoreHash,
		StoreID: p.StoreID, Company: n.company(p.CompanyID), Total: p.BCTotal, Cause: explain(p),
		Updated: p.UpdatedAt.UTC().Format("2006-01-02 15:04 UTC")}
	if !p.DocDate.IsZero() {
		row.Date = p.DocDate.UTC().Format(dayLayout)
	}
	if p.TxnID != "" {
		row.Posted = strings.TrimSpace(p.TxnType + " " + p.RefNumber)
	}
	return row
}

// selection is what an action on /attention applies to.
type selection struct {
	postings []int64
	jobs     []int64
}

// parseSelection reads "p:<posting id>" and "j:<job id>" values.
func parseSelection(values []string) (selection, error) {
	var sel selection
	seen := map[string]bool{}
	if len(values) > maxSelected {
		return sel, badInput("At most %d documents can be changed at once; select fewer.", maxSelected)
	}
	for _, v := range values {
		if seen[v] {
			continue
		}
		seen[v] = true
		kind, num, ok := strings.Cut(v, ":")
		id, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || id <= 0 || (kind != "p" && kind != "j") {
			return selection{}, badInput("bcqb could not read the selection %q; reload the page and try again.", v)
		}
		if kind == "p" {
			sel.postings = append(sel.postings, id)
		} else {
			sel.jobs = append(sel.jobs, id)
		}
	}
	return sel, nil
}

// attentionAction runs Retry, Skip or Undo skip on the selected documents
// (or the one whose row button was pressed) and redirects back to the list
// with what happened.
func (s *server) attentionAction(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := r.PostForm
	action := f.Get("action")
	values := f["sel"]
	// A row's own button names its action and document, whatever is ticked.
	if one := f.Get("one"); one != "" {
		a, v, ok := strings.Cut(one, ":")
		if !ok {
			s.fail(w, r, badInput("bcqb could not read the button %q; reload the page and try again.", one))
			return
		}
		action, values = a, []string{v}
	}
	sel, err := parseSelection(values)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := url.Values{}
	var storeID int64
	if st := strings.TrimSpace(f.Get("store")); st != "" {
		if storeID, err = strconv.ParseInt(st, 10, 64); err != nil || storeID <= 0 {
			s.fail(w, r, badInput("The store %q is not a store id.", st))
			return
		}
		back.Set("store", st)
	}
	if action == "retry-all" {
		// Every document needing attention in the list (all its pages),
		// and the failed records it shows: no need to tick each page.
		if sel, err = s.allNeedingAttention(ctx, storeID); err != nil {
			s.fail(w, r, err)
			return
		}
		action = "retry"
	}
	if len(sel.postings)+len(sel.jobs) == 0 {
		back.Set("did", "none")
		http.Redirect(w, r, "/attention?"+back.Encode(), http.StatusSeeOther)
		return
	}
	var result url.Values
	switch action {
	case "retry":
		result, err = s.retry(ctx, sel)
	case "skip":
		result, err = s.skip(ctx, r, sel)
	case "unskip":
		result, err = s.unskip(ctx, sel)
	default:
		err = badInput("bcqb does not know the action %q; use Retry, Skip or Undo skip.", action)
	}
	if err != nil {
		var he *httpError
		if !errors.As(err, &he) {
			s.Log.ErrorContext(ctx, "attention action failed", "action", action, "err", err)
			err = &httpError{status: http.StatusInternalServerError,
				msg: "bcqb could not finish “" + action + "”: " + err.Error() + ". What was already done is kept; reload the list to see where each document stands."}
		}
		s.fail(w, r, err)
		return
	}
	for k, v := range result {
		back[k] = v
	}
	http.Redirect(w, r, "/attention?"+back.Encode(), http.StatusSeeOther)
}

// allNeedingAttention selects what /attention lists for a store (0: every
// store): the documents needing attention and the failed records.
func (s *server) allNeedingAttention(ctx context.Context, storeID int64) (selection, error) {
	var sel selection
	rows, _, err := s.Store.PostingRows(ctx, store.PostingQuery{StoreID: storeID, States: []string{store.PostingAttention},
		Limit: maxRetryAll})
	if err != nil {
		return sel, err
	}
	for _, p := range rows {
		sel.postings = append(sel.postings, p.ID)
	}
	var companyID int64
	if storeID != 0 {
		n, err := s.names(ctx)
		if err != nil {
			return sel, err
		}
		if companyID = n.storeByID[storeID].CompanyID; companyID == 0 {
			return sel, nil // a store with no company file has no QuickBooks records
		}
	}
	failed, err := s.Store.FailedJobs(ctx, companyID, maxRetryAll)
	if err != nil {
		return sel, err
	}
	for _, j := range failed {
		sel.jobs = append(sel.jobs, j.ID)
	}
	return sel, nil
}

// maxRetryAll bounds "Retry all": one transaction per retry, and a
// planning pass per store, stay short.
const maxRetryAll = 10000

// nounCode says what kind of documents the rows are: "o", "r" or "d".
func nounCode(rows []store.PostingRow) string {
	kinds := map[string]bool{}
	for _, p := range rows {
		kinds[p.DocKind] = true
	}
	switch {
	case len(kinds) == 1 && kinds[store.DocOrder]:
		return "o"
	case len(kinds) == 1 && kinds[store.DocRefund]:
		return "r"
	}
	return "d"
}

// retry puts the failed jobs holding the documents back in the queue,
// retries the failed records selected, and plans their stores again.
func (s *server) retry(ctx context.Context, sel selection) (url.Values, error) {
	rows, err := s.Store.PostingRowsByID(ctx, sel.postings)
	if err != nil {
		return nil, err
	}
	ids, err := s.Store.FailedJobsOf(ctx, sel.postings)
	if err != nil {
		return nil, err
	}
	if _, err := s.Store.Retry(ctx, ids...); err != nil {
		return nil, err
	}
	retried, err := s.Store.Retry(ctx, sel.jobs...)
	if err != nil {
		return nil, err
	}
	stores := map[int64]bool{}
	for _, p := range rows {
		stores[p.StoreID] = true
	}
	if len(sel.jobs) > 0 {
		// The documents waiting for a record retried are planned again too.
		companies := map[int64]bool{}
		for _, id := range sel.jobs {
			j, err := s.Store.Job(ctx, id)
			if err != nil {
				return nil, err
			}
			companies[j.CompanyID] = true
		}
		all, err := s.Store.BCStores(ctx)
		if err != nil {
			return nil, err
		}
		for _, st := range all {
			if companies[st.CompanyID] {
				stores[st.ID] = true
			}
		}
	}
	if err := s.replan(ctx, stores); err != nil {
		return nil, err
	}
	after, err := s.Store.PostingRowsByID(ctx, sel.postings)
	if err != nil {
		return nil, err
	}
	moved, left := 0, 0
	for _, p := range after {
		if p.State == store.PostingAttention {
			left++
		} else {
			moved++
		}
	}
	return url.Values{"did": {"retry"}, "n": {strconv.Itoa(moved)}, "left": {strconv.Itoa(left)},
		"jobs": {strconv.Itoa(retried)}, "k": {nounCode(rows)}}, nil
}

// replan plans the stores again and wakes the planner.
func (s *server) replan(ctx context.Context, stores map[int64]bool) error {
	if s.Activity.Replan != nil {
		for id := range stores {
			if _, err := s.Activity.Replan(ctx, id); err != nil {
				return fmt.Errorf("planning store %d again: %w", id, err)
			}
		}
	}
	if s.Activity.Wake != nil {
		s.Activity.Wake()
	}
	return nil
}

// skipper names who skips, for the posting's reason: the page has one
// admin, so the address they came from is what tells two people apart.
func skipper(r *http.Request) string {
	if sess, ok := sessionFrom(r.Context()); ok && sess.RemoteHost != "" {
		return "the admin (from " + sess.RemoteHost + ")"
	}
	return "the admin"
}

func (s *server) skip(ctx context.Context, r *http.Request, sel selection) (url.Values, error) {
	rows, err := s.Store.PostingRowsByID(ctx, sel.postings)
	if err != nil {
		return nil, err
	}
	res, err := s.Store.SkipPostings(ctx, sel.postings, skipper(r))
	if err != nil {
		return nil, err
	}
	return url.Values{"did": {"skip"}, "n": {strconv.Itoa(res.Skipped)}, "busy": {strconv.Itoa(res.InFlight)},
		"closed": {strconv.Itoa(res.Closed)}, "jobs": {strconv.Itoa(len(sel.jobs))}, "k": {nounCode(rows)}}, nil
}

func (s *server) unskip(ctx context.Context, sel selection) (url.Values, error) {
	rows, err := s.Store.PostingRowsByID(ctx, sel.postings)
	if err != nil {
		return nil, err
	}
	n, stores, err := s.Store.UnskipPostings(ctx, sel.postings)
	if err != nil {
		return nil, err
	}
	set := map[int64]bool{}
	for _, id := range stores {
		set[id] = true
	}
	if err := s.replan(ctx, set); err != nil {
		return nil, err
	}
	after, err := s.Store.PostingRowsByID(ctx, sel.postings)
	if err != nil {
		return nil, err
	}
	left := 0
	for _, p := range after {
		if p.State == store.PostingAttention {
			left++
		}
	}
	return url.Values{"did": {"unskip"}, "n": {strconv.Itoa(n)}, "left": {strconv.Itoa(left)}, "k": {nounCode(rows)}}, nil
}
