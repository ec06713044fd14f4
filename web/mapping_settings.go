package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/store"
)

// nameSpec is what a setting that names a QuickBooks list entry accepts.
type nameSpec struct {
	// list is the QuickBooks list (store.ListEntry.Type).
	list string
	// kinds are the account types or item kinds accepted (any when none).
	kinds []string
	// words say what is wanted ("an income account").
	words string
	// create: bcqb creates the entry when QuickBooks lacks it (the jobs
	// package's defaults), once the user agrees; always: without asking
	// (customers are created per order anyway).
	create, always bool
	// optional: empty is allowed (and means the field's documented default).
	optional bool
	// max is the longest name bcqb can create (a leaf name).
	max int
}

// The list entries the settings name.
var (
	specIncome    = nameSpec{list: "Account", kinds: []string{"Income", "OtherIncome"}, words: "an income account", create: true, max: 31}
	specCOGS      = nameSpec{list: "Account", kinds: []string{"CostOfGoodsSold"}, words: "a cost of goods sold account", create: true, max: 31}
	specAsset     = nameSpec{list: "Account", kinds: []string{"OtherCurrentAsset"}, words: "an other current asset account", create: true, max: 31}
	specDeposit   = nameSpec{list: "Account", kinds: []string{"Bank", "OtherCurrentAsset"}, words: "a bank or other current asset account", create: true, max: 31}
	specAR        = nameSpec{list: "Account", kinds: []string{"AccountsReceivable"}, words: "an accounts receivable account"}
	specExpense   = nameSpec{list: "Account", kinds: []string{"Expense", "OtherExpense"}, words: "an expense account", create: true, max: 31}
	specCharge    = nameSpec{list: "Item", kinds: []string{"ItemOtherCharge", "ItemService", "ItemNonInventory"}, words: "an other charge, service or non-inventory item", create: true, max: qbxml.MaxItemName}
	specDiscount  = nameSpec{list: "Item", kinds: []string{"ItemDiscount", "ItemOtherCharge"}, words: "a discount or other charge item", create: true, max: qbxml.MaxItemName}
	specRefund    = nameSpec{list: "Item", kinds: []string{"ItemDiscount", "ItemOtherCharge", "ItemService", "ItemNonInventory"}, words: "a discount, other charge, service or non-inventory item", optional: true}
	specFeeItem   = nameSpec{list: "Item", kinds: []string{"ItemOtherCharge"}, words: "an other charge item", create: true, max: qbxml.MaxItemName}
	specTaxItem   = nameSpec{list: "Item", kinds: []string{"ItemSalesTax"}, words: "a sales tax item", create: true, max: qbxml.MaxItemName}
	specTaxCode   = nameSpec{list: "SalesTaxCode", kinds: []string{"Taxable"}, words: "a taxable sales tax code", create: true, max: 3}
	specNonCode   = nameSpec{list: "SalesTaxCode", kinds: []string{"Non"}, words: "a non-taxable sales tax code", create: true, max: 3}
	specPayMethod = nameSpec{list: "PaymentMethod", words: "a payment method", create: true, max: qbxml.MaxPaymentMethod}
	specClass     = nameSpec{list: "Class", words: "a class", create: true, optional: true, max: 31}
	specCustomer  = nameSpec{list: "Customer", words: "a customer", create: true, always: true, max: qbxml.MaxCustomerName}
)

// nameField is a setting naming a list entry, as a form field.
type nameField struct {
	name, label, hint string
	spec              nameSpec
	get               func(*plan.Settings) *string
}

