// Package plan turns one version of a BigCommerce document (an order, a
// refund) into the QuickBooks documents a careful bookkeeper would enter for
// it: the customer, the items, the sale (a sales receipt or an invoice), the
// payment, the credit memo and the money given back. It is pure: no I/O, no
// storage. The jobs package feeds it a decoded document, the store's
// settings and what QuickBooks already holds (Lists), and sends what it
// returns.
//
// Money is decimal end to end. Sales tax is posted exactly as BigCommerce
// charged it: the header names a 0 % tax item (so QuickBooks computes no tax
// of its own) and BigCommerce's tax is posted as sales tax lines with an
// Amount, one per rate (or per mapped jurisdiction). QuickBooks recomputes
// line amounts from Quantity × Rate and rounds to cents, so a line whose
// BigCommerce total is not an exact multiple is sent with Amount (and no
// Rate), never with a Rate QuickBooks would re-round.
package plan

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/qbxml"
)

// Posting modes: how an order becomes a sale.
const (
	// ModeAuto posts paid orders as sales receipts and orders awaiting
	// payment as invoices, with a payment applied when BigCommerce reports it.
	ModeAuto = "auto"
	// ModeInvoice always posts an invoice, then a payment applied to it.
	ModeInvoice = "invoice"
)

// Customer strategies.
const (
	// CustomerPerShopper matches each shopper (registered or guest) by email.
	CustomerPerShopper = "per_shopper"
	// CustomerSingle posts every order to one customer (Settings.SingleCustomer).
	CustomerSingle = "single"
)

// Item policies for a SKU QuickBooks does not have.
const (
	ItemsCreateNonInventory = "noninventory"
	ItemsCreateInventory    = "inventory"
	// ItemsRequireMapping parks the order "needs mapping" until the user maps the SKU.
	ItemsRequireMapping = "mapping"
)

// What becomes of an order posted already and cancelled later.
const (
	CancelVoid   = "void"
	CancelCredit = "credit"
)

// How the money of a refund goes back.
const (
	RefundByCard  = "card"   // ARRefundCreditCard applied to the credit memo
	RefundByCheck = "check"  // a check from the deposit account applied to the credit memo
	RefundCredit  = "credit" // the credit memo only, left open as customer credit
)

