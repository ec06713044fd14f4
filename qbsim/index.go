package qbsim

import (
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// effects are the derived values QuickBooks keeps current as transactions
// come and go: quantity on hand, money applied to each transaction (and by
// whom), customer balances and the highest numeric RefNumber per type. They
// are updated incrementally so a large company stays fast; reindex
// rebuilds them from the records.
type effects struct {
	qoh     map[string]decimal.Decimal // item ListID -> quantity
	applied map[string]decimal.Decimal // TxnID -> money applied to it
	by      map[string][]*record       // TxnID -> the transactions applied to it
	balance map[string]decimal.Decimal // customer ListID -> balance
	maxRef  map[string]int64           // kind -> highest numeric RefNumber
}

func newEffects() effects {
	return effects{qoh: map[string]decimal.Decimal{}, applied: map[string]decimal.Decimal{}, by: map[string][]*record{},
		balance: map[string]decimal.Decimal{}, maxRef: map[string]int64{}}
}

// account adds (sign 1) or takes back (sign -1) the effects of r.
func (e effects) account(r *record, sign int64) {
	s := decimal.NewFromInt(sign)
	for _, m := range r.Stock {
		e.qoh[m.Item] = e.qoh[m.Item].Add(m.Qty.Mul(s))
	}
	for _, a := range r.Applied {
		e.applied[a.TxnID] = e.applied[a.TxnID].Add(a.Amount.Mul(s))
		if sign > 0 {
			e.by[a.TxnID] = append(e.by[a.TxnID], r)
		} else {
			kept := e.by[a.TxnID][:0]
			for _, x := range e.by[a.TxnID] {
				if x != r {
					kept = append(kept, x)
				}
			}
			e.by[a.TxnID] = kept
		}
	}
	if r.Customer != "" {
		switch r.Kind {
		case "Invoice", "ARRefundCreditCard":
			e.balance[r.Customer] = e.balance[r.Customer].Add(r.Total.Mul(s))
		case "ReceivePayment", "CreditMemo":
			e.balance[r.Customer] = e.balance[r.Customer].Sub(r.Total.Mul(s))
		case "Check":
			e.balance[r.Customer] = e.balance[r.Customer].Add(r.ARDelta.Mul(s))
		}
	}
	if sign > 0 && r.Ret != nil {
		if n, err := strconv.ParseInt(r.Ret.Get("RefNumber"), 10, 64); err == nil && n > e.maxRef[r.Kind] {
			e.maxRef[r.Kind] = n
		}
	}
}

func nameKey(kind, full string) string { return namespace(kind) + "\x00" + strings.ToLower(full) }

// index adds a loaded record to the indexes.
func (c *Company) index(r *record) {
	c.byID[r.ID] = r
	if isListKind(r.Kind) {
		c.names[nameKey(r.Kind, r.fullName())] = r
	}
	if !r.Voided {
		c.eff.account(r, 1)
	}
}

// insert stores a new record.
func (c *Company) insert(r *record) {
	c.d.Records = append(c.d.Records, r)
	c.index(r)
}

// remove deletes a transaction (TxnDel).
func (c *Company) remove(r *record) {
	if !r.Voided {
		c.eff.account(r, -1)
	}
	kept := c.d.Records[:0]
	for _, x := range c.d.Records {
		if x != r {
			kept = append(kept, x)
		}
	}
	c.d.Records = kept
	delete(c.byID, r.ID)
}

// rename changes a list object's full name.
func (c *Company) rename(r *record, full string) {
	delete(c.names, nameKey(r.Kind, r.fullName()))
	r.Ret.Set("FullName", full)
	c.names[nameKey(r.Kind, full)] = r
}

// findByName looks a list object up by full name, case-insensitively, among
// the given kinds.
func (c *Company) findByName(kinds []string, full string) *record {
	seen := map[string]bool{}
	for _, k := range kinds {
		ns := namespace(k)
		if seen[ns] {
			continue
		}
		seen[ns] = true
		if r := c.names[nameKey(k, full)]; r != nil && slicesContains(kinds, r.Kind) {
			return r
		}
	}
	return nil
}

// nameTaken reports whether full is used in kind's name list by another
// object than except.
func (c *Company) nameTaken(kind, full, except string) bool {
	r := c.names[nameKey(kind, full)]
	return r != nil && r.ID != except
}

func (c *Company) quantityOnHand(itemID string) decimal.Decimal { return c.eff.qoh[itemID] }

// applied is the money applied to txnID and the transactions that applied it.
func (c *Company) applied(txnID string) (decimal.Decimal, []*record) {
	return c.eff.applied[txnID], c.eff.by[txnID]
}

// customerBalance is what the customer owes: invoices less payments, credit
// memos and their refunds.
func (c *Company) customerBalance(custID string) decimal.Decimal { return c.eff.balance[custID] }

// nextRefNumber numbers a transaction the way QuickBooks auto-numbers
// invoices and sales receipts: one more than the highest numeric RefNumber.
func (c *Company) nextRefNumber(kind string) string {
	return strconv.FormatInt(c.eff.maxRef[kind]+1, 10)
}
