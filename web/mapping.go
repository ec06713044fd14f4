package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gorilla/mux"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/jobs"
	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/pull"
	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/store"
)

// Mapping is what the mapping pages read and write in the store.
type Mapping interface {
	BCStores(ctx context.Context) ([]store.BCStore, error)
	BCStore(ctx context.Context, id int64) (store.BCStore, error)
	Company(ctx context.Context, id int64) (store.Company, error)
	LatestDocuments(ctx context.Context, storeID int64, kind string) ([]store.Document, error)
	UnpostedOrders(ctx context.Context, companyID int64) ([]store.UnpostedOrder, error)
	Lists(ctx context.Context, companyID int64) ([]store.ListEntry, error)
	LedgerEntries(ctx context.Context, companyID int64) ([]store.LedgerEntry, error)
	OrderPaymentMethods(ctx context.Context, storeID int64) ([]string, error)
	OrderTaxNames(ctx context.Context, storeID int64) ([]string, error)
	ChangeBCStoreSettings(ctx context.Context, c store.SettingsChange) error
	Enqueue(ctx context.Context, j store.Job) (store.Job, bool, error)
}

// MappingDeps is what the mapping pages need besides the store.
type MappingDeps struct {
	// Replan plans again, with the settings just saved, a store's documents
	// not in QuickBooks yet (jobs.Planner.Replan) and says how many. Nil:
	// they are planned with the new settings only when they change.
	Replan func(ctx context.Context, storeID int64) (int, error)
	// PullEvery is how often every store is pulled (BCQB_PULL_EVERY),
	// shown beside the backfill date; zero shows nothing.
	PullEvery time.Duration
}