// Settings are one store's posting choices, stored per store (JSON) so the
// page can change them; DefaultSettings is what a store connected with only
// its credentials posts with. Names are QuickBooks full names; the jobs
// package creates the default ones in QuickBooks when they are missing.
type Settings struct {
	Mode           string `json:"mode"`
	Customers      string `json:"customers"`
	SingleCustomer string `json:"single_customer"`
	// RefPrefix is put before the BigCommerce order id in RefNumber, only
	// where several stores share one company file ("B2-"); RefNumber holds
	// 11 characters at most.
	RefPrefix string `json:"ref_prefix"`
	Items     string `json:"items"`
	// SKUs maps a BigCommerce SKU to the QuickBooks item it posts to.
	SKUs map[string]string `json:"skus,omitempty"`
	// CreateSKUs marks SKUs whose item bcqb creates when QuickBooks has none
	// of the name, whatever Items says: ItemsCreateNonInventory or
	// ItemsCreateInventory (the user chose "create in QuickBooks" for it).
	CreateSKUs map[string]string `json:"create_skus,omitempty"`

	IncomeAccount string `json:"income_account"`
	// ARAccount is the Accounts Receivable account a refund check's expense
	// line goes to (default "Accounts Receivable").
	ARAccount      string `json:"ar_account"`
	COGSAccount    string `json:"cogs_account"`
	AssetAccount   string `json:"asset_account"`
	DepositAccount string `json:"deposit_account"`

	ShippingItem    string `json:"shipping_item"`
	HandlingItem    string `json:"handling_item"`
	WrappingItem    string `json:"wrapping_item"`
	FeeItem         string `json:"fee_item"`
	DiscountItem    string `json:"discount_item"`
	GiftCertItem    string `json:"gift_certificate_item"`
	StoreCreditItem string `json:"store_credit_item"`
	RoundingItem    string `json:"rounding_item"`
	// RefundItem is the item of an order-level (custom amount) refund on a
	// credit memo; empty means DiscountItem.
	RefundItem string `json:"refund_item,omitempty"`
	// RoundingLimit is the largest difference a rounding line may absorb;
	// beyond it the order needs attention.
	RoundingLimit decimal.Decimal `json:"rounding_limit"`

	// ZeroTaxItem is the 0 % sales tax item named in the header.
	ZeroTaxItem string `json:"zero_tax_item"`
	// TaxItem is the sales tax item of the tax lines, unless TaxItems maps
	// BigCommerce's tax (by rate name, as in the order's taxes) to another.
	TaxItem  string            `json:"tax_item"`
	TaxItems map[string]string `json:"tax_items,omitempty"`
	// TaxDetail posts BigCommerce's tax as one line per rate (the order's
	// tax rows) even when TaxItems maps none; off, an order's total_tax is
	// posted as one line on TaxItem. The pull fetches the tax rows (a
	// BigCommerce call per taxed order) only when this is set or TaxItems
	// maps a rate, so an order pulled before either was set has no rows and
	// posts one line.
	TaxDetail bool `json:"tax_detail"`
	// TaxCode and NonTaxCode are the sales tax codes of taxed and untaxed lines.
	TaxCode    string `json:"tax_code"`
	NonTaxCode string `json:"non_tax_code"`
	// SalesTaxAccount is the liability account of the tax lines in a
	// company file that does not track sales tax (see WithoutSalesTax).
	SalesTaxAccount string `json:"sales_tax_account"`
	// SalesTaxOff is never stored: the planner sets it, through
	// WithoutSalesTax, when the company file does not track sales tax.
	SalesTaxOff bool `json:"-"`

	// PaymentMethods maps BigCommerce's payment method (order.payment_method,
	// or a transaction's method) to a QuickBooks payment method.
	PaymentMethods map[string]string `json:"payment_methods,omitempty"`
	// PaymentMethod is used for a method PaymentMethods does not name.
	PaymentMethod string `json:"payment_method"`
	// PaymentDeposits maps BigCommerce's payment method to the account its
	// money is deposited to (and refunded from), ahead of a channel's and
	// DepositAccount: where the money lands is decided by who collected it.
	PaymentDeposits map[string]string `json:"payment_deposits,omitempty"`

	// Fees are the payment processors' charges, by BigCommerce payment
	// method (order.payment_method, as in PaymentMethods): a sales receipt
	// paid with a method named here carries a negative line of the fee on
	// FeeExpenseItem, so the deposit is what the processor pays out. The fee
	// is Percent of the amount charged to the method (the order total less
	// gift certificates and store credit, in the currency posted) plus
	// Fixed (in the currency posted), rounded half away from zero to cents
	// once. BigCommerce reports no processing fee on an order or on its
	// transactions (the v3 Transaction has none; an order's "fees" are
	// charges to the shopper, posted on FeeItem), so the rate is configured
	// here. Invoices carry no fee line: the payment applied to them
	// (ReceivePayment) cannot, and the plan notes the fee instead. Refunds
	// do not reverse the fee: the processors keep it (Stripe, PayPal,
	// Braintree, Square), so the expense stands.
	Fees map[string]ProcessingFee `json:"fees,omitempty"`
	// FeeExpenseItem is the item of the fee lines (an other charge item
	// whose account is FeeExpenseAccount, an expense account).
	FeeExpenseItem    string `json:"fee_expense_item"`
	FeeExpenseAccount string `json:"fee_expense_account"`

	// CurrencyNames maps an ISO currency code to QuickBooks' name of the
	// currency (its Currency List), where bcqb's table of the common ones
	// lacks it or the company file renamed it.
	CurrencyNames map[string]string `json:"currency_names,omitempty"`

	Class string `json:"class"`
	// Channels sets, per BigCommerce channel_id, a class, customer and
	// deposit account (Amazon, eBay, point of sale).
	Channels map[int64]Channel `json:"channels,omitempty"`

	Cancel string `json:"cancel"`
	Refund string `json:"refund"`
	// Restock puts refunded inventory items back: a refund's product lines
	// carry the quantity refunded, and QuickBooks adds it to quantity on
	// hand. Off (the default), they carry the amount on the same item with
	// no Quantity, which moves no stock (see BuildRefund).
	Restock bool `json:"restock"`
	// Inventory is "off", "quickbooks" or "bigcommerce" (the master).
	Inventory string `json:"inventory"`
	// TimeZone is the IANA zone whose calendar day dates the transactions
	// (the store's /v2/store timezone.name); empty or unknown means UTC.
	TimeZone string `json:"time_zone,omitempty"`
}

