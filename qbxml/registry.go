package qbxml

import "slices"

// This file lists every request and response type by element name: the
// registry that lets ParseMessage and ParseResponse decode by name, and the
// RqName/RsName methods.

var requestTypes = map[string]func() Request{
	"HostQueryRq":               func() Request { return new(HostQueryRq) },
	"CompanyQueryRq":            func() Request { return new(CompanyQueryRq) },
	"PreferencesQueryRq":        func() Request { return new(PreferencesQueryRq) },
	"AccountQueryRq":            func() Request { return new(AccountQueryRq) },
	"AccountAddRq":              func() Request { return new(AccountAddRq) },
	"ItemQueryRq":               func() Request { return new(ItemQueryRq) },
	"ItemNonInventoryAddRq":     func() Request { return new(ItemNonInventoryAddRq) },
	"ItemInventoryAddRq":        func() Request { return new(ItemInventoryAddRq) },
	"ItemServiceAddRq":          func() Request { return new(ItemServiceAddRq) },
	"ItemOtherChargeAddRq":      func() Request { return new(ItemOtherChargeAddRq) },
	"ItemDiscountAddRq":         func() Request { return new(ItemDiscountAddRq) },
	"ItemSalesTaxQueryRq":       func() Request { return new(ItemSalesTaxQueryRq) },
	"ItemSalesTaxAddRq":         func() Request { return new(ItemSalesTaxAddRq) },
	"ItemInventoryQueryRq":      func() Request { return new(ItemInventoryQueryRq) },
	"SalesTaxCodeQueryRq":       func() Request { return new(SalesTaxCodeQueryRq) },
	"SalesTaxCodeAddRq":         func() Request { return new(SalesTaxCodeAddRq) },
	"ClassQueryRq":              func() Request { return new(ClassQueryRq) },
	"ClassAddRq":                func() Request { return new(ClassAddRq) },
	"PaymentMethodQueryRq":      func() Request { return new(PaymentMethodQueryRq) },
	"PaymentMethodAddRq":        func() Request { return new(PaymentMethodAddRq) },
	"CustomerQueryRq":           func() Request { return new(CustomerQueryRq) },
	"CustomerAddRq":             func() Request { return new(CustomerAddRq) },
	"CustomerModRq":             func() Request { return new(CustomerModRq) },
	"CurrencyQueryRq":           func() Request { return new(CurrencyQueryRq) },
	"SalesReceiptAddRq":         func() Request { return new(SalesReceiptAddRq) },
	"InvoiceAddRq":              func() Request { return new(InvoiceAddRq) },
	"ReceivePaymentAddRq":       func() Request { return new(ReceivePaymentAddRq) },
	"CreditMemoAddRq":           func() Request { return new(CreditMemoAddRq) },
	"ARRefundCreditCardAddRq":   func() Request { return new(ARRefundCreditCardAddRq) },
	"CheckAddRq":                func() Request { return new(CheckAddRq) },
	"TxnVoidRq":                 func() Request { return new(TxnVoidRq) },
	"TxnDelRq":                  func() Request { return new(TxnDelRq) },
	"SalesReceiptQueryRq":       func() Request { return new(SalesReceiptQueryRq) },
	"InvoiceQueryRq":            func() Request { return new(InvoiceQueryRq) },
	"CreditMemoQueryRq":         func() Request { return new(CreditMemoQueryRq) },
	"ReceivePaymentQueryRq":     func() Request { return new(ReceivePaymentQueryRq) },
	"ARRefundCreditCardQueryRq": func() Request { return new(ARRefundCreditCardQueryRq) },
	"CheckQueryRq":              func() Request { return new(CheckQueryRq) },
	"InventoryAdjustmentAddRq":  func() Request { return new(InventoryAdjustmentAddRq) },
	"DataExtDefAddRq":           func() Request { return new(DataExtDefAddRq) },
	"DataExtDefQueryRq":         func() Request { return new(DataExtDefQueryRq) },
	"DataExtAddRq":              func() Request { return new(DataExtAddRq) },
}

// NewRequest returns a new empty request of the named type (e.g.
// "CustomerAddRq"), for decoding; false when this package has no such type.
func NewRequest(name string) (Request, bool) {
	f, ok := requestTypes[name]
	if !ok {
		return nil, false
	}
	return f(), true
}