// The settings form's sections: each setting once, in reading order.
var (
	orderFields = []nameField{
		{"single_customer", "Customer of every order (with \"one customer\")", "", specCustomer, func(s *plan.Settings) *string { return &s.SingleCustomer }},
		{"class", "Class", "Every transaction of the store carries it; empty: none.", specClass, func(s *plan.Settings) *string { return &s.Class }},
	}
	accountFields = []nameField{
		{"income_account", "Income account", "Of the items bcqb creates.", specIncome, func(s *plan.Settings) *string { return &s.IncomeAccount }},
		{"cogs_account", "Cost of goods sold account", "Of the inventory parts bcqb creates.", specCOGS, func(s *plan.Settings) *string { return &s.COGSAccount }},
		{"asset_account", "Inventory asset account", "Of the inventory parts bcqb creates.", specAsset, func(s *plan.Settings) *string { return &s.AssetAccount }},
		{"deposit_account", "Deposit account", "Where payments go unless their method names another (below).", specDeposit, func(s *plan.Settings) *string { return &s.DepositAccount }},
		{"ar_account", "Accounts receivable account", "Of refund checks.", specAR, func(s *plan.Settings) *string { return &s.ARAccount }},
	}
	itemFields = []nameField{
		{"shipping_item", "Shipping", "", specCharge, func(s *plan.Settings) *string { return &s.ShippingItem }},
		{"handling_item", "Handling", "", specCharge, func(s *plan.Settings) *string { return &s.HandlingItem }},
		{"wrapping_item", "Gift wrapping", "", specCharge, func(s *plan.Settings) *string { return &s.WrappingItem }},
		{"fee_item", "Order fees", "Fees BigCommerce charged the shopper.", specCharge, func(s *plan.Settings) *string { return &s.FeeItem }},
		{"discount_item", "Discounts and coupons", "", specDiscount, func(s *plan.Settings) *string { return &s.DiscountItem }},
		{"gift_certificate_item", "Gift certificates", "", specCharge, func(s *plan.Settings) *string { return &s.GiftCertItem }},
		{"store_credit_item", "Store credit", "", specCharge, func(s *plan.Settings) *string { return &s.StoreCreditItem }},
		{"refund_item", "Refunds of an amount", "A refund of no particular line; empty: the discount item.", specRefund, func(s *plan.Settings) *string { return &s.RefundItem }},
		{"rounding_item", "Rounding", "Absorbs BigCommerce's cent differences, up to the limit below.", specCharge, func(s *plan.Settings) *string { return &s.RoundingItem }},
	}
	taxFields = []nameField{
		{"zero_tax_item", "Sales tax item of the header", "A 0 % item: QuickBooks computes no tax of its own; BigCommerce's tax comes as lines.", specTaxItem, func(s *plan.Settings) *string { return &s.ZeroTaxItem }},
		{"tax_item", "Sales tax item of the tax lines", "Unless a rate below names another.", specTaxItem, func(s *plan.Settings) *string { return &s.TaxItem }},
		{"tax_code", "Tax code of taxed lines", "", specTaxCode, func(s *plan.Settings) *string { return &s.TaxCode }},
		{"non_tax_code", "Tax code of untaxed lines", "", specNonCode, func(s *plan.Settings) *string { return &s.NonTaxCode }},
	}
	paymentFields = []nameField{
		{"payment_method", "QuickBooks payment method", "Of every BigCommerce method not named below.", specPayMethod, func(s *plan.Settings) *string { return &s.PaymentMethod }},
	}
	// hiddenFields are settings the form does not show, checked on import.
	hiddenFields = []nameField{
		{"fee_expense_item", "Processing fee item", "", specFeeItem, func(s *plan.Settings) *string { return &s.FeeExpenseItem }},
		{"fee_expense_account", "Processing fee account", "", specExpense, func(s *plan.Settings) *string { return &s.FeeExpenseAccount }},
	}
)

type option struct{ Value, Label string }

// choice is a setting with a fixed set of values.
type choice struct {
	name, label, hint string
	options           []option
	get               func(*plan.Settings) *string
}

var (
	choiceMode = choice{"mode", "Orders post as", "", []option{
		{plan.ModeAuto, "sales receipts when paid, invoices when awaiting payment"},
		{plan.ModeInvoice, "invoices, with a payment applied when paid"}}, func(s *plan.Settings) *string { return &s.Mode }}
	choiceCustomers = choice{"customers", "Customers", "", []option{
		{plan.CustomerPerShopper, "one QuickBooks customer per shopper (by email)"},
		{plan.CustomerSingle, "one customer for every order"}}, func(s *plan.Settings) *string { return &s.Customers }}
	choiceItems = choice{"items", "A SKU QuickBooks has no item for", "The mapping table shows what each SKU does.", []option{
		{plan.ItemsCreateNonInventory, "bcqb creates it as a non-inventory part"},
		{plan.ItemsCreateInventory, "bcqb creates it as an inventory part (downloads: non-inventory)"},
		{plan.ItemsRequireMapping, "its orders wait until it is mapped"}}, func(s *plan.Settings) *string { return &s.Items }}
	choiceRefund = choice{"refund", "The money of a refund goes back", "", []option{
		{plan.RefundByCard, "as a credit card refund from the deposit account"},
		{plan.RefundByCheck, "as a check from the deposit account"},
		{plan.RefundCredit, "not at all: the credit memo stays open as the customer's credit"}}, func(s *plan.Settings) *string { return &s.Refund }}
	choiceCancel = choice{"cancel", "An order cancelled after it was posted", "", []option{
		{plan.CancelVoid, "is voided in QuickBooks"},
		{plan.CancelCredit, "gets a credit memo of its lines"}}, func(s *plan.Settings) *string { return &s.Cancel }}
	choiceInventory = choice{"inventory", "Stock levels", "", []option{
		{"off", "are not synced"},
		{"quickbooks", "follow QuickBooks: bcqb sets BigCommerce's levels"},
		{"bigcommerce", "follow BigCommerce: bcqb adjusts QuickBooks' quantities"}}, func(s *plan.Settings) *string { return &s.Inventory }}
	choices = []choice{choiceMode, choiceCustomers, choiceItems, choiceRefund, choiceCancel, choiceInventory}
)

// Form field names besides the settings' own.
const (
	fieldVersion = "version"
	fieldCreate  = "create_missing"
	fieldPrefix  = "ref_prefix"
	fieldZone    = "time_zone"
	fieldLimit   = "rounding_limit"
	fieldDetail  = "tax_detail"
	fieldRestock = "restock"
	// Rows of the payment method and tax rate tables: name_<i>.
	fieldPayCount = "pm_count"
	fieldTaxCount = "tax_count"
	// newRows is how many empty rows the tables offer (no JavaScript).
	newRows = 2
	// maxRows bounds a table's rows.
	maxRows = 200
	// maxBCName bounds a BigCommerce payment method or tax rate name.
	maxBCName = 100
)

