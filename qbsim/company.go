package qbsim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// record is one list object or transaction of the company. Ret holds the
// object as QuickBooks returns it (without the fields QuickBooks derives at
// query time: balances, quantity on hand, links); the effect fields say what
// a transaction does to those derived fields, so a void simply stops
// counting them.
type record struct {
	Kind     string    `json:"kind"`
	ID       string    `json:"id"`
	Ret      *elem     `json:"ret"`
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
	EditSeq  int64     `json:"editSeq"`
	Voided   bool      `json:"voided,omitempty"`
	// Transaction effects.
	Customer string          `json:"customer,omitempty"` // ListID
	Total    decimal.Decimal `json:"total"`
	Stock    []stockMove     `json:"stock,omitempty"`
	Applied  []application   `json:"applied,omitempty"`
	ARDelta  decimal.Decimal `json:"arDelta"` // a check's A/R lines: raises the customer's balance
	TxnNum   int64           `json:"txnNumber,omitempty"`
	// Currency (ISO code) and Rate (home per foreign) of a transaction of a
	// multicurrency company; Total is in Currency.
	Currency string          `json:"currency,omitempty"`
	Rate     decimal.Decimal `json:"exchangeRate"`
}

// stockMove is a change of an inventory item's quantity on hand.
type stockMove struct {
	Item string          `json:"item"`
	Qty  decimal.Decimal `json:"qty"`
}

// application links money to another transaction: a payment to an invoice,
// a refund to a credit memo.
type application struct {
	TxnID  string          `json:"txnID"`
	Amount decimal.Decimal `json:"amount"`
}

type dataExtDef struct {
	OwnerID string `json:"ownerID"`
	Name    string `json:"name"`
	Type    string `json:"type"`
}

type dataExt struct {
	OwnerID string `json:"ownerID"`
	Name    string `json:"name"`
	ObjKind string `json:"objKind"` // "Company", a list kind or "Txn"
	ObjID   string `json:"objID,omitempty"`
	Value   string `json:"value"`
}

// companyData is what is persisted.
type companyData struct {
	Name        string       `json:"name"`
	FilePath    string       `json:"filePath"` // the .QBW path QuickBooks reports
	Country     string       `json:"country"`
	QBXMLMajor  int          `json:"qbxmlMajor"`
	QBXMLMinor  int          `json:"qbxmlMinor"`
	UTCOffset   int          `json:"utcOffsetMinutes"`
	Seq         int64        `json:"seq"`
	TxnNumber   int64        `json:"txnNumber"`
	Records     []*record    `json:"records"`
	DataExtDefs []dataExtDef `json:"dataExtDefs,omitempty"`
	DataExts    []dataExt    `json:"dataExts,omitempty"`
	Defaults    defaults     `json:"defaults"`
	SavedSet    *savedSet    `json:"savedMessageSet,omitempty"`
	// MultiCurrency is on, with HomeCurrency the ListID of the home currency.
	MultiCurrency bool   `json:"multiCurrency,omitempty"`
	HomeCurrency  string `json:"homeCurrency,omitempty"`
	// SalesTaxOff: the company does not track sales tax (Edit >
	// Preferences > Sales Tax > No), as service businesses and many
	// non-US-style files run.
	SalesTaxOff bool `json:"salesTaxOff,omitempty"`
}

// defaults are the company preferences the simulator uses.
type defaults struct {
	SalesTaxItem     string `json:"salesTaxItem"`   // ListID of the default ItemSalesTax
	TaxableCode      string `json:"taxableCode"`    // ListID of "Tax"
	NonTaxableCode   string `json:"nonTaxableCode"` // ListID of "Non"
	AccountsReceive  string `json:"accountsReceivable"`
	UndepositedFunds string `json:"undepositedFunds"`
}

