package qbxml

import (
	"errors"
	"fmt"
)

// SalesLineAdd is one line of a sales receipt, invoice or credit memo
// (SalesReceiptLineAdd, InvoiceLineAdd and CreditMemoLineAdd share these
// elements in this order). Set Rate or RatePercent, not both; when Quantity
// and Rate are set QuickBooks computes Amount, so send Amount too only when
// it equals Quantity×Rate rounded to cents.
type SalesLineAdd struct {
	ItemRef                *Ref     `xml:"ItemRef,omitempty"`
	Desc                   string   `xml:"Desc,omitempty" qb:"max=4095"`
	Quantity               Quantity `xml:"Quantity"`
	UnitOfMeasure          string   `xml:"UnitOfMeasure,omitempty" qb:"max=31"`
	Rate                   Price    `xml:"Rate"`
	RatePercent            Percent  `xml:"RatePercent"`
	ClassRef               *Ref     `xml:"ClassRef,omitempty"`
	Amount                 Amount   `xml:"Amount"`
	InventorySiteRef       *Ref     `xml:"InventorySiteRef,omitempty"`
	ServiceDate            Date     `xml:"ServiceDate"`
	SalesTaxCodeRef        *Ref     `xml:"SalesTaxCodeRef,omitempty"`
	OverrideItemAccountRef *Ref     `xml:"OverrideItemAccountRef,omitempty"`
	Other1                 string   `xml:"Other1,omitempty" qb:"max=29"`
	Other2                 string   `xml:"Other2,omitempty" qb:"max=29"`
}

func (l *SalesLineAdd) check() error {
	if l.Rate.IsSet() && l.RatePercent.IsSet() {
		return errors.New("set Rate or RatePercent, not both")
	}
	return nil
}

// SalesReceiptAdd is a paid sale (a BigCommerce order captured at checkout).
//
// ExchangeRate, here and on InvoiceAdd, CreditMemoAdd, ReceivePaymentAdd and
// ARRefundCreditCardAdd, is for multicurrency company files: units of home
// currency per unit of the customer's currency (a transaction is in its
// customer's currency); left out, QuickBooks uses the currency list's rate.
type SalesReceiptAdd struct {
	CustomerRef             *Ref           `xml:"CustomerRef,omitempty"`
	ClassRef                *Ref           `xml:"ClassRef,omitempty"`
	TemplateRef             *Ref           `xml:"TemplateRef,omitempty"`
	TxnDate                 Date           `xml:"TxnDate"`
	RefNumber               string         `xml:"RefNumber,omitempty" qb:"max=11"`
	BillAddress             *Address       `xml:"BillAddress,omitempty"`
	ShipAddress             *Address       `xml:"ShipAddress,omitempty"`
	IsPending               *bool          `xml:"IsPending,omitempty"`
	CheckNumber             string         `xml:"CheckNumber,omitempty" qb:"max=25"`
	PaymentMethodRef        *Ref           `xml:"PaymentMethodRef,omitempty"`
	DueDate                 Date           `xml:"DueDate"`
	SalesRepRef             *Ref           `xml:"SalesRepRef,omitempty"`
	ShipDate                Date           `xml:"ShipDate"`
	ShipMethodRef           *Ref           `xml:"ShipMethodRef,omitempty"`
	FOB                     string         `xml:"FOB,omitempty" qb:"max=13"`
	ItemSalesTaxRef         *Ref           `xml:"ItemSalesTaxRef,omitempty"`
	Memo                    string         `xml:"Memo,omitempty" qb:"max=4095"`
	CustomerMsgRef          *Ref           `xml:"CustomerMsgRef,omitempty"`
	IsToBePrinted           *bool          `xml:"IsToBePrinted,omitempty"`
	IsToBeEmailed           *bool          `xml:"IsToBeEmailed,omitempty"`
	IsTaxIncluded           *bool          `xml:"IsTaxIncluded,omitempty"`
	CustomerSalesTaxCodeRef *Ref           `xml:"CustomerSalesTaxCodeRef,omitempty"`
	DepositToAccountRef     *Ref           `xml:"DepositToAccountRef,omitempty"`
	Other                   string         `xml:"Other,omitempty" qb:"max=29"`
	ExchangeRate            Float          `xml:"ExchangeRate"`
	Lines                   []SalesLineAdd `xml:"SalesReceiptLineAdd" qb:"req"`
}