// maxRoundingLimit is the largest rounding line bcqb lets a setting allow:
// beyond a dollar, a difference is an error to look at, not rounding.
var maxRoundingLimit = decimal.New(1, 0)

var refPrefixChars = regexp.MustCompile(`^[A-Za-z0-9\-_/.#]*$`)

// settingsVersion fingerprints the stored settings a form was made from.
func settingsVersion(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:8])
}

// ---- checking settings ----

// settingsCheck validates settings against the company file, field by
// field, collecting every problem before anything is written.
type settingsCheck struct {
	m      *mappingStore
	cur    plan.Settings
	create bool
	// problems by field, and the fields in the order met.
	problems map[string]string
	order    []string
	// creates lists, in words, what bcqb creates in QuickBooks.
	creates []string
}

func newCheck(m *mappingStore, create bool) *settingsCheck {
	return &settingsCheck{m: m, cur: m.settings, create: create, problems: map[string]string{}}
}

func (c *settingsCheck) fail(field, msg string) {
	if _, ok := c.problems[field]; !ok {
		c.order = append(c.order, field)
		c.problems[field] = msg
	}
}

func (c *settingsCheck) ok() bool { return len(c.problems) == 0 }

// messages lists the problems in the order met.
func (c *settingsCheck) messages() []string {
	out := make([]string, 0, len(c.order))
	for _, f := range c.order {
		out = append(out, c.problems[f])
	}
	return out
}

// problem is a message and the input it is about ("" when none shows it).
type problem struct {
	Anchor, Message string
}

// linked lists the problems with the form's inputs they are about.
func (c *settingsCheck) linked() []problem {
	out := make([]problem, 0, len(c.order))
	for _, f := range c.order {
		p := problem{Message: c.problems[f]}
		switch {
		case strings.HasPrefix(f, "pm_") || strings.HasPrefix(f, "tax_"):
			p.Anchor = f
		case !strings.Contains(f, "."):
			p.Anchor = "f-" + f
		}
		out = append(out, p)
	}
	return out
}

func listWords(list string) string {
	switch list {
	case "PaymentMethod":
		return "payment method"
	case "SalesTaxCode":
		return "sales tax code"
	}
	return strings.ToLower(list)
}

// name checks a value naming a list entry and returns it as QuickBooks
// spells it. A name QuickBooks lacks passes when it is the field's current
// value (bcqb creates it where it can, when first needed) or, for a field
// bcqb can create, when the user agreed to creating what is missing.
func (c *settingsCheck) name(field, label string, spec nameSpec, value, current string) string {
	v := strings.TrimSpace(value)
	switch {
	case v == "" && spec.optional:
		return ""
	case v == "":
		c.fail(field, label+": choose "+spec.words+".")
		return ""
	case len([]rune(v)) > qbxml.MaxFullName:
		c.fail(field, fmt.Sprintf("%s: a QuickBooks name has at most %d characters; %q has %d.", label, qbxml.MaxFullName, clip(v), len([]rune(v))))
		return ""
	case qbxml.Clean(v) != v:
		c.fail(field, fmt.Sprintf("%s: %q has characters QuickBooks cannot store.", label, clip(v)))
		return ""
	}
	if l, ok := c.m.lists.find(spec.list, v); ok {
		switch {
		case len(spec.kinds) > 0 && !contains(spec.kinds, l.SubType):
			kind := kindWords(l.SubType)
			if spec.list != "Item" {
				kind += " " + listWords(spec.list)
			}
			c.fail(field, fmt.Sprintf("%s: %q is %s in QuickBooks; this needs %s.", label, l.FullName, article(kind), spec.words))
		case !l.Active:
			c.fail(field, fmt.Sprintf("%s: %q is inactive in QuickBooks: make it active there, or choose another.", label, l.FullName))
		}
		return l.FullName
	}
	if current != "" && strings.EqualFold(v, strings.TrimSpace(current)) {
		return current
	}
	what := fmt.Sprintf("%s %q", listWords(spec.list), v)
	switch {
	case !spec.create:
		c.fail(field, fmt.Sprintf("%s: QuickBooks has no %s (as bcqb last read the company file); choose %s it has.", label, what, spec.words))
	case spec.max > 0 && len([]rune(v)) > spec.max:
		c.fail(field, fmt.Sprintf("%s: QuickBooks has no %s, and bcqb cannot create it: a new name has at most %d characters.", label, what, spec.max))
	case strings.Contains(v, ":"):
		c.fail(field, fmt.Sprintf("%s: QuickBooks has no %s; bcqb creates top-level names only (\":\" separates a parent's name): create it in QuickBooks, then read the lists again.", label, what))
	case spec.always:
		return v
	case !c.create:
		c.fail(field, fmt.Sprintf("%s: QuickBooks has no %s (as bcqb last read the company file). Choose one from the list, or tick \"Create in QuickBooks what it lacks\" to have bcqb create it.", label, what))
	default:
		c.creates = append(c.creates, what)
		return v
	}
	return ""
}