// ProcessingFee is what a payment processor keeps of a charge: Percent
// (2.9 means 2.9 %) of the amount plus Fixed.
type ProcessingFee struct {
	Percent decimal.Decimal `json:"percent"`
	Fixed   decimal.Decimal `json:"fixed"`
}

// Channel is what one sales channel posts to.
type Channel struct {
	Class          string `json:"class,omitempty"`
	Customer       string `json:"customer,omitempty"`
	DepositAccount string `json:"deposit_account,omitempty"`
}

// Default QuickBooks names, created when missing.
const (
	DefaultIncomeAccount  = "BigCommerce Sales"
	DefaultCOGSAccount    = "BigCommerce Cost of Goods Sold"
	DefaultAssetAccount   = "BigCommerce Inventory Asset"
	DefaultDepositAccount = "Undeposited Funds"
	DefaultShippingItem   = "BigCommerce Shipping"
	DefaultHandlingItem   = "BigCommerce Handling"
	DefaultWrappingItem   = "BigCommerce Gift Wrapping"
	DefaultFeeItem        = "BigCommerce Fees"
	DefaultDiscountItem   = "BigCommerce Discounts"
	DefaultGiftCertItem   = "BigCommerce Gift Certificates"
	DefaultStoreCredit    = "BigCommerce Store Credit"
	DefaultRoundingItem   = "BigCommerce Rounding"
	DefaultZeroTaxItem    = "BigCommerce No Tax"
	DefaultTaxItem        = "BigCommerce Sales Tax"
	DefaultCustomer       = "Web Customer"
	DefaultPaymentMethod  = "BigCommerce"
	DefaultTaxCode        = "Tax"
	DefaultNonTaxCode     = "Non"
	DefaultARAccount      = "Accounts Receivable"
	DefaultFeeExpenseItem = "BigCommerce Processing Fees"
	DefaultFeeExpenseAcct = "Merchant Fees"
	DefaultSalesTaxAcct   = "Sales Tax Payable"
)

// DefaultSettings is what a store posts with until the user changes it.
func DefaultSettings() Settings {
	return Settings{
		Mode: ModeAuto, Customers: CustomerPerShopper, SingleCustomer: DefaultCustomer, Items: ItemsCreateNonInventory,
		IncomeAccount: DefaultIncomeAccount, COGSAccount: DefaultCOGSAccount, AssetAccount: DefaultAssetAccount,
		DepositAccount: DefaultDepositAccount, ARAccount: DefaultARAccount,
		ShippingItem: DefaultShippingItem, HandlingItem: DefaultHandlingItem, WrappingItem: DefaultWrappingItem,
		FeeItem: DefaultFeeItem, DiscountItem: DefaultDiscountItem, GiftCertItem: DefaultGiftCertItem,
		StoreCreditItem: DefaultStoreCredit, RoundingItem: DefaultRoundingItem, RoundingLimit: decimal.New(5, -2),
		ZeroTaxItem: DefaultZeroTaxItem, TaxItem: DefaultTaxItem, TaxCode: DefaultTaxCode, NonTaxCode: DefaultNonTaxCode,
		SalesTaxAccount: DefaultSalesTaxAcct,
		PaymentMethod:   DefaultPaymentMethod, FeeExpenseItem: DefaultFeeExpenseItem, FeeExpenseAccount: DefaultFeeExpenseAcct, Cancel: CancelVoid, Refund: RefundByCard, Inventory: "off",
	}
}

// WithoutSalesTax is s for a company file that does not track sales tax
// (no SalesTaxPreferences): QuickBooks then refuses any sales tax item or
// code, so the header names no tax item, lines carry no tax code, and
// BigCommerce's tax goes on TaxItem (and TaxItems) as it charged it, those
// being other-charge items on SalesTaxAccount, a liability: the total is
// still BigCommerce's to the cent and the tax owed is on the balance sheet.
func (s Settings) WithoutSalesTax() Settings {
	s.SalesTaxOff = true
	s.ZeroTaxItem, s.TaxCode, s.NonTaxCode = "", "", ""
	if s.SalesTaxAccount == "" {
		s.SalesTaxAccount = DefaultSalesTaxAcct
	}
	return s
}

