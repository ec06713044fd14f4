package qbxml

import (
	"encoding/xml"
	"strings"
)

// The ...Ret types hold what QuickBooks returns. They declare the elements
// bcqb reads, in schema order, so they also marshal into plausible
// responses for the simulator; unknown elements are ignored when parsing.

// ListCore is the identity of every list object.
type ListCore struct {
	ListID       string   `xml:"ListID,omitempty"`
	TimeCreated  DateTime `xml:"TimeCreated"`
	TimeModified DateTime `xml:"TimeModified"`
	EditSequence string   `xml:"EditSequence,omitempty"`
}

// TxnCore is the identity of every transaction.
type TxnCore struct {
	TxnID        string   `xml:"TxnID,omitempty"`
	TimeCreated  DateTime `xml:"TimeCreated"`
	TimeModified DateTime `xml:"TimeModified"`
	EditSequence string   `xml:"EditSequence,omitempty"`
	TxnNumber    int      `xml:"TxnNumber,omitempty"`
}

// HostRet describes the QuickBooks product answering.
type HostRet struct {
	ProductName           string   `xml:"ProductName,omitempty"`
	MajorVersion          string   `xml:"MajorVersion,omitempty"`
	MinorVersion          string   `xml:"MinorVersion,omitempty"`
	Country               string   `xml:"Country,omitempty"`
	SupportedQBXMLVersion []string `xml:"SupportedQBXMLVersion,omitempty"`
	IsAutomaticLogin      bool     `xml:"IsAutomaticLogin,omitempty"`
	QBFileMode            string   `xml:"QBFileMode,omitempty"`
}

// CompanyRet describes the open company file.
type CompanyRet struct {
	IsSampleCompany         bool          `xml:"IsSampleCompany,omitempty"`
	CompanyName             string        `xml:"CompanyName,omitempty"`
	LegalCompanyName        string        `xml:"LegalCompanyName,omitempty"`
	Address                 *Address      `xml:"Address,omitempty"`
	AddressBlock            *AddressBlock `xml:"AddressBlock,omitempty"`
	LegalAddress            *Address      `xml:"LegalAddress,omitempty"`
	Phone                   string        `xml:"Phone,omitempty"`
	Fax                     string        `xml:"Fax,omitempty"`
	Email                   string        `xml:"Email,omitempty"`
	CompanyWebSite          string        `xml:"CompanyWebSite,omitempty"`
	FirstMonthFiscalYear    string        `xml:"FirstMonthFiscalYear,omitempty"`
	FirstMonthIncomeTaxYear string        `xml:"FirstMonthIncomeTaxYear,omitempty"`
	CompanyType             string        `xml:"CompanyType,omitempty"`
	EIN                     string        `xml:"EIN,omitempty"`
	TaxForm                 string        `xml:"TaxForm,omitempty"`
	DataExtRets             []DataExtRet  `xml:"DataExtRet,omitempty"`
}

// DataExt returns the value of the named data extension (e.g. "FileID"), and
// whether it was present.
func (c *CompanyRet) DataExt(name string) (string, bool) {
	for _, d := range c.DataExtRets {
		if strings.EqualFold(d.DataExtName, name) {
			return d.DataExtValue, true
		}
	}
	return "", false
}

// AccountingPreferences are the company's accounting settings.
type AccountingPreferences struct {
	IsUsingAccountNumbers          bool   `xml:"IsUsingAccountNumbers"`
	IsRequiringAccounts            bool   `xml:"IsRequiringAccounts"`
	IsUsingClassTracking           bool   `xml:"IsUsingClassTracking"`
	AssignClassesTo                string `xml:"AssignClassesTo,omitempty"`
	IsUsingAuditTrail              bool   `xml:"IsUsingAuditTrail"`
	IsAssigningJournalEntryNumbers bool   `xml:"IsAssigningJournalEntryNumbers"`
	ClosingDate                    Date   `xml:"ClosingDate"`
}

// MultiCurrencyPreferences tell whether multicurrency is on.
type MultiCurrencyPreferences struct {
	IsMultiCurrencyOn bool `xml:"IsMultiCurrencyOn,omitempty"`
	HomeCurrencyRef   *Ref `xml:"HomeCurrencyRef,omitempty"`
}