// oneOf checks a value against a choice's options.
func (c *settingsCheck) oneOf(ch choice, value string) string {
	for _, o := range ch.options {
		if value == o.Value {
			return value
		}
	}
	c.fail(ch.name, fmt.Sprintf("%s: choose one of the options (%q is not one).", ch.label, clip(value)))
	return *ch.get(&c.cur)
}

func (c *settingsCheck) refPrefix(v string) string {
	v = strings.TrimSpace(v)
	switch {
	case len(v) > 5:
		c.fail(fieldPrefix, fmt.Sprintf("RefNumber prefix: at most 5 characters (QuickBooks' RefNumber holds 11 with the order number); %q has %d.", clip(v), len(v)))
	case !refPrefixChars.MatchString(v):
		c.fail(fieldPrefix, fmt.Sprintf("RefNumber prefix: letters, digits and - _ / . # only; %q has others.", clip(v)))
	}
	return v
}

func (c *settingsCheck) timeZone(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if _, err := time.LoadLocation(v); err != nil || v == "Local" || len(v) > 64 {
		c.fail(fieldZone, fmt.Sprintf("Time zone: %q is not a time zone name bcqb knows (like America/Chicago or Europe/London).", clip(v)))
	}
	return v
}

func (c *settingsCheck) roundingLimit(v string) decimal.Decimal {
	d, err := decimal.NewFromString(strings.TrimSpace(v))
	switch {
	case err != nil:
		c.fail(fieldLimit, fmt.Sprintf("Rounding limit: %q is not an amount (like 0.05).", clip(v)))
	case d.IsNegative() || d.GreaterThan(maxRoundingLimit):
		c.fail(fieldLimit, fmt.Sprintf("Rounding limit: between 0.00 and %s.", maxRoundingLimit.StringFixed(2)))
	case d.Exponent() < -2 && !d.Equal(d.Round(2)):
		c.fail(fieldLimit, "Rounding limit: in cents (two decimals at most).")
	default:
		return d.Round(2)
	}
	return c.cur.RoundingLimit
}

// backfill checks the date history is pulled from (see parseBackfill).
func (c *settingsCheck) backfill(v string, now time.Time) time.Time {
	t, problem := parseBackfill(v, now)
	if problem != "" {
		c.fail(fieldBackfill, "Pull history from: the date "+problem)
	}
	return t
}

// bcName checks a BigCommerce payment method or tax rate name.
func (c *settingsCheck) bcName(field, what, v string) bool {
	switch {
	case v == "":
		c.fail(field, "Name the BigCommerce "+what+" of this row, or leave the whole row empty.")
	case len([]rune(v)) > maxBCName:
		c.fail(field, fmt.Sprintf("A BigCommerce %s name has at most %d characters here; %q has %d.", what, maxBCName, clip(v), len([]rune(v))))
	default:
		return true
	}
	return false
}

// rest checks what the form does not show (a file's settings, or the
// stored ones carried over): the fee item and account, channels, fees,
// currency names and the SKU mappings.
func (c *settingsCheck) rest(next *plan.Settings, known func(string) bool) {
	for _, f := range hiddenFields {
		*f.get(next) = c.name(f.name, f.label, f.spec, *f.get(next), *f.get(&c.cur))
	}
	for id, ch := range next.Channels {
		field := fmt.Sprintf("channels.%d", id)
		cur := c.cur.Channels[id]
		label := fmt.Sprintf("Channel %d", id)
		if id <= 0 {
			c.fail(field, label+": not a BigCommerce channel number.")
			continue
		}
		ch.Class = c.name(field+".class", label+" class", specClass, ch.Class, cur.Class)
		cust := specCustomer
		cust.optional = true
		ch.Customer = c.name(field+".customer", label+" customer", cust, ch.Customer, cur.Customer)
		dep := specDeposit
		dep.optional = true
		ch.DepositAccount = c.name(field+".deposit", label+" deposit account", dep, ch.DepositAccount, cur.DepositAccount)
		next.Channels[id] = ch
	}
	for method, f := range next.Fees {
		field := "fees." + method
		switch {
		case !c.bcName(field, "payment method", method):
		case f.Percent.IsNegative() || f.Percent.GreaterThan(decimal.New(100, 0)):
			c.fail(field, fmt.Sprintf("Processing fee of %q: a percentage between 0 and 100.", clip(method)))
		case f.Fixed.IsNegative() || f.Fixed.GreaterThan(decimal.New(1000, 0)):
			c.fail(field, fmt.Sprintf("Processing fee of %q: a fixed part between 0 and 1000.", clip(method)))
		}
	}
	for code, name := range next.CurrencyNames {
		if len(code) != 3 || strings.ToUpper(code) != code || strings.TrimSpace(name) == "" || len([]rune(name)) > 64 {
			c.fail("currency_names."+code, fmt.Sprintf("Currency names: %q → %q is not an ISO code and a QuickBooks currency name.", clip(code), clip(name)))
		}
	}
	for _, sku := range slices.Sorted(maps.Keys(next.SKUs)) {
		field := "skus." + sku
		item := next.SKUs[sku]
		switch {
		case !known(sku):
			c.fail(field, fmt.Sprintf("SKU %q is not in the store's catalogue as last pulled, nor in an order waiting to post.", clip(sku)))
		case c.cur.SKUs[sku] != "" && item == c.cur.SKUs[sku]:
		default:
			name, msg := c.m.productItem(item)
			if msg != "" {
				c.fail(field, fmt.Sprintf("SKU %q: %s", clip(sku), msg))
			}
			next.SKUs[sku] = name
		}
	}
	for _, sku := range slices.Sorted(maps.Keys(next.CreateSKUs)) {
		field := "create_skus." + sku
		switch k := next.CreateSKUs[sku]; {
		case !known(sku):
			c.fail(field, fmt.Sprintf("SKU %q is not in the store's catalogue as last pulled, nor in an order waiting to post.", clip(sku)))
		case k != plan.ItemsCreateNonInventory && k != plan.ItemsCreateInventory:
			c.fail(field, fmt.Sprintf("SKU %q: create as %q? Only %q and %q are kinds bcqb creates.", clip(sku), clip(k), plan.ItemsCreateNonInventory, plan.ItemsCreateInventory))
		}
	}
}

