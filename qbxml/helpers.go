package qbxml

import (
	"strings"
	"time"
)

// NextPage prepares req for the next page of an iterator query after resp:
// it sets iterator="Continue" with resp's iteratorID and reports true, or
// reports false when there is nothing more (iteratorRemainingCount is 0 or
// the response carried no iterator). Iterators last only as long as the
// QuickBooks session, so a query interrupted by a session end starts again.
func NextPage(req Iterable, resp *RsHeader) bool {
	if resp == nil || !resp.More() {
		return false
	}
	req.SetIterator(IteratorContinue, resp.IteratorID)
	return true
}

// Unanswered lists the requests of sent that have no response in m, in
// order. Under stopOnError QuickBooks stops at the first error and leaves
// the rest unanswered: they were not processed and can be sent again.
func (m *ResponseMessage) Unanswered(sent *Message) []Request {
	var out []Request
	for _, r := range sent.Requests {
		if _, ok := m.ByRequestID(r.RequestID()); !ok {
			out = append(out, r)
		}
	}
	return out
}

// sameGUID compares GUIDs ignoring case and braces.
func sameGUID(a, b string) bool {
	trim := func(s string) string { return strings.Trim(strings.TrimSpace(s), "{}") }
	return strings.EqualFold(trim(a), trim(b))
}

// DataExtValue finds the value of a data extension by owner and name in
// exts (any ...Ret's DataExtRets). ownerID "" matches any owner; "0" is the
// public owner QuickBooks shows on forms.
func DataExtValue(exts []DataExtRet, ownerID, name string) (string, bool) {
	for _, d := range exts {
		if !strings.EqualFold(d.DataExtName, name) {
			continue
		}
		if ownerID == "" || sameGUID(d.OwnerID, ownerID) || (ownerID == "0" && d.OwnerID == "") {
			return d.DataExtValue, true
		}
	}
	return "", false
}

// FileIDFor returns the Web Connector's FileID data extension stamped for
// ownerID (the .qwc OwnerID). Several applications can each have a FileID
// on one company file; only ours proves it is the file we were bound to.
func (h HCP) FileIDFor(ownerID string) (string, bool) {
	v, ok := DataExtValue(h.Company.DataExtRets, ownerID, "FileID")
	return strings.TrimSpace(v), ok
}

// NewItemRet returns an ItemRet of the given kind ("ItemService",
// "ItemInventory", ...), with XMLName set so it marshals under the right
// element inside ItemQueryRs (the simulator needs this).
func NewItemRet(kind string) ItemRet {
	return ItemRet{XMLName: xmlName(kind + "Ret")}
}

// FindByRefNumber builds the query bcqb sends before posting a transaction
// that might already exist (after an unknown outcome): by RefNumber, with
// line items, and with the public data extensions (OwnerID 0) so the
// BigCommerce id stored there can be compared. txnType is one of the types
// bcqb posts: "SalesReceipt", "Invoice", "CreditMemo", "ReceivePayment",
// "ARRefundCreditCard" or "Check" (a check also comes with its links, which
// name the credit memo it paid out).
func FindByRefNumber(txnType string, refNumbers ...string) (Request, bool) {
	sel := TxnSelect{RefNumbers: refNumbers}
	yes, owner := true, []string{"0"}
	switch txnType {
	case TxnTypeSalesReceipt:
		return &SalesReceiptQueryRq{TxnSelect: sel, IncludeLineItems: &yes, OwnerIDs: owner}, true
	case TxnTypeInvoice:
		return &InvoiceQueryRq{TxnSelect: sel, IncludeLineItems: &yes, OwnerIDs: owner}, true
	case TxnTypeCreditMemo:
		return &CreditMemoQueryRq{TxnSelect: sel, IncludeLineItems: &yes, OwnerIDs: owner}, true
	case TxnTypeReceivePayment:
		return &ReceivePaymentQueryRq{TxnSelect: sel, IncludeLineItems: &yes, OwnerIDs: owner}, true
	case TxnTypeARRefundCreditCard:
		return &ARRefundCreditCardQueryRq{TxnSelect: sel, IncludeLineItems: &yes, OwnerIDs: owner}, true
	case TxnTypeCheck:
		return &CheckQueryRq{TxnSelect: sel, IncludeLineItems: &yes, IncludeLinkedTxns: &yes, OwnerIDs: owner}, true
	}
	return nil, false
}

// FindModified builds a query for transactions of txnType modified in
// [from, to] (the other way to find a transaction posted by an earlier,
// interrupted session). The times are sent without an offset, because
// QuickBooks reads them as its own local time; pass them in that zone.
// txnType is one of those FindByRefNumber takes.
func FindModified(txnType string, from, to time.Time) (Request, bool) {
	f := TxnFilter{ModifiedDateRangeFilter: &ModifiedDateRangeFilter{
		FromModifiedDate: DateTime{Raw: from.Format("2006-01-02T15:04:05")},
		ToModifiedDate:   DateTime{Raw: to.Format("2006-01-02T15:04:05")},
	}}
	owner := []string{"0"}
	switch txnType {
	case TxnTypeSalesReceipt:
		return &SalesReceiptQueryRq{TxnFilter: f, OwnerIDs: owner}, true
	case TxnTypeInvoice:
		return &InvoiceQueryRq{TxnFilter: f, OwnerIDs: owner}, true
	case TxnTypeCreditMemo:
		return &CreditMemoQueryRq{TxnFilter: f, OwnerIDs: owner}, true
	case TxnTypeReceivePayment:
		return &ReceivePaymentQueryRq{TxnFilter: f, OwnerIDs: owner}, true
	case TxnTypeARRefundCreditCard:
		return &ARRefundCreditCardQueryRq{TxnFilter: f, OwnerIDs: owner}, true
	case TxnTypeCheck:
		return &CheckQueryRq{TxnFilter: f, OwnerIDs: owner}, true
	}
	return nil, false
}