// SalesReceiptAddRq adds a sales receipt.
type SalesReceiptAddRq struct {
	RqHeader
	SalesReceiptAdd   SalesReceiptAdd `xml:"SalesReceiptAdd"`
	IncludeRetElement []string        `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// InvoiceAdd is an unpaid sale (an order awaiting payment).
type InvoiceAdd struct {
	CustomerRef             *Ref           `xml:"CustomerRef,omitempty" qb:"req"`
	ClassRef                *Ref           `xml:"ClassRef,omitempty"`
	ARAccountRef            *Ref           `xml:"ARAccountRef,omitempty"`
	TemplateRef             *Ref           `xml:"TemplateRef,omitempty"`
	TxnDate                 Date           `xml:"TxnDate"`
	RefNumber               string         `xml:"RefNumber,omitempty" qb:"max=11"`
	BillAddress             *Address       `xml:"BillAddress,omitempty"`
	ShipAddress             *Address       `xml:"ShipAddress,omitempty"`
	IsPending               *bool          `xml:"IsPending,omitempty"`
	PONumber                string         `xml:"PONumber,omitempty" qb:"max=25"`
	TermsRef                *Ref           `xml:"TermsRef,omitempty"`
	DueDate                 Date           `xml:"DueDate"`
	SalesRepRef             *Ref           `xml:"SalesRepRef,omitempty"`
	FOB                     string         `xml:"FOB,omitempty" qb:"max=13"`
	ShipDate                Date           `xml:"ShipDate"`
	ShipMethodRef           *Ref           `xml:"ShipMethodRef,omitempty"`
	ItemSalesTaxRef         *Ref           `xml:"ItemSalesTaxRef,omitempty"`
	Memo                    string         `xml:"Memo,omitempty" qb:"max=4095"`
	CustomerMsgRef          *Ref           `xml:"CustomerMsgRef,omitempty"`
	IsToBePrinted           *bool          `xml:"IsToBePrinted,omitempty"`
	IsToBeEmailed           *bool          `xml:"IsToBeEmailed,omitempty"`
	IsTaxIncluded           *bool          `xml:"IsTaxIncluded,omitempty"`
	CustomerSalesTaxCodeRef *Ref           `xml:"CustomerSalesTaxCodeRef,omitempty"`
	Other                   string         `xml:"Other,omitempty" qb:"max=29"`
	ExchangeRate            Float          `xml:"ExchangeRate"`
	Lines                   []SalesLineAdd `xml:"InvoiceLineAdd"`
}

// InvoiceAddRq adds an invoice.
type InvoiceAddRq struct {
	RqHeader
	InvoiceAdd        InvoiceAdd `xml:"InvoiceAdd"`
	IncludeRetElement []string   `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// CreditMemoAdd is a refund or return credited to the customer.
type CreditMemoAdd struct {
	CustomerRef             *Ref           `xml:"CustomerRef,omitempty" qb:"req"`
	ClassRef                *Ref           `xml:"ClassRef,omitempty"`
	ARAccountRef            *Ref           `xml:"ARAccountRef,omitempty"`
	TemplateRef             *Ref           `xml:"TemplateRef,omitempty"`
	TxnDate                 Date           `xml:"TxnDate"`
	RefNumber               string         `xml:"RefNumber,omitempty" qb:"max=11"`
	BillAddress             *Address       `xml:"BillAddress,omitempty"`
	ShipAddress             *Address       `xml:"ShipAddress,omitempty"`
	IsPending               *bool          `xml:"IsPending,omitempty"`
	PONumber                string         `xml:"PONumber,omitempty" qb:"max=25"`
	TermsRef                *Ref           `xml:"TermsRef,omitempty"`
	DueDate                 Date           `xml:"DueDate"`
	SalesRepRef             *Ref           `xml:"SalesRepRef,omitempty"`
	FOB                     string         `xml:"FOB,omitempty" qb:"max=13"`
	ShipDate                Date           `xml:"ShipDate"`
	ShipMethodRef           *Ref           `xml:"ShipMethodRef,omitempty"`
	ItemSalesTaxRef         *Ref           `xml:"ItemSalesTaxRef,omitempty"`
	Memo                    string         `xml:"Memo,omitempty" qb:"max=4095"`
	CustomerMsgRef          *Ref           `xml:"CustomerMsgRef,omitempty"`
	IsToBePrinted           *bool          `xml:"IsToBePrinted,omitempty"`
	IsToBeEmailed           *bool          `xml:"IsToBeEmailed,omitempty"`
	IsTaxIncluded           *bool          `xml:"IsTaxIncluded,omitempty"`
	CustomerSalesTaxCodeRef *Ref           `xml:"CustomerSalesTaxCodeRef,omitempty"`
	Other                   string         `xml:"Other,omitempty" qb:"max=29"`
	ExchangeRate            Float          `xml:"ExchangeRate"`
	Lines                   []SalesLineAdd `xml:"CreditMemoLineAdd" qb:"req"`
}

// CreditMemoAddRq adds a credit memo.
type CreditMemoAddRq struct {
	RqHeader
	CreditMemoAdd     CreditMemoAdd `xml:"CreditMemoAdd"`
	IncludeRetElement []string      `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// AppliedToTxnAdd applies part of a payment to an invoice, and with
// SetCredit the customer's credits (credit memos) to it as well.
type AppliedToTxnAdd struct {
	TxnID              string      `xml:"TxnID" qb:"req,max=36"`
	PaymentAmount      Amount      `xml:"PaymentAmount"`
	SetCredit          []SetCredit `xml:"SetCredit"`
	DiscountAmount     Amount      `xml:"DiscountAmount"`
	DiscountAccountRef *Ref        `xml:"DiscountAccountRef,omitempty"`
}

// SetCredit uses AppliedAmount of a credit (a credit memo, by its TxnID) on
// the invoice of the AppliedToTxnAdd holding it. A ReceivePaymentAdd may
// carry only credits: TotalAmount 0 and PaymentAmount 0 apply a credit memo
// to an invoice with no money received. Override (QuickBooks' "apply
// anyway") is left out unless set.
type SetCredit struct {
	CreditTxnID   string `xml:"CreditTxnID" qb:"req,max=36"`
	AppliedAmount Amount `xml:"AppliedAmount" qb:"req"`
	Override      *bool  `xml:"Override,omitempty"`
}

// ReceivePaymentAdd records a customer payment against invoices. Set
// IsAutoApply or AppliedToTxns, not both.
type ReceivePaymentAdd struct {
	CustomerRef         *Ref              `xml:"CustomerRef,omitempty" qb:"req"`
	ARAccountRef        *Ref              `xml:"ARAccountRef,omitempty"`
	TxnDate             Date              `xml:"TxnDate"`
	RefNumber           string            `xml:"RefNumber,omitempty" qb:"max=20"`
	TotalAmount         Amount            `xml:"TotalAmount"`
	ExchangeRate        Float             `xml:"ExchangeRate"`
	PaymentMethodRef    *Ref              `xml:"PaymentMethodRef,omitempty"`
	Memo                string            `xml:"Memo,omitempty" qb:"max=4095"`
	DepositToAccountRef *Ref              `xml:"DepositToAccountRef,omitempty"`
	IsAutoApply         *bool             `xml:"IsAutoApply,omitempty"`
	AppliedToTxns       []AppliedToTxnAdd `xml:"AppliedToTxnAdd"`
}

func (p *ReceivePaymentAdd) check() error {
	if (p.IsAutoApply == nil) == (len(p.AppliedToTxns) == 0) {
		return errors.New("set exactly one of IsAutoApply or AppliedToTxnAdd")
	}
	return nil
}

// ReceivePaymentAddRq adds a received payment.
type ReceivePaymentAddRq struct {
	RqHeader
	ReceivePaymentAdd ReceivePaymentAdd `xml:"ReceivePaymentAdd"`
	IncludeRetElement []string          `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// RefundAppliedToTxnAdd names the credit memo (or payment) a refund pays out.
type RefundAppliedToTxnAdd struct {
	TxnID        string `xml:"TxnID" qb:"req,max=36"`
	RefundAmount Amount `xml:"RefundAmount" qb:"req"`
}

// ARRefundCreditCardAdd refunds a credit memo to the customer's card.
type ARRefundCreditCardAdd struct {
	CustomerRef          *Ref                    `xml:"CustomerRef,omitempty" qb:"req"`
	RefundFromAccountRef *Ref                    `xml:"RefundFromAccountRef,omitempty"`
	ARAccountRef         *Ref                    `xml:"ARAccountRef,omitempty"`
	TxnDate              Date                    `xml:"TxnDate"`
	RefNumber            string                  `xml:"RefNumber,omitempty" qb:"max=11"`
	Address              *Address                `xml:"Address,omitempty"`
	PaymentMethodRef     *Ref                    `xml:"PaymentMethodRef,omitempty"`
	Memo                 string                  `xml:"Memo,omitempty" qb:"max=4095"`
	ExchangeRate         Float                   `xml:"ExchangeRate"`
	RefundAppliedToTxns  []RefundAppliedToTxnAdd `xml:"RefundAppliedToTxnAdd" qb:"req"`
}

// ARRefundCreditCardAddRq adds a credit-card refund.
type ARRefundCreditCardAddRq struct {
	RqHeader
	ARRefundCreditCardAdd ARRefundCreditCardAdd `xml:"ARRefundCreditCardAdd"`
	IncludeRetElement     []string              `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// ApplyCheckToTxnAdd links a check to a transaction it pays (e.g. a credit memo).
type ApplyCheckToTxnAdd struct {
	TxnID  string `xml:"TxnID" qb:"req,max=36"`
	Amount Amount `xml:"Amount"`
}

// ExpenseLineAdd is an account line of a check.
type ExpenseLineAdd struct {
	AccountRef     *Ref   `xml:"AccountRef,omitempty"`
	Amount         Amount `xml:"Amount"`
	Memo           string `xml:"Memo,omitempty" qb:"max=4095"`
	CustomerRef    *Ref   `xml:"CustomerRef,omitempty"`
	VendorRef      *Ref   `xml:"VendorRef,omitempty" qb:"since=16.0"`
	ClassRef       *Ref   `xml:"ClassRef,omitempty"`
	BillableStatus string `xml:"BillableStatus,omitempty"`
}

// CheckAdd writes a check: bcqb uses it for a refund paid by check, with an
// expense line to Accounts Receivable for the customer, applied to the
// credit memo.
type CheckAdd struct {
	AccountRef      *Ref                 `xml:"AccountRef,omitempty" qb:"req"`
	PayeeEntityRef  *Ref                 `xml:"PayeeEntityRef,omitempty"`
	RefNumber       string               `xml:"RefNumber,omitempty" qb:"max=11"`
	TxnDate         Date                 `xml:"TxnDate"`
	Memo            string               `xml:"Memo,omitempty" qb:"max=4095"`
	Address         *Address             `xml:"Address,omitempty"`
	IsToBePrinted   *bool                `xml:"IsToBePrinted,omitempty"`
	ApplyCheckToTxn []ApplyCheckToTxnAdd `xml:"ApplyCheckToTxnAdd"`
	ExpenseLines    []ExpenseLineAdd     `xml:"ExpenseLineAdd"`
}

// CheckAddRq adds a check.
type CheckAddRq struct {
	RqHeader
	CheckAdd          CheckAdd `xml:"CheckAdd"`
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}

// TxnVoidType values bcqb voids.
const (
	TxnTypeARRefundCreditCard  = "ARRefundCreditCard"
	TxnTypeCheck               = "Check"
	TxnTypeCreditMemo          = "CreditMemo"
	TxnTypeInventoryAdjustment = "InventoryAdjustment"
	TxnTypeInvoice             = "Invoice"
	TxnTypeSalesReceipt        = "SalesReceipt"
	TxnTypeReceivePayment      = "ReceivePayment"
)

// TxnVoidRq voids a transaction (amounts become zero, the record stays).
// QuickBooks cannot void a received payment; delete it with TxnDelRq.
type TxnVoidRq struct {
	RqHeader
	TxnVoidType string `xml:"TxnVoidType" qb:"req"`
	TxnID       string `xml:"TxnID" qb:"req,max=36"`
}

func (r *TxnVoidRq) check() error {
	switch r.TxnVoidType {
	case TxnTypeARRefundCreditCard, TxnTypeCheck, TxnTypeCreditMemo, TxnTypeInventoryAdjustment, TxnTypeInvoice, TxnTypeSalesReceipt:
		return nil
	case TxnTypeReceivePayment:
		return errors.New("TxnVoidType: QuickBooks cannot void a ReceivePayment; delete it with TxnDelRq")
	}
	return fmt.Errorf("TxnVoidType %q is not a transaction type bcqb voids", r.TxnVoidType)
}

// TxnDelRq deletes a transaction. bcqb uses it only where QuickBooks offers
// no void: a received payment posted in error.
type TxnDelRq struct {
	RqHeader
	TxnDelType string `xml:"TxnDelType" qb:"req"`
	TxnID      string `xml:"TxnID" qb:"req,max=36"`
}

func (r *TxnDelRq) check() error {
	if r.TxnDelType != TxnTypeReceivePayment {
		return fmt.Errorf("TxnDelType %q: bcqb deletes only ReceivePayment; void other transactions with TxnVoidRq", r.TxnDelType)
	}
	return nil
}

// ModifiedDateRangeFilter selects by modification time.
type ModifiedDateRangeFilter struct {
	FromModifiedDate DateTime `xml:"FromModifiedDate"`
	ToModifiedDate   DateTime `xml:"ToModifiedDate"`
}

// TxnDateRangeFilter selects by transaction date.
type TxnDateRangeFilter struct {
	FromTxnDate Date `xml:"FromTxnDate"`
	ToTxnDate   Date `xml:"ToTxnDate"`
}

// EntityFilter selects by customer (ListID or FullName).
type EntityFilter struct {
	ListIDs   []string `xml:"ListID,omitempty" qb:"max=36"`
	FullNames []string `xml:"FullName,omitempty" qb:"max=209"`
}

func (f *EntityFilter) check() error {
	if len(f.ListIDs) > 0 && len(f.FullNames) > 0 {
		return errors.New("EntityFilter: choose ListID or FullName")
	}
	return nil
}

// RefNumberFilter matches reference numbers.
type RefNumberFilter struct {
	MatchCriterion MatchCriterion `xml:"MatchCriterion" qb:"req"`
	RefNumber      string         `xml:"RefNumber" qb:"req"`
}

// RefNumberRangeFilter selects reference numbers between two bounds.
type RefNumberRangeFilter struct {
	FromRefNumber string `xml:"FromRefNumber,omitempty"`
	ToRefNumber   string `xml:"ToRefNumber,omitempty"`
}

// TxnFilter is the filter group of transaction queries.
type TxnFilter struct {
	MaxReturned             int                      `xml:"MaxReturned,omitempty"`
	ModifiedDateRangeFilter *ModifiedDateRangeFilter `xml:"ModifiedDateRangeFilter,omitempty"`
	TxnDateRangeFilter      *TxnDateRangeFilter      `xml:"TxnDateRangeFilter,omitempty"`
	EntityFilter            *EntityFilter            `xml:"EntityFilter,omitempty"`
	RefNumberFilter         *RefNumberFilter         `xml:"RefNumberFilter,omitempty"`
	RefNumberRangeFilter    *RefNumberRangeFilter    `xml:"RefNumberRangeFilter,omitempty"`
}

func (f *TxnFilter) used() bool {
	return f.MaxReturned != 0 || f.ModifiedDateRangeFilter != nil || f.TxnDateRangeFilter != nil ||
		f.EntityFilter != nil || f.RefNumberFilter != nil || f.RefNumberRangeFilter != nil
}

func (f *TxnFilter) check() error {
	if f.ModifiedDateRangeFilter != nil && f.TxnDateRangeFilter != nil {
		return errors.New("ModifiedDateRangeFilter and TxnDateRangeFilter cannot both be set")
	}
	if f.RefNumberFilter != nil && f.RefNumberRangeFilter != nil {
		return errors.New("RefNumberFilter and RefNumberRangeFilter cannot both be set")
	}
	return nil
}

// TxnSelect is the choice at the head of transaction queries: by TxnID, by
// RefNumber (case-insensitive or sensitive), or by the TxnFilter that follows.
type TxnSelect struct {
	TxnIDs                  []string `xml:"TxnID,omitempty" qb:"max=36"`
	RefNumbers              []string `xml:"RefNumber,omitempty"`
	RefNumberCaseSensitives []string `xml:"RefNumberCaseSensitive,omitempty"`
}

func (s *TxnSelect) checkChoice(filterUsed bool) error {
	n := 0
	for _, b := range []bool{len(s.TxnIDs) > 0, len(s.RefNumbers) > 0, len(s.RefNumberCaseSensitives) > 0, filterUsed} {
		if b {
			n++
		}
	}
	if n > 1 {
		return errors.New("choose one of TxnID, RefNumber, RefNumberCaseSensitive or a filter")
	}
	return nil
}

// SalesReceiptQueryRq finds sales receipts by TxnID, RefNumber or filter
// (e.g. ModifiedDateRangeFilter) before posting one twice.
type SalesReceiptQueryRq struct {
	RqHeader
	IterHeader
	TxnSelect
	TxnFilter
	IncludeLineItems  *bool    `xml:"IncludeLineItems,omitempty"`
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
	OwnerIDs          []string `xml:"OwnerID,omitempty"`
}

func (q *SalesReceiptQueryRq) check() error { return q.checkChoice(q.TxnFilter.used()) }

// InvoiceQueryRq finds invoices.
type InvoiceQueryRq struct {
	RqHeader
	IterHeader
	TxnSelect
	TxnFilter
	PaidStatus        string   `xml:"PaidStatus,omitempty"`
	IncludeLineItems  *bool    `xml:"IncludeLineItems,omitempty"`
	IncludeLinkedTxns *bool    `xml:"IncludeLinkedTxns,omitempty"`
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
	OwnerIDs          []string `xml:"OwnerID,omitempty"`
}

func (q *InvoiceQueryRq) check() error {
	return q.checkChoice(q.TxnFilter.used() || q.PaidStatus != "")
}

// CreditMemoQueryRq finds credit memos.
type CreditMemoQueryRq struct {
	RqHeader
	IterHeader
	TxnSelect
	TxnFilter
	IncludeLineItems  *bool    `xml:"IncludeLineItems,omitempty"`
	IncludeLinkedTxns *bool    `xml:"IncludeLinkedTxns,omitempty"`
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
	OwnerIDs          []string `xml:"OwnerID,omitempty"`
}

func (q *CreditMemoQueryRq) check() error { return q.checkChoice(q.TxnFilter.used()) }

// ReceivePaymentQueryRq finds received payments, by RefNumber (the
// gateway's charge id), TxnID or filter, before posting one twice.
type ReceivePaymentQueryRq struct {
	RqHeader
	IterHeader
	TxnSelect
	TxnFilter
	IncludeLineItems  *bool    `xml:"IncludeLineItems,omitempty"`
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
	OwnerIDs          []string `xml:"OwnerID,omitempty"`
}

func (q *ReceivePaymentQueryRq) check() error { return q.checkChoice(q.TxnFilter.used()) }

// ARRefundCreditCardQueryRq finds credit-card refunds before posting one twice.
type ARRefundCreditCardQueryRq struct {
	RqHeader
	IterHeader
	TxnSelect
	TxnFilter
	IncludeLineItems  *bool    `xml:"IncludeLineItems,omitempty"`
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
	OwnerIDs          []string `xml:"OwnerID,omitempty"`
}

func (q *ARRefundCreditCardQueryRq) check() error { return q.checkChoice(q.TxnFilter.used()) }

// CheckQueryRq finds checks (refunds paid by check) before posting one
// twice; IncludeLinkedTxns shows the credit memo a check paid out.
type CheckQueryRq struct {
	RqHeader
	IterHeader
	TxnSelect
	TxnFilter
	IncludeLineItems  *bool    `xml:"IncludeLineItems,omitempty"`
	IncludeLinkedTxns *bool    `xml:"IncludeLinkedTxns,omitempty"`
	IncludeRetElement []string `xml:"IncludeRetElement,omitempty" qb:"max=50"`
	OwnerIDs          []string `xml:"OwnerID,omitempty"`
}

func (q *CheckQueryRq) check() error { return q.checkChoice(q.TxnFilter.used()) }

// QuantityAdjustment changes quantity on hand: set NewQuantity or
// QuantityDifference.
type QuantityAdjustment struct {
	NewQuantity              Quantity `xml:"NewQuantity"`
	QuantityDifference       Quantity `xml:"QuantityDifference"`
	InventorySiteLocationRef *Ref     `xml:"InventorySiteLocationRef,omitempty"`
}

func (q *QuantityAdjustment) check() error {
	if q.NewQuantity.IsSet() == q.QuantityDifference.IsSet() {
		return errors.New("set exactly one of NewQuantity or QuantityDifference")
	}
	return nil
}

// ValueAdjustment changes quantity and value together.
type ValueAdjustment struct {
	NewQuantity        Quantity `xml:"NewQuantity"`
	QuantityDifference Quantity `xml:"QuantityDifference"`
	NewValue           Amount   `xml:"NewValue"`
	ValueDifference    Amount   `xml:"ValueDifference"`
}

func (v *ValueAdjustment) check() error {
	if v.NewQuantity.IsSet() && v.QuantityDifference.IsSet() {
		return errors.New("NewQuantity and QuantityDifference cannot both be set")
	}
	if v.NewValue.IsSet() == v.ValueDifference.IsSet() {
		return errors.New("set exactly one of NewValue or ValueDifference")
	}
	return nil
}

// InventoryAdjustmentLineAdd adjusts one item.
type InventoryAdjustmentLineAdd struct {
	ItemRef            *Ref                `xml:"ItemRef,omitempty" qb:"req"`
	QuantityAdjustment *QuantityAdjustment `xml:"QuantityAdjustment,omitempty"`
	ValueAdjustment    *ValueAdjustment    `xml:"ValueAdjustment,omitempty"`
}

func (l *InventoryAdjustmentLineAdd) check() error {
	if (l.QuantityAdjustment == nil) == (l.ValueAdjustment == nil) {
		return errors.New("set exactly one of QuantityAdjustment or ValueAdjustment")
	}
	return nil
}

// InventoryAdjustmentAdd adjusts quantity on hand (BigCommerce stock sync).
type InventoryAdjustmentAdd struct {
	AccountRef       *Ref                         `xml:"AccountRef,omitempty" qb:"req"`
	TxnDate          Date                         `xml:"TxnDate"`
	RefNumber        string                       `xml:"RefNumber,omitempty" qb:"max=11"`
	InventorySiteRef *Ref                         `xml:"InventorySiteRef,omitempty"`
	CustomerRef      *Ref                         `xml:"CustomerRef,omitempty"`
	ClassRef         *Ref                         `xml:"ClassRef,omitempty"`
	Memo             string                       `xml:"Memo,omitempty" qb:"max=4095"`
	Lines            []InventoryAdjustmentLineAdd `xml:"InventoryAdjustmentLineAdd" qb:"req"`
}

// InventoryAdjustmentAddRq adds an inventory adjustment.
type InventoryAdjustmentAddRq struct {
	RqHeader
	InventoryAdjustmentAdd InventoryAdjustmentAdd `xml:"InventoryAdjustmentAdd"`
	IncludeRetElement      []string               `xml:"IncludeRetElement,omitempty" qb:"max=50"`
}