// ---- the form ----

// formField is one input of the settings form.
type formField struct {
	Name, Label, Hint string
	// Type is text, select, checkbox or date.
	Type    string
	Value   string
	Options []option
	List    string
	Error   string
	Max     int
	// Note says the value is not in QuickBooks (yet).
	Note string
}

type formSection struct {
	ID, Title, Intro string
	Fields           []formField
}

// tableRow is a row of the payment method or tax rate table.
type tableRow struct {
	Index            int
	Name             string
	New              bool
	A, B             string
	NameErr, AErr    string
	BErr             string
	NameID, AID, BID string
}

type datalist struct {
	ID      string
	Options []string
}

type settingsPage struct {
	pageData
	StoreID        int64
	StoreHash      string
	Stores         []storeChoice
	NoCompany      bool
	ListsRead      bool
	Shared         bool
	Sections       []formSection
	After          []formSection
	Payments       []tableRow
	Taxes          []tableRow
	PayCount       int
	TaxCount       int
	PayList        string
	DepositList    string
	TaxList        string
	Datalists      []datalist
	Version        string
	Create         bool
	PullEvery      string
	Problems       []problem
	Notice         string
	Error          string
	ReplanFail     bool
	From           string
	ImportError    string
	ImportProblems []string
}

// datalists collects one datalist per kind of entry the form names.
type datalists struct {
	m    *mappingStore
	ids  map[string]string
	list []datalist
}

func (d *datalists) id(spec nameSpec) string {
	key := spec.list + "-" + strings.Join(spec.kinds, "-")
	if id, ok := d.ids[key]; ok {
		return id
	}
	id := fmt.Sprintf("dl-%d", len(d.list))
	d.ids[key] = id
	names := d.m.lists.names(spec.list, spec.kinds...)
	if len(names) > maxDatalist {
		names = names[:maxDatalist]
	}
	d.list = append(d.list, datalist{ID: id, Options: names})
	return id
}

// settingsValues are the form's values for settings as stored.
func settingsValues(s plan.Settings, st store.BCStore, payNames, rateNames []string) url.Values {
	v := url.Values{}
	for _, group := range [][]nameField{orderFields, accountFields, itemFields, taxFields, paymentFields} {
		for _, f := range group {
			v.Set(f.name, *f.get(&s))
		}
	}
	for _, ch := range choices {
		v.Set(ch.name, *ch.get(&s))
	}
	v.Set(fieldPrefix, s.RefPrefix)
	v.Set(fieldZone, s.TimeZone)
	limit := s.RoundingLimit.String()
	if s.RoundingLimit.Equal(s.RoundingLimit.Round(2)) {
		limit = s.RoundingLimit.StringFixed(2)
	}
	v.Set(fieldLimit, limit)
	if s.TaxDetail {
		v.Set(fieldDetail, "on")
	}
	if s.Restock {
		v.Set(fieldRestock, "on")
	}
	if !st.BackfillFrom.IsZero() {
		v.Set(fieldBackfill, st.BackfillFrom.UTC().Format(time.DateOnly))
	}
	for i, n := range payNames {
		idx := strconv.Itoa(i)
		v.Set("pm_bc_"+idx, n)
		v.Set("pm_method_"+idx, s.PaymentMethods[n])
		v.Set("pm_deposit_"+idx, s.PaymentDeposits[n])
	}
	v.Set(fieldPayCount, strconv.Itoa(len(payNames)+newRows))
	for i, n := range rateNames {
		idx := strconv.Itoa(i)
		v.Set("tax_name_"+idx, n)
		v.Set("tax_item_"+idx, s.TaxItems[n])
	}
	v.Set(fieldTaxCount, strconv.Itoa(len(rateNames)+newRows))
	v.Set(fieldVersion, settingsVersion(st.SettingsJSON))
	return v
}