// SalesTaxPreferences hold the default tax item and codes (absent when sales
// tax is off).
type SalesTaxPreferences struct {
	DefaultItemSalesTaxRef           *Ref   `xml:"DefaultItemSalesTaxRef,omitempty"`
	PaySalesTax                      string `xml:"PaySalesTax,omitempty"`
	DefaultTaxableSalesTaxCodeRef    *Ref   `xml:"DefaultTaxableSalesTaxCodeRef,omitempty"`
	DefaultNonTaxableSalesTaxCodeRef *Ref   `xml:"DefaultNonTaxableSalesTaxCodeRef,omitempty"`
}

// ItemsAndInventoryPreferences tell which inventory features are on.
type ItemsAndInventoryPreferences struct {
	EnhancedInventoryReceivingEnabled bool   `xml:"EnhancedInventoryReceivingEnabled,omitempty"`
	IsTrackingSerialOrLotNumber       string `xml:"IsTrackingSerialOrLotNumber,omitempty"`
	FIFOEnabled                       bool   `xml:"FIFOEnabled,omitempty"`
	FIFOEffectiveDate                 Date   `xml:"FIFOEffectiveDate"`
	IsRSBEnabled                      bool   `xml:"IsRSBEnabled,omitempty"`
	IsBarcodeEnabled                  bool   `xml:"IsBarcodeEnabled,omitempty"`
}

// PreferencesRet is the subset of company preferences bcqb uses.
type PreferencesRet struct {
	AccountingPreferences        *AccountingPreferences        `xml:"AccountingPreferences,omitempty"`
	MultiCurrencyPreferences     *MultiCurrencyPreferences     `xml:"MultiCurrencyPreferences,omitempty"`
	SalesTaxPreferences          *SalesTaxPreferences          `xml:"SalesTaxPreferences,omitempty"`
	ItemsAndInventoryPreferences *ItemsAndInventoryPreferences `xml:"ItemsAndInventoryPreferences,omitempty"`
}

// AccountRet is an account of the chart of accounts.
type AccountRet struct {
	ListCore
	Name               string       `xml:"Name,omitempty"`
	FullName           string       `xml:"FullName,omitempty"`
	IsActive           bool         `xml:"IsActive"`
	ParentRef          *Ref         `xml:"ParentRef,omitempty"`
	Sublevel           int          `xml:"Sublevel"`
	AccountType        string       `xml:"AccountType,omitempty"`
	SpecialAccountType string       `xml:"SpecialAccountType,omitempty"`
	AccountNumber      string       `xml:"AccountNumber,omitempty"`
	BankNumber         string       `xml:"BankNumber,omitempty"`
	Desc               string       `xml:"Desc,omitempty"`
	Balance            Amount       `xml:"Balance"`
	TotalBalance       Amount       `xml:"TotalBalance"`
	SalesTaxCodeRef    *Ref         `xml:"SalesTaxCodeRef,omitempty"`
	CurrencyRef        *Ref         `xml:"CurrencyRef,omitempty"`
	DataExtRets        []DataExtRet `xml:"DataExtRet,omitempty"`
}