// Lists is what the planner knows QuickBooks holds (bcqb's cache of the
// company's lists and its ledger).
type Lists interface {
	// Item returns the full name of the QuickBooks item for a SKU: the
	// user's mapping first, then an item of that name.
	Item(sku string) (fullName string, ok bool)
	// Customer returns the name of the QuickBooks customer bcqb keeps for
	// a customer key (see CustomerKey).
	Customer(key string) (fullName string, ok bool)
	// NameTaken reports whether a customer name is used in QuickBooks
	// (by anyone: two shoppers with one name need two names).
	NameTaken(name string) bool
	// MultiCurrency reports whether the company file uses multicurrency.
	MultiCurrency() bool
	// HomeCurrency is the ISO code of the company's home currency when
	// known (a multicurrency file's preferences), "" otherwise: the
	// planner then takes the store's default currency to be it.
	HomeCurrency() string
}

// Actions for an order version.
const (
	// ActionPost posts the order.
	ActionPost = "post"
	// ActionSkip posts nothing (Incomplete, Pending, Declined, cancelled
	// before posting); Reason says why, for the page.
	ActionSkip = "skip"
	// ActionWait posts nothing yet but looks again at the next version
	// (Manual Verification Required).
	ActionWait = "wait"
	// ActionVoid undoes an order posted already and cancelled since
	// (Cancel=void): the jobs package voids the posted transaction.
	ActionVoid = "void"
	// ActionCredit undoes an order posted already and cancelled since with a
	// credit memo of the same lines (Cancel=credit); Order.CreditMemo is set
	// and the jobs package applies it to the posted invoice, if any.
	ActionCredit = "credit"
	// ActionPay posts only the payment of an order posted earlier as an
	// invoice that BigCommerce now reports paid: Order.Payment is set, with
	// AppliedToTxns already naming Posted.TxnID; no sale is posted again.
	ActionPay = "pay"
	// ActionFlag posts nothing and needs a person: the order changed in a way
	// bcqb will not repair on its own (total edited after posting, a posted
	// order back to Pending...). Reason says what changed, in words.
	ActionFlag = "flag"
)

// Order is what one order version becomes in QuickBooks.
type Order struct {
	Action string
	Reason string
	// RefNumber is the sale's RefNumber (RefPrefix + the order id).
	RefNumber string
	// Memo carries store and order id in full, for the recovery query.
	Memo string
	// Customer is the customer to post to, created first when New is set.
	Customer Customer
	// Items are the items the sale needs that QuickBooks does not hold yet.
	Items []NewItem
	// Exactly one of SalesReceipt and Invoice is set for ActionPost.
	SalesReceipt *qbxml.SalesReceiptAdd
	Invoice      *qbxml.InvoiceAdd
	// Payment, for an invoice, is the money BigCommerce reports received;
	// the jobs package fills in AppliedToTxns with the invoice's TxnID.
	Payment *qbxml.ReceivePaymentAdd
	// CreditMemo is set for ActionCredit (same lines as the sale).
	CreditMemo *qbxml.CreditMemoAdd
	// Total is BigCommerce's order total (total_inc_tax, in the currency
	// posted: see Currency), which the sale's lines add up to before the
	// Credits lines. Posted.Total is this figure from the version posted.
	Total decimal.Decimal
	// Credits is what gift certificates and store credit paid: the sale
	// carries them as negative lines, so QuickBooks' total of the sale (and
	// the deposit or the invoice balance) is Total - Credits - Fees.
	Credits decimal.Decimal
	// Fees is the processing fee of a sales receipt (Settings.Fees), a
	// negative line after the credits lines: the deposit is what the
	// processor pays out. Zero on invoices (noted instead).
	Fees decimal.Decimal
	// Rounding is the amount of the rounding line added, if any (shown).
	Rounding decimal.Decimal
	// Currency is the ISO code of the amounts posted: the order's
	// transactional currency, or the store's default when QuickBooks has no
	// multicurrency and the order was converted at BigCommerce's rate. In a
	// multicurrency company an order in a currency other than the home
	// currency posts to the shopper's customer of that currency, with
	// ExchangeRate (see currency.go).
	Currency string
	// Changes lists what was cut or replaced to fit QuickBooks (originals kept).
	Changes []qbxml.Change
	// Notes says, in words, what the plan had to decide about BigCommerce's
	// figures (tax rows that did not add up, a rounding line, a currency
	// conversion, a payment that differs from the total); shown on the page.
	Notes []string
}

// Customer is the QuickBooks customer of an order.
type Customer struct {
	// Key identifies the shopper in bcqb's ledger: "email:<lower-case email>",
	// or "single" / "channel:<id>" for the other strategies.
	Key  string
	Name string
	// Add is set when QuickBooks does not hold the customer yet.
	Add *qbxml.CustomerAdd
}

