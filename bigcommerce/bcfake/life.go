package bcfake

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// An order's life: payment (at once or captured later), shipping,
// cancellation and refunds. The generator plays seeded orders through it with
// past times; the Store's exported methods do the same at the clock's now.

func (s *Store) addTxn(o *order, t *txn) *txn {
	s.seq.txn++
	t.ID = s.seq.txn
	if t.Status == "" {
		t.Status = "ok"
	}
	if t.Gateway == "" {
		t.Gateway = o.Tender.Gateway
	}
	if t.Method == "" {
		t.Method = o.Tender.Method
	}
	if t.PMID == "" && t.Method == o.Tender.Method {
		t.PMID = o.Tender.PMID
	}
	if t.GatewayID == "" && !o.Tender.Offline && t.Method == o.Tender.Method {
		t.GatewayID = fmt.Sprintf("%s-%08d", t.Gateway, t.ID*7919%100000000)
	}
	if o.Tender.Offline && t.Method == "offline" {
		t.Offline = o.Tender.Display
	}
	o.Txns = append(o.Txns, t)
	o.touch(t.Created)
	return t
}

// touch moves date_modified forward (never back).
func (o *order) touch(t time.Time) {
	t = t.UTC().Truncate(time.Second)
	if t.After(o.Modified) {
		o.Modified = t
	}
}

// tenderTxn is the order's main payment transaction (purchase or
// authorization), or nil.
func (o *order) tenderTxn() *txn {
	for _, t := range o.Txns {
		if t.Method == o.Tender.Method && (t.Event == "purchase" || t.Event == "authorization") && t.Status == "ok" {
			return t
		}
	}
	return nil
}

// captured reports whether the main payment has been taken.
func (o *order) captured() bool {
	for _, t := range o.Txns {
		if t.Method == o.Tender.Method && t.Status == "ok" && (t.Event == "purchase" || t.Event == "capture") {
			return true
		}
	}
	return !o.paidByTender().IsPositive() && o.StatusID != 0
}

// useCredits records the gift certificate and store credit tenders.
func (s *Store) useCredits(o *order, t time.Time) {
	if o.GiftCert.IsPositive() {
		s.addTxn(o, &txn{Event: "purchase", Method: "gift_certificate", Gateway: "giftcertificate", Amount: o.GiftCert,
			Created: t, GiftCode: o.GiftCode, Remaining: dec("25.00"), PMID: "giftcertificate"})
	}
	if o.StoreCredit.IsPositive() {
		rem := zero
		if c := s.customer(o.CustomerID); c != nil {
			c.StoreCredit = decimal.Max(c.StoreCredit.Sub(o.StoreCredit), zero)
			rem = c.StoreCredit
		}
		s.addTxn(o, &txn{Event: "purchase", Method: "store_credit", Gateway: "storecredit", Amount: o.StoreCredit,
			Created: t, Remaining: rem, PMID: "storecredit"})
	}
}

func (s *Store) customer(id int64) *customer {
	if id <= 0 || int(id) > len(s.customers) {
		return nil
	}
	return s.customers[id-1]
}