// CustomerRet is a customer (or job).
type CustomerRet struct {
	ListCore
	Name                      string        `xml:"Name,omitempty"`
	FullName                  string        `xml:"FullName,omitempty"`
	IsActive                  bool          `xml:"IsActive"`
	ClassRef                  *Ref          `xml:"ClassRef,omitempty"`
	ParentRef                 *Ref          `xml:"ParentRef,omitempty"`
	Sublevel                  int           `xml:"Sublevel"`
	CompanyName               string        `xml:"CompanyName,omitempty"`
	Salutation                string        `xml:"Salutation,omitempty"`
	FirstName                 string        `xml:"FirstName,omitempty"`
	MiddleName                string        `xml:"MiddleName,omitempty"`
	LastName                  string        `xml:"LastName,omitempty"`
	JobTitle                  string        `xml:"JobTitle,omitempty"`
	BillAddress               *Address      `xml:"BillAddress,omitempty"`
	BillAddressBlock          *AddressBlock `xml:"BillAddressBlock,omitempty"`
	ShipAddress               *Address      `xml:"ShipAddress,omitempty"`
	ShipAddressBlock          *AddressBlock `xml:"ShipAddressBlock,omitempty"`
	Phone                     string        `xml:"Phone,omitempty"`
	Mobile                    string        `xml:"Mobile,omitempty"`
	AltPhone                  string        `xml:"AltPhone,omitempty"`
	Fax                       string        `xml:"Fax,omitempty"`
	Email                     string        `xml:"Email,omitempty"`
	Cc                        string        `xml:"Cc,omitempty"`
	Contact                   string        `xml:"Contact,omitempty"`
	AltContact                string        `xml:"AltContact,omitempty"`
	CustomerTypeRef           *Ref          `xml:"CustomerTypeRef,omitempty"`
	TermsRef                  *Ref          `xml:"TermsRef,omitempty"`
	SalesRepRef               *Ref          `xml:"SalesRepRef,omitempty"`
	Balance                   Amount        `xml:"Balance"`
	TotalBalance              Amount        `xml:"TotalBalance"`
	SalesTaxCodeRef           *Ref          `xml:"SalesTaxCodeRef,omitempty"`
	ItemSalesTaxRef           *Ref          `xml:"ItemSalesTaxRef,omitempty"`
	ResaleNumber              string        `xml:"ResaleNumber,omitempty"`
	AccountNumber             string        `xml:"AccountNumber,omitempty"`
	CreditLimit               Amount        `xml:"CreditLimit"`
	PreferredPaymentMethodRef *Ref          `xml:"PreferredPaymentMethodRef,omitempty"`
	JobStatus                 string        `xml:"JobStatus,omitempty"`
	Notes                     string        `xml:"Notes,omitempty"`
	ExternalGUID              string        `xml:"ExternalGUID,omitempty"`
	CurrencyRef               *Ref          `xml:"CurrencyRef,omitempty"`
	DataExtRets               []DataExtRet  `xml:"DataExtRet,omitempty"`
}

// ItemRet is any item returned by ItemQuery or an Item...Add: XMLName tells
// the kind (ItemServiceRet, ItemInventoryRet, ...; see Kind). It holds the
// union of the elements bcqb reads from each kind, in an order that is the
// schema order of every kind for the fields that kind has.
type ItemRet struct {
	XMLName                xml.Name
	ListCore                                 // ListID, TimeCreated, TimeModified, EditSequence
	Name                   string            `xml:"Name,omitempty"`
	FullName               string            `xml:"FullName,omitempty"`
	BarCodeValue           string            `xml:"BarCodeValue,omitempty"`
	IsActive               bool              `xml:"IsActive"`
	ClassRef               *Ref              `xml:"ClassRef,omitempty"`
	ParentRef              *Ref              `xml:"ParentRef,omitempty"`
	Sublevel               int               `xml:"Sublevel,omitempty"` // absent from ItemSalesTaxRet, so omitted when 0
	ManufacturerPartNumber string            `xml:"ManufacturerPartNumber,omitempty"`
	UnitOfMeasureSetRef    *Ref              `xml:"UnitOfMeasureSetRef,omitempty"`
	IsTaxIncluded          bool              `xml:"IsTaxIncluded,omitempty"`
	ItemDesc               string            `xml:"ItemDesc,omitempty"`
	SalesTaxCodeRef        *Ref              `xml:"SalesTaxCodeRef,omitempty"`
	SalesOrPurchase        *SalesOrPurchase  `xml:"SalesOrPurchase,omitempty"`
	SalesAndPurchase       *SalesAndPurchase `xml:"SalesAndPurchase,omitempty"`
	SalesDesc              string            `xml:"SalesDesc,omitempty"`
	SalesPrice             Price             `xml:"SalesPrice"`
	IncomeAccountRef       *Ref              `xml:"IncomeAccountRef,omitempty"`
	PurchaseDesc           string            `xml:"PurchaseDesc,omitempty"`
	PurchaseCost           Price             `xml:"PurchaseCost"`
	PurchaseTaxCodeRef     *Ref              `xml:"PurchaseTaxCodeRef,omitempty"`
	COGSAccountRef         *Ref              `xml:"COGSAccountRef,omitempty"`
	PrefVendorRef          *Ref              `xml:"PrefVendorRef,omitempty"`
	AssetAccountRef        *Ref              `xml:"AssetAccountRef,omitempty"`
	ReorderPoint           Quantity          `xml:"ReorderPoint"`
	Max                    Quantity          `xml:"Max"`
	QuantityOnHand         Quantity          `xml:"QuantityOnHand"`
	AverageCost            Price             `xml:"AverageCost"`
	QuantityOnOrder        Quantity          `xml:"QuantityOnOrder"`
	QuantityOnSalesOrder   Quantity          `xml:"QuantityOnSalesOrder"`
	DiscountRate           Price             `xml:"DiscountRate"`
	DiscountRatePercent    Percent           `xml:"DiscountRatePercent"`
	AccountRef             *Ref              `xml:"AccountRef,omitempty"`
	TaxRate                Percent           `xml:"TaxRate"`
	TaxVendorRef           *Ref              `xml:"TaxVendorRef,omitempty"`
	SpecialItemType        string            `xml:"SpecialItemType,omitempty"`
	ExternalGUID           string            `xml:"ExternalGUID,omitempty"`
	DataExtRets            []DataExtRet      `xml:"DataExtRet,omitempty"`
}

