package jobs

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/store"
)

// KindAdd creates one object in QuickBooks (a customer, an item, an
// account, a sale, a payment, a credit memo, a refund) exactly once: the
// ledger entry of its key is written in the same transaction as the job's
// outcome, and a job whose request went out unanswered first asks
// QuickBooks whether it holds the object (by name, or by RefNumber and memo)
// and adopts what it finds.
const KindAdd = "qb.add"

// Job priorities: a session drains lists first, then sales, then payments,
// then refunds.
const (
	PriorityLists     = 5
	PriorityAccount   = 10
	PrioritySetup     = 15
	PriorityList      = 20
	PrioritySale      = 50
	PriorityPayment   = 60
	PriorityRefund    = 70
	PriorityRefundPay = 80
)

// AddPayload is what a qb.add job carries.
type AddPayload struct {
	// Key is the ledger key the object is known by ("customer:email:…",
	// "item:…", "order:<store>:<id>").
	Key string `json:"key"`
	// Type is the QuickBooks object type (Customer, ItemNonInventory,
	// SalesReceipt, ReceivePayment...), ListType the list it is cached in
	// (Customer, Item, Account...) for list objects.
	Type     string `json:"type"`
	ListType string `json:"list_type,omitempty"`
	// Name is the list object's name, or the transaction's RefNumber.
	Name string `json:"name"`
	// Memo is the transaction's memo, which names the BigCommerce document in full.
	Memo string `json:"memo,omitempty"`
	// Rq and XML are the request, as encoding/xml writes it.
	Rq  string `json:"rq"`
	XML string `json:"xml"`
	// Fill is the ledger key of the transaction this one applies to (the
	// invoice a payment pays, the credit memo a refund pays out); its TxnID
	// is only known once that one is posted.
	Fill string `json:"fill,omitempty"`
	// FillCredit is the ledger key of the credit memo a payment applies as a
	// credit (SetCredit), to an open invoice.
	FillCredit string `json:"fill_credit,omitempty"`
	// Posting is the posting this job carries out (0: none).
	Posting int64 `json:"posting,omitempty"`
	// Final marks the job that completes its posting (the sale, or the
	// payment of an invoice); Primary the one whose TxnID the posting shows
	// (the sale, the refund's credit memo).
	Final   bool `json:"final,omitempty"`
	Primary bool `json:"primary,omitempty"`
	// What names the object for people ("customer Jane Doe", "order 100").
	What string `json:"what"`
	// Amount is BigCommerce's total of the document version posted, kept
	// in the ledger so that a later version can be compared with it.
	Amount string `json:"amount,omitempty"`
}

// NewAddPayload encodes a request for a qb.add job.
func NewAddPayload(p AddPayload, rq qbxml.Request) (string, error) {
	b, err := xml.Marshal(rq)
	if err != nil {
		return "", fmt.Errorf("jobs: encode %s: %w", rq.RqName(), err)
	}
	p.Rq, p.XML = rq.RqName(), string(b)
	out, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("jobs: encode payload: %w", err)
	}
	return string(out), nil
}

// Add is the qb.add handler.
type Add struct{}

// Kind implements Handler.
func (Add) Kind() string { return KindAdd }

// Writes implements Writer: a lost answer to an Add is worth asking QuickBooks for.
func (Add) Writes() bool { return true }

// Noun implements Handler.
func (Add) Noun() (string, string) { return "QuickBooks record", "QuickBooks records" }

// NounFor implements Namer: what a qb.add job did, by its ledger key.
func (Add) NounFor(what string) (string, string) {
	switch what {
	case "order":
		return "order posted", "orders posted"
	case "payment":
		return "payment posted", "payments posted"
	case "refund":
		return "refund posted", "refunds posted"
	case "refundpay":
		return "refund paid out", "refunds paid out"
	case "cancel":
		return "cancelled order credited", "cancelled orders credited"
	case "customer":
		return "customer added", "customers added"
	case "item":
		return "item added", "items added"
	case "account":
		return "account added", "accounts added"
	case "paymentmethod":
		return "payment method added", "payment methods added"
	case "class":
		return "class added", "classes added"
	case "salestaxcode":
		return "sales tax code added", "sales tax codes added"
	}
	return "QuickBooks record added", "QuickBooks records added"
}