// CompanyFaults switch on QuickBooks-side failures; see SetFaults.
type CompanyFaults struct {
	// MessageDelay is spent once per request message set, TxnDelay once per
	// transaction written, RequestDelay once per inner request: QuickBooks'
	// modeled speed (on the company's Clock).
	MessageDelay, RequestDelay, TxnDelay time.Duration
	// Locked answers every write request with this status (3170, 3175 or
	// 3180) and changes nothing, as when another user holds the record.
	Locked int
	// LockedWrites limits Locked to that many write requests (0: until cleared).
	LockedWrites int
	// FileClosed: no company file is open in QuickBooks, so a session that
	// names no file fails (0x80040416); naming the file opens it.
	FileClosed bool
	// CannotStart: QuickBooks cannot be started at all (0x80040408).
	CannotStart bool
	// Speed models QuickBooks' own time (see FastSpeed, TypicalSpeed,
	// SlowSpeed), spent on the company's Clock.
	Speed Speed
	// LockRate is the probability that a write meets a transient lock
	// (3170, 3175 or 3180), drawn from a generator seeded with Seed so runs
	// repeat.
	LockRate float64
	Seed     uint64
	// Unreachable: the request processor fails every message with
	// 0x80040401 "Could not access QuickBooks." (QuickBooks hung or closed
	// mid-session); nothing is processed.
	Unreachable bool
}

// Company is a simulated QuickBooks company file with its request
// processor. It implements QuickBooks. All methods are safe for concurrent
// use; QuickBooks itself processes one request at a time.
type Company struct {
	// proc serializes whole messages (QuickBooks answers one at a time);
	// mu guards the data.
	proc      sync.Mutex
	mu        sync.Mutex
	d         companyData
	file      string // JSON persistence path, "" for memory only
	clock     Clock
	faults    CompanyFaults
	lockedN   int
	byID      map[string]*record
	iterators map[string]*iterator
	iterSeq   int
	inSession bool
	lockOwner string // the OwnerID holding the AppLock, while in session
	// Indexes rebuilt by reindex and kept current by insert, rename, void
	// and remove (see index.go).
	names map[string]*record
	eff   effects
	rng   *rand.Rand
}

// ErrNoCompany is returned by OpenCompany when the file does not exist.
var ErrNoCompany = errors.New("company file does not exist")

// CompanyOptions configure NewSampleCompany/OpenCompany. The zero value is
// a US company speaking qbXML 13.0 on the wall clock.
type CompanyOptions struct {
	Clock Clock // defaults to RealClock
	// For new companies only: the edition country (US, CA, UK), the qbXML
	// version the request processor speaks, the company name and the .QBW
	// path QuickBooks reports, so tests can exercise version negotiation,
	// edition refusal and company-file checks.
	Country                string
	QBXMLMajor, QBXMLMinor int
	Name, FilePath         string
	// MultiCurrency turns multicurrency on in a new company, with a few
	// built-in currencies (see currency.go); HomeCurrency is the home
	// currency's QuickBooks name (default "US Dollar").
	MultiCurrency bool
	HomeCurrency  string
	// SalesTaxOff makes a new company that does not track sales tax: no
	// sales tax items or codes, no SalesTaxPreferences, and every request
	// naming one refused (see salesTaxOffRefusal).
	SalesTaxOff bool
}

// NewSampleCompany returns a fresh company like a new QuickBooks sample
// file (see sample.go), kept in memory until SaveAs.
func NewSampleCompany(opts CompanyOptions) *Company {
	c := newCompany(opts)
	c.d = companyData{Name: "bcqb Sample Company", Country: "US", QBXMLMajor: 13, QBXMLMinor: 0, UTCOffset: -5 * 60,
		FilePath: `C:\Users\Public\Documents\Intuit\QuickBooks\Company Files\bcqb Sample Company.QBW`}
	if opts.Country != "" {
		c.d.Country = opts.Country
	}
	if opts.QBXMLMajor != 0 {
		c.d.QBXMLMajor, c.d.QBXMLMinor = opts.QBXMLMajor, opts.QBXMLMinor
	}
	if opts.Name != "" {
		c.d.Name = opts.Name
	}
	if opts.FilePath != "" {
		c.d.FilePath = opts.FilePath
	}
	c.d.MultiCurrency = opts.MultiCurrency
	c.d.SalesTaxOff = opts.SalesTaxOff
	c.reindex()
	c.seedSample(opts.HomeCurrency)
	return c
}

func newCompany(opts CompanyOptions) *Company {
	if opts.Clock == nil {
		opts.Clock = RealClock{}
	}
	return &Company{clock: opts.Clock, byID: map[string]*record{}, iterators: map[string]*iterator{}}
}