// Kind is the item type without "Ret": "ItemService", "ItemInventory",
// "ItemNonInventory", "ItemOtherCharge", "ItemDiscount", "ItemSalesTax", ...
func (i *ItemRet) Kind() string { return strings.TrimSuffix(i.XMLName.Local, "Ret") }

// SalesTaxCodeRet is a sales tax code (Tax, Non, ...).
type SalesTaxCodeRet struct {
	ListCore
	Name               string `xml:"Name,omitempty"`
	IsActive           bool   `xml:"IsActive"`
	IsTaxable          bool   `xml:"IsTaxable"`
	Desc               string `xml:"Desc,omitempty"`
	ItemPurchaseTaxRef *Ref   `xml:"ItemPurchaseTaxRef,omitempty"`
	ItemSalesTaxRef    *Ref   `xml:"ItemSalesTaxRef,omitempty"`
}

// ClassRet is a class.
type ClassRet struct {
	ListCore
	Name      string `xml:"Name,omitempty"`
	FullName  string `xml:"FullName,omitempty"`
	IsActive  bool   `xml:"IsActive"`
	ParentRef *Ref   `xml:"ParentRef,omitempty"`
	Sublevel  int    `xml:"Sublevel"`
}

// PaymentMethodRet is a payment method.
type PaymentMethodRet struct {
	ListCore
	Name              string `xml:"Name,omitempty"`
	IsActive          bool   `xml:"IsActive"`
	PaymentMethodType string `xml:"PaymentMethodType,omitempty"`
}

// CurrencyRet is a currency of a multicurrency file.
type CurrencyRet struct {
	ListCore
	Name                  string `xml:"Name,omitempty"`
	IsActive              bool   `xml:"IsActive"`
	CurrencyCode          string `xml:"CurrencyCode,omitempty"`
	IsUserDefinedCurrency bool   `xml:"IsUserDefinedCurrency,omitempty"`
	AsOfDate              Date   `xml:"AsOfDate"`
}

// DataExtDefRet is a custom field definition.
type DataExtDefRet struct {
	OwnerID             string   `xml:"OwnerID,omitempty"`
	DataExtID           int      `xml:"DataExtID"`
	DataExtName         string   `xml:"DataExtName,omitempty"`
	DataExtType         string   `xml:"DataExtType,omitempty"`
	AssignToObject      []string `xml:"AssignToObject,omitempty"`
	DataExtListRequire  bool     `xml:"DataExtListRequire"`
	DataExtTxnRequire   bool     `xml:"DataExtTxnRequire"`
	DataExtFormatString string   `xml:"DataExtFormatString"`
}

// LinkedTxn is a transaction linked to another (payment to invoice, refund to credit memo).
type LinkedTxn struct {
	TxnID     string `xml:"TxnID"`
	TxnType   string `xml:"TxnType"`
	TxnDate   Date   `xml:"TxnDate"`
	RefNumber string `xml:"RefNumber,omitempty"`
	LinkType  string `xml:"LinkType,omitempty"`
	Amount    Amount `xml:"Amount"`
}