// NewItem is an item to create before the sale.
type NewItem struct {
	SKU  string
	Name string
	// Exactly one is set.
	NonInventory *qbxml.ItemNonInventoryAdd
	Inventory    *qbxml.ItemInventoryAdd
}

// Refund is what one BigCommerce refund becomes: a credit memo and the money back.
type Refund struct {
	Action     string
	Reason     string
	RefNumber  string
	Memo       string
	Customer   Customer
	Items      []NewItem
	CreditMemo *qbxml.CreditMemoAdd
	// Exactly one of CardRefund and Check is set when the money goes back;
	// the jobs package fills in the credit memo's TxnID.
	CardRefund *qbxml.ARRefundCreditCardAdd
	Check      *qbxml.CheckAdd
	// Apply is set instead of CardRefund and Check when the order was posted
	// as an invoice that is still open (no payment posted): a ReceivePayment
	// of 0 for the customer whose one AppliedToTxnAdd names the invoice
	// (Posted.TxnID, PaymentAmount 0) with one SetCredit of the credit
	// memo's total (Total). The jobs package fills SetCredit[0].CreditTxnID
	// with the credit memo's TxnID once QuickBooks has added it, and lowers
	// AppliedAmount to the invoice's BalanceRemaining if that is less (an
	// invoice partly paid by gift certificate, or credited already): the
	// rest stays as the customer's credit. MoneyBack is then zero.
	Apply *qbxml.ReceivePaymentAdd
	// Total is the refund's total_amount (in the currency posted), which the
	// credit memo adds up to.
	Total decimal.Decimal
	// MoneyBack is what CardRefund or Check pays out: the refund's payments
	// that went back to a card or gateway (not declined, not BigCommerce
	// store credit); the rest of the credit memo stays open as the
	// customer's credit, as BigCommerce's store credit is.
	MoneyBack decimal.Decimal
	Rounding  decimal.Decimal
	Currency  string
	Changes   []qbxml.Change
	Notes     []string
}

// ErrNeedsMapping is wrapped by an error naming what the user must map
// (a SKU with ItemsRequireMapping, a payment method...).
var ErrNeedsMapping = errors.New("needs mapping")

// MappingError is ErrNeedsMapping for order lines whose SKUs have no
// QuickBooks item: SKUs lists them, so the page links each to the mapping page.
type MappingError struct {
	SKUs []string
	msg  string
}

func (e *MappingError) Error() string { return e.msg }

// Unwrap makes a MappingError an ErrNeedsMapping.
func (e *MappingError) Unwrap() error { return ErrNeedsMapping }

// UnmappedSKUs returns the SKUs an error of BuildOrder or BuildRefund says
// need a mapping (nil for any other error).
func UnmappedSKUs(err error) []string {
	var m *MappingError
	if errors.As(err, &m) {
		return m.SKUs
	}
	return nil
}

// ErrMalformed is wrapped by an error describing an order whose figures do
// not add up or that lacks what a posting needs.
var ErrMalformed = errors.New("malformed BigCommerce document")

// ErrSettings is wrapped by an error saying which setting cannot post a
// document (a RefPrefix too long for an 11-character RefNumber...).
var ErrSettings = errors.New("settings cannot post this")