// OpenCompany loads a company persisted by Save. A missing file is
// ErrNoCompany (wrapped), so callers can create a sample instead.
func OpenCompany(ctx context.Context, path string, opts CompanyOptions) (*Company, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open company: %w", err)
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("open company %s: %w", path, ErrNoCompany)
	}
	if err != nil {
		return nil, fmt.Errorf("open company: %w", err)
	}
	c := newCompany(opts)
	if err := json.Unmarshal(raw, &c.d); err != nil {
		return nil, fmt.Errorf("open company %s: %w", path, err)
	}
	c.file = path
	c.reindex()
	return c, nil
}

// OpenOrCreateCompany opens path, or creates a sample company there.
func OpenOrCreateCompany(ctx context.Context, path string, opts CompanyOptions) (*Company, error) {
	c, err := OpenCompany(ctx, path, opts)
	if errors.Is(err, ErrNoCompany) {
		c = NewSampleCompany(opts)
		if err := c.SaveAs(ctx, path); err != nil {
			return nil, err
		}
		return c, nil
	}
	return c, err
}

// SaveAs persists the company to path and keeps saving there after every
// message that writes (QuickBooks commits each request as it goes).
func (c *Company) SaveAs(ctx context.Context, path string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.file = path
	return c.saveLocked(ctx)
}

// Save writes the company to its file (no-op for an in-memory company).
func (c *Company) Save(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.saveLocked(ctx)
}

func (c *Company) saveLocked(ctx context.Context) error {
	if c.file == "" {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("save company: %w", err)
	}
	raw, err := json.MarshalIndent(&c.d, "", " ")
	if err != nil {
		return fmt.Errorf("save company: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.file), ".company-*.json")
	if err != nil {
		return fmt.Errorf("save company: %w", err)
	}
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("save company: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save company: %w", err)
	}
	if err := os.Rename(tmp.Name(), c.file); err != nil {
		return fmt.Errorf("save company: %w", err)
	}
	return nil
}

// SetFaults replaces the active faults.
func (c *Company) SetFaults(f CompanyFaults) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults = f
	c.lockedN = 0
	c.rng = rand.New(rand.NewPCG(f.Seed, 0x9e3779b97f4a7c15))
}

// FilePath is the company file name QuickBooks reports (the .QBW path).
func (c *Company) FilePath() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.d.FilePath
}

func (c *Company) reindex() {
	c.byID = map[string]*record{}
	c.names = map[string]*record{}
	c.eff = newEffects()
	for _, r := range c.d.Records {
		c.index(r)
	}
}

// loc is the company's time zone (QuickBooks writes local times).
func (c *Company) loc() *time.Location {
	return time.FixedZone("", c.d.UTCOffset*60)
}

func (c *Company) now() time.Time { return c.clock.Now().In(c.loc()).Truncate(time.Second) }

func qbTime(t time.Time) string { return t.Format("2006-01-02T15:04:05-07:00") }

// newListID returns an ID shaped like QuickBooks' ("80000001-1732700000").
func (c *Company) newListID(t time.Time) string {
	c.d.Seq++
	return fmt.Sprintf("%X-%d", 0x80000000+c.d.Seq, t.Unix())
}

// newTxnID returns an ID shaped like QuickBooks' TxnIDs ("1A-1732700000").
func (c *Company) newTxnID(t time.Time) string {
	c.d.Seq++
	return fmt.Sprintf("%X-%d", c.d.Seq, t.Unix())
}

// ---- kinds and names ----

var itemKinds = []string{"ItemService", "ItemInventory", "ItemNonInventory", "ItemOtherCharge", "ItemDiscount", "ItemSalesTax"}

var nameKinds = []string{"Customer", "Vendor", "Employee", "OtherName"}

// namespace groups the kinds whose names must be unique together (QuickBooks
// shares one name list among customers, vendors, employees and other names,
// and one among all item types).
func namespace(kind string) string {
	switch {
	case strings.HasPrefix(kind, "Item"):
		return "Item"
	case kind == "Customer" || kind == "Vendor" || kind == "Employee" || kind == "OtherName":
		return "Name"
	}
	return kind
}

var txnKinds = map[string]bool{"SalesReceipt": true, "Invoice": true, "ReceivePayment": true, "CreditMemo": true,
	"ARRefundCreditCard": true, "Check": true, "InventoryAdjustment": true, "Bill": true}

func isListKind(kind string) bool { return !txnKinds[kind] }

// fullName of a list record.
func (r *record) fullName() string {
	if fn := r.Ret.Get("FullName"); fn != "" {
		return fn
	}
	return r.Ret.Get("Name")
}

func (r *record) active() bool { return r.Ret.Get("IsActive") != "false" }

func slicesContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (c *Company) recordsOf(kinds ...string) []*record {
	var out []*record
	for _, r := range c.d.Records {
		if slicesContains(kinds, r.Kind) {
			out = append(out, r)
		}
	}
	return out
}

// ---- QuickBooks interface ----

// BeginSession opens the company for a Web Connector session and stamps
// QBWC's FileID data extension under the application's OwnerID, as QBWC
// does the first time it connects to a file.
func (c *Company) BeginSession(ctx context.Context, req BeginSessionRequest) (HostInfo, error) {
	c.mu.Lock()
	f := c.faults
	if f.CannotStart {
		c.mu.Unlock()
		return HostInfo{}, &HResultError{HResultCouldNotStart, "Could not start QuickBooks."}
	}
	if req.CompanyFile == "" && f.FileClosed {
		c.mu.Unlock()
		return HostInfo{}, &HResultError{HResultFileNotOpen, `If the QuickBooks company data file is not open, a call to the "BeginSession" method must include the name of the data file.`}
	}
	if req.CompanyFile != "" && !strings.EqualFold(req.CompanyFile, c.d.FilePath) {
		c.mu.Unlock()
		return HostInfo{}, &HResultError{HResultDifferentFile, fmt.Sprintf("The QuickBooks company data file %s is not the one open in QuickBooks (%s).", req.CompanyFile, c.d.FilePath)}
	}
	setup := f.Speed.SessionSetup
	c.faults.FileClosed = false
	c.inSession = true
	c.iterators = map[string]*iterator{}
	if req.OwnerID != "" && req.FileID != "" {
		c.stampFileID(req.OwnerID, req.FileID)
		c.setAppLock(req.OwnerID, fmt.Sprintf("LOCKED:QBSIM:%d", c.clock.Now().UnixNano()/100+621355968000000000))
		c.lockOwner = req.OwnerID
		if err := c.saveLocked(ctx); err != nil {
			c.mu.Unlock()
			return HostInfo{}, &HResultError{HResultUnexpected, err.Error()}
		}
	}
	info := HostInfo{CompanyFile: c.d.FilePath, Country: c.d.Country, Major: c.d.QBXMLMajor, Minor: c.d.QBXMLMinor}
	c.mu.Unlock()
	if err := c.clock.Sleep(ctx, setup); err != nil {
		return HostInfo{}, err
	}
	owner := ""
	if req.OwnerID != "" {
		owner = "<OwnerID>" + req.OwnerID + "</OwnerID>"
	}
	hcp := `<?xml version="1.0" ?><?qbxml version="` + fmt.Sprintf("%d.%d", info.Major, info.Minor) + `"?><QBXML><QBXMLMsgsRq onError="continueOnError">` +
		`<HostQueryRq requestID="0"/><CompanyQueryRq requestID="1">` + owner + `</CompanyQueryRq><PreferencesQueryRq requestID="2"/></QBXMLMsgsRq></QBXML>`
	resp, err := c.process(ctx, hcp, false)
	if err != nil {
		return HostInfo{}, err
	}
	info.HCPResponse = resp
	return info, nil
}

func (c *Company) stampFileID(owner, fileID string) {
	for _, d := range c.d.DataExts {
		if d.ObjKind == "Company" && d.OwnerID == owner && d.Name == "FileID" {
			return // already stamped: a different FileID here means another app install
		}
	}
	c.d.DataExtDefs = append(c.d.DataExtDefs, dataExtDef{OwnerID: owner, Name: "FileID", Type: "STR255TYPE"})
	c.d.DataExts = append(c.d.DataExts, dataExt{OwnerID: owner, Name: "FileID", ObjKind: "Company", Value: fileID})
}

// EndSession ends the session; iterators die with it.
func (c *Company) EndSession(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inSession = false
	c.iterators = map[string]*iterator{}
	if c.lockOwner != "" {
		c.setAppLock(c.lockOwner, fmt.Sprintf("UNLOCKED:QBSIM:%d", c.clock.Now().UnixNano()/100+621355968000000000))
		c.lockOwner = ""
	}
	return c.saveLocked(context.WithoutCancel(ctx))
}