// SalesLineRet is a returned line of a sales receipt, invoice or credit memo.
type SalesLineRet struct {
	TxnLineID        string       `xml:"TxnLineID"`
	ItemRef          *Ref         `xml:"ItemRef,omitempty"`
	Desc             string       `xml:"Desc,omitempty"`
	Quantity         Quantity     `xml:"Quantity"`
	UnitOfMeasure    string       `xml:"UnitOfMeasure,omitempty"`
	Rate             Price        `xml:"Rate"`
	RatePercent      Percent      `xml:"RatePercent"`
	ClassRef         *Ref         `xml:"ClassRef,omitempty"`
	Amount           Amount       `xml:"Amount"`
	InventorySiteRef *Ref         `xml:"InventorySiteRef,omitempty"`
	ServiceDate      Date         `xml:"ServiceDate"`
	SalesTaxCodeRef  *Ref         `xml:"SalesTaxCodeRef,omitempty"`
	Other1           string       `xml:"Other1,omitempty"`
	Other2           string       `xml:"Other2,omitempty"`
	DataExtRets      []DataExtRet `xml:"DataExtRet,omitempty"`
}

// SalesReceiptRet is a sales receipt.
type SalesReceiptRet struct {
	TxnCore
	CustomerRef             *Ref           `xml:"CustomerRef,omitempty"`
	ClassRef                *Ref           `xml:"ClassRef,omitempty"`
	TemplateRef             *Ref           `xml:"TemplateRef,omitempty"`
	TxnDate                 Date           `xml:"TxnDate"`
	RefNumber               string         `xml:"RefNumber,omitempty"`
	BillAddress             *Address       `xml:"BillAddress,omitempty"`
	BillAddressBlock        *AddressBlock  `xml:"BillAddressBlock,omitempty"`
	ShipAddress             *Address       `xml:"ShipAddress,omitempty"`
	ShipAddressBlock        *AddressBlock  `xml:"ShipAddressBlock,omitempty"`
	IsPending               bool           `xml:"IsPending,omitempty"`
	CheckNumber             string         `xml:"CheckNumber,omitempty"`
	PaymentMethodRef        *Ref           `xml:"PaymentMethodRef,omitempty"`
	DueDate                 Date           `xml:"DueDate"`
	SalesRepRef             *Ref           `xml:"SalesRepRef,omitempty"`
	ShipDate                Date           `xml:"ShipDate"`
	ShipMethodRef           *Ref           `xml:"ShipMethodRef,omitempty"`
	FOB                     string         `xml:"FOB,omitempty"`
	Subtotal                Amount         `xml:"Subtotal"`
	ItemSalesTaxRef         *Ref           `xml:"ItemSalesTaxRef,omitempty"`
	SalesTaxPercentage      Percent        `xml:"SalesTaxPercentage"`
	SalesTaxTotal           Amount         `xml:"SalesTaxTotal"`
	TotalAmount             Amount         `xml:"TotalAmount"`
	CurrencyRef             *Ref           `xml:"CurrencyRef,omitempty"`
	Memo                    string         `xml:"Memo,omitempty"`
	CustomerMsgRef          *Ref           `xml:"CustomerMsgRef,omitempty"`
	IsToBePrinted           bool           `xml:"IsToBePrinted,omitempty"`
	IsToBeEmailed           bool           `xml:"IsToBeEmailed,omitempty"`
	IsTaxIncluded           bool           `xml:"IsTaxIncluded,omitempty"`
	CustomerSalesTaxCodeRef *Ref           `xml:"CustomerSalesTaxCodeRef,omitempty"`
	DepositToAccountRef     *Ref           `xml:"DepositToAccountRef,omitempty"`
	Other                   string         `xml:"Other,omitempty"`
	ExternalGUID            string         `xml:"ExternalGUID,omitempty"`
	Lines                   []SalesLineRet `xml:"SalesReceiptLineRet,omitempty"`
	DataExtRets             []DataExtRet   `xml:"DataExtRet,omitempty"`
}