// play takes a freshly built order to status, with events spread over the
// days after its creation.
func (s *Store) play(g *generator, o *order, status int) {
	t := o.Created
	later := func() time.Time {
		t = t.Add(time.Duration(1+g.pick(72*60)) * time.Minute)
		return t
	}
	card := func() {
		if o.Tender.Offline {
			o.Tender = tenders[g.pick(3)]
		}
	}
	switch status {
	case 0:
		o.StatusID, o.PayStatus = 0, ""
		o.GiftCert, o.StoreCredit = zero, zero
	case 1:
		if !o.Tender.Offline {
			o.Tender = tenders[3+g.pick(2)]
		}
		s.useCredits(o, t)
		s.addTxn(o, &txn{Event: "pending", Amount: o.paidByTender(), Created: t})
		o.StatusID, o.PayStatus = 1, "pending"
	case 6:
		card()
		o.GiftCert, o.StoreCredit = zero, zero
		s.addTxn(o, &txn{Event: "purchase", Amount: o.paidByTender(), Created: t, Status: "error"})
		o.StatusID, o.PayStatus = 6, "declined"
	case 7, 12:
		card()
		s.useCredits(o, t)
		s.addTxn(o, &txn{Event: "authorization", Amount: o.paidByTender(), Created: t, Fraud: status == 12})
		o.StatusID, o.PayStatus = status, "authorized"
		if status == 12 {
			o.PayStatus = "held for review"
		}
	case 5:
		card()
		o.GiftCert, o.StoreCredit = zero, zero
		s.addTxn(o, &txn{Event: "authorization", Amount: o.paidByTender(), Created: t})
		o.StatusID, o.PayStatus = 7, "authorized"
		_ = s.cancel(o, later())
	default:
		s.useCredits(o, t)
		if o.Tender.Offline || g.chance(30) {
			// Captured later: the order waits, then the payment is taken.
			if o.Tender.Offline {
				s.addTxn(o, &txn{Event: "pending", Amount: o.paidByTender(), Created: t})
				o.StatusID, o.PayStatus = 1, "pending"
			} else {
				s.addTxn(o, &txn{Event: "authorization", Amount: o.paidByTender(), Created: t})
				o.StatusID, o.PayStatus = 7, "authorized"
			}
			_ = s.markPaid(o, later())
		} else {
			s.addTxn(o, &txn{Event: "purchase", Amount: o.paidByTender(), Created: t})
			o.StatusID, o.PayStatus = 11, "captured"
			o.ProviderID = o.Txns[len(o.Txns)-1].GatewayID
		}
		switch status {
		case 2, 10, 4, 14:
			s.ship(o, later(), false)
			if status == 10 {
				o.StatusID = 10
			}
		case 3:
			s.ship(o, later(), true)
		case 8, 9, 13:
			o.StatusID = status
			o.touch(later())
		}
		switch status {
		case 4:
			if g.chance(30) {
				_, _ = s.refund(o, RefundRequest{Kind: RefundOneItem, Reason: "Damaged in transit"}, later())
			}
			_, _ = s.refund(o, RefundRequest{Kind: RefundFull, Reason: "Customer returned the order"}, later())
		case 14:
			kinds := []RefundKind{RefundOneItem, RefundShipping, RefundAmount}
			_, err := s.refund(o, RefundRequest{Kind: kinds[g.pick(3)], Amount: dec("5.00"), Reason: "Goodwill"}, later())
			if err != nil {
				_, _ = s.refund(o, RefundRequest{Kind: RefundAmount, Amount: dec("1.00"), Reason: "Goodwill"}, later())
			}
		}
	}
}

// markPaid takes an awaiting or pending payment: a capture of the
// authorization, or the offline payment arriving.
func (s *Store) markPaid(o *order, t time.Time) error {
	if o.captured() && o.StatusID != 0 {
		return fmt.Errorf("bcfake: order %d is already paid", o.ID)
	}
	switch o.StatusID {
	case 7, 12:
		auth := o.tenderTxn()
		ref := int64(0)
		if auth != nil {
			ref = auth.ID
		}
		c := s.addTxn(o, &txn{Event: "capture", Amount: o.paidByTender(), Created: t, Ref: ref})
		o.ProviderID = c.GatewayID
	case 1:
		s.addTxn(o, &txn{Event: "purchase", Amount: o.paidByTender(), Created: t})
	default:
		return fmt.Errorf("bcfake: order %d has status %d, not awaiting payment", o.ID, o.StatusID)
	}
	o.StatusID, o.PayStatus = 11, "captured"
	if o.Tender.Offline {
		o.PayStatus = "paid"
	}
	o.touch(t)
	return nil
}