func (s *server) mappingRoutes(r *mux.Router) {
	r.HandleFunc("/mapping", s.requireLogin(s.mappingTable)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/mapping", s.requireLogin(s.mappingChange)).Methods(http.MethodPost)
	r.HandleFunc("/mapping/item", s.requireLogin(s.mappingItem)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/mapping/replan", s.requireLogin(s.mappingReplan)).Methods(http.MethodPost)
	r.HandleFunc("/mapping/lists", s.requireLogin(s.mappingReadLists)).Methods(http.MethodPost)
	r.HandleFunc("/mapping/settings", s.requireLogin(s.mappingSettings)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/mapping/settings", s.requireLogin(s.mappingSaveSettings)).Methods(http.MethodPost)
	r.HandleFunc("/mapping/export", s.requireLogin(s.mappingExport)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/mapping/import", s.requireLogin(s.mappingImport)).Methods(http.MethodPost)
}

// Limits of what the mapping forms take.
const (
	// maxSKU is BigCommerce's limit on a SKU.
	maxSKU = 255
	// maxBulk bounds the SKUs one form maps at once.
	maxBulk = 500
	// rowsPerPage is the table's page size.
	rowsPerPage = 50
	// maxDatalist bounds the items offered in the page's datalist; past it,
	// the item search (server-side) finds the rest.
	maxDatalist = 1000
	// maxSearchResults bounds the item search's answer.
	maxSearchResults = 50
)

// productItemKinds are the QuickBooks items an order line can post to: a
// sales line takes no group (that is a line group), discount, subtotal,
// payment or sales tax item.
var productItemKinds = []string{"ItemInventory", "ItemInventoryAssembly", "ItemNonInventory", "ItemService", "ItemOtherCharge"}

// ---- the store the pages are about ----

// mappingStore is one store and what its pages read about it.
type mappingStore struct {
	st     store.BCStore
	stores []store.BCStore
	shared bool
	// company is the company file the store posts to (zero ID: none yet).
	company store.Company
	// settings are the store's settings as stored (over the defaults,
	// without the RefPrefix a shared company file implies).
	settings plan.Settings
	lists    *listIndex
	ledger   []store.LedgerEntry
}

func (m *mappingStore) listsRead() bool { return !m.company.ListsReadAt.IsZero() }

// errPickStore asks the handler to show the store picker.
var errPickStore = errors.New("pick a store")

// loadStore reads the store named by the store parameter, or the only one.
func (s *server) loadStore(ctx context.Context, r *http.Request) (*mappingStore, error) {
	return s.loadStoreParam(ctx, strings.TrimSpace(r.FormValue("store")))
}

// loadStoreParam reads store number param, or the only store when param is "".
func (s *server) loadStoreParam(ctx context.Context, param string) (*mappingStore, error) {
	stores, err := s.Store.BCStores(ctx)
	if err != nil {
		return nil, err
	}
	m := &mappingStore{stores: stores}
	switch {
	case param == "" && len(stores) == 1:
		m.st = stores[0]
	case param == "":
		return m, errPickStore
	default:
		id, err := strconv.ParseInt(param, 10, 64)
		if err != nil || id <= 0 {
			return nil, &httpError{status: http.StatusBadRequest, msg: fmt.Sprintf("%q is not a store number: open the mapping page from the menu.", param)}
		}
		found := false
		for _, st := range stores {
			if st.ID == id {
				m.st, found = st, true
			}
		}
		if !found {
			return nil, &httpError{status: http.StatusNotFound, msg: fmt.Sprintf("There is no BigCommerce store number %d: open the mapping page from the menu.", id)}
		}
	}
	perCompany := 0
	for _, st := range stores {
		if st.CompanyID != 0 && st.CompanyID == m.st.CompanyID {
			perCompany++
		}
	}
	m.shared = perCompany > 1
	if m.settings, err = jobs.StoreSettings(m.st, false); err != nil {
		return nil, &httpError{status: http.StatusInternalServerError, msg: err.Error() + ". Import a settings file below to replace them."}
	}
	m.lists = newListIndex(nil)
	if m.st.CompanyID == 0 {
		return m, nil
	}
	if m.company, err = s.Store.Company(ctx, m.st.CompanyID); err != nil {
		return nil, err
	}
	lists, err := s.Store.Lists(ctx, m.company.ID)
	if err != nil {
		return nil, err
	}
	m.lists = newListIndex(lists)
	if m.ledger, err = s.Store.LedgerEntries(ctx, m.company.ID); err != nil {
		return nil, err
	}
	if (m.st.SettingsJSON == "" || m.st.SettingsJSON == "{}") && m.listsRead() {
		m.settings = jobs.UnsettledDefaults(m.company, m.settings, lists)
	}
	return m, nil
}

// storeFor loads the request's store, or answers the request itself (with
// the store picker on a page, or the error) and returns nil.
func (s *server) storeFor(w http.ResponseWriter, r *http.Request, title string) *mappingStore {
	m, err := s.loadStore(r.Context(), r)
	switch {
	case errors.Is(err, errPickStore) && title != "":
		s.pickStore(w, r, title, m)
	case errors.Is(err, errPickStore):
		s.fail(w, r, &httpError{status: http.StatusBadRequest, msg: "Several stores are connected and the form does not say which: reload the page and send it again."})
	case err != nil:
		s.fail(w, r, err)
	default:
		return m
	}
	return nil
}

type storeChoice struct {
	ID   int64
	Hash string
	URL  string
}

type storePickPage struct {
	pageData
	Stores []storeChoice
}

// pickStore shows the store picker (or says there is no store yet).
func (s *server) pickStore(w http.ResponseWriter, r *http.Request, title string, m *mappingStore) {
	d := storePickPage{pageData: s.pageData(r, title)}
	for _, st := range m.stores {
		d.Stores = append(d.Stores, storeChoice{ID: st.ID, Hash: st.StoreHash, URL: r.URL.Path + "?" + url.Values{"store": {strconv.FormatInt(st.ID, 10)}}.Encode()})
	}
	s.render(w, r, http.StatusOK, "mapping_stores.html", d)
}

// storeChoices lists the stores for switching between them (none when one).
func storeChoices(m *mappingStore, path string) []storeChoice {
	if len(m.stores) < 2 {
		return nil
	}
	var out []storeChoice
	for _, st := range m.stores {
		out = append(out, storeChoice{ID: st.ID, Hash: st.StoreHash, URL: path + "?" + url.Values{"store": {strconv.FormatInt(st.ID, 10)}}.Encode()})
	}
	return out
}

// ---- QuickBooks' lists as last read ----

type listIndex struct {
	byName map[string]map[string]store.ListEntry // list type → lower-case full name
	all    []store.ListEntry
}

func newListIndex(ls []store.ListEntry) *listIndex {
	x := &listIndex{byName: map[string]map[string]store.ListEntry{}, all: ls}
	for _, l := range ls {
		if x.byName[l.Type] == nil {
			x.byName[l.Type] = map[string]store.ListEntry{}
		}
		x.byName[l.Type][strings.ToLower(l.FullName)] = l
	}
	return x
}

func (x *listIndex) find(typ, name string) (store.ListEntry, bool) {
	l, ok := x.byName[typ][strings.ToLower(strings.TrimSpace(name))]
	return l, ok
}

// names lists the active entries of a list of the given kinds (any kind
// when none is given), sorted.
func (x *listIndex) names(typ string, kinds ...string) []string {
	var out []string
	for _, l := range x.all {
		if l.Type == typ && l.Active && (len(kinds) == 0 || contains(kinds, l.SubType)) {
			out = append(out, l.FullName)
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// kindWords says a QuickBooks item kind or account type in words.
func kindWords(sub string) string {
	switch sub {
	case "ItemInventory":
		return "inventory part"
	case "ItemNonInventory":
		return "non-inventory part"
	case "ItemSalesTax":
		return "sales tax item"
	case "ItemSalesTaxGroup":
		return "sales tax group"
	case "ItemGroup":
		return "group"
	case "":
		return "entry"
	}
	var b strings.Builder
	for i, r := range strings.TrimPrefix(sub, "Item") {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// article is "a" or "an" before words.
func article(words string) string {
	if words != "" && strings.ContainsRune("aeiou", rune(words[0])) {
		return "an " + words
	}
	return "a " + words
}

// productItem finds the QuickBooks item a SKU may be mapped to, or says
// in words why name is not one.
func (m *mappingStore) productItem(name string) (string, string) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", "Choose the QuickBooks item to map to."
	case len([]rune(name)) > qbxml.MaxFullName:
		return "", fmt.Sprintf("A QuickBooks item's full name has at most %d characters; %q has %d.", qbxml.MaxFullName, clip(name), len([]rune(name)))
	case !m.listsRead():
		return "", "bcqb has not read the company file's items yet: the Web Connector reads them at its next run. Map the SKU then."
	}
	l, ok := m.lists.find("Item", name)
	switch {
	case !ok:
		return "", fmt.Sprintf("QuickBooks has no item %q (as bcqb last read the company file). Choose one from the list or search for it; an item added in QuickBooks since shows after \"Read QuickBooks' lists again\".", clip(name))
	case !contains(productItemKinds, l.SubType):
		return "", fmt.Sprintf("%q is %s in QuickBooks; a product posts to an inventory part, a non-inventory part, a service or an other charge item.", l.FullName, article(kindWords(l.SubType)))
	case !l.Active:
		return "", fmt.Sprintf("%q is inactive in QuickBooks, which refuses sales of it: make it active there, or choose another item.", l.FullName)
	}
	return l.FullName, ""
}

// clip shortens what the user typed for a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:57]) + "..."
	}
	return s
}

// ---- the catalogue ----

// skuRow is one BigCommerce product or variant (or a SKU only seen on an
// order waiting to post, or only in the mapping) and how it posts.
type skuRow struct {
	Key         string
	HasSKU      bool
	Name        string
	Options     string
	Price       string
	Stock       string
	ProductType string
	InCatalogue bool
	// Waiting counts the orders not in QuickBooks yet that sell it.
	Waiting int
	Posting jobs.SKUPosting
}

// catalogue lists the store's products and variants as last pulled, the
// SKUs of orders waiting to post, and the SKUs the settings map, each once.
type catalogue struct {
	rows       []skuRow
	byKey      map[string]int
	unreadable int
}

func (c *catalogue) add(r skuRow) int {
	if i, ok := c.byKey[r.Key]; ok {
		return i
	}
	c.byKey[r.Key] = len(c.rows)
	c.rows = append(c.rows, r)
	return len(c.rows) - 1
}

// lookup finds a row by key, or by the one key that differs only in case.
func (c *catalogue) lookup(key string) (int, bool) {
	if i, ok := c.byKey[key]; ok {
		return i, true
	}
	found := -1
	for k, i := range c.byKey {
		if strings.EqualFold(k, key) {
			if found >= 0 {
				return 0, false
			}
			found = i
		}
	}
	return found, found >= 0
}

func amountText(a bigcommerce.Amount) string { return a.StringFixed(2) }

func (s *server) loadCatalogue(ctx context.Context, m *mappingStore) (*catalogue, error) {
	c := &catalogue{byKey: map[string]int{}}
	docs, err := s.Store.LatestDocuments(ctx, m.st.ID, store.DocProduct)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		var p bigcommerce.Product
		if err := json.Unmarshal([]byte(d.Raw), &p); err != nil {
			c.unreadable++
			continue
		}
		var withOptions []bigcommerce.Variant
		for _, v := range p.Variants {
			if len(v.OptionValues) > 0 {
				withOptions = append(withOptions, v)
			}
		}
		if len(withOptions) == 0 {
			stock := "not tracked"
			if p.InventoryTracking != "" && p.InventoryTracking != "none" {
				stock = strconv.FormatInt(p.InventoryLevel, 10)
			}
			c.add(skuRow{Key: plan.ItemKey(bigcommerce.OrderProduct{SKU: p.SKU, Name: p.Name, ProductID: p.ID}),
				HasSKU: strings.TrimSpace(p.SKU) != "", Name: p.Name, Price: amountText(p.Price), Stock: stock,
				ProductType: p.Type, InCatalogue: true})
			continue
		}
		for _, v := range withOptions {
			var opts []string
			for _, o := range v.OptionValues {
				opts = append(opts, o.OptionDisplayName+": "+o.Label)
			}
			price := p.Price
			if v.Price != nil {
				price = *v.Price
			}
			stock := "not tracked"
			switch p.InventoryTracking {
			case "variant":
				stock = strconv.FormatInt(v.InventoryLevel, 10)
			case "product":
				stock = strconv.FormatInt(p.InventoryLevel, 10) + " (product)"
			}
			c.add(skuRow{Key: plan.ItemKey(bigcommerce.OrderProduct{SKU: v.SKU, Name: p.Name, ProductID: p.ID}),
				HasSKU: strings.TrimSpace(v.SKU) != "", Name: p.Name, Options: strings.Join(opts, ", "), Price: amountText(price),
				Stock: stock, ProductType: p.Type, InCatalogue: true})
		}
	}
	if m.company.ID != 0 {
		unposted, err := s.Store.UnpostedOrders(ctx, m.company.ID)
		if err != nil {
			return nil, err
		}
		for _, u := range unposted {
			if u.Posting.StoreID != m.st.ID {
				continue
			}
			det, err := pull.DecodeOrder([]byte(u.Raw))
			if err != nil {
				continue
			}
			seen := map[string]bool{}
			for _, line := range det.Products {
				key := plan.ItemKey(line)
				if seen[key] {
					continue
				}
				seen[key] = true
				i := c.add(skuRow{Key: key, HasSKU: strings.TrimSpace(line.SKU) != "", Name: line.Name,
					Price: amountText(line.PriceExTax), Stock: "-", ProductType: line.Type})
				c.rows[i].Waiting++
			}
		}
	}
	var mapped []string
	for k := range m.settings.SKUs {
		mapped = append(mapped, k)
	}
	for k := range m.settings.CreateSKUs {
		mapped = append(mapped, k)
	}
	sort.Strings(mapped)
	for _, k := range mapped {
		c.add(skuRow{Key: k, HasSKU: true, Stock: "-", ProductType: "physical"})
	}
	res := jobs.NewSKUResolver(m.company, m.settings, m.lists.all, m.ledger)
	for i := range c.rows {
		c.rows[i].Posting = res.Resolve(c.rows[i].Key, c.rows[i].ProductType)
	}
	// What stops orders comes first; SKUs only the settings still name, last.
	rank := func(r skuRow) int {
		switch {
		case r.Posting.How == jobs.SKUNeedsMapping || brokenMapping(r.Posting):
			return 0
		case !r.InCatalogue && r.Waiting == 0:
			return 2
		}
		return 1
	}
	sort.SliceStable(c.rows, func(i, j int) bool {
		a, b := c.rows[i], c.rows[j]
		if x, y := rank(a), rank(b); x != y {
			return x < y
		}
		if x, y := strings.ToLower(a.Name), strings.ToLower(b.Name); x != y {
			return x < y
		}
		return a.Key < b.Key
	})
	for i, r := range c.rows {
		c.byKey[r.Key] = i
	}
	return c, nil
}

// ---- the table ----

// Filters of the table (the show parameter).
const (
	showAll      = ""
	showUnmapped = "unmapped" // no QuickBooks item yet: created, or waiting for a mapping
	showNeeds    = "needs"
	showMapped   = "mapped"
	showMatched  = "matched"
	showProblem  = "problem" // mapped to an item QuickBooks lacks or has inactive
)

// mappingView is what the table shows: its filter, search and page.
type mappingView struct {
	Show string
	Q    string
	SKU  string
	Page int
}

func viewOf(q url.Values) mappingView {
	v := mappingView{Show: q.Get("show"), Q: strings.TrimSpace(q.Get("q")), SKU: strings.TrimSpace(q.Get("sku"))}
	switch v.Show {
	case showUnmapped, showNeeds, showMapped, showMatched, showProblem:
	default:
		v.Show = showAll
	}
	if len(v.Q) > maxSKU {
		v.Q = v.Q[:maxSKU]
	}
	if len(v.SKU) > maxSKU {
		v.SKU = v.SKU[:maxSKU]
	}
	v.Page, _ = strconv.Atoi(q.Get("page"))
	if v.Page < 1 {
		v.Page = 1
	}
	return v
}

// query is the view as URL parameters of the store's table.
func (v mappingView) query(storeID int64) url.Values {
	q := url.Values{"store": {strconv.FormatInt(storeID, 10)}}
	if v.Show != "" {
		q.Set("show", v.Show)
	}
	if v.Q != "" {
		q.Set("q", v.Q)
	}
	if v.SKU != "" {
		q.Set("sku", v.SKU)
	}
	if v.Page > 1 {
		q.Set("page", strconv.Itoa(v.Page))
	}
	return q
}

func brokenMapping(p jobs.SKUPosting) bool {
	return p.How == jobs.SKUMapped && (!p.InQuickBooks || !p.Active || !contains(productItemKinds, p.Kind))
}

func (v mappingView) match(r skuRow) bool {
	p := r.Posting
	switch v.Show {
	case showUnmapped:
		if p.How != jobs.SKUCreate && p.How != jobs.SKUNeedsMapping && !brokenMapping(p) {
			return false
		}
	case showNeeds:
		if p.How != jobs.SKUNeedsMapping {
			return false
		}
	case showMapped:
		if p.How != jobs.SKUMapped {
			return false
		}
	case showMatched:
		if p.How != jobs.SKUMatched && p.How != jobs.SKUCreating {
			return false
		}
	case showProblem:
		if !brokenMapping(p) {
			return false
		}
	}
	if v.Q != "" {
		q := strings.ToLower(v.Q)
		if !strings.Contains(strings.ToLower(r.Key), q) && !strings.Contains(strings.ToLower(r.Name+" "+r.Options), q) &&
			!strings.Contains(strings.ToLower(p.Item), q) {
			return false
		}
	}
	return true
}

type rowView struct {
	skuRow
	ID        string
	Status    string
	Class     string
	Detail    string
	Current   string
	Clearable bool
	// ShowItem: the item is one the SKU posts to (or will be created).
	ShowItem bool
	Selected bool
	ItemURL  string
}

func describe(r skuRow, storeID int64) rowView {
	p := r.Posting
	v := rowView{skuRow: r, ShowItem: p.How != jobs.SKUNeedsMapping, ItemURL: "/mapping/item?" + url.Values{"store": {strconv.FormatInt(storeID, 10)}, "sku": {r.Key}}.Encode()}
	switch p.How {
	case jobs.SKUMapped:
		v.Status, v.Class, v.Current, v.Clearable = "Mapped", "mapped", p.Item, true
		switch {
		case !p.InQuickBooks:
			v.Class, v.Detail = "problem", "QuickBooks has no such item (as last read): its orders fail until you map it again."
		case !p.Active:
			v.Class, v.Detail = "problem", "The item is inactive in QuickBooks, which refuses its sales."
		case !contains(productItemKinds, p.Kind):
			v.Class, v.Detail = "problem", "The item is "+article(kindWords(p.Kind))+", which a product cannot post to."
		}
	case jobs.SKUMatched:
		v.Status, v.Class, v.Detail = "Auto-matched", "matched", "QuickBooks has an item of this name."
	case jobs.SKUCreating:
		v.Status, v.Class, v.Detail = "Being created", "matched", "bcqb is creating this item in QuickBooks."
	case jobs.SKUCreate:
		v.Status, v.Class = "Will be created", "create"
		v.Detail = "bcqb creates it in QuickBooks as " + article(kindWords(map[string]string{
			plan.ItemsCreateInventory: "ItemInventory", plan.ItemsCreateNonInventory: "ItemNonInventory"}[p.Kind])) + " with its first order"
		if p.Marked {
			v.Detail += " (you chose this)."
			v.Clearable = true
		} else {
			v.Detail += " (the store's item policy)."
		}
	case jobs.SKUNeedsMapping:
		v.Status, v.Class, v.Detail = "Needs mapping", "needs", "Its orders wait until you map it or choose to create it."
	}
	return v
}

type countLink struct {
	Label   string
	Count   int
	URL     string
	Current bool
}

type mappingPage struct {
	pageData
	StoreID     int64
	StoreHash   string
	Stores      []storeChoice
	NoCompany   bool
	ListsRead   bool
	Policy      string
	Shared      bool
	Filters     []countLink
	Rows        []rowView
	Shown       int
	Total       int
	View        mappingView
	Pager       pager
	Return      string
	Items       []string
	ItemsCut    bool
	CreateKind  string
	Unreadable  int
	SKUNotFound string
	Notice      string
	Error       string
	ReplanFail  bool
	// From names the page the "Plan again" button returns to ("" the table).
	From string
}

// policyWords says the store's item policy.
func policyWords(items string) string {
	switch items {
	case plan.ItemsRequireMapping:
		return "SKUs with no QuickBooks item wait for a mapping (\"needs mapping\")"
	case plan.ItemsCreateInventory:
		return "bcqb creates the item of a SKU QuickBooks lacks, as an inventory part (non-inventory for downloads)"
	}
	return "bcqb creates the item of a SKU QuickBooks lacks, as a non-inventory part"
}

func defaultCreateKind(s plan.Settings) string {
	if s.Items == plan.ItemsCreateInventory {
		return plan.ItemsCreateInventory
	}
	return plan.ItemsCreateNonInventory
}

func (s *server) mappingTable(w http.ResponseWriter, r *http.Request) {
	m := s.storeFor(w, r, "Mapping")
	if m == nil {
		return
	}
	s.renderTable(w, r, m, viewOf(r.URL.Query()), http.StatusOK, "")
}

func (s *server) renderTable(w http.ResponseWriter, r *http.Request, m *mappingStore, v mappingView, status int, errMsg string) {
	c, err := s.loadCatalogue(r.Context(), m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := mappingPage{pageData: s.pageData(r, "Mapping"), StoreID: m.st.ID, StoreHash: m.st.StoreHash,
		Stores: storeChoices(m, "/mapping"), NoCompany: m.st.CompanyID == 0, ListsRead: m.listsRead(),
		Policy: policyWords(m.settings.Items), Shared: m.shared, Total: len(c.rows), Unreadable: c.unreadable,
		CreateKind: defaultCreateKind(m.settings), Error: errMsg}
	if status == http.StatusOK {
		d.Notice, d.ReplanFail = flash(r.URL.Query())
	}
	if v.SKU != "" {
		if i, ok := c.lookup(v.SKU); ok {
			v.SKU = c.rows[i].Key
		} else {
			d.SKUNotFound = v.SKU
		}
	}
	counts := map[string]int{}
	var rows []skuRow
	for _, row := range c.rows {
		for _, f := range []string{showAll, showUnmapped, showNeeds, showMapped, showMatched, showProblem} {
			if (mappingView{Show: f}).match(row) {
				counts[f]++
			}
		}
		if v.SKU != "" && row.Key != v.SKU {
			continue
		}
		if v.match(row) {
			rows = append(rows, row)
		}
	}
	for _, f := range []struct{ show, label string }{{showAll, "All"}, {showUnmapped, "No QuickBooks item yet"},
		{showNeeds, "Needs mapping"}, {showMapped, "Mapped"}, {showMatched, "Auto-matched"}, {showProblem, "Mapped to a missing item"}} {
		if f.show == showProblem && counts[f.show] == 0 {
			continue
		}
		fv := mappingView{Show: f.show, Q: v.Q}
		d.Filters = append(d.Filters, countLink{Label: f.label, Count: counts[f.show], Current: v.Show == f.show && v.SKU == "",
			URL: "/mapping?" + fv.query(m.st.ID).Encode()})
	}
	d.Shown = len(rows)
	pages := (len(rows) + rowsPerPage - 1) / rowsPerPage
	if pages == 0 {
		pages = 1
	}
	if v.Page > pages {
		v.Page = pages
	}
	d.Pager = pager{Page: v.Page, Pages: pages}
	if v.Page > 1 {
		pv := v
		pv.Page--
		d.Pager.Prev = "/mapping?" + pv.query(m.st.ID).Encode()
	}
	if v.Page < pages {
		nv := v
		nv.Page++
		d.Pager.Next = "/mapping?" + nv.query(m.st.ID).Encode()
	}
	start := (v.Page - 1) * rowsPerPage
	for i := start; i < len(rows) && i < start+rowsPerPage; i++ {
		rv := describe(rows[i], m.st.ID)
		rv.ID = strconv.Itoa(i)
		rv.Selected = rows[i].Key == v.SKU
		d.Rows = append(d.Rows, rv)
	}
	d.View = v
	d.Return = v.query(m.st.ID).Encode()
	d.Items = m.lists.names("Item", productItemKinds...)
	if len(d.Items) > maxDatalist {
		d.Items, d.ItemsCut = d.Items[:maxDatalist], true
	}
	s.render(w, r, status, "mapping.html", d)
}

// flash is the notice of the change a redirect reports (its words are
// bcqb's own, the query string carries only which and how many).
func flash(q url.Values) (string, bool) {
	n, _ := strconv.Atoi(q.Get("n"))
	skus := fmt.Sprintf("%d SKU%s", n, plural(n))
	var msg string
	switch q.Get("done") {
	case "mapped":
		msg = "Mapped " + skus + "."
	case "created":
		msg = "Marked " + skus + " to be created in QuickBooks."
	case "cleared":
		msg = "Cleared the mapping of " + skus + "."
	case "saved":
		msg = "Saved the settings."
	case "imported":
		msg = "Imported the settings file."
	case "replanned":
		if q.Get("replan") == "" {
			r, _ := strconv.Atoi(q.Get("replanned"))
			return fmt.Sprintf("Planned again: %d document%s not yet in QuickBooks.", r, plural(r)), false
		}
		msg = "Nothing was changed."
	case "lists":
		return "The Web Connector reads QuickBooks' lists again at its next run; items and accounts added since then show here after it.", false
	default:
		return "", false
	}
	switch q.Get("replan") {
	case "failed":
		return msg + " Planning the documents not yet in QuickBooks again failed (the bcqb log says why): press \"Plan again\".", true
	case "none":
		return msg + " They apply to the store's documents once it is linked to a QuickBooks company file.", false
	}
	r, _ := strconv.Atoi(q.Get("replanned"))
	return fmt.Sprintf("%s Changes apply to documents not yet in QuickBooks: %d %s planned again with them; what is in QuickBooks already stays as it was posted.",
		msg, r, map[bool]string{true: "was", false: "were"}[r == 1]), false
}

// ---- changing the mapping ----

// mappingChange maps, marks for creation or clears one SKU or several.
func (s *server) mappingChange(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	m := s.storeFor(w, r, "")
	if m == nil {
		return
	}
	ret, _ := url.ParseQuery(r.PostForm.Get("return"))
	v := viewOf(ret)
	bad := func(msg string) { s.renderTable(w, r, m, v, http.StatusBadRequest, msg) }
	c, err := s.loadCatalogue(ctx, m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var keys []string
	seen := map[string]bool{}
	for _, k := range r.PostForm["sku"] {
		if k = strings.TrimSpace(k); k != "" && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	switch {
	case len(keys) == 0:
		bad("Select at least one SKU (tick its box) first.")
		return
	case len(keys) > maxBulk:
		bad(fmt.Sprintf("%d SKUs are selected; map at most %d at once.", len(keys), maxBulk))
		return
	}
	for i, k := range keys {
		if len(k) > maxSKU {
			bad(fmt.Sprintf("A BigCommerce SKU has at most %d characters; %q has %d.", maxSKU, clip(k), len(k)))
			return
		}
		j, ok := c.lookup(k)
		if !ok {
			bad(fmt.Sprintf("SKU %q is not in store %s's catalogue as last pulled, nor in an order waiting to post: check its spelling, or wait for the next pull.", clip(k), m.st.StoreHash))
			return
		}
		keys[i] = c.rows[j].Key
	}
	action := r.PostForm.Get("action")
	var item, kind string
	switch action {
	case "map":
		var msg string
		if item, msg = m.productItem(r.PostForm.Get("item")); msg != "" {
			what := fmt.Sprintf("%d SKUs", len(keys))
			if len(keys) == 1 {
				what = keys[0]
			}
			bad(clip(what) + ": " + msg)
			return
		}
	case "create":
		kind = r.PostForm.Get("kind")
		if kind == "" {
			kind = defaultCreateKind(m.settings)
		}
		if kind != plan.ItemsCreateNonInventory && kind != plan.ItemsCreateInventory {
			bad("Choose what kind of item bcqb creates: a non-inventory part or an inventory part.")
			return
		}
	case "clear":
	default:
		bad("Choose what to do with the selected SKUs: map, create in QuickBooks, or clear.")
		return
	}
	err = s.updateSettings(ctx, m, func(st *plan.Settings) {
		for _, k := range keys {
			delete(st.SKUs, k)
			delete(st.CreateSKUs, k)
			switch action {
			case "map":
				if st.SKUs == nil {
					st.SKUs = map[string]string{}
				}
				st.SKUs[k] = item
			case "create":
				if st.CreateSKUs == nil {
					st.CreateSKUs = map[string]string{}
				}
				st.CreateSKUs[k] = kind
			}
		}
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.Log.InfoContext(ctx, "SKU mapping changed on the page", "store", m.st.StoreHash, "action", action, "skus", len(keys), "item", item)
	done := map[string]string{"map": "mapped", "create": "created", "clear": "cleared"}[action]
	q := v.query(m.st.ID)
	q.Set("done", done)
	q.Set("n", strconv.Itoa(len(keys)))
	s.replanAndRedirect(w, r, m, "/mapping", q)
}

// updateSettings applies a change to a store's settings as stored now,
// again when another change won the race, never over it.
func (s *server) updateSettings(ctx context.Context, m *mappingStore, change func(*plan.Settings)) error {
	storeID := m.st.ID
	for try := 0; ; try++ {
		st, err := s.Store.BCStore(ctx, storeID)
		if err != nil {
			return err
		}
		cur, err := jobs.StoreSettings(st, false)
		if err != nil {
			return err
		}
		if (st.SettingsJSON == "" || st.SettingsJSON == "{}") && m.listsRead() {
			cur = jobs.UnsettledDefaults(m.company, cur, m.lists.all)
		}
		change(&cur)
		raw, err := json.Marshal(cur)
		if err != nil {
			return fmt.Errorf("web: settings of store %d: %w", storeID, err)
		}
		err = s.Store.ChangeBCStoreSettings(ctx, store.SettingsChange{StoreID: storeID, Old: st.SettingsJSON, New: string(raw)})
		if !errors.Is(err, store.ErrConflict) || try == 2 {
			return err
		}
	}
}

// replanAndRedirect plans the store's documents not yet in QuickBooks again
// and sends the browser back to path with the outcome.
func (s *server) replanAndRedirect(w http.ResponseWriter, r *http.Request, m *mappingStore, path string, q url.Values) {
	switch {
	case m.st.CompanyID == 0:
		q.Set("replan", "none")
	case s.Mapping.Replan != nil:
		n, err := s.Mapping.Replan(r.Context(), m.st.ID)
		if err != nil {
			s.Log.ErrorContext(r.Context(), "planning again after a settings change", "store", m.st.StoreHash, "err", err)
			q.Set("replan", "failed")
		} else {
			q.Set("replanned", strconv.Itoa(n))
		}
	default:
		q.Set("replanned", "0")
	}
	http.Redirect(w, r, path+"?"+q.Encode(), http.StatusSeeOther)
}

// mappingReplan plans again on request (after planning failed).
func (s *server) mappingReplan(w http.ResponseWriter, r *http.Request) {
	m := s.storeFor(w, r, "")
	if m == nil {
		return
	}
	back := "/mapping"
	if r.PostForm.Get("from") == "settings" {
		back = "/mapping/settings"
	}
	s.replanAndRedirect(w, r, m, back, url.Values{"store": {strconv.FormatInt(m.st.ID, 10)}, "done": {"replanned"}})
}

// mappingReadLists queues a new reading of QuickBooks' lists.
func (s *server) mappingReadLists(w http.ResponseWriter, r *http.Request) {
	m := s.storeFor(w, r, "")
	if m == nil {
		return
	}
	if m.st.CompanyID == 0 {
		s.fail(w, r, &httpError{status: http.StatusBadRequest, msg: "Store " + m.st.StoreHash + " is not linked to a QuickBooks company file yet, so there are no lists to read."})
		return
	}
	if _, err := jobs.EnqueueListsRead(r.Context(), s.Store, m.st.CompanyID); err != nil {
		s.fail(w, r, err)
		return
	}
	back, q := "/mapping", url.Values{"store": {strconv.FormatInt(m.st.ID, 10)}}
	if r.PostForm.Get("from") == "settings" {
		back = "/mapping/settings"
	} else if ret, err := url.ParseQuery(r.PostForm.Get("return")); err == nil {
		// Back to the SKUs the user was looking at (one SKU, a search, a page).
		q = viewOf(ret).query(m.st.ID)
	}
	q.Set("done", "lists")
	http.Redirect(w, r, back+"?"+q.Encode(), http.StatusSeeOther)
}

// ---- one SKU: search an item, create, clear ----

type itemPage struct {
	pageData
	StoreID    int64
	StoreHash  string
	Row        rowView
	Q          string
	Results    []string
	More       int
	Searched   bool
	ListsRead  bool
	NoCompany  bool
	Return     string
	BackURL    string
	Kind       string
	CreateName string
}

// mappingItem is the page of one SKU: a server-side search of QuickBooks'
// items to map it to (no JavaScript needed), and its other choices.
func (s *server) mappingItem(w http.ResponseWriter, r *http.Request) {
	m := s.storeFor(w, r, "Mapping")
	if m == nil {
		return
	}
	c, err := s.loadCatalogue(r.Context(), m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	key := strings.TrimSpace(r.URL.Query().Get("sku"))
	i, ok := c.lookup(key)
	if !ok {
		s.fail(w, r, &httpError{status: http.StatusNotFound, msg: fmt.Sprintf("SKU %q is not in store %s's catalogue as last pulled, nor in an order waiting to post.", clip(key), m.st.StoreHash)})
		return
	}
	row := c.rows[i]
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > qbxml.MaxFullName {
		q = q[:qbxml.MaxFullName]
	}
	v := mappingView{SKU: row.Key}
	d := itemPage{pageData: s.pageData(r, "Map SKU "+row.Key), StoreID: m.st.ID, StoreHash: m.st.StoreHash,
		Row: describe(row, m.st.ID), Q: q, ListsRead: m.listsRead(), NoCompany: m.st.CompanyID == 0,
		Return: v.query(m.st.ID).Encode(), BackURL: "/mapping?" + v.query(m.st.ID).Encode(), Kind: defaultCreateKind(m.settings),
		CreateName: plan.ItemName(row.Key)}
	d.Results, d.More, d.Searched = searchItems(m.lists.names("Item", productItemKinds...), q, row)
	s.render(w, r, http.StatusOK, "mapping_item.html", d)
}

// searchItems finds items whose name holds q (every word of it), exact
// and leading matches first; without q, items whose name holds the SKU or
// the product's name are suggested.
func searchItems(items []string, q string, row skuRow) ([]string, int, bool) {
	type hit struct {
		name string
		rank int
	}
	var hits []hit
	words := strings.Fields(strings.ToLower(q))
	for _, it := range items {
		l := strings.ToLower(it)
		rank := -1
		if len(words) > 0 {
			all := true
			for _, w := range words {
				all = all && strings.Contains(l, w)
			}
			switch {
			case !all:
			case l == strings.ToLower(q):
				rank = 0
			case strings.HasPrefix(l, words[0]):
				rank = 1
			default:
				rank = 2
			}
		} else {
			leaf := l[strings.LastIndex(l, ":")+1:]
			switch {
			case strings.Contains(l, strings.ToLower(row.Key)):
				rank = 0
			case row.Name != "" && (strings.Contains(l, strings.ToLower(row.Name)) || len(leaf) >= 3 && strings.Contains(strings.ToLower(row.Name), leaf)):
				rank = 1
			}
		}
		if rank >= 0 {
			hits = append(hits, hit{it, rank})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].rank < hits[j].rank })
	var out []string
	for i := 0; i < len(hits) && i < maxSearchResults; i++ {
		out = append(out, hits[i].name)
	}
	return out, len(hits) - len(out), len(words) > 0
}