// InvoiceRet is an invoice.
type InvoiceRet struct {
	TxnCore
	CustomerRef             *Ref           `xml:"CustomerRef,omitempty"`
	ClassRef                *Ref           `xml:"ClassRef,omitempty"`
	ARAccountRef            *Ref           `xml:"ARAccountRef,omitempty"`
	TemplateRef             *Ref           `xml:"TemplateRef,omitempty"`
	TxnDate                 Date           `xml:"TxnDate"`
	RefNumber               string         `xml:"RefNumber,omitempty"`
	BillAddress             *Address       `xml:"BillAddress,omitempty"`
	BillAddressBlock        *AddressBlock  `xml:"BillAddressBlock,omitempty"`
	ShipAddress             *Address       `xml:"ShipAddress,omitempty"`
	ShipAddressBlock        *AddressBlock  `xml:"ShipAddressBlock,omitempty"`
	IsPending               bool           `xml:"IsPending,omitempty"`
	IsFinanceCharge         bool           `xml:"IsFinanceCharge,omitempty"`
	PONumber                string         `xml:"PONumber,omitempty"`
	TermsRef                *Ref           `xml:"TermsRef,omitempty"`
	DueDate                 Date           `xml:"DueDate"`
	SalesRepRef             *Ref           `xml:"SalesRepRef,omitempty"`
	FOB                     string         `xml:"FOB,omitempty"`
	ShipDate                Date           `xml:"ShipDate"`
	ShipMethodRef           *Ref           `xml:"ShipMethodRef,omitempty"`
	Subtotal                Amount         `xml:"Subtotal"`
	ItemSalesTaxRef         *Ref           `xml:"ItemSalesTaxRef,omitempty"`
	SalesTaxPercentage      Percent        `xml:"SalesTaxPercentage"`
	SalesTaxTotal           Amount         `xml:"SalesTaxTotal"`
	AppliedAmount           Amount         `xml:"AppliedAmount"`
	BalanceRemaining        Amount         `xml:"BalanceRemaining"`
	CurrencyRef             *Ref           `xml:"CurrencyRef,omitempty"`
	Memo                    string         `xml:"Memo,omitempty"`
	IsPaid                  bool           `xml:"IsPaid,omitempty"`
	CustomerMsgRef          *Ref           `xml:"CustomerMsgRef,omitempty"`
	IsToBePrinted           bool           `xml:"IsToBePrinted,omitempty"`
	IsToBeEmailed           bool           `xml:"IsToBeEmailed,omitempty"`
	IsTaxIncluded           bool           `xml:"IsTaxIncluded,omitempty"`
	CustomerSalesTaxCodeRef *Ref           `xml:"CustomerSalesTaxCodeRef,omitempty"`
	Other                   string         `xml:"Other,omitempty"`
	ExternalGUID            string         `xml:"ExternalGUID,omitempty"`
	LinkedTxns              []LinkedTxn    `xml:"LinkedTxn,omitempty"`
	Lines                   []SalesLineRet `xml:"InvoiceLineRet,omitempty"`
	DataExtRets             []DataExtRet   `xml:"DataExtRet,omitempty"`
}