// RequestNames lists the request element names this package knows.
func RequestNames() []string { return sortedKeys(requestTypes) }

var responseTypes = map[string]func() Response{
	"HostQueryRs":               func() Response { return new(HostQueryRs) },
	"CompanyQueryRs":            func() Response { return new(CompanyQueryRs) },
	"PreferencesQueryRs":        func() Response { return new(PreferencesQueryRs) },
	"AccountQueryRs":            func() Response { return new(AccountQueryRs) },
	"AccountAddRs":              func() Response { return new(AccountAddRs) },
	"ItemQueryRs":               func() Response { return new(ItemQueryRs) },
	"ItemNonInventoryAddRs":     func() Response { return new(ItemNonInventoryAddRs) },
	"ItemInventoryAddRs":        func() Response { return new(ItemInventoryAddRs) },
	"ItemServiceAddRs":          func() Response { return new(ItemServiceAddRs) },
	"ItemOtherChargeAddRs":      func() Response { return new(ItemOtherChargeAddRs) },
	"ItemDiscountAddRs":         func() Response { return new(ItemDiscountAddRs) },
	"ItemSalesTaxQueryRs":       func() Response { return new(ItemSalesTaxQueryRs) },
	"ItemSalesTaxAddRs":         func() Response { return new(ItemSalesTaxAddRs) },
	"ItemInventoryQueryRs":      func() Response { return new(ItemInventoryQueryRs) },
	"SalesTaxCodeQueryRs":       func() Response { return new(SalesTaxCodeQueryRs) },
	"SalesTaxCodeAddRs":         func() Response { return new(SalesTaxCodeAddRs) },
	"ClassQueryRs":              func() Response { return new(ClassQueryRs) },
	"ClassAddRs":                func() Response { return new(ClassAddRs) },
	"PaymentMethodQueryRs":      func() Response { return new(PaymentMethodQueryRs) },
	"PaymentMethodAddRs":        func() Response { return new(PaymentMethodAddRs) },
	"CustomerQueryRs":           func() Response { return new(CustomerQueryRs) },
	"CustomerAddRs":             func() Response { return new(CustomerAddRs) },
	"CustomerModRs":             func() Response { return new(CustomerModRs) },
	"CurrencyQueryRs":           func() Response { return new(CurrencyQueryRs) },
	"SalesReceiptAddRs":         func() Response { return new(SalesReceiptAddRs) },
	"SalesReceiptQueryRs":       func() Response { return new(SalesReceiptQueryRs) },
	"InvoiceAddRs":              func() Response { return new(InvoiceAddRs) },
	"InvoiceQueryRs":            func() Response { return new(InvoiceQueryRs) },
	"CreditMemoAddRs":           func() Response { return new(CreditMemoAddRs) },
	"CreditMemoQueryRs":         func() Response { return new(CreditMemoQueryRs) },
	"ReceivePaymentAddRs":       func() Response { return new(ReceivePaymentAddRs) },
	"ReceivePaymentQueryRs":     func() Response { return new(ReceivePaymentQueryRs) },
	"ARRefundCreditCardAddRs":   func() Response { return new(ARRefundCreditCardAddRs) },
	"ARRefundCreditCardQueryRs": func() Response { return new(ARRefundCreditCardQueryRs) },
	"CheckAddRs":                func() Response { return new(CheckAddRs) },
	"CheckQueryRs":              func() Response { return new(CheckQueryRs) },
	"InventoryAdjustmentAddRs":  func() Response { return new(InventoryAdjustmentAddRs) },
	"DataExtDefAddRs":           func() Response { return new(DataExtDefAddRs) },
	"DataExtDefQueryRs":         func() Response { return new(DataExtDefQueryRs) },
	"DataExtAddRs":              func() Response { return new(DataExtAddRs) },
	"TxnVoidRs":                 func() Response { return new(TxnVoidRs) },
	"TxnDelRs":                  func() Response { return new(TxnDelRs) },
}

// NewResponse returns a new empty response of the named type (e.g.
// "CustomerAddRs"), for decoding or for the simulator to fill; false when
// this package has no such type.
func NewResponse(name string) (Response, bool) {
	f, ok := responseTypes[name]
	if !ok {
		return nil, false
	}
	return f(), true
}

