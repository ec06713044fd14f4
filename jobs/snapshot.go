package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/store"
)

// snapshot is what the planner knows QuickBooks holds: the lists as last
// read, and the ledger (objects bcqb created, and those its jobs will
// create). It implements plan.Lists, and grows as a planning pass reserves
// new objects, so two orders of one new shopper in a batch make one customer.
type snapshot struct {
	s      plan.Settings
	lists  map[string]map[string]store.ListEntry // list type -> lower-case name
	emails map[string]string                     // lower-case email -> customer name
	ledger map[string]store.LedgerEntry
	names  map[string]bool // lower-case customer names in use
	multi  bool
	home   string // ISO code of the home currency, "" unknown
	// noSalesTax: the company file does not track sales tax.
	noSalesTax bool
}

var _ plan.Lists = (*snapshot)(nil)

func newSnapshot(ctx context.Context, db PlanStore, c store.Company, s plan.Settings) (*snapshot, error) {
	lists, err := db.Lists(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	ledger, err := db.LedgerEntries(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	return buildSnapshot(c, s, lists, ledger), nil
}

// buildSnapshot indexes the lists and the ledger as read.
func buildSnapshot(c store.Company, s plan.Settings, lists []store.ListEntry, ledger []store.LedgerEntry) *snapshot {
	snap := &snapshot{s: s, lists: map[string]map[string]store.ListEntry{}, emails: map[string]string{},
		ledger: map[string]store.LedgerEntry{}, names: map[string]bool{}}
	for _, l := range lists {
		if snap.lists[l.Type] == nil {
			snap.lists[l.Type] = map[string]store.ListEntry{}
		}
		snap.lists[l.Type][strings.ToLower(l.FullName)] = l
		if l.Type == "Customer" {
			snap.names[strings.ToLower(l.FullName)] = true
			if l.Email != "" {
				if _, dup := snap.emails[l.Email]; !dup {
					snap.emails[l.Email] = l.FullName
				}
			}
		}
	}
	for _, e := range ledger {
		snap.reserve(e)
	}
	snap.multi, snap.home = companyCurrency(c.InfoJSON, s)
	snap.noSalesTax = salesTaxOff(c.InfoJSON)
	return snap
}

// settings are the store's settings as this company file can take them.
func (s *snapshot) settings(st plan.Settings) plan.Settings {
	if s.noSalesTax {
		return st.WithoutSalesTax()
	}
	return st
}

// salesTaxOff reports a company file whose preferences were read and hold
// no SalesTaxPreferences: QuickBooks leaves them out when the file does not
// track sales tax. Unread preferences count as sales tax on (what most US
// files do), so a first plan never drops the tax codes on a guess.
func salesTaxOff(infoJSON string) bool {
	var info struct {
		Preferences *struct {
			AccountingPreferences *json.RawMessage
			SalesTaxPreferences   *qbxml.SalesTaxPreferences
		}
	}
	if infoJSON == "" || json.Unmarshal([]byte(infoJSON), &info) != nil || info.Preferences == nil {
		return false
	}
	return info.Preferences.AccountingPreferences != nil && info.Preferences.SalesTaxPreferences == nil
}

// companyCurrency reads the multicurrency preference and the home currency
// (its ISO code, "" when unknown) from the company information the
// company-info job stored: qbxml.HCP as encoding/json writes it, so
// {"Preferences": {"MultiCurrencyPreferences": {"IsMultiCurrencyOn": true,
// "HomeCurrencyRef": {"ListID": "...", "FullName": "US Dollar"}}}}.
func companyCurrency(infoJSON string, s plan.Settings) (multi bool, home string) {
	var info struct {
		Preferences struct {
			MultiCurrencyPreferences *qbxml.MultiCurrencyPreferences
		}
	}
	if infoJSON == "" || json.Unmarshal([]byte(infoJSON), &info) != nil || info.Preferences.MultiCurrencyPreferences == nil {
		return false, ""
	}
	mc := info.Preferences.MultiCurrencyPreferences
	if !mc.IsMultiCurrencyOn {
		return false, ""
	}
	if mc.HomeCurrencyRef != nil {
		home = plan.CurrencyCode(s, mc.HomeCurrencyRef.FullName)
	}
	return true, home
}

func (s *snapshot) reserve(e store.LedgerEntry) {
	s.ledger[e.Key] = e
	if strings.HasPrefix(e.Key, "customer:") {
		s.names[strings.ToLower(e.Name)] = true
	}
}

// has reports whether QuickBooks holds (or a job will create) a named object of a list.
func (s *snapshot) has(listType, name string) bool {
	if _, ok := s.lists[listType][strings.ToLower(name)]; ok {
		return true
	}
	_, ok := s.ledger[listKey(listType, name)]
	return ok
}

func listKey(listType, name string) string {
	return strings.ToLower(listType) + ":" + strings.ToLower(name)
}

// Item implements plan.Lists.
func (s *snapshot) Item(sku string) (string, bool) {
	if name, ok := s.s.SKUs[sku]; ok && name != "" {
		return name, true
	}
	for _, n := range []string{sku, qbxml.Fit(qbxml.Clean(sku), qbxml.MaxItemName)} {
		if l, ok := s.lists["Item"][strings.ToLower(n)]; ok {
			return l.FullName, true
		}
		if e, ok := s.ledger[listKey("Item", n)]; ok {
			return e.Name, true
		}
	}
	return "", false
}

// Customer implements plan.Lists.
func (s *snapshot) Customer(key string) (string, bool) {
	if e, ok := s.ledger["customer:"+key]; ok {
		return e.Name, true
	}
	if email, ok := strings.CutPrefix(key, "email:"); ok {
		if name, ok := s.emails[strings.ToLower(email)]; ok {
			return name, true
		}
	}
	if key == "single" && s.has("Customer", s.s.SingleCustomer) {
		return s.s.SingleCustomer, true
	}
	return "", false
}

// NameTaken implements plan.Lists.
func (s *snapshot) NameTaken(name string) bool { return s.names[strings.ToLower(name)] }

// MultiCurrency implements plan.Lists.
func (s *snapshot) MultiCurrency() bool { return s.multi }

// HomeCurrency implements plan.Lists.
func (s *snapshot) HomeCurrency() string { return s.home }

func decimalOf(s string) (decimal.Decimal, error) {
	if s == "" {
		return decimal.Zero, nil
	}
	return decimal.NewFromString(s)
}

// prerequisites queues what a sale needs before it can be posted (its
// customer, its items, and the default accounts and items its lines name)
// and returns the jobs it must wait for.
func (pl *planning) prerequisites(ctx context.Context, c plan.Customer, items []plan.NewItem, rqs ...any) ([]int64, error) {
	var deps []int64
	dep := func(key string) {
		if e, ok := pl.snap.ledger[key]; ok && e.QBID == "" && e.JobID != 0 {
			deps = append(deps, e.JobID)
		}
	}
	// Defaults first: items refer to accounts.
	for _, ref := range refsOf(append([]any{c.Add}, append(itemRequests(items), rqs...)...)) {
		id, err := pl.ensureDefault(ctx, ref.list, ref.name)
		if err != nil {
			return nil, err
		}
		if id != 0 {
			deps = append(deps, id)
		}
	}
	for _, it := range items {
		key := listKey("Item", it.Name)
		if !pl.snap.has("Item", it.Name) {
			var rq qbxml.Request
			typ := "ItemNonInventory"
			switch {
			case it.Inventory != nil:
				rq, typ = &qbxml.ItemInventoryAddRq{ItemInventoryAdd: *it.Inventory}, "ItemInventory"
			case it.NonInventory != nil:
				rq = &qbxml.ItemNonInventoryAddRq{ItemNonInventoryAdd: *it.NonInventory}
			default:
				return nil, fmt.Errorf("item %s has no definition", it.Name)
			}
			if _, err := pl.addJob(ctx, AddPayload{Key: key, Type: typ, ListType: "Item", Name: it.Name,
				What: fmt.Sprintf("item %s (SKU %s)", it.Name, it.SKU)}, rq, PriorityList, pl.defaultDeps(rq)); err != nil {
				return nil, err
			}
		}
		dep(key)
	}
	if c.Key != "" {
		key := "customer:" + c.Key
		if _, known := pl.snap.ledger[key]; !known && c.Add != nil {
			if _, err := pl.addJob(ctx, AddPayload{Key: key, Type: "Customer", ListType: "Customer", Name: c.Name,
				What: "customer " + c.Name}, &qbxml.CustomerAddRq{CustomerAdd: *c.Add}, PriorityList, nil); err != nil {
				return nil, err
			}
		}
		dep(key)
	}
	return dedupe(deps), nil
}

// defaultDeps returns the jobs creating the defaults a list request names.
func (pl *planning) defaultDeps(rq qbxml.Request) []int64 {
	var deps []int64
	for _, ref := range refsOf([]any{rq}) {
		if e, ok := pl.snap.ledger[listKey(ref.list, ref.name)]; ok && e.QBID == "" && e.JobID != 0 {
			deps = append(deps, e.JobID)
		}
	}
	return deps
}

func dedupe(ids []int64) []int64 {
	seen := map[int64]bool{}
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func itemRequests(items []plan.NewItem) []any {
	var out []any
	for _, it := range items {
		if it.Inventory != nil {
			out = append(out, it.Inventory)
		}
		if it.NonInventory != nil {
			out = append(out, it.NonInventory)
		}
	}
	return out
}

type namedRef struct{ list, name string }

// refLists maps a reference element to the list it names.
var refLists = map[string]string{
	"ItemRef": "Item", "ItemSalesTaxRef": "Item",
	"AccountRef": "Account", "DepositToAccountRef": "Account", "IncomeAccountRef": "Account", "COGSAccountRef": "Account",
	"AssetAccountRef": "Account", "RefundFromAccountRef": "Account", "ARAccountRef": "Account",
	"PaymentMethodRef": "PaymentMethod", "ClassRef": "Class",
	"SalesTaxCodeRef": "SalesTaxCode", "CustomerSalesTaxCodeRef": "SalesTaxCode",
	"CustomerRef": "Customer",
}

// refsOf lists the references by name in requests. Reflection walks every
// request type the plan returns, present and future, without a case each.
func refsOf(vs []any) []namedRef {
	var out []namedRef
	seen := map[namedRef]bool{}
	var walk func(v reflect.Value, field string)
	walk = func(v reflect.Value, field string) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), field)
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), field)
			}
		case reflect.Struct:
			if r, ok := v.Addr().Interface().(*qbxml.Ref); ok {
				if list, known := refLists[field]; known && r.FullName != "" && r.ListID == "" {
					nr := namedRef{list, r.FullName}
					if !seen[nr] {
						seen[nr] = true
						out = append(out, nr)
					}
				}
				return
			}
			t := v.Type()
			for i := 0; i < v.NumField(); i++ {
				if t.Field(i).IsExported() {
					walk(v.Field(i), t.Field(i).Name)
				}
			}
		}
	}
	for _, v := range vs {
		rv := reflect.ValueOf(v)
		if rv.Kind() == reflect.Pointer && !rv.IsNil() {
			// Addressable copies, so that Addr works on nested structs.
			cp := reflect.New(rv.Elem().Type())
			cp.Elem().Set(rv.Elem())
			walk(cp, "")
		}
	}
	return out
}