// CreditMemoRet is a credit memo.
type CreditMemoRet struct {
	TxnCore
	CustomerRef             *Ref           `xml:"CustomerRef,omitempty"`
	ClassRef                *Ref           `xml:"ClassRef,omitempty"`
	ARAccountRef            *Ref           `xml:"ARAccountRef,omitempty"`
	TemplateRef             *Ref           `xml:"TemplateRef,omitempty"`
	TxnDate                 Date           `xml:"TxnDate"`
	RefNumber               string         `xml:"RefNumber,omitempty"`
	BillAddress             *Address       `xml:"BillAddress,omitempty"`
	BillAddressBlock        *AddressBlock  `xml:"BillAddressBlock,omitempty"`
	ShipAddress             *Address       `xml:"ShipAddress,omitempty"`
	ShipAddressBlock        *AddressBlock  `xml:"ShipAddressBlock,omitempty"`
	IsPending               bool           `xml:"IsPending,omitempty"`
	PONumber                string         `xml:"PONumber,omitempty"`
	TermsRef                *Ref           `xml:"TermsRef,omitempty"`
	DueDate                 Date           `xml:"DueDate"`
	SalesRepRef             *Ref           `xml:"SalesRepRef,omitempty"`
	FOB                     string         `xml:"FOB,omitempty"`
	ShipDate                Date           `xml:"ShipDate"`
	ShipMethodRef           *Ref           `xml:"ShipMethodRef,omitempty"`
	Subtotal                Amount         `xml:"Subtotal"`
	ItemSalesTaxRef         *Ref           `xml:"ItemSalesTaxRef,omitempty"`
	SalesTaxPercentage      Percent        `xml:"SalesTaxPercentage"`
	SalesTaxTotal           Amount         `xml:"SalesTaxTotal"`
	TotalAmount             Amount         `xml:"TotalAmount"`
	CreditRemaining         Amount         `xml:"CreditRemaining"`
	CurrencyRef             *Ref           `xml:"CurrencyRef,omitempty"`
	Memo                    string         `xml:"Memo,omitempty"`
	CustomerMsgRef          *Ref           `xml:"CustomerMsgRef,omitempty"`
	IsToBePrinted           bool           `xml:"IsToBePrinted,omitempty"`
	IsToBeEmailed           bool           `xml:"IsToBeEmailed,omitempty"`
	IsTaxIncluded           bool           `xml:"IsTaxIncluded,omitempty"`
	CustomerSalesTaxCodeRef *Ref           `xml:"CustomerSalesTaxCodeRef,omitempty"`
	Other                   string         `xml:"Other,omitempty"`
	ExternalGUID            string         `xml:"ExternalGUID,omitempty"`
	LinkedTxns              []LinkedTxn    `xml:"LinkedTxn,omitempty"`
	Lines                   []SalesLineRet `xml:"CreditMemoLineRet,omitempty"`
	DataExtRets             []DataExtRet   `xml:"DataExtRet,omitempty"`
}

// AppliedToTxnRet is how a payment was applied.
type AppliedToTxnRet struct {
	TxnID              string `xml:"TxnID"`
	TxnType            string `xml:"TxnType"`
	TxnDate            Date   `xml:"TxnDate"`
	RefNumber          string `xml:"RefNumber,omitempty"`
	BalanceRemaining   Amount `xml:"BalanceRemaining"`
	Amount             Amount `xml:"Amount"`
	DiscountAmount     Amount `xml:"DiscountAmount"`
	DiscountAccountRef *Ref   `xml:"DiscountAccountRef,omitempty"`
}

// ReceivePaymentRet is a received payment.
type ReceivePaymentRet struct {
	TxnCore
	CustomerRef         *Ref              `xml:"CustomerRef,omitempty"`
	ARAccountRef        *Ref              `xml:"ARAccountRef,omitempty"`
	TxnDate             Date              `xml:"TxnDate"`
	RefNumber           string            `xml:"RefNumber,omitempty"`
	TotalAmount         Amount            `xml:"TotalAmount"`
	CurrencyRef         *Ref              `xml:"CurrencyRef,omitempty"`
	PaymentMethodRef    *Ref              `xml:"PaymentMethodRef,omitempty"`
	Memo                string            `xml:"Memo,omitempty"`
	DepositToAccountRef *Ref              `xml:"DepositToAccountRef,omitempty"`
	UnusedPayment       Amount            `xml:"UnusedPayment"`
	UnusedCredits       Amount            `xml:"UnusedCredits"`
	ExternalGUID        string            `xml:"ExternalGUID,omitempty"`
	AppliedToTxns       []AppliedToTxnRet `xml:"AppliedToTxnRet,omitempty"`
	DataExtRets         []DataExtRet      `xml:"DataExtRet,omitempty"`
}

// RefundAppliedToTxnRet is the credit a refund paid out.
type RefundAppliedToTxnRet struct {
	TxnID           string `xml:"TxnID"`
	TxnType         string `xml:"TxnType"`
	TxnDate         Date   `xml:"TxnDate"`
	RefNumber       string `xml:"RefNumber,omitempty"`
	CreditRemaining Amount `xml:"CreditRemaining"`
	RefundAmount    Amount `xml:"RefundAmount"`
}