// ResponseNames lists the response element names this package knows.
func ResponseNames() []string { return sortedKeys(responseTypes) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// RqName returns "HostQueryRq".
func (*HostQueryRq) RqName() string { return "HostQueryRq" }

// RqName returns "CompanyQueryRq".
func (*CompanyQueryRq) RqName() string { return "CompanyQueryRq" }

// RqName returns "PreferencesQueryRq".
func (*PreferencesQueryRq) RqName() string { return "PreferencesQueryRq" }

// RqName returns "AccountQueryRq".
func (*AccountQueryRq) RqName() string { return "AccountQueryRq" }

// RqName returns "AccountAddRq".
func (*AccountAddRq) RqName() string { return "AccountAddRq" }

// RqName returns "ItemQueryRq".
func (*ItemQueryRq) RqName() string { return "ItemQueryRq" }

// RqName returns "ItemNonInventoryAddRq".
func (*ItemNonInventoryAddRq) RqName() string { return "ItemNonInventoryAddRq" }

// RqName returns "ItemInventoryAddRq".
func (*ItemInventoryAddRq) RqName() string { return "ItemInventoryAddRq" }

// RqName returns "ItemServiceAddRq".
func (*ItemServiceAddRq) RqName() string { return "ItemServiceAddRq" }

// RqName returns "ItemOtherChargeAddRq".
func (*ItemOtherChargeAddRq) RqName() string { return "ItemOtherChargeAddRq" }

// RqName returns "ItemDiscountAddRq".
func (*ItemDiscountAddRq) RqName() string { return "ItemDiscountAddRq" }

// RqName returns "ItemSalesTaxQueryRq".
func (*ItemSalesTaxQueryRq) RqName() string { return "ItemSalesTaxQueryRq" }

// RqName returns "ItemSalesTaxAddRq".
func (*ItemSalesTaxAddRq) RqName() string { return "ItemSalesTaxAddRq" }

// RqName returns "ItemInventoryQueryRq".
func (*ItemInventoryQueryRq) RqName() string { return "ItemInventoryQueryRq" }

// RqName returns "SalesTaxCodeQueryRq".
func (*SalesTaxCodeQueryRq) RqName() string { return "SalesTaxCodeQueryRq" }

// RqName returns "SalesTaxCodeAddRq".
func (*SalesTaxCodeAddRq) RqName() string { return "SalesTaxCodeAddRq" }

// RqName returns "ClassQueryRq".
func (*ClassQueryRq) RqName() string { return "ClassQueryRq" }

// RqName returns "ClassAddRq".
func (*ClassAddRq) RqName() string { return "ClassAddRq" }

// RqName returns "PaymentMethodQueryRq".
func (*PaymentMethodQueryRq) RqName() string { return "PaymentMethodQueryRq" }

// RqName returns "PaymentMethodAddRq".
func (*PaymentMethodAddRq) RqName() string { return "PaymentMethodAddRq" }

// RqName returns "CustomerQueryRq".
func (*CustomerQueryRq) RqName() string { return "CustomerQueryRq" }

// RqName returns "CustomerAddRq".
func (*CustomerAddRq) RqName() string { return "CustomerAddRq" }

// RqName returns "CustomerModRq".
func (*CustomerModRq) RqName() string { return "CustomerModRq" }

// RqName returns "CurrencyQueryRq".
func (*CurrencyQueryRq) RqName() string { return "CurrencyQueryRq" }

// RqName returns "SalesReceiptAddRq".
func (*SalesReceiptAddRq) RqName() string { return "SalesReceiptAddRq" }

// RqName returns "InvoiceAddRq".
func (*InvoiceAddRq) RqName() string { return "InvoiceAddRq" }

// RqName returns "ReceivePaymentAddRq".
func (*ReceivePaymentAddRq) RqName() string { return "ReceivePaymentAddRq" }

// RqName returns "CreditMemoAddRq".
func (*CreditMemoAddRq) RqName() string { return "CreditMemoAddRq" }

// RqName returns "ARRefundCreditCardAddRq".
func (*ARRefundCreditCardAddRq) RqName() string { return "ARRefundCreditCardAddRq" }

// RqName returns "CheckAddRq".
func (*CheckAddRq) RqName() string { return "CheckAddRq" }

// RqName returns "TxnVoidRq".
func (*TxnVoidRq) RqName() string { return "TxnVoidRq" }

// RqName returns "TxnDelRq".
func (*TxnDelRq) RqName() string { return "TxnDelRq" }

// RqName returns "SalesReceiptQueryRq".
func (*SalesReceiptQueryRq) RqName() string { return "SalesReceiptQueryRq" }

// RqName returns "InvoiceQueryRq".
func (*InvoiceQueryRq) RqName() string { return "InvoiceQueryRq" }

// RqName returns "CreditMemoQueryRq".
func (*CreditMemoQueryRq) RqName() string { return "CreditMemoQueryRq" }

// RqName returns "ReceivePaymentQueryRq".
func (*ReceivePaymentQueryRq) RqName() string { return "ReceivePaymentQueryRq" }

// RqName returns "ARRefundCreditCardQueryRq".
func (*ARRefundCreditCardQueryRq) RqName() string { return "ARRefundCreditCardQueryRq" }

// RqName returns "CheckQueryRq".
func (*CheckQueryRq) RqName() string { return "CheckQueryRq" }

// RqName returns "InventoryAdjustmentAddRq".
func (*InventoryAdjustmentAddRq) RqName() string { return "InventoryAdjustmentAddRq" }

// RqName returns "DataExtDefAddRq".
func (*DataExtDefAddRq) RqName() string { return "DataExtDefAddRq" }

// RqName returns "DataExtDefQueryRq".
func (*DataExtDefQueryRq) RqName() string { return "DataExtDefQueryRq" }

// RqName returns "DataExtAddRq".
func (*DataExtAddRq) RqName() string { return "DataExtAddRq" }

// HostQueryRs answers HostQueryRq.
type HostQueryRs struct {
	RsHeader
	Host *HostRet `xml:"HostRet,omitempty"`
}

// RsName returns "HostQueryRs".
func (*HostQueryRs) RsName() string { return "HostQueryRs" }

// CompanyQueryRs answers CompanyQueryRq.
type CompanyQueryRs struct {
	RsHeader
	Company *CompanyRet `xml:"CompanyRet,omitempty"`
}

// RsName returns "CompanyQueryRs".
func (*CompanyQueryRs) RsName() string { return "CompanyQueryRs" }

// PreferencesQueryRs answers PreferencesQueryRq.
type PreferencesQueryRs struct {
	RsHeader
	Preferences *PreferencesRet `xml:"PreferencesRet,omitempty"`
}

// RsName returns "PreferencesQueryRs".
func (*PreferencesQueryRs) RsName() string { return "PreferencesQueryRs" }

// AccountQueryRs answers AccountQueryRq.
type AccountQueryRs struct {
	RsHeader
	Accounts []AccountRet `xml:"AccountRet,omitempty"`
}

// RsName returns "AccountQueryRs".
func (*AccountQueryRs) RsName() string { return "AccountQueryRs" }

// AccountAddRs answers AccountAddRq with the new account.
type AccountAddRs struct {
	RsHeader
	Account *AccountRet `xml:"AccountRet,omitempty"`
}

// RsName returns "AccountAddRs".
func (*AccountAddRs) RsName() string { return "AccountAddRs" }

// ItemQueryRs answers ItemQueryRq.
type ItemQueryRs struct {
	RsHeader
	Items []ItemRet `xml:",any"`
}

// RsName returns "ItemQueryRs".
func (*ItemQueryRs) RsName() string { return "ItemQueryRs" }

// ItemNonInventoryAddRs answers ItemNonInventoryAddRq.
type ItemNonInventoryAddRs struct {
	RsHeader
	Item *ItemRet `xml:"ItemNonInventoryRet,omitempty"`
}

// RsName returns "ItemNonInventoryAddRs".
func (*ItemNonInventoryAddRs) RsName() string { return "ItemNonInventoryAddRs" }

// ItemInventoryAddRs answers ItemInventoryAddRq.
type ItemInventoryAddRs struct {
	RsHeader
	Item *ItemRet `xml:"ItemInventoryRet,omitempty"`
}

// RsName returns "ItemInventoryAddRs".
func (*ItemInventoryAddRs) RsName() string { return "ItemInventoryAddRs" }

// ItemServiceAddRs answers ItemServiceAddRq.
type ItemServiceAddRs struct {
	RsHeader
	Item *ItemRet `xml:"ItemServiceRet,omitempty"`
}

// RsName returns "ItemServiceAddRs".
func (*ItemServiceAddRs) RsName() string { return "ItemServiceAddRs" }

// ItemOtherChargeAddRs answers ItemOtherChargeAddRq.
type ItemOtherChargeAddRs struct {
	RsHeader
	Item *ItemRet `xml:"ItemOtherChargeRet,omitempty"`
}

// RsName returns "ItemOtherChargeAddRs".
func (*ItemOtherChargeAddRs) RsName() string { return "ItemOtherChargeAddRs" }

// ItemDiscountAddRs answers ItemDiscountAddRq.
type ItemDiscountAddRs struct {
	RsHeader
	Item *ItemRet `xml:"ItemDiscountRet,omitempty"`
}

// RsName returns "ItemDiscountAddRs".
func (*ItemDiscountAddRs) RsName() string { return "ItemDiscountAddRs" }

// ItemSalesTaxQueryRs answers ItemSalesTaxQueryRq.
type ItemSalesTaxQueryRs struct {
	RsHeader
	Items []ItemRet `xml:"ItemSalesTaxRet,omitempty"`
}

// RsName returns "ItemSalesTaxQueryRs".
func (*ItemSalesTaxQueryRs) RsName() string { return "ItemSalesTaxQueryRs" }

// ItemSalesTaxAddRs answers ItemSalesTaxAddRq with the new item (Kind "ItemSalesTax"; TaxRate and TaxVendorRef set).
type ItemSalesTaxAddRs struct {
	RsHeader
	Item *ItemRet `xml:"ItemSalesTaxRet,omitempty"`
}

// RsName returns "ItemSalesTaxAddRs".
func (*ItemSalesTaxAddRs) RsName() string { return "ItemSalesTaxAddRs" }

// ItemInventoryQueryRs answers ItemInventoryQueryRq.
type ItemInventoryQueryRs struct {
	RsHeader
	Items []ItemRet `xml:"ItemInventoryRet,omitempty"`
}

// RsName returns "ItemInventoryQueryRs".
func (*ItemInventoryQueryRs) RsName() string { return "ItemInventoryQueryRs" }

// SalesTaxCodeQueryRs answers SalesTaxCodeQueryRq.
type SalesTaxCodeQueryRs struct {
	RsHeader
	SalesTaxCodes []SalesTaxCodeRet `xml:"SalesTaxCodeRet,omitempty"`
}

// RsName returns "SalesTaxCodeQueryRs".
func (*SalesTaxCodeQueryRs) RsName() string { return "SalesTaxCodeQueryRs" }

// SalesTaxCodeAddRs answers SalesTaxCodeAddRq with the new code.
type SalesTaxCodeAddRs struct {
	RsHeader
	SalesTaxCode *SalesTaxCodeRet `xml:"SalesTaxCodeRet,omitempty"`
}

// RsName returns "SalesTaxCodeAddRs".
func (*SalesTaxCodeAddRs) RsName() string { return "SalesTaxCodeAddRs" }

// ClassQueryRs answers ClassQueryRq.
type ClassQueryRs struct {
	RsHeader
	Classes []ClassRet `xml:"ClassRet,omitempty"`
}

// RsName returns "ClassQueryRs".
func (*ClassQueryRs) RsName() string { return "ClassQueryRs" }

// ClassAddRs answers ClassAddRq with the new class.
type ClassAddRs struct {
	RsHeader
	Class *ClassRet `xml:"ClassRet,omitempty"`
}

// RsName returns "ClassAddRs".
func (*ClassAddRs) RsName() string { return "ClassAddRs" }

// PaymentMethodQueryRs answers PaymentMethodQueryRq.
type PaymentMethodQueryRs struct {
	RsHeader
	PaymentMethods []PaymentMethodRet `xml:"PaymentMethodRet,omitempty"`
}

// RsName returns "PaymentMethodQueryRs".
func (*PaymentMethodQueryRs) RsName() string { return "PaymentMethodQueryRs" }

// PaymentMethodAddRs answers PaymentMethodAddRq.
type PaymentMethodAddRs struct {
	RsHeader
	PaymentMethod *PaymentMethodRet `xml:"PaymentMethodRet,omitempty"`
}

// RsName returns "PaymentMethodAddRs".
func (*PaymentMethodAddRs) RsName() string { return "PaymentMethodAddRs" }

// CustomerQueryRs answers CustomerQueryRq.
type CustomerQueryRs struct {
	RsHeader
	Customers []CustomerRet `xml:"CustomerRet,omitempty"`
}

// RsName returns "CustomerQueryRs".
func (*CustomerQueryRs) RsName() string { return "CustomerQueryRs" }

// CustomerAddRs answers CustomerAddRq.
type CustomerAddRs struct {
	RsHeader
	Customer *CustomerRet `xml:"CustomerRet,omitempty"`
}

// RsName returns "CustomerAddRs".
func (*CustomerAddRs) RsName() string { return "CustomerAddRs" }

// CustomerModRs answers CustomerModRq.
type CustomerModRs struct {
	RsHeader
	Customer *CustomerRet `xml:"CustomerRet,omitempty"`
}

// RsName returns "CustomerModRs".
func (*CustomerModRs) RsName() string { return "CustomerModRs" }

// CurrencyQueryRs answers CurrencyQueryRq.
type CurrencyQueryRs struct {
	RsHeader
	Currencies []CurrencyRet `xml:"CurrencyRet,omitempty"`
}

// RsName returns "CurrencyQueryRs".
func (*CurrencyQueryRs) RsName() string { return "CurrencyQueryRs" }

// SalesReceiptAddRs answers SalesReceiptAddRq.
type SalesReceiptAddRs struct {
	RsHeader
	SalesReceipt *SalesReceiptRet `xml:"SalesReceiptRet,omitempty"`
}

// RsName returns "SalesReceiptAddRs".
func (*SalesReceiptAddRs) RsName() string { return "SalesReceiptAddRs" }

// SalesReceiptQueryRs answers SalesReceiptQueryRq.
type SalesReceiptQueryRs struct {
	RsHeader
	SalesReceipts []SalesReceiptRet `xml:"SalesReceiptRet,omitempty"`
}

// RsName returns "SalesReceiptQueryRs".
func (*SalesReceiptQueryRs) RsName() string { return "SalesReceiptQueryRs" }

// InvoiceAddRs answers InvoiceAddRq.
type InvoiceAddRs struct {
	RsHeader
	Invoice *InvoiceRet `xml:"InvoiceRet,omitempty"`
}

// RsName returns "InvoiceAddRs".
func (*InvoiceAddRs) RsName() string { return "InvoiceAddRs" }

// InvoiceQueryRs answers InvoiceQueryRq.
type InvoiceQueryRs struct {
	RsHeader
	Invoices []InvoiceRet `xml:"InvoiceRet,omitempty"`
}

// RsName returns "InvoiceQueryRs".
func (*InvoiceQueryRs) RsName() string { return "InvoiceQueryRs" }

// CreditMemoAddRs answers CreditMemoAddRq.
type CreditMemoAddRs struct {
	RsHeader
	CreditMemo *CreditMemoRet `xml:"CreditMemoRet,omitempty"`
}

// RsName returns "CreditMemoAddRs".
func (*CreditMemoAddRs) RsName() string { return "CreditMemoAddRs" }

// CreditMemoQueryRs answers CreditMemoQueryRq.
type CreditMemoQueryRs struct {
	RsHeader
	CreditMemos []CreditMemoRet `xml:"CreditMemoRet,omitempty"`
}

// RsName returns "CreditMemoQueryRs".
func (*CreditMemoQueryRs) RsName() string { return "CreditMemoQueryRs" }

// ReceivePaymentAddRs answers ReceivePaymentAddRq.
type ReceivePaymentAddRs struct {
	RsHeader
	ReceivePayment *ReceivePaymentRet `xml:"ReceivePaymentRet,omitempty"`
}

// RsName returns "ReceivePaymentAddRs".
func (*ReceivePaymentAddRs) RsName() string { return "ReceivePaymentAddRs" }

// ReceivePaymentQueryRs answers ReceivePaymentQueryRq.
type ReceivePaymentQueryRs struct {
	RsHeader
	ReceivePayments []ReceivePaymentRet `xml:"ReceivePaymentRet,omitempty"`
}

// RsName returns "ReceivePaymentQueryRs".
func (*ReceivePaymentQueryRs) RsName() string { return "ReceivePaymentQueryRs" }

// ARRefundCreditCardAddRs answers ARRefundCreditCardAddRq.
type ARRefundCreditCardAddRs struct {
	RsHeader
	ARRefundCreditCard *ARRefundCreditCardRet `xml:"ARRefundCreditCardRet,omitempty"`
}

// RsName returns "ARRefundCreditCardAddRs".
func (*ARRefundCreditCardAddRs) RsName() string { return "ARRefundCreditCardAddRs" }

// ARRefundCreditCardQueryRs answers ARRefundCreditCardQueryRq.
type ARRefundCreditCardQueryRs struct {
	RsHeader
	ARRefundCreditCards []ARRefundCreditCardRet `xml:"ARRefundCreditCardRet,omitempty"`
}

// RsName returns "ARRefundCreditCardQueryRs".
func (*ARRefundCreditCardQueryRs) RsName() string { return "ARRefundCreditCardQueryRs" }

// CheckAddRs answers CheckAddRq.
type CheckAddRs struct {
	RsHeader
	Check *CheckRet `xml:"CheckRet,omitempty"`
}

// RsName returns "CheckAddRs".
func (*CheckAddRs) RsName() string { return "CheckAddRs" }

// CheckQueryRs answers CheckQueryRq.
type CheckQueryRs struct {
	RsHeader
	Checks []CheckRet `xml:"CheckRet,omitempty"`
}

// RsName returns "CheckQueryRs".
func (*CheckQueryRs) RsName() string { return "CheckQueryRs" }

// InventoryAdjustmentAddRs answers InventoryAdjustmentAddRq.
type InventoryAdjustmentAddRs struct {
	RsHeader
	InventoryAdjustment *InventoryAdjustmentRet `xml:"InventoryAdjustmentRet,omitempty"`
}

// RsName returns "InventoryAdjustmentAddRs".
func (*InventoryAdjustmentAddRs) RsName() string { return "InventoryAdjustmentAddRs" }

// DataExtDefAddRs answers DataExtDefAddRq.
type DataExtDefAddRs struct {
	RsHeader
	DataExtDef *DataExtDefRet `xml:"DataExtDefRet,omitempty"`
}

// RsName returns "DataExtDefAddRs".
func (*DataExtDefAddRs) RsName() string { return "DataExtDefAddRs" }

// DataExtDefQueryRs answers DataExtDefQueryRq.
type DataExtDefQueryRs struct {
	RsHeader
	DataExtDefs []DataExtDefRet `xml:"DataExtDefRet,omitempty"`
}

// RsName returns "DataExtDefQueryRs".
func (*DataExtDefQueryRs) RsName() string { return "DataExtDefQueryRs" }

// DataExtAddRs answers DataExtAddRq.
type DataExtAddRs struct {
	RsHeader
	DataExt *DataExtRet `xml:"DataExtRet,omitempty"`
}

// RsName returns "DataExtAddRs".
func (*DataExtAddRs) RsName() string { return "DataExtAddRs" }

// TxnVoidRs answers TxnVoidRq.
type TxnVoidRs struct {
	RsHeader
	TxnVoidType  string   `xml:"TxnVoidType,omitempty"`
	TxnID        string   `xml:"TxnID,omitempty"`
	TimeCreated  DateTime `xml:"TimeCreated"`
	TimeModified DateTime `xml:"TimeModified"`
	RefNumber    string   `xml:"RefNumber,omitempty"`
}

// RsName returns "TxnVoidRs".
func (*TxnVoidRs) RsName() string { return "TxnVoidRs" }

// TxnDelRs answers TxnDelRq.
type TxnDelRs struct {
	RsHeader
	TxnDelType  string   `xml:"TxnDelType,omitempty"`
	TxnID       string   `xml:"TxnID,omitempty"`
	TimeDeleted DateTime `xml:"TimeDeleted"`
	RefNumber   string   `xml:"RefNumber,omitempty"`
}

// RsName returns "TxnDelRs".
func (*TxnDelRs) RsName() string { return "TxnDelRs" }