// cancel voids an unpaid order's authorization.
func (s *Store) cancel(o *order, t time.Time) error {
	if o.captured() && o.paidByTender().IsPositive() {
		return fmt.Errorf("bcfake: order %d is paid: refund it instead of cancelling", o.ID)
	}
	if a := o.tenderTxn(); a != nil && a.Event == "authorization" {
		s.addTxn(o, &txn{Event: "void", Amount: a.Amount, Created: t, Ref: a.ID})
	}
	o.StatusID, o.PayStatus = 5, "void"
	o.touch(t)
	return nil
}

// ship ships every physical line (or only the first when partial).
func (s *Store) ship(o *order, t time.Time, partial bool) {
	first := true
	for _, l := range o.Lines {
		if l.Type != "physical" {
			continue
		}
		if partial && !first {
			break
		}
		l.Shipped = l.Qty
		first = false
	}
	o.Shipped = t.UTC().Truncate(time.Second)
	o.StatusID = 2
	if partial {
		o.StatusID = 3
	}
	o.touch(t)
}

// RefundKind says what a refund gives back.
type RefundKind int

const (
	// RefundFull refunds whatever is left: every line, shipping and handling.
	RefundFull RefundKind = iota
	// RefundOneItem refunds one unit of the first line that still has one.
	RefundOneItem
	// RefundShipping refunds the shipping charge.
	RefundShipping
	// RefundAmount refunds a custom order-level amount (tax exempt, as in
	// BigCommerce).
	RefundAmount
)

// RefundRequest describes a refund to make with Store.Refund.
type RefundRequest struct {
	Kind   RefundKind
	Amount decimal.Decimal // for RefundAmount
	Reason string
}

// errNothingToRefund is returned when the order has no refundable balance.
var errNothingToRefund = errors.New("bcfake: nothing left to refund")