// ARRefundCreditCardRet is a credit-card refund.
type ARRefundCreditCardRet struct {
	TxnCore
	CustomerRef          *Ref                    `xml:"CustomerRef,omitempty"`
	RefundFromAccountRef *Ref                    `xml:"RefundFromAccountRef,omitempty"`
	ARAccountRef         *Ref                    `xml:"ARAccountRef,omitempty"`
	TxnDate              Date                    `xml:"TxnDate"`
	RefNumber            string                  `xml:"RefNumber,omitempty"`
	TotalAmount          Amount                  `xml:"TotalAmount"`
	CurrencyRef          *Ref                    `xml:"CurrencyRef,omitempty"`
	Address              *Address                `xml:"Address,omitempty"`
	AddressBlock         *AddressBlock           `xml:"AddressBlock,omitempty"`
	PaymentMethodRef     *Ref                    `xml:"PaymentMethodRef,omitempty"`
	Memo                 string                  `xml:"Memo,omitempty"`
	ExternalGUID         string                  `xml:"ExternalGUID,omitempty"`
	RefundAppliedToTxns  []RefundAppliedToTxnRet `xml:"RefundAppliedToTxnRet,omitempty"`
	DataExtRets          []DataExtRet            `xml:"DataExtRet,omitempty"`
}

// ExpenseLineRet is an account line of a check.
type ExpenseLineRet struct {
	TxnLineID      string `xml:"TxnLineID"`
	AccountRef     *Ref   `xml:"AccountRef,omitempty"`
	Amount         Amount `xml:"Amount"`
	Memo           string `xml:"Memo,omitempty"`
	CustomerRef    *Ref   `xml:"CustomerRef,omitempty"`
	ClassRef       *Ref   `xml:"ClassRef,omitempty"`
	BillableStatus string `xml:"BillableStatus,omitempty"`
}

// CheckRet is a check.
type CheckRet struct {
	TxnCore
	AccountRef     *Ref             `xml:"AccountRef,omitempty"`
	PayeeEntityRef *Ref             `xml:"PayeeEntityRef,omitempty"`
	RefNumber      string           `xml:"RefNumber,omitempty"`
	TxnDate        Date             `xml:"TxnDate"`
	Amount         Amount           `xml:"Amount"`
	CurrencyRef    *Ref             `xml:"CurrencyRef,omitempty"`
	Memo           string           `xml:"Memo,omitempty"`
	Address        *Address         `xml:"Address,omitempty"`
	AddressBlock   *AddressBlock    `xml:"AddressBlock,omitempty"`
	IsToBePrinted  bool             `xml:"IsToBePrinted,omitempty"`
	ExternalGUID   string           `xml:"ExternalGUID,omitempty"`
	LinkedTxns     []LinkedTxn      `xml:"LinkedTxn,omitempty"`
	ExpenseLines   []ExpenseLineRet `xml:"ExpenseLineRet,omitempty"`
	DataExtRets    []DataExtRet     `xml:"DataExtRet,omitempty"`
}

// InventoryAdjustmentLineRet is one adjusted item.
type InventoryAdjustmentLineRet struct {
	TxnLineID          string   `xml:"TxnLineID"`
	ItemRef            *Ref     `xml:"ItemRef,omitempty"`
	QuantityDifference Quantity `xml:"QuantityDifference"`
	ValueDifference    Amount   `xml:"ValueDifference"`
}

// InventoryAdjustmentRet is an inventory adjustment.
type InventoryAdjustmentRet struct {
	TxnCore
	AccountRef       *Ref                         `xml:"AccountRef,omitempty"`
	InventorySiteRef *Ref                         `xml:"InventorySiteRef,omitempty"`
	TxnDate          Date                         `xml:"TxnDate"`
	RefNumber        string                       `xml:"RefNumber,omitempty"`
	CustomerRef      *Ref                         `xml:"CustomerRef,omitempty"`
	ClassRef         *Ref                         `xml:"ClassRef,omitempty"`
	Memo             string                       `xml:"Memo,omitempty"`
	ExternalGUID     string                       `xml:"ExternalGUID,omitempty"`
	Lines            []InventoryAdjustmentLineRet `xml:"InventoryAdjustmentLineRet,omitempty"`
	DataExtRets      []DataExtRet                 `xml:"DataExtRet,omitempty"`
}

func xmlName(local string) xml.Name { return xml.Name{Local: local} }