// setAppLock writes the Web Connector's own "AppLock" data extension: QBWC
// marks the company file LOCKED:<host>:<.NET ticks> under the application's
// OwnerID for the length of a session (it shows in the HCP response) and
// releases it at the end.
func (c *Company) setAppLock(owner, value string) {
	for i, d := range c.d.DataExts {
		if d.ObjKind == "Company" && d.OwnerID == owner && d.Name == "AppLock" {
			c.d.DataExts[i].Value = value
			return
		}
	}
	c.d.DataExtDefs = append(c.d.DataExtDefs, dataExtDef{OwnerID: owner, Name: "AppLock", Type: "STR1024TYPE"})
	c.d.DataExts = append(c.d.DataExts, dataExt{OwnerID: owner, Name: "AppLock", ObjKind: "Company", Value: value})
}

// ProcessRequest answers one qbXML request message set.
func (c *Company) ProcessRequest(ctx context.Context, request string) (string, error) {
	c.mu.Lock()
	down := c.faults.Unreachable
	c.mu.Unlock()
	if down {
		return "", &HResultError{HResultCouldNotAccess, "Could not access QuickBooks."}
	}
	return c.process(ctx, request, true)
}

// ---- totals for show ----

// Summary counts and totals what the company holds, for `bcqb qb show` and
// the Web Connector command.
type Summary struct {
	Lists map[string]int
	Txns  map[string]TxnTotal
}

// TxnTotal is the count and total amount of one transaction type (voided
// transactions count but add zero).
type TxnTotal struct {
	Count  int
	Voided int
	Total  decimal.Decimal
}

// Summary returns counts and totals.
func (c *Company) Summary() Summary {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := Summary{Lists: map[string]int{}, Txns: map[string]TxnTotal{}}
	for _, r := range c.d.Records {
		if isListKind(r.Kind) {
			s.Lists[r.Kind]++
			continue
		}
		t := s.Txns[r.Kind]
		t.Count++
		if r.Voided {
			t.Voided++
		} else {
			t.Total = t.Total.Add(r.Total)
		}
		s.Txns[r.Kind] = t
	}
	return s
}

// Txn is a transaction as `qb show` lists it and as end-to-end tests check
// it against BigCommerce: identity, amounts to the cent, what is still open.
type Txn struct {
	Kind      string
	TxnID     string
	RefNumber string
	TxnDate   string
	Customer  string // the customer, or a check's payee
	Memo      string
	// Currency is the ISO code of a multicurrency company's transaction
	// ("" otherwise), and HomeTotal its Total in the home currency (Total ×
	// ExchangeRate rounded to cents; Total when there is no rate).
	Currency  string
	HomeTotal decimal.Decimal
	Subtotal  decimal.Decimal // sales transactions: the lines, without sales tax item lines
	SalesTax  decimal.Decimal // the header tax (SalesTaxTotal) plus the sales tax item lines
	Total     decimal.Decimal
	// Open is what is left: an invoice's balance, a credit memo's credit.
	Open   decimal.Decimal
	Voided bool
}

// Transactions lists every transaction in creation order.
func (c *Company) Transactions() []Txn {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Txn
	for _, r := range c.d.Records {
		if isListKind(r.Kind) {
			continue
		}
		t := Txn{Kind: r.Kind, TxnID: r.ID, RefNumber: r.Ret.Get("RefNumber"), TxnDate: r.Ret.Get("TxnDate"),
			Customer: first(r.Ret.Get("CustomerRef/FullName"), r.Ret.Get("PayeeEntityRef/FullName")), Memo: r.Ret.Get("Memo"), Total: r.Total, Voided: r.Voided}
		t.Subtotal, _ = r.Ret.Dec("Subtotal")
		t.SalesTax, _ = r.Ret.Dec("SalesTaxTotal")
		if lines := c.taxLineTotal(r); !lines.IsZero() {
			// The Ret's Subtotal holds the sales tax item lines and its
			// SalesTaxTotal only the header tax, as QuickBooks answers;
			// the books hold both as sales tax, not income.
			t.Subtotal = t.Subtotal.Sub(lines)
			t.SalesTax = t.SalesTax.Add(lines)
		}
		if (r.Kind == "Invoice" || r.Kind == "CreditMemo") && !r.Voided {
			used, _ := c.applied(r.ID)
			t.Open = r.Total.Sub(used)
		}
		t.Currency, t.HomeTotal = r.Currency, r.homeTotal()
		if r.Voided {
			t.Total, t.HomeTotal = decimal.Zero, decimal.Zero
		}
		out = append(out, t)
	}
	return out
}