// Steps of a qb.add job. StepState "checked" after a recovery query that
// found nothing: the add is sent without asking again.
const (
	stepAdd     = 0
	stepRecover = 1
)

func decodeAdd(job store.Job) (AddPayload, qbxml.Request, error) {
	var p AddPayload
	if err := json.Unmarshal([]byte(job.Payload), &p); err != nil {
		return p, nil, fmt.Errorf("the job's payload cannot be read: %w", err)
	}
	rq, ok := qbxml.NewRequest(p.Rq)
	if !ok {
		return p, nil, fmt.Errorf("bcqb cannot send %s requests", p.Rq)
	}
	if err := xml.Unmarshal([]byte(p.XML), rq); err != nil {
		return p, nil, fmt.Errorf("the job's %s cannot be read: %w", p.Rq, err)
	}
	return p, rq, nil
}

func isTxn(typ string) bool {
	switch typ {
	case qbxml.TxnTypeSalesReceipt, qbxml.TxnTypeInvoice, qbxml.TxnTypeCreditMemo, qbxml.TxnTypeReceivePayment,
		qbxml.TxnTypeARRefundCreditCard, qbxml.TxnTypeCheck, qbxml.TxnTypeInventoryAdjustment:
		return true
	}
	return false
}

// Requests implements Handler.
func (Add) Requests(ctx context.Context, env Env, job store.Job) ([]qbxml.Request, error) {
	p, rq, err := decodeAdd(job)
	if err != nil {
		return nil, err
	}
	if job.Step == stepRecover || (job.Recovering && job.StepState != "checked") {
		q, err := findQuery(p)
		if err != nil {
			return nil, err
		}
		return []qbxml.Request{q}, nil
	}
	if p.Fill != "" {
		e, err := env.Store.Ledger(ctx, env.Session.CompanyID, p.Fill)
		if err != nil || e.QBID == "" {
			return nil, fmt.Errorf("%s waits for %s, which is not in QuickBooks yet", p.What, p.Fill)
		}
		if err := fillTxnID(rq, e.QBID); err != nil {
			return nil, err
		}
	}
	if p.FillCredit != "" {
		e, err := env.Store.Ledger(ctx, env.Session.CompanyID, p.FillCredit)
		if err != nil || e.QBID == "" {
			return nil, fmt.Errorf("%s waits for %s, which is not in QuickBooks yet", p.What, p.FillCredit)
		}
		pay, ok := rq.(*qbxml.ReceivePaymentAddRq)
		if !ok {
			return nil, fmt.Errorf("bcqb cannot apply a credit with a %s", rq.RqName())
		}
		for i := range pay.ReceivePaymentAdd.AppliedToTxns {
			for k := range pay.ReceivePaymentAdd.AppliedToTxns[i].SetCredit {
				pay.ReceivePaymentAdd.AppliedToTxns[i].SetCredit[k].CreditTxnID = e.QBID
			}
		}
	}
	return []qbxml.Request{rq}, nil
}

// findQuery asks QuickBooks for the object a lost request may have created.
func findQuery(p AddPayload) (qbxml.Request, error) {
	if isTxn(p.Type) {
		q, ok := qbxml.FindByRefNumber(p.Type, p.Name)
		if !ok {
			return nil, fmt.Errorf("bcqb cannot look up %s transactions", p.Type)
		}
		return q, nil
	}
	sel := qbxml.ListSelect{FullNames: []string{p.Name}}
	switch p.ListType {
	case "Customer":
		return &qbxml.CustomerQueryRq{ListSelect: sel}, nil
	case "Item":
		return &qbxml.ItemQueryRq{ListSelect: sel}, nil
	case "Account":
		return &qbxml.AccountQueryRq{ListSelect: sel}, nil
	case "PaymentMethod":
		return &qbxml.PaymentMethodQueryRq{ListSelect: sel}, nil
	case "Class":
		return &qbxml.ClassQueryRq{ListSelect: sel}, nil
	case "SalesTaxCode":
		return &qbxml.SalesTaxCodeQueryRq{ListSelect: sel}, nil
	}
	return nil, fmt.Errorf("bcqb cannot look up %s records", p.ListType)
}