// CheckSettings says, in words for the page and the API, which setting
// bcqb cannot post with: an unknown mode or strategy, a name QuickBooks
// cannot hold, a fee or rounding limit out of range. It cannot know whether
// a name exists in the company file; the planner creates the defaults and
// parks what it cannot post.
func CheckSettings(s Settings) error {
	var bad []string
	oneOf := func(field, v string, allowed ...string) {
		for _, a := range allowed {
			if v == a {
				return
			}
		}
		bad = append(bad, fmt.Sprintf("%s is %q; it must be one of %s", field, v, strings.Join(allowed, ", ")))
	}
	oneOf("mode", s.Mode, ModeAuto, ModeInvoice)
	oneOf("customers", s.Customers, CustomerPerShopper, CustomerSingle)
	oneOf("items", s.Items, ItemsCreateNonInventory, ItemsCreateInventory, ItemsRequireMapping)
	oneOf("cancel", s.Cancel, CancelVoid, CancelCredit)
	oneOf("refund", s.Refund, RefundByCard, RefundByCheck, RefundCredit)
	oneOf("inventory", s.Inventory, "off", "quickbooks", "bigcommerce")
	// A QuickBooks full name is up to 159 characters, each level (between
	// colons) up to 31.
	name := func(field, v string, required bool) {
		switch {
		case strings.TrimSpace(v) == "":
			if required {
				bad = append(bad, field+" is empty")
			}
			return
		case utf8.RuneCountInString(v) > 159:
			bad = append(bad, fmt.Sprintf("%s is longer than QuickBooks' 159 characters", field))
			return
		}
		for _, part := range strings.Split(v, ":") {
			if utf8.RuneCountInString(part) > 31 {
				bad = append(bad, fmt.Sprintf("%s %q has a name longer than QuickBooks' 31 characters", field, part))
				return
			}
		}
	}
	for _, f := range []struct {
		field, v string
		required bool
	}{
		{"income_account", s.IncomeAccount, true}, {"deposit_account", s.DepositAccount, true},
		{"cogs_account", s.COGSAccount, false}, {"asset_account", s.AssetAccount, false}, {"ar_account", s.ARAccount, false},
		{"shipping_item", s.ShippingItem, true}, {"handling_item", s.HandlingItem, true}, {"wrapping_item", s.WrappingItem, true},
		{"fee_item", s.FeeItem, true}, {"discount_item", s.DiscountItem, true}, {"gift_certificate_item", s.GiftCertItem, true},
		{"store_credit_item", s.StoreCreditItem, true}, {"rounding_item", s.RoundingItem, true}, {"refund_item", s.RefundItem, false},
		{"zero_tax_item", s.ZeroTaxItem, true}, {"tax_item", s.TaxItem, true}, {"tax_code", s.TaxCode, true},
		{"non_tax_code", s.NonTaxCode, true}, {"sales_tax_account", s.SalesTaxAccount, false},
		{"payment_method", s.PaymentMethod, true}, {"single_customer", s.SingleCustomer, s.Customers == CustomerSingle},
		{"fee_expense_item", s.FeeExpenseItem, false}, {"fee_expense_account", s.FeeExpenseAccount, false}, {"class", s.Class, false},
	} {
		name(f.field, f.v, f.required)
	}
	for sku, item := range s.SKUs {
		if strings.TrimSpace(sku) == "" {
			bad = append(bad, "skus has an empty SKU")
		}
		name(fmt.Sprintf("skus[%q]", sku), item, true)
	}
	for method, pm := range s.PaymentMethods {
		name(fmt.Sprintf("payment_methods[%q]", method), pm, true)
	}
	for method, acct := range s.PaymentDeposits {
		name(fmt.Sprintf("payment_deposits[%q]", method), acct, true)
	}
	for sku, kind := range s.CreateSKUs {
		oneOf(fmt.Sprintf("create_skus[%q]", sku), kind, ItemsCreateNonInventory, ItemsCreateInventory)
	}
	for rate, item := range s.TaxItems {
		name(fmt.Sprintf("tax_items[%q]", rate), item, true)
	}
	for ch, c := range s.Channels {
		name(fmt.Sprintf("channels[%d].class", ch), c.Class, false)
		name(fmt.Sprintf("channels[%d].customer", ch), c.Customer, false)
		name(fmt.Sprintf("channels[%d].deposit_account", ch), c.DepositAccount, false)
	}
	for method, f := range s.Fees {
		if f.Percent.IsNegative() || f.Percent.GreaterThan(decimal.NewFromInt(100)) || f.Fixed.IsNegative() {
			bad = append(bad, fmt.Sprintf("fees[%q] must be a percent from 0 to 100 and a fixed amount of 0 or more", method))
		}
	}
	if s.RoundingLimit.IsNegative() || s.RoundingLimit.GreaterThan(decimal.NewFromInt(10)) {
		bad = append(bad, fmt.Sprintf("rounding_limit is %s; it must be from 0.00 to 10.00", s.RoundingLimit.StringFixed(2)))
	}
	if s.RefPrefix != "" {
		// Order numbers reach seven digits in a busy store.
		if _, err := RefNumber(s, 9999999); err != nil {
			bad = append(bad, fmt.Sprintf("ref_prefix %q leaves too little of QuickBooks' 11-character RefNumber for a 7-digit order number", s.RefPrefix))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("%w: %s", ErrSettings, strings.Join(bad, "; "))
	}
	return nil
}