// rowNames lists the BigCommerce names a table offers: those seen in
// orders and those the settings map, sorted, each once.
func rowNames(seen []string, mapped ...map[string]string) []string {
	set := map[string]bool{}
	for _, n := range seen {
		set[n] = true
	}
	for _, m := range mapped {
		for n := range m {
			set[n] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// rowCount reads a table's row count, bounded.
func rowCount(v url.Values, field string) int {
	n, err := strconv.Atoi(v.Get(field))
	if err != nil || n < 0 {
		return 0
	}
	return min(n, maxRows)
}

// parseSettings reads the settings form over base (what the form does not
// show comes from it) and checks every value; nothing is kept unless all pass.
func parseSettings(c *settingsCheck, v url.Values, base plan.Settings, now time.Time) (plan.Settings, time.Time) {
	next := cloneSettings(base)
	for _, group := range [][]nameField{orderFields, accountFields, itemFields, taxFields, paymentFields} {
		for _, f := range group {
			*f.get(&next) = c.name(f.name, f.label, f.spec, v.Get(f.name), *f.get(&c.cur))
		}
	}
	for _, ch := range choices {
		*ch.get(&next) = c.oneOf(ch, v.Get(ch.name))
	}
	next.RefPrefix = c.refPrefix(v.Get(fieldPrefix))
	next.TimeZone = c.timeZone(v.Get(fieldZone))
	next.RoundingLimit = c.roundingLimit(v.Get(fieldLimit))
	next.TaxDetail = v.Get(fieldDetail) != ""
	next.Restock = v.Get(fieldRestock) != ""
	backfill := c.backfill(v.Get(fieldBackfill), now)

	optPay, optDeposit, optTax := specPayMethod, specDeposit, specTaxItem
	optPay.optional, optDeposit.optional, optTax.optional = true, true, true
	next.PaymentMethods, next.PaymentDeposits = map[string]string{}, map[string]string{}
	for i := range rowCount(v, fieldPayCount) {
		idx := strconv.Itoa(i)
		bc := strings.TrimSpace(v.Get("pm_bc_" + idx))
		method, deposit := v.Get("pm_method_"+idx), v.Get("pm_deposit_"+idx)
		if bc == "" && strings.TrimSpace(method+deposit) == "" {
			continue
		}
		if !c.bcName("pm_bc_"+idx, "payment method", bc) {
			continue
		}
		if _, dup := next.PaymentMethods[bc]; dup {
			c.fail("pm_bc_"+idx, fmt.Sprintf("Payment method %q is in two rows; keep one.", clip(bc)))
			continue
		}
		label := fmt.Sprintf("Payment method %q", clip(bc))
		next.PaymentMethods[bc] = c.name("pm_method_"+idx, label, optPay, method, c.cur.PaymentMethods[bc])
		next.PaymentDeposits[bc] = c.name("pm_deposit_"+idx, label+" deposit account", optDeposit, deposit, c.cur.PaymentDeposits[bc])
	}
	next.TaxItems = map[string]string{}
	for i := range rowCount(v, fieldTaxCount) {
		idx := strconv.Itoa(i)
		name := strings.TrimSpace(v.Get("tax_name_" + idx))
		item := v.Get("tax_item_" + idx)
		if name == "" && strings.TrimSpace(item) == "" {
			continue
		}
		if !c.bcName("tax_name_"+idx, "tax rate", name) {
			continue
		}
		if _, dup := next.TaxItems[name]; dup {
			c.fail("tax_name_"+idx, fmt.Sprintf("Tax rate %q is in two rows; keep one.", clip(name)))
			continue
		}
		next.TaxItems[name] = c.name("tax_item_"+idx, fmt.Sprintf("Tax rate %q", clip(name)), optTax, item, c.cur.TaxItems[name])
	}
	dropEmpty(next.PaymentMethods)
	dropEmpty(next.PaymentDeposits)
	dropEmpty(next.TaxItems)
	return next, backfill
}

// dropEmpty removes the entries a row left empty (they mean the default).
func dropEmpty(m map[string]string) {
	for k, v := range m {
		if v == "" {
			delete(m, k)
		}
	}
}

// buildSettingsPage lays out the form with values v and problems c.
func (s *server) buildSettingsPage(r *http.Request, m *mappingStore, v url.Values, c *settingsCheck) settingsPage {
	d := settingsPage{pageData: s.pageData(r, "Posting settings"), StoreID: m.st.ID, StoreHash: m.st.StoreHash,
		Stores: storeChoices(m, "/mapping/settings"), NoCompany: m.st.CompanyID == 0, ListsRead: m.listsRead(),
		Shared: m.shared, Version: v.Get(fieldVersion), Create: v.Get(fieldCreate) != "", From: "settings",
		PayCount: rowCount(v, fieldPayCount), TaxCount: rowCount(v, fieldTaxCount)}
	if s.Mapping.PullEvery > 0 {
		d.PullEvery = durationWords(s.Mapping.PullEvery)
	}
	problems := map[string]string{}
	if c != nil {
		problems, d.Problems = c.problems, c.linked()
	}
	dl := &datalists{m: m, ids: map[string]string{}}
	names := func(fs []nameField) []formField {
		var out []formField
		for _, f := range fs {
			ff := formField{Name: f.name, Label: f.label, Hint: f.hint, Type: "text", Value: v.Get(f.name),
				List: dl.id(f.spec), Error: problems[f.name], Max: qbxml.MaxFullName}
			if val := strings.TrimSpace(ff.Value); val != "" && m.listsRead() {
				if _, ok := m.lists.find(f.spec.list, val); !ok {
					ff.Note = "Not in QuickBooks yet"
					if f.spec.create {
						ff.Note += ": bcqb creates it when a document first needs it."
					}
				}
			}
			out = append(out, ff)
		}
		return out
	}
	pick := func(ch choice) formField {
		return formField{Name: ch.name, Label: ch.label, Hint: ch.hint, Type: "select", Value: v.Get(ch.name), Options: ch.options, Error: problems[ch.name]}
	}
	text := func(name, label, hint string, max int) formField {
		return formField{Name: name, Label: label, Hint: hint, Type: "text", Value: v.Get(name), Error: problems[name], Max: max}
	}
	check := func(name, label, hint string) formField {
		return formField{Name: name, Label: label, Hint: hint, Type: "checkbox", Value: v.Get(name)}
	}
	prefixHint := "Put before the order number in RefNumber, where stores share a company file."
	if m.shared {
		prefixHint += fmt.Sprintf(" Several stores share this one: empty means B%d-.", m.st.ID)
	}
	order := formSection{ID: "orders", Title: "Orders", Fields: []formField{pick(choiceMode), pick(choiceCustomers)}}
	order.Fields = append(order.Fields, names(orderFields)...)
	order.Fields = append(order.Fields, pick(choiceItems), text(fieldPrefix, "RefNumber prefix", prefixHint, 5),
		text(fieldZone, "Time zone of transaction dates", "The store's IANA time zone (America/Chicago); empty: UTC.", 64))
	items := formSection{ID: "items", Title: "Items of the other lines", Fields: names(itemFields)}
	items.Fields = append(items.Fields, text(fieldLimit, "Rounding limit", "The largest difference a rounding line absorbs; past it the order needs attention.", 8))
	tax := formSection{ID: "tax", Title: "Sales tax", Intro: "BigCommerce's tax is posted as it charged it, on sales tax item lines: one line, or one per rate.",
		Fields: names(taxFields)}
	tax.Fields = append(tax.Fields, check(fieldDetail, "One tax line per BigCommerce rate", "The pull then fetches each taxed order's tax rows. Rates named below get their own item either way."))
	d.Sections = []formSection{order, {ID: "accounts", Title: "Accounts", Fields: names(accountFields)}, items, tax}
	pay := formSection{ID: "payments", Title: "Payments", Fields: names(paymentFields)}
	refunds := formSection{ID: "refunds", Title: "Refunds and cancellations", Fields: []formField{pick(choiceRefund), pick(choiceCancel),
		check(fieldRestock, "Put refunded inventory back in stock", "Refunded inventory parts carry their quantity, so QuickBooks adds it back.")}}
	inventory := formSection{ID: "inventory", Title: "Inventory", Fields: []formField{pick(choiceInventory)}}
	pullHint := "Orders changed since this date are pulled (once) when it lies before what was pulled so far; empty: only changes from the first pull on."
	if d.PullEvery != "" {
		pullHint += " Every store is pulled every " + d.PullEvery + " (BCQB_PULL_EVERY)."
	}
	pullSec := formSection{ID: "pull", Title: "Pulling from BigCommerce", Fields: []formField{{Name: fieldBackfill, Label: "Pull history from",
		Hint: pullHint, Type: "date", Value: v.Get(fieldBackfill), Error: problems[fieldBackfill]}}}
	d.After = []formSection{pay, refunds, inventory, pullSec}
	optDeposit := specDeposit
	d.PayList, d.DepositList, d.TaxList = dl.id(specPayMethod), dl.id(optDeposit), dl.id(specTaxItem)
	for i := range d.PayCount {
		idx := strconv.Itoa(i)
		row := tableRow{Index: i, Name: v.Get("pm_bc_" + idx), A: v.Get("pm_method_" + idx), B: v.Get("pm_deposit_" + idx),
			NameErr: problems["pm_bc_"+idx], AErr: problems["pm_method_"+idx], BErr: problems["pm_deposit_"+idx],
			NameID: "pm_bc_" + idx, AID: "pm_method_" + idx, BID: "pm_deposit_" + idx}
		row.New = row.Name == "" || row.NameErr != ""
		d.Payments = append(d.Payments, row)
	}
	for i := range d.TaxCount {
		idx := strconv.Itoa(i)
		row := tableRow{Index: i, Name: v.Get("tax_name_" + idx), A: v.Get("tax_item_" + idx),
			NameErr: problems["tax_name_"+idx], AErr: problems["tax_item_"+idx], NameID: "tax_name_" + idx, AID: "tax_item_" + idx}
		row.New = row.Name == "" || row.NameErr != ""
		d.Taxes = append(d.Taxes, row)
	}
	d.Datalists = dl.list
	return d
}

// storedValues are the form's values of the store's settings as stored.
func (s *server) storedValues(ctx context.Context, m *mappingStore) (url.Values, error) {
	pays, err := s.Store.OrderPaymentMethods(ctx, m.st.ID)
	if err != nil {
		return nil, err
	}
	taxes, err := s.Store.OrderTaxNames(ctx, m.st.ID)
	if err != nil {
		return nil, err
	}
	return settingsValues(m.settings, m.st, rowNames(pays, m.settings.PaymentMethods, m.settings.PaymentDeposits),
		rowNames(taxes, m.settings.TaxItems)), nil
}

func (s *server) mappingSettings(w http.ResponseWriter, r *http.Request) {
	m := s.storeFor(w, r, "Posting settings")
	if m == nil {
		return
	}
	v, err := s.storedValues(r.Context(), m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := s.buildSettingsPage(r, m, v, nil)
	d.Notice, d.ReplanFail = flash(r.URL.Query())
	if n, _ := strconv.Atoi(r.URL.Query().Get("new")); n > 0 && d.Notice != "" {
		d.Notice += fmt.Sprintf(" bcqb creates the %d new name%s in QuickBooks when a document first needs them.", n, plural(n))
	}
	s.render(w, r, http.StatusOK, "mapping_settings.html", d)
}

// mappingSaveSettings checks the whole form, then saves it in one write.
func (s *server) mappingSaveSettings(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	m := s.storeFor(w, r, "")
	if m == nil {
		return
	}
	v := r.PostForm
	c := newCheck(m, v.Get(fieldCreate) != "")
	next, backfill := parseSettings(c, v, m.settings, s.Store.Now())
	known, err := s.knownSKUs(ctx, m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c.rest(&next, known)
	stale := v.Get(fieldVersion) != settingsVersion(m.st.SettingsJSON)
	if !c.ok() || stale {
		d := s.buildSettingsPage(r, m, v, c)
		d.Version = settingsVersion(m.st.SettingsJSON)
		if stale {
			d.Error = "The settings were changed since this page was opened (in another tab, or bcqb chose defaults from the company file), so nothing was saved. Your entries are below: check them against the settings now and save again."
		} else {
			d.Error = "Nothing was saved: correct what is marked below and save again."
		}
		s.render(w, r, http.StatusBadRequest, "mapping_settings.html", d)
		return
	}
	if err := s.saveSettings(ctx, m, next, &backfill); err != nil {
		if errors.Is(err, store.ErrConflict) {
			d := s.buildSettingsPage(r, m, v, c)
			d.Error = "The settings were changed while saving, so nothing was saved. Save again."
			s.render(w, r, http.StatusConflict, "mapping_settings.html", d)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.Log.InfoContext(ctx, "store settings saved on the page", "store", m.st.StoreHash, "new_names", len(c.creates))
	q := url.Values{"store": {strconv.FormatInt(m.st.ID, 10)}, "done": {"saved"}}
	if len(c.creates) > 0 {
		q.Set("new", strconv.Itoa(len(c.creates)))
	}
	s.replanAndRedirect(w, r, m, "/mapping/settings", q)
}

// saveSettings writes settings read with m in one write, refused if they
// changed since.
func (s *server) saveSettings(ctx context.Context, m *mappingStore, next plan.Settings, backfill *time.Time) error {
	raw, err := json.Marshal(next)
	if err != nil {
		return fmt.Errorf("web: settings of store %s: %w", m.st.StoreHash, err)
	}
	return s.Store.ChangeBCStoreSettings(ctx, store.SettingsChange{StoreID: m.st.ID, Old: m.st.SettingsJSON, New: string(raw), Backfill: backfill})
}

// knownSKUs reports whether a SKU is one the store sells or has mapped.
func (s *server) knownSKUs(ctx context.Context, m *mappingStore) (func(string) bool, error) {
	c, err := s.loadCatalogue(ctx, m)
	if err != nil {
		return nil, err
	}
	return func(sku string) bool { _, ok := c.byKey[sku]; return ok }, nil
}

// cloneSettings copies settings with their maps, so a change to the copy
// never reaches the settings it was made from.
func cloneSettings(s plan.Settings) plan.Settings {
	s.SKUs, s.CreateSKUs, s.TaxItems = maps.Clone(s.SKUs), maps.Clone(s.CreateSKUs), maps.Clone(s.TaxItems)
	s.PaymentMethods, s.PaymentDeposits = maps.Clone(s.PaymentMethods), maps.Clone(s.PaymentDeposits)
	s.Fees, s.CurrencyNames, s.Channels = maps.Clone(s.Fees), maps.Clone(s.CurrencyNames), maps.Clone(s.Channels)
	return s
}

// durationWords says a schedule's period the way people do.
func durationWords(d time.Duration) string {
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}} {
		if d >= u.d && d%u.d == 0 {
			n := int(d / u.d)
			if n == 1 {
				return u.name
			}
			return fmt.Sprintf("%d %ss", n, u.name)
		}
	}
	return d.String()
}
