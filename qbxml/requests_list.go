package qbxml

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Struct field order is schema order: encoding/xml writes fields in
// declaration order, so every type below mirrors the sequence of its element
// in qbxml130.xsd/qbxml160.xsd. Only the elements bcqb uses are declared.
// Tags: `qb:"max=N"` maximum characters, `qb:"req"` required,
// `qb:"since=X.Y"` first version that knows the element.

// ActiveStatus filters list queries by active flag.
type ActiveStatus string

// ActiveStatus values.
const (
	ActiveOnly   ActiveStatus = "ActiveOnly"
	InactiveOnly ActiveStatus = "InactiveOnly"
	ActiveAll    ActiveStatus = "All"
)

// MatchCriterion is how NameFilter and RefNumberFilter match.
type MatchCriterion string

// MatchCriterion values.
const (
	StartsWith MatchCriterion = "StartsWith"
	Contains   MatchCriterion = "Contains"
	EndsWith   MatchCriterion = "EndsWith"
)

// NameFilter matches list names.
type NameFilter struct {
	MatchCriterion MatchCriterion `xml:"MatchCriterion" qb:"req"`
	Name           string         `xml:"Name" qb:"req"`
}

// NameRangeFilter selects names alphabetically between two bounds.
type NameRangeFilter struct {
	FromName string `xml:"FromName,omitempty"`
	ToName   string `xml:"ToName,omitempty"`
}

// ListFilter is the ListFilter group of list queries.
type ListFilter struct {
	MaxReturned      int              `xml:"MaxReturned,omitempty"`
	ActiveStatus     ActiveStatus     `xml:"ActiveStatus,omitempty"`
	FromModifiedDate DateTime         `xml:"FromModifiedDate"`
	ToModifiedDate   DateTime         `xml:"ToModifiedDate"`
	NameFilter       *NameFilter      `xml:"NameFilter,omitempty"`
	NameRangeFilter  *NameRangeFilter `xml:"NameRangeFilter,omitempty"`
}

func (f *ListFilter) used() bool {
	return f.MaxReturned != 0 || f.ActiveStatus != "" || !f.FromModifiedDate.IsZero() ||
		!f.ToModifiedDate.IsZero() || f.NameFilter != nil || f.NameRangeFilter != nil
}

func (f *ListFilter) check() error {
	if f.NameFilter != nil && f.NameRangeFilter != nil {
		return errors.New("NameFilter and NameRangeFilter cannot both be set")
	}
	if f.MaxReturned < 0 {
		return errors.New("MaxReturned must not be negative")
	}
	return nil
}

// ListSelect is the choice at the head of every list query: by ListID, by
// FullName, or (neither set) by the filter that follows.
type ListSelect struct {
	ListIDs   []string `xml:"ListID,omitempty" qb:"max=36"`
	FullNames []string `xml:"FullName,omitempty" qb:"max=209"`
}

// checkChoice enforces the xsd:choice: at most one of ListIDs, FullNames or filter.
func (s *ListSelect) checkChoice(filterUsed bool) error {
	n := 0
	for _, b := range []bool{len(s.ListIDs) > 0, len(s.FullNames) > 0, filterUsed} {
		if b {
			n++
		}
	}
	if n > 1 {
		return errors.New("choose one of ListID, FullName or a filter")
	}
	return nil
}