// fillTxnID puts the TxnID of the transaction a payment or refund applies to.
func fillTxnID(rq qbxml.Request, txnID string) error {
	switch r := rq.(type) {
	case *qbxml.ReceivePaymentAddRq:
		for i := range r.ReceivePaymentAdd.AppliedToTxns {
			r.ReceivePaymentAdd.AppliedToTxns[i].TxnID = txnID
		}
	case *qbxml.ARRefundCreditCardAddRq:
		for i := range r.ARRefundCreditCardAdd.RefundAppliedToTxns {
			r.ARRefundCreditCardAdd.RefundAppliedToTxns[i].TxnID = txnID
		}
	case *qbxml.CheckAddRq:
		for i := range r.CheckAdd.ApplyCheckToTxn {
			r.CheckAdd.ApplyCheckToTxn[i].TxnID = txnID
		}
	default:
		return fmt.Errorf("bcqb cannot apply a %s to another transaction", rq.RqName())
	}
	return nil
}

// backoff is how long a job waits after QuickBooks was busy or a record locked.
func backoff(attempts int) time.Duration {
	d := time.Minute << min(attempts, 6)
	return min(d, time.Hour)
}

// Response implements Handler.
func (Add) Response(ctx context.Context, env Env, job store.Job, rs []qbxml.Response) (store.Outcome, error) {
	p, _, err := decodeAdd(job)
	if err != nil {
		return store.Outcome{State: store.JobFailed, LastError: err.Error()}, nil
	}
	r := rs[0]
	h := r.Header()
	oc := h.Outcome()
	recovering := job.Step == stepRecover || (job.Recovering && job.StepState != "checked")
	if recovering {
		if id, ok := found(r, p); ok {
			return adopted(p, id), nil
		}
		if oc.Failed() && oc.Action != qbxml.ActionNotFound {
			return retryOrFail(env, job, p, oc), nil
		}
		// Not in QuickBooks: the lost request never arrived. Send it now.
		return store.Outcome{State: store.JobQueued, Step: stepAdd, StepState: "checked"}, nil
	}
	switch oc.Action {
	case qbxml.ActionSuccess, qbxml.ActionWarning:
		id, ok := identity(r)
		if !ok {
			return store.Outcome{State: store.JobQueued, Step: stepRecover, Recovering: true,
				LastError: "QuickBooks answered without the record's ID"}, nil
		}
		o := adopted(p, id)
		if oc.Action == qbxml.ActionWarning {
			o.LastError = oc.Message
		}
		return o, nil
	case qbxml.ActionAlreadyExists:
		if job.StepState == "checked" {
			// Asked already: no record of this list has the name, so another
			// list holds it (QuickBooks shares one name list between
			// customers, vendors, employees and other names).
			o := retryOrFail(env, job, p, oc)
			o.State, o.NotBefore = store.JobFailed, time.Time{}
			o.LastError = fmt.Sprintf("%s: the name %q is used in QuickBooks by a vendor, employee or other name (QuickBooks keeps one list of names); rename that record or map this one to another name, then retry. QuickBooks said: %s",
				p.What, p.Name, oc.Detail)
			if p.Posting != 0 {
				o.Posting = &store.PostingUpdate{ID: p.Posting, State: store.PostingAttention, Reason: o.LastError}
			}
			return o, nil
		}
		// The name is taken: find the object and adopt it (a list object an
		// earlier, lost request created, or one the user made by hand).
		return store.Outcome{State: store.JobQueued, Step: stepRecover, LastError: oc.Message}, nil
	}
	return retryOrFail(env, job, p, oc), nil
}

func retryOrFail(env Env, job store.Job, p AddPayload, oc qbxml.Outcome) store.Outcome {
	msg := fmt.Sprintf("%s: %s", p.What, oc.Message)
	if oc.Detail != "" && oc.Detail != oc.Message {
		msg += " QuickBooks said: " + oc.Detail
	}
	if oc.Action == qbxml.ActionRetryLater {
		return store.Outcome{State: store.JobQueued, Step: job.Step, StepState: job.StepState,
			NotBefore: env.Store.Now().Add(backoff(job.Attempts)), LastError: msg}
	}
	o := store.Outcome{State: store.JobFailed, Step: job.Step, StepState: job.StepState, LastError: msg}
	if p.Posting != 0 {
		o.Posting = &store.PostingUpdate{ID: p.Posting, State: store.PostingAttention, Reason: msg}
	}
	return o
}