// refund records a refund, its payments (gateway first, then store credit for
// what gift certificates and store credit paid), the refund transactions, the
// lines' refunded quantities and the new status (4 or 14).
func (s *Store) refund(o *order, req RefundRequest, t time.Time) (*refund, error) {
	if !o.captured() {
		return nil, fmt.Errorf("bcfake: order %d is not paid", o.ID)
	}
	balance := o.TotalInc.Sub(o.refunded())
	if !balance.IsPositive() {
		return nil, errNothingToRefund
	}
	r := &refund{OrderID: o.ID, Created: t.UTC().Truncate(time.Second), Reason: req.Reason}
	addLine := func(l *line, q int) {
		amt, tax := r2(l.DiscountedInc.Mul(decimal.NewFromInt(int64(q))).Div(decimal.NewFromInt(int64(l.Qty)))), r2(l.TotalTax.Mul(decimal.NewFromInt(int64(q))).Div(decimal.NewFromInt(int64(l.Qty))))
		if l.RefQty+q == l.Qty {
			amt, tax = l.DiscountedInc.Sub(l.RefAmt), l.TotalTax.Sub(l.RefTax)
		}
		l.RefQty += q
		l.RefAmt, l.RefTax = l.RefAmt.Add(amt), l.RefTax.Add(tax)
		if amt.IsPositive() {
			r.Items = append(r.Items, refundItem{Type: "PRODUCT", ItemID: l.ID, Qty: q, Amount: amt})
			r.Total, r.Tax = r.Total.Add(amt), r.Tax.Add(tax)
		}
	}
	switch req.Kind {
	case RefundFull:
		if o.OrderRefund {
			// After a custom-amount refund the remaining balance no longer
			// matches the lines, so the rest goes back as one order-level amount.
			r.Items = append(r.Items, refundItem{Type: "ORDER", ItemID: o.ID, Amount: balance})
			r.Total = balance
			for _, l := range o.Lines {
				l.RefQty = l.Qty
			}
			o.ShipRefund, o.HandRefund, o.FeeRefund = true, true, true
			break
		}
		for _, l := range o.Lines {
			if q := l.Qty - l.RefQty; q > 0 {
				addLine(l, q)
			}
		}
		if !o.ShipRefund && o.ShipInc.IsPositive() {
			r.Items = append(r.Items, refundItem{Type: "SHIPPING", ItemID: o.ShipAddrID, Amount: o.ShipInc})
			r.Total, r.Tax = r.Total.Add(o.ShipInc), r.Tax.Add(o.ShipTax)
		}
		if !o.HandRefund && o.HandInc.IsPositive() {
			r.Items = append(r.Items, refundItem{Type: "HANDLING", ItemID: o.ShipAddrID, Amount: o.HandInc})
			r.Total, r.Tax = r.Total.Add(o.HandInc), r.Tax.Add(o.HandTax)
		}
		if !o.FeeRefund && o.Fee.IsPositive() {
			r.Items = append(r.Items, refundItem{Type: "FEE", ItemID: o.FeeID, Amount: o.Fee})
			r.Total = r.Total.Add(o.Fee)
		}
		o.FeeRefund = true
		o.ShipRefund, o.HandRefund = true, true
	case RefundOneItem:
		if o.OrderRefund {
			return nil, fmt.Errorf("bcfake: order %d had a custom-amount refund; refund an amount or in full", o.ID)
		}
		for _, l := range o.Lines {
			if l.Qty-l.RefQty > 0 && l.DiscountedInc.IsPositive() {
				addLine(l, 1)
				break
			}
		}
	case RefundShipping:
		if o.ShipRefund || !o.ShipInc.IsPositive() || o.OrderRefund {
			return nil, fmt.Errorf("bcfake: order %d has no shipping left to refund", o.ID)
		}
		r.Items = append(r.Items, refundItem{Type: "SHIPPING", ItemID: o.ShipAddrID, Amount: o.ShipInc})
		r.Total, r.Tax = o.ShipInc, o.ShipTax
		o.ShipRefund = true
	case RefundAmount:
		amt := decimal.Min(req.Amount, balance)
		if !amt.IsPositive() {
			return nil, errNothingToRefund
		}
		r.Items = append(r.Items, refundItem{Type: "ORDER", ItemID: o.ID, Amount: amt})
		r.Total = amt
		o.OrderRefund = true
	}
	if !r.Total.IsPositive() {
		return nil, errNothingToRefund
	}
	// Pay it back: to the gateway up to what the gateway took, the rest as
	// store credit.
	tenderLeft := o.paidByTender()
	for _, old := range o.Refunds {
		for _, p := range old.Payments {
			if p.Provider == o.Tender.Gateway {
				tenderLeft = tenderLeft.Sub(p.Amount)
			}
		}
	}
	toTender := decimal.Min(r.Total, decimal.Max(tenderLeft, zero))
	toCredit := r.Total.Sub(toTender)
	s.seq.refund++
	r.ID = s.seq.refund
	ref := int64(0)
	if tt := o.tenderTxn(); tt != nil {
		ref = tt.ID
	}
	if toTender.IsPositive() {
		s.seq.refundPay++
		rt := s.addTxn(o, &txn{Event: "refund", Amount: toTender, Created: t, Ref: ref})
		r.Payments = append(r.Payments, refundPayment{ID: s.seq.refundPay, Provider: o.Tender.Gateway, Amount: toTender, Offline: o.Tender.Offline, TxnID: rt.GatewayID})
	}
	if toCredit.IsPositive() {
		s.seq.refundPay++
		rem := toCredit
		if c := s.customer(o.CustomerID); c != nil {
			c.StoreCredit = c.StoreCredit.Add(toCredit)
			rem = c.StoreCredit
		}
		s.addTxn(o, &txn{Event: "refund", Method: "store_credit", Gateway: "storecredit", Amount: toCredit, Created: t, Remaining: rem, PMID: "storecredit"})
		r.Payments = append(r.Payments, refundPayment{ID: s.seq.refundPay, Provider: "storecredit", Amount: toCredit})
	}
	o.Refunds = append(o.Refunds, r)
	s.refunds = append(s.refunds, r)
	if o.refunded().Equal(o.TotalInc) {
		o.StatusID, o.PayStatus = 4, "refunded"
	} else {
		o.StatusID, o.PayStatus = 14, "partially refunded"
	}
	o.touch(t)
	return r, nil
}