// HostQueryRq asks for the QuickBooks product, version and supported qbXML versions.
type HostQueryRq struct {
	RqHeader
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// CompanyQueryRq asks for the company name, address and data extensions
// (OwnerID "0" returns public ones; the Web Connector's FileID is private to the OwnerID).
type CompanyQueryRq struct {
	RqHeader
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
	OwnerIDs          []string `xml:"OwnerID,omitempty"`
}

// PreferencesQueryRq asks for the company preferences (class tracking,
// multicurrency, sales tax, inventory).
type PreferencesQueryRq struct {
	RqHeader
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// CompanyInfoRequests returns the company-info refresh requests (HostQuery,
// CompanyQuery, PreferencesQuery) with requestIDs prefix+"host", "company",
// "prefs"; ownerID, when set, asks for its private data extensions too.
func CompanyInfoRequests(prefix, ownerID string) []Request {
	c := &CompanyQueryRq{}
	if ownerID != "" {
		c.OwnerIDs = []string{ownerID}
	}
	h, p := &HostQueryRq{}, &PreferencesQueryRq{}
	h.SetRequestID(prefix + "host")
	c.SetRequestID(prefix + "company")
	p.SetRequestID(prefix + "prefs")
	return []Request{h, c, p}
}

// AccountType values used by bcqb.
const (
	AccountTypeBank               = "Bank"
	AccountTypeIncome             = "Income"
	AccountTypeOtherCurrentAsset  = "OtherCurrentAsset"
	AccountTypeOtherCurrentLiab   = "OtherCurrentLiability"
	AccountTypeCostOfGoodsSold    = "CostOfGoodsSold"
	AccountTypeExpense            = "Expense"
	AccountTypeAccountsReceivable = "AccountsReceivable"
	AccountTypeOtherIncome        = "OtherIncome"
)

// accountTypes are the AccountType values of the 13.0 and 16.0 schemas. An
// enumeration value outside them makes QuickBooks refuse the whole message
// (0x80040400), so Build refuses it for the one request instead.
var accountTypes = []string{"AccountsPayable", "AccountsReceivable", "Bank", "CostOfGoodsSold", "CreditCard", "Equity",
	"Expense", "FixedAsset", "Income", "LongTermLiability", "NonPosting", "OtherAsset", "OtherCurrentAsset",
	"OtherCurrentLiability", "OtherExpense", "OtherIncome"}

// AccountAdd is a new account of the chart of accounts, for the income,
// clearing and fee accounts a connected store needs when the company file
// lacks them. DetailAccountType (QuickBooks Online only), SalesTaxCodeRef
// (not in US QuickBooks Desktop), OpenBalance and TaxLineID are left out:
// bcqb never posts opening balances or tax-form lines.
type AccountAdd struct {
	Name          string `xml:"Name" qb:"req,max=31"`
	IsActive      *bool  `xml:"IsActive,omitempty"`
	ParentRef     *Ref   `xml:"ParentRef,omitempty"`
	AccountType   string `xml:"AccountType" qb:"req"`
	AccountNumber string `xml:"AccountNumber,omitempty" qb:"max=7"`
	BankNumber    string `xml:"BankNumber,omitempty" qb:"max=25"`
	Desc          string `xml:"Desc,omitempty" qb:"max=200"`
	CurrencyRef   *Ref   `xml:"CurrencyRef,omitempty"`
}

func (a *AccountAdd) check() error {
	if a.AccountType != "" && !slices.Contains(accountTypes, a.AccountType) {
		return fmt.Errorf("AccountType %q is not a QuickBooks account type (%s)", a.AccountType, strings.Join(accountTypes, ", "))
	}
	return nil
}

// AccountAddRq adds an account; the response is AccountAddRs with its AccountRet.
type AccountAddRq struct {
	RqHeader
	AccountAdd        AccountAdd `xml:"AccountAdd"`
	IncludeRetElement []string   `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// AccountQueryRq lists accounts (for the mapping page and deposit/income accounts).
type AccountQueryRq struct {
	RqHeader
	ListSelect
	ListFilter
	AccountTypes      []string `xml:"AccountType,omitempty"`
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
	OwnerIDs          []string `xml:"OwnerID,omitempty"`
}

func (q *AccountQueryRq) check() error {
	return q.checkChoice(q.ListFilter.used() || len(q.AccountTypes) > 0)
}

// ItemQueryRq lists items of every type (service, inventory, non-inventory,
// other charge, discount, sales tax, ...), with iterators.
type ItemQueryRq struct {
	RqHeader
	IterHeader
	ListSelect
	ListFilter
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
	OwnerIDs          []string `xml:"OwnerID,omitempty"`
}

func (q *ItemQueryRq) check() error { return q.checkChoice(q.ListFilter.used()) }

// ItemSalesTaxQueryRq lists sales tax items.
type ItemSalesTaxQueryRq struct {
	RqHeader
	IterHeader
	ListSelect
	ListFilter
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
	OwnerIDs          []string `xml:"OwnerID,omitempty"`
}

func (q *ItemSalesTaxQueryRq) check() error { return q.checkChoice(q.ListFilter.used()) }

// ItemInventoryQueryRq lists inventory items with QuantityOnHand.
type ItemInventoryQueryRq struct {
	RqHeader
	IterHeader
	ListSelect
	ListFilter
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
	OwnerIDs          []string `xml:"OwnerID,omitempty"`
}

func (q *ItemInventoryQueryRq) check() error { return q.checkChoice(q.ListFilter.used()) }

// SalesTaxCodeQueryRq lists sales tax codes (Tax/Non).
type SalesTaxCodeQueryRq struct {
	RqHeader
	ListSelect
	ListFilter
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

func (q *SalesTaxCodeQueryRq) check() error { return q.checkChoice(q.ListFilter.used()) }

// ClassQueryRq lists classes.
type ClassQueryRq struct {
	RqHeader
	ListSelect
	ListFilter
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

func (q *ClassQueryRq) check() error { return q.checkChoice(q.ListFilter.used()) }

// ClassAdd is a new class, for companies that track sales by channel
// (one class per connected store, for example).
type ClassAdd struct {
	Name      string `xml:"Name" qb:"req,max=31"`
	IsActive  *bool  `xml:"IsActive,omitempty"`
	ParentRef *Ref   `xml:"ParentRef,omitempty"`
}

// ClassAddRq adds a class; the response is ClassAddRs with its ClassRet.
type ClassAddRq struct {
	RqHeader
	ClassAdd          ClassAdd `xml:"ClassAdd"`
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// SalesTaxCodeAdd is a new sales tax code. US QuickBooks has only the
// taxable/non-taxable distinction per code; ItemPurchaseTaxRef and
// ItemSalesTaxRef of the schema exist for Canadian, UK and Australian
// editions only (Intuit's OSR: "not in QBD"), so they are left out.
type SalesTaxCodeAdd struct {
	Name      string `xml:"Name" qb:"req,max=3"`
	IsActive  *bool  `xml:"IsActive,omitempty"`
	IsTaxable *bool  `xml:"IsTaxable,omitempty" qb:"req"`
	Desc      string `xml:"Desc,omitempty" qb:"max=31"`
}

// SalesTaxCodeAddRq adds a sales tax code; the response is
// SalesTaxCodeAddRs with its SalesTaxCodeRet.
type SalesTaxCodeAddRq struct {
	RqHeader
	SalesTaxCodeAdd   SalesTaxCodeAdd `xml:"SalesTaxCodeAdd"`
	IncludeRetElement []string        `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// CurrencyQueryRq lists currencies (multicurrency files).
type CurrencyQueryRq struct {
	RqHeader
	ListSelect
	ListFilter
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

func (q *CurrencyQueryRq) check() error { return q.checkChoice(q.ListFilter.used()) }

// PaymentMethodType values.
const (
	PaymentAmericanExpress = "AmericanExpress"
	PaymentCash            = "Cash"
	PaymentCheck           = "Check"
	PaymentDebitCard       = "DebitCard"
	PaymentDiscover        = "Discover"
	PaymentECheck          = "ECheck"
	PaymentGiftCard        = "GiftCard"
	PaymentMasterCard      = "MasterCard"
	PaymentOther           = "Other"
	PaymentOtherCreditCard = "OtherCreditCard"
	PaymentVisa            = "Visa"
)

// PaymentMethodQueryRq lists payment methods.
type PaymentMethodQueryRq struct {
	RqHeader
	ListSelect
	ListFilter
	PaymentMethodTypes []string `xml:"PaymentMethodType,omitempty"`
	IncludeRetElement  []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

func (q *PaymentMethodQueryRq) check() error {
	return q.checkChoice(q.ListFilter.used() || len(q.PaymentMethodTypes) > 0)
}

// PaymentMethodAdd is a new payment method (e.g. the BigCommerce gateway name).
type PaymentMethodAdd struct {
	Name              string `xml:"Name" qb:"req,max=31"`
	IsActive          *bool  `xml:"IsActive,omitempty"`
	PaymentMethodType string `xml:"PaymentMethodType,omitempty"`
}

// PaymentMethodAddRq adds a payment method.
type PaymentMethodAddRq struct {
	RqHeader
	PaymentMethodAdd  PaymentMethodAdd `xml:"PaymentMethodAdd"`
	IncludeRetElement []string         `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// CustomerQueryRq finds customers by ListID, FullName or filter (NameFilter,
// ActiveStatus, modified dates), with iterators. CustomerRet carries Email
// and addresses unless IncludeRetElement restricts it.
type CustomerQueryRq struct {
	RqHeader
	IterHeader
	ListSelect
	ListFilter
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
	OwnerIDs          []string `xml:"OwnerID,omitempty"`
}

func (q *CustomerQueryRq) check() error { return q.checkChoice(q.ListFilter.used()) }

// CustomerAdd is a new customer.
type CustomerAdd struct {
	Name                      string   `xml:"Name" qb:"req,max=41"`
	IsActive                  *bool    `xml:"IsActive,omitempty"`
	ClassRef                  *Ref     `xml:"ClassRef,omitempty"`
	ParentRef                 *Ref     `xml:"ParentRef,omitempty"`
	CompanyName               string   `xml:"CompanyName,omitempty" qb:"max=41"`
	Salutation                string   `xml:"Salutation,omitempty" qb:"max=15"`
	FirstName                 string   `xml:"FirstName,omitempty" qb:"max=25"`
	MiddleName                string   `xml:"MiddleName,omitempty" qb:"max=5"`
	LastName                  string   `xml:"LastName,omitempty" qb:"max=25"`
	JobTitle                  string   `xml:"JobTitle,omitempty" qb:"max=41"`
	BillAddress               *Address `xml:"BillAddress,omitempty"`
	ShipAddress               *Address `xml:"ShipAddress,omitempty"`
	Phone                     string   `xml:"Phone,omitempty" qb:"max=21"`
	Mobile                    string   `xml:"Mobile,omitempty" qb:"max=21"`
	Fax                       string   `xml:"Fax,omitempty" qb:"max=21"`
	Email                     string   `xml:"Email,omitempty" qb:"max=1023"`
	Cc                        string   `xml:"Cc,omitempty" qb:"max=1023"`
	Contact                   string   `xml:"Contact,omitempty" qb:"max=41"`
	CustomerTypeRef           *Ref     `xml:"CustomerTypeRef,omitempty"`
	TermsRef                  *Ref     `xml:"TermsRef,omitempty"`
	SalesRepRef               *Ref     `xml:"SalesRepRef,omitempty"`
	OpenBalance               Amount   `xml:"OpenBalance"`
	OpenBalanceDate           Date     `xml:"OpenBalanceDate"`
	SalesTaxCodeRef           *Ref     `xml:"SalesTaxCodeRef,omitempty"`
	ItemSalesTaxRef           *Ref     `xml:"ItemSalesTaxRef,omitempty"`
	ResaleNumber              string   `xml:"ResaleNumber,omitempty" qb:"max=15"`
	AccountNumber             string   `xml:"AccountNumber,omitempty" qb:"max=99"`
	CreditLimit               Amount   `xml:"CreditLimit"`
	PreferredPaymentMethodRef *Ref     `xml:"PreferredPaymentMethodRef,omitempty"`
	Notes                     string   `xml:"Notes,omitempty" qb:"max=4095"`
	CurrencyRef               *Ref     `xml:"CurrencyRef,omitempty"`
}

// CustomerAddRq adds a customer.
type CustomerAddRq struct {
	RqHeader
	CustomerAdd       CustomerAdd `xml:"CustomerAdd"`
	IncludeRetElement []string    `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// CustomerMod changes a customer; ListID and the current EditSequence are required.
type CustomerMod struct {
	ListID                    string   `xml:"ListID" qb:"req,max=36"`
	EditSequence              string   `xml:"EditSequence" qb:"req,max=16"`
	Name                      string   `xml:"Name,omitempty" qb:"max=41"`
	IsActive                  *bool    `xml:"IsActive,omitempty"`
	ClassRef                  *Ref     `xml:"ClassRef,omitempty"`
	ParentRef                 *Ref     `xml:"ParentRef,omitempty"`
	CompanyName               string   `xml:"CompanyName,omitempty" qb:"max=41"`
	Salutation                string   `xml:"Salutation,omitempty" qb:"max=15"`
	FirstName                 string   `xml:"FirstName,omitempty" qb:"max=25"`
	MiddleName                string   `xml:"MiddleName,omitempty" qb:"max=5"`
	LastName                  string   `xml:"LastName,omitempty" qb:"max=25"`
	JobTitle                  string   `xml:"JobTitle,omitempty" qb:"max=41"`
	BillAddress               *Address `xml:"BillAddress,omitempty"`
	ShipAddress               *Address `xml:"ShipAddress,omitempty"`
	Phone                     string   `xml:"Phone,omitempty" qb:"max=21"`
	Mobile                    string   `xml:"Mobile,omitempty" qb:"max=21"`
	Fax                       string   `xml:"Fax,omitempty" qb:"max=21"`
	Email                     string   `xml:"Email,omitempty" qb:"max=1023"`
	Cc                        string   `xml:"Cc,omitempty" qb:"max=1023"`
	Contact                   string   `xml:"Contact,omitempty" qb:"max=41"`
	CustomerTypeRef           *Ref     `xml:"CustomerTypeRef,omitempty"`
	TermsRef                  *Ref     `xml:"TermsRef,omitempty"`
	SalesRepRef               *Ref     `xml:"SalesRepRef,omitempty"`
	SalesTaxCodeRef           *Ref     `xml:"SalesTaxCodeRef,omitempty"`
	ItemSalesTaxRef           *Ref     `xml:"ItemSalesTaxRef,omitempty"`
	ResaleNumber              string   `xml:"ResaleNumber,omitempty" qb:"max=15"`
	AccountNumber             string   `xml:"AccountNumber,omitempty" qb:"max=99"`
	CreditLimit               Amount   `xml:"CreditLimit"`
	PreferredPaymentMethodRef *Ref     `xml:"PreferredPaymentMethodRef,omitempty"`
	Notes                     string   `xml:"Notes,omitempty" qb:"max=4095"`
	CurrencyRef               *Ref     `xml:"CurrencyRef,omitempty"`
}

// CustomerModRq modifies a customer.
type CustomerModRq struct {
	RqHeader
	CustomerMod       CustomerMod `xml:"CustomerMod"`
	IncludeRetElement []string    `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// SalesOrPurchase is the price/account block of service, non-inventory and
// other-charge items used only for sales (or only for purchases).
type SalesOrPurchase struct {
	Desc         string  `xml:"Desc,omitempty" qb:"max=4095"`
	Price        Price   `xml:"Price"`
	PricePercent Percent `xml:"PricePercent"`
	AccountRef   *Ref    `xml:"AccountRef,omitempty"`
}

func (s *SalesOrPurchase) check() error {
	if s.Price.IsSet() && s.PricePercent.IsSet() {
		return errors.New("Price and PricePercent cannot both be set")
	}
	return nil
}

// SalesAndPurchase is the block for items both bought and sold.
type SalesAndPurchase struct {
	SalesDesc          string `xml:"SalesDesc,omitempty" qb:"max=4095"`
	SalesPrice         Price  `xml:"SalesPrice"`
	IncomeAccountRef   *Ref   `xml:"IncomeAccountRef,omitempty"`
	PurchaseDesc       string `xml:"PurchaseDesc,omitempty" qb:"max=4095"`
	PurchaseCost       Price  `xml:"PurchaseCost"`
	PurchaseTaxCodeRef *Ref   `xml:"PurchaseTaxCodeRef,omitempty"`
	ExpenseAccountRef  *Ref   `xml:"ExpenseAccountRef,omitempty"`
	PrefVendorRef      *Ref   `xml:"PrefVendorRef,omitempty"`
}

// itemPricing enforces the required choice SalesOrPurchase | SalesAndPurchase.
func itemPricing(sp *SalesOrPurchase, sap *SalesAndPurchase) error {
	if (sp == nil) == (sap == nil) {
		return errors.New("set exactly one of SalesOrPurchase or SalesAndPurchase")
	}
	return nil
}

// ItemNonInventoryAdd is a new non-inventory part.
type ItemNonInventoryAdd struct {
	Name                   string            `xml:"Name" qb:"req,max=31"`
	BarCode                *BarCode          `xml:"BarCode,omitempty"`
	IsActive               *bool             `xml:"IsActive,omitempty"`
	ParentRef              *Ref              `xml:"ParentRef,omitempty"`
	ClassRef               *Ref              `xml:"ClassRef,omitempty"`
	ManufacturerPartNumber string            `xml:"ManufacturerPartNumber,omitempty" qb:"max=31"`
	IsTaxIncluded          *bool             `xml:"IsTaxIncluded,omitempty"`
	SalesTaxCodeRef        *Ref              `xml:"SalesTaxCodeRef,omitempty"`
	SalesOrPurchase        *SalesOrPurchase  `xml:"SalesOrPurchase,omitempty"`
	SalesAndPurchase       *SalesAndPurchase `xml:"SalesAndPurchase,omitempty"`
}

func (i *ItemNonInventoryAdd) check() error {
	return itemPricing(i.SalesOrPurchase, i.SalesAndPurchase)
}

// BarCode sets an item's bar code.
type BarCode struct {
	BarCodeValue     string `xml:"BarCodeValue,omitempty" qb:"max=50"`
	AssignEvenIfUsed *bool  `xml:"AssignEvenIfUsed,omitempty"`
	AllowOverride    *bool  `xml:"AllowOverride,omitempty"`
}

// ItemNonInventoryAddRq adds a non-inventory part.
type ItemNonInventoryAddRq struct {
	RqHeader
	ItemNonInventoryAdd ItemNonInventoryAdd `xml:"ItemNonInventoryAdd"`
	IncludeRetElement   []string            `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// ItemInventoryAdd is a new inventory part. IncomeAccountRef, COGSAccountRef
// and AssetAccountRef are required by QuickBooks (not by the schema).
type ItemInventoryAdd struct {
	Name                   string   `xml:"Name" qb:"req,max=31"`
	BarCode                *BarCode `xml:"BarCode,omitempty"`
	IsActive               *bool    `xml:"IsActive,omitempty"`
	ClassRef               *Ref     `xml:"ClassRef,omitempty"`
	ParentRef              *Ref     `xml:"ParentRef,omitempty"`
	ManufacturerPartNumber string   `xml:"ManufacturerPartNumber,omitempty" qb:"max=31"`
	IsTaxIncluded          *bool    `xml:"IsTaxIncluded,omitempty"`
	SalesTaxCodeRef        *Ref     `xml:"SalesTaxCodeRef,omitempty"`
	SalesDesc              string   `xml:"SalesDesc,omitempty" qb:"max=4095"`
	SalesPrice             Price    `xml:"SalesPrice"`
	IncomeAccountRef       *Ref     `xml:"IncomeAccountRef,omitempty" qb:"req"`
	PurchaseDesc           string   `xml:"PurchaseDesc,omitempty" qb:"max=4095"`
	PurchaseCost           Price    `xml:"PurchaseCost"`
	COGSAccountRef         *Ref     `xml:"COGSAccountRef,omitempty" qb:"req"`
	PrefVendorRef          *Ref     `xml:"PrefVendorRef,omitempty"`
	AssetAccountRef        *Ref     `xml:"AssetAccountRef,omitempty" qb:"req"`
	ReorderPoint           Quantity `xml:"ReorderPoint"`
	Max                    Quantity `xml:"Max"`
	QuantityOnHand         Quantity `xml:"QuantityOnHand"`
	TotalValue             Amount   `xml:"TotalValue"`
	InventoryDate          Date     `xml:"InventoryDate"`
}

// ItemInventoryAddRq adds an inventory part.
type ItemInventoryAddRq struct {
	RqHeader
	ItemInventoryAdd  ItemInventoryAdd `xml:"ItemInventoryAdd"`
	IncludeRetElement []string         `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// ItemServiceAdd is a new service item.
type ItemServiceAdd struct {
	Name             string            `xml:"Name" qb:"req,max=31"`
	BarCode          *BarCode          `xml:"BarCode,omitempty"`
	IsActive         *bool             `xml:"IsActive,omitempty"`
	ClassRef         *Ref              `xml:"ClassRef,omitempty"`
	ParentRef        *Ref              `xml:"ParentRef,omitempty"`
	IsTaxIncluded    *bool             `xml:"IsTaxIncluded,omitempty"`
	SalesTaxCodeRef  *Ref              `xml:"SalesTaxCodeRef,omitempty"`
	SalesOrPurchase  *SalesOrPurchase  `xml:"SalesOrPurchase,omitempty"`
	SalesAndPurchase *SalesAndPurchase `xml:"SalesAndPurchase,omitempty"`
}

func (i *ItemServiceAdd) check() error { return itemPricing(i.SalesOrPurchase, i.SalesAndPurchase) }

// ItemServiceAddRq adds a service item.
type ItemServiceAddRq struct {
	RqHeader
	ItemServiceAdd    ItemServiceAdd `xml:"ItemServiceAdd"`
	IncludeRetElement []string       `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// ItemOtherChargeAdd is a new other-charge item (shipping, handling, fees).
type ItemOtherChargeAdd struct {
	Name             string            `xml:"Name" qb:"req,max=31"`
	BarCode          *BarCode          `xml:"BarCode,omitempty"`
	IsActive         *bool             `xml:"IsActive,omitempty"`
	ClassRef         *Ref              `xml:"ClassRef,omitempty"`
	ParentRef        *Ref              `xml:"ParentRef,omitempty"`
	IsTaxIncluded    *bool             `xml:"IsTaxIncluded,omitempty"`
	SalesTaxCodeRef  *Ref              `xml:"SalesTaxCodeRef,omitempty"`
	SalesOrPurchase  *SalesOrPurchase  `xml:"SalesOrPurchase,omitempty"`
	SalesAndPurchase *SalesAndPurchase `xml:"SalesAndPurchase,omitempty"`
}

func (i *ItemOtherChargeAdd) check() error { return itemPricing(i.SalesOrPurchase, i.SalesAndPurchase) }

// ItemOtherChargeAddRq adds an other-charge item.
type ItemOtherChargeAddRq struct {
	RqHeader
	ItemOtherChargeAdd ItemOtherChargeAdd `xml:"ItemOtherChargeAdd"`
	IncludeRetElement  []string           `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// ItemDiscountAdd is a new discount item (coupons, BigCommerce discounts).
type ItemDiscountAdd struct {
	Name                string   `xml:"Name" qb:"req,max=31"`
	BarCode             *BarCode `xml:"BarCode,omitempty"`
	IsActive            *bool    `xml:"IsActive,omitempty"`
	ClassRef            *Ref     `xml:"ClassRef,omitempty"`
	ParentRef           *Ref     `xml:"ParentRef,omitempty"`
	ItemDesc            string   `xml:"ItemDesc,omitempty" qb:"max=4095"`
	SalesTaxCodeRef     *Ref     `xml:"SalesTaxCodeRef,omitempty"`
	DiscountRate        Price    `xml:"DiscountRate"`
	DiscountRatePercent Percent  `xml:"DiscountRatePercent"`
	AccountRef          *Ref     `xml:"AccountRef,omitempty"`
}

func (i *ItemDiscountAdd) check() error {
	if i.DiscountRate.IsSet() && i.DiscountRatePercent.IsSet() {
		return errors.New("DiscountRate and DiscountRatePercent cannot both be set")
	}
	return nil
}

// ItemDiscountAddRq adds a discount item.
type ItemDiscountAddRq struct {
	RqHeader
	ItemDiscountAdd   ItemDiscountAdd `xml:"ItemDiscountAdd"`
	IncludeRetElement []string        `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// ItemSalesTaxAdd is a new sales tax item. A careful connector keeps one at
// 0 % for the transaction header (ItemSalesTaxRef) and posts the store's
// charged tax as lines of a second tax item with an explicit Amount, so
// QuickBooks' total equals the store's to the cent. QuickBooks requires a
// TaxVendorRef (the tax agency) for a nonzero TaxRate. SalesTaxReturnLineRef
// is in the schema but not in US QuickBooks Desktop (Intuit's OSR: "not in
// QBD"), so it is left out.
type ItemSalesTaxAdd struct {
	Name         string   `xml:"Name" qb:"req,max=31"`
	BarCode      *BarCode `xml:"BarCode,omitempty"`
	IsActive     *bool    `xml:"IsActive,omitempty"`
	ClassRef     *Ref     `xml:"ClassRef,omitempty"`
	ItemDesc     string   `xml:"ItemDesc,omitempty" qb:"max=4095"`
	TaxRate      Percent  `xml:"TaxRate"`
	TaxVendorRef *Ref     `xml:"TaxVendorRef,omitempty"`
}

func (i *ItemSalesTaxAdd) check() error {
	if i.TaxRate.IsSet() && !i.TaxRate.Decimal().IsZero() && i.TaxVendorRef.IsZero() {
		return errors.New("a nonzero TaxRate needs a TaxVendorRef (the tax agency); QuickBooks refuses it without")
	}
	return nil
}

// ItemSalesTaxAddRq adds a sales tax item; the response is
// ItemSalesTaxAddRs with an ItemRet of kind "ItemSalesTax".
type ItemSalesTaxAddRq struct {
	RqHeader
	ItemSalesTaxAdd   ItemSalesTaxAdd `xml:"ItemSalesTaxAdd"`
	IncludeRetElement []string        `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// DataExtDefAdd defines a custom field, e.g. "BigCommerce ID" on
// SalesReceipt/Invoice/CreditMemo/Customer, owned by OwnerID "0" (public,
// visible in QuickBooks) or by bcqb's own GUID (private).
type DataExtDefAdd struct {
	OwnerID             string   `xml:"OwnerID" qb:"req"`
	DataExtName         string   `xml:"DataExtName" qb:"req,max=31"`
	DataExtType         string   `xml:"DataExtType" qb:"req"`
	AssignToObject      []string `xml:"AssignToObject,omitempty"`
	DataExtListRequire  *bool    `xml:"DataExtListRequire,omitempty"`
	DataExtTxnRequire   *bool    `xml:"DataExtTxnRequire,omitempty"`
	DataExtFormatString string   `xml:"DataExtFormatString,omitempty"`
}

// DataExtType values.
const (
	DataExtTypeAmtType  = "AMTTYPE"
	DataExtTypeDateTime = "DATETIMETYPE"
	DataExtTypeInt      = "INTTYPE"
	DataExtTypePercent  = "PERCENTTYPE"
	DataExtTypePrice    = "PRICETYPE"
	DataExtTypeQuan     = "QUANTYPE"
	DataExtTypeStr1024  = "STR1024TYPE"
	DataExtTypeStr255   = "STR255TYPE"
)

// DataExtDefAddRq defines a custom field.
type DataExtDefAddRq struct {
	RqHeader
	DataExtDefAdd     DataExtDefAdd `xml:"DataExtDefAdd"`
	IncludeRetElement []string      `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// DataExtDefQueryRq lists custom field definitions (to see whether ours exists).
type DataExtDefQueryRq struct {
	RqHeader
	OwnerIDs          []string `xml:"OwnerID,omitempty"`
	AssignToObject    []string `xml:"AssignToObject,omitempty"`
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

func (q *DataExtDefQueryRq) check() error {
	if len(q.OwnerIDs) > 0 && len(q.AssignToObject) > 0 {
		return errors.New("choose OwnerID or AssignToObject, not both")
	}
	return nil
}

// DataExtAdd sets a custom field value on a list object (ListDataExtType +
// ListObjRef) or a transaction (TxnDataExtType + TxnID).
type DataExtAdd struct {
	OwnerID         string `xml:"OwnerID" qb:"req"`
	DataExtName     string `xml:"DataExtName" qb:"req,max=31"`
	ListDataExtType string `xml:"ListDataExtType,omitempty"`
	ListObjRef      *Ref   `xml:"ListObjRef,omitempty"`
	TxnDataExtType  string `xml:"TxnDataExtType,omitempty"`
	TxnID           string `xml:"TxnID,omitempty" qb:"max=36"`
	TxnLineID       string `xml:"TxnLineID,omitempty" qb:"max=36"`
	DataExtValue    string `xml:"DataExtValue"`
}

func (a *DataExtAdd) check() error {
	list := a.ListDataExtType != "" || a.ListObjRef != nil
	txn := a.TxnDataExtType != "" || a.TxnID != ""
	switch {
	case list && txn:
		return errors.New("set either ListDataExtType/ListObjRef or TxnDataExtType/TxnID")
	case list && (a.ListDataExtType == "" || a.ListObjRef.IsZero()):
		return errors.New("ListDataExtType and ListObjRef are both required")
	case txn && (a.TxnDataExtType == "" || a.TxnID == ""):
		return errors.New("TxnDataExtType and TxnID are both required")
	case !list && !txn:
		return errors.New("set ListDataExtType/ListObjRef or TxnDataExtType/TxnID")
	}
	return nil
}

// DataExtAddRq sets a custom field value.
type DataExtAddRq struct {
	RqHeader
	DataExtAdd DataExtAdd `xml:"DataExtAdd"`
}