// ident is what QuickBooks said a record is.
type ident struct {
	ID, EditSequence, Name, Amount string
}

func adopted(p AddPayload, id ident) store.Outcome {
	name := p.Name
	if id.Name != "" {
		name = id.Name
	}
	amount := id.Amount
	if p.Amount != "" {
		amount = p.Amount
	}
	o := store.Outcome{State: store.JobDone,
		Ledger: []store.LedgerEntry{{Key: p.Key, QBType: p.Type, QBID: id.ID, Name: name, EditSequence: id.EditSequence, Amount: amount}}}
	if p.ListType != "" {
		o.Lists = []store.ListEntry{{Type: p.ListType, ListID: id.ID, FullName: name, SubType: p.Type, Active: true}}
	}
	if p.Posting != 0 && (p.Final || p.Primary) {
		u := &store.PostingUpdate{ID: p.Posting}
		if p.Primary {
			u.TxnID, u.TxnType = id.ID, p.Type
		}
		if p.Final {
			u.State = store.PostingPosted
		}
		o.Posting = u
	}
	return o
}

// found looks in a recovery query's answer for the object the job creates:
// a list object by name; a transaction by RefNumber and, since RefNumbers
// repeat in QuickBooks, by the memo that names the BigCommerce document.
func found(r qbxml.Response, p AddPayload) (ident, bool) {
	for _, ret := range rets(r) {
		id, ok := identOf(ret)
		if !ok {
			continue
		}
		if isTxn(p.Type) {
			if fieldString(ret, "RefNumber") != p.Name || (p.Memo != "" && fieldString(ret, "Memo") != p.Memo) {
				continue
			}
			return id, true
		}
		if strings.EqualFold(id.Name, p.Name) {
			return id, true
		}
	}
	return ident{}, false
}

// identity reads the ID of the record an Add returned.
func identity(r qbxml.Response) (ident, bool) {
	for _, ret := range rets(r) {
		if id, ok := identOf(ret); ok {
			return id, true
		}
	}
	return ident{}, false
}

// rets lists the ...Ret values of a response. Reflection keeps this one
// function working for every Add and Query response type qbxml has (and
// will have), where a type switch would need a case per type.
func rets(r qbxml.Response) []reflect.Value {
	v := reflect.ValueOf(r)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	var out []reflect.Value
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if v.Type().Field(i).Anonymous {
			continue
		}
		switch f.Kind() {
		case reflect.Pointer:
			if !f.IsNil() && f.Elem().Kind() == reflect.Struct {
				out = append(out, f.Elem())
			}
		case reflect.Slice:
			for j := 0; j < f.Len(); j++ {
				if e := f.Index(j); e.Kind() == reflect.Struct {
					out = append(out, e)
				}
			}
		}
	}
	return out
}

func identOf(ret reflect.Value) (ident, bool) {
	var id ident
	if c := ret.FieldByName("ListCore"); c.IsValid() {
		id.ID, id.EditSequence = c.FieldByName("ListID").String(), c.FieldByName("EditSequence").String()
		id.Name = fieldString(ret, "FullName")
		if id.Name == "" {
			id.Name = fieldString(ret, "Name")
		}
	} else if c := ret.FieldByName("TxnCore"); c.IsValid() {
		id.ID, id.EditSequence = c.FieldByName("TxnID").String(), c.FieldByName("EditSequence").String()
		id.Name = fieldString(ret, "RefNumber")
		if a := ret.FieldByName("TotalAmount"); a.IsValid() {
			if s, ok := a.Interface().(fmt.Stringer); ok {
				id.Amount = s.String()
			}
		}
	}
	return id, id.ID != ""
}

func fieldString(v reflect.Value, name string) string {
	f := v.FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.String {
		return ""
	}
	return f.String()
}
