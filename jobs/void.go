package jobs

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/store"
)

// KindVoid undoes a sale posted already whose order was cancelled in
// BigCommerce since: QuickBooks cannot void a received payment, so a payment
// applied to the invoice is deleted first, then the sale is voided. Both are
// safe to send again (a deleted payment answers "not found", a voided sale
// stays void), so a lost answer needs no query before the resend.
const KindVoid = "qb.void"

// VoidPayload is what a qb.void job carries.
type VoidPayload struct {
	// Key is the sale's ledger key, PaymentKey its payment's (may be absent).
	Key        string `json:"key"`
	TxnType    string `json:"txn_type"`
	TxnID      string `json:"txn_id"`
	PaymentKey string `json:"payment_key,omitempty"`
	Posting    int64  `json:"posting"`
	Reason     string `json:"reason"`
	What       string `json:"what"`
}

// Void is the qb.void handler.
type Void struct{}

// Kind implements Handler.
func (Void) Kind() string { return KindVoid }

// Noun implements Handler.
func (Void) Noun() (string, string) { return "cancelled order voided", "cancelled orders voided" }

func decodeVoid(job store.Job) (VoidPayload, error) {
	var p VoidPayload
	if err := json.Unmarshal([]byte(job.Payload), &p); err != nil {
		return p, fmt.Errorf("the job's payload cannot be read: %w", err)
	}
	return p, nil
}

// Requests implements Handler.
func (Void) Requests(ctx context.Context, env Env, job store.Job) ([]qbxml.Request, error) {
	p, err := decodeVoid(job)
	if err != nil {
		return nil, err
	}
	if job.Step == 0 && p.PaymentKey != "" {
		if e, err := env.Store.Ledger(ctx, env.Session.CompanyID, p.PaymentKey); err == nil && e.QBID != "" {
			return []qbxml.Request{&qbxml.TxnDelRq{TxnDelType: qbxml.TxnTypeReceivePayment, TxnID: e.QBID}}, nil
		}
	}
	return []qbxml.Request{&qbxml.TxnVoidRq{TxnVoidType: p.TxnType, TxnID: p.TxnID}}, nil
}

// Response implements Handler.
func (Void) Response(ctx context.Context, env Env, job store.Job, rs []qbxml.Response) (store.Outcome, error) {
	p, err := decodeVoid(job)
	if err != nil {
		return store.Outcome{State: store.JobFailed, LastError: err.Error()}, nil
	}
	oc := rs[0].Header().Outcome()
	if _, del := rs[0].(*qbxml.TxnDelRs); del {
		if oc.Failed() && oc.Action != qbxml.ActionNotFound {
			return retryOrFail(env, job, AddPayload{What: "the payment of " + p.What, Posting: p.Posting}, oc), nil
		}
		return store.Outcome{State: store.JobSent, Step: 1,
			Ledger: []store.LedgerEntry{{Key: p.PaymentKey, QBType: "Deleted"}}}, nil
	}
	if oc.Failed() {
		return retryOrFail(env, job, AddPayload{What: p.What, Posting: p.Posting}, oc), nil
	}
	return store.Outcome{State: store.JobDone, Step: job.Step,
		Posting: &store.PostingUpdate{ID: p.Posting, State: store.PostingVoided, Reason: p.Reason}}, nil
}
