package plan

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/qbxml"
)

// Store identifies the BigCommerce store a document comes from.
type Store struct {
	ID   int64
	Hash string
}

// Posted is what bcqb already posted for an order (zero value: nothing yet).
// TxnType is qbxml.TxnTypeSalesReceipt or qbxml.TxnTypeInvoice; Total is the
// Order.Total of the version posted. PaymentTxnID is the payment posted
// against an invoice (empty: the invoice is not paid in QuickBooks yet), so a
// later version never posts a second payment.
type Posted struct {
	TxnType, TxnID string
	Total          decimal.Decimal
	PaymentTxnID   string
}

// IsZero reports that nothing was posted.
func (p Posted) IsZero() bool { return p.TxnID == "" && p.TxnType == "" }

// BigCommerce status ids (status_id).
const (
	StatusIncomplete         = 0
	StatusPending            = 1
	StatusShipped            = 2
	StatusPartiallyShipped   = 3
	StatusRefunded           = 4
	StatusCancelled          = 5
	StatusDeclined           = 6
	StatusAwaitingPayment    = 7
	StatusAwaitingPickup     = 8
	StatusAwaitingShipment   = 9
	StatusCompleted          = 10
	StatusAwaitingFulfilment = 11
	StatusManualVerification = 12
	StatusDisputed           = 13
	StatusPartiallyRefunded  = 14
)

var statusNames = map[int]string{
	0: "Incomplete", 1: "Pending", 2: "Shipped", 3: "Partially Shipped", 4: "Refunded", 5: "Cancelled",
	6: "Declined", 7: "Awaiting Payment", 8: "Awaiting Pickup", 9: "Awaiting Shipment", 10: "Completed",
	11: "Awaiting Fulfillment", 12: "Manual Verification Required", 13: "Disputed", 14: "Partially Refunded",
}

func statusName(id int) string {
	if n, ok := statusNames[id]; ok {
		return n
	}
	return "status " + strconv.Itoa(id)
}

// paidStatus reports whether BigCommerce has taken the money of an order in
// this status (refunded orders were paid first; their refunds post apart).
func paidStatus(id int) bool {
	switch id {
	case 2, 3, 4, 8, 9, 10, 11, 13, 14:
		return true
	}
	return false
}

// RefNumber returns the RefNumber of an order id under settings (prefix + id,
// at most 11 chars; an error wrapping ErrSettings if it cannot fit).
func RefNumber(s Settings, orderID int64) (string, error) {
	ref := s.RefPrefix + strconv.FormatInt(orderID, 10)
	if n := len([]rune(ref)); n > qbxml.MaxRefNumber {
		return "", fmt.Errorf("%w: RefNumber %q (RefPrefix %q + order id %d) has %d characters and QuickBooks holds %d: shorten the RefPrefix on the settings page",
			ErrSettings, ref, s.RefPrefix, orderID, n, qbxml.MaxRefNumber)
	}
	if c := qbxml.Clean(ref); c != ref {
		return "", fmt.Errorf("%w: RefPrefix %q has characters QuickBooks cannot store: change it on the settings page", ErrSettings, s.RefPrefix)
	}
	return ref, nil
}

// memo is the Memo of everything posted for an order: the recovery query
// and people read the store hash and order id from it.
func memo(st Store, orderID int64) string {
	return fmt.Sprintf("BigCommerce store %s order %d", st.Hash, orderID)
}

// BuildOrder plans one order version. See the Action constants for what
// each outcome asks of the jobs package. An error wraps ErrNeedsMapping
// (something the user must map), ErrMalformed (figures that do not add up)
// or ErrSettings; the Order returned with it still carries RefNumber, Memo
// and Total for the page.
func BuildOrder(st Store, d bigcommerce.OrderDetails, s Settings, l Lists, posted Posted) (Order, error) {
	o := d.Order
	out := Order{Memo: memo(st, o.ID)}
	ref, err := RefNumber(s, o.ID)
	if err != nil {
		return out, err
	}
	out.RefNumber = ref
	cv := newConv(o, s, l)
	out.Currency = cv.currency
	out.Total = cents(cv.money(o.TotalIncTax.Decimal))
	status := statusName(o.StatusID)

	if !posted.IsZero() {
		return planPosted(st, d, s, l, posted, out, cv)
	}
	switch {
	case o.StatusID == StatusIncomplete, o.StatusID == StatusPending, o.StatusID == StatusDeclined:
		out.Action = ActionSkip
		out.Reason = fmt.Sprintf("order %d is %s in BigCommerce: no money was taken, so nothing is posted", o.ID, status)
		return out, nil
	case o.StatusID == StatusCancelled:
		out.Action = ActionSkip
		out.Reason = fmt.Sprintf("order %d was cancelled in BigCommerce before bcqb posted it: nothing to post", o.ID)
		return out, nil
	case o.StatusID == StatusManualVerification:
		out.Action = ActionWait
		out.Reason = fmt.Sprintf("order %d is on hold in BigCommerce (%s): bcqb posts it once it is released", o.ID, status)
		return out, nil
	case o.StatusID == StatusAwaitingPayment:
		return buildSale(st, d, s, l, out, cv, false, false)
	case paidStatus(o.StatusID):
		if s.Mode == ModeInvoice {
			return buildSale(st, d, s, l, out, cv, false, true)
		}
		return buildSale(st, d, s, l, out, cv, true, false)
	}
	out.Action = ActionFlag
	out.Reason = fmt.Sprintf("order %d has BigCommerce status %d, which bcqb does not know: check it and post it by hand", o.ID, o.StatusID)
	return out, nil
}

// planPosted decides what a new version of an order posted already needs.
func planPosted(st Store, d bigcommerce.OrderDetails, s Settings, l Lists, posted Posted, out Order, cv conv) (Order, error) {
	o := d.Order
	status := statusName(o.StatusID)
	what := fmt.Sprintf("%s %s", posted.TxnType, posted.TxnID)
	switch o.StatusID {
	case StatusCancelled, StatusDeclined:
		if s.Cancel == CancelCredit {
			sale, err := buildSale(st, d, s, l, out, cv, false, false)
			if err != nil {
				return sale, err
			}
			inv := sale.Invoice
			if !s.Restock {
				// As for refunds: with no Quantity QuickBooks moves no stock,
				// and the line keeps BigCommerce's amount.
				for i, ln := range inv.Lines {
					if ln.Quantity.IsSet() && ln.Amount.IsSet() {
						inv.Lines[i].Quantity, inv.Lines[i].Rate = qbxml.Quantity{}, qbxml.Price{}
						inv.Lines[i].Desc = ln.Desc + fmt.Sprintf(", %s not restocked", ln.Quantity.Decimal())
					}
				}
			}
			cm := &qbxml.CreditMemoAdd{
				CustomerRef: inv.CustomerRef, ClassRef: inv.ClassRef, TxnDate: dateIn(o.DateModified, s), RefNumber: inv.RefNumber,
				BillAddress: inv.BillAddress, ShipAddress: inv.ShipAddress, ItemSalesTaxRef: inv.ItemSalesTaxRef,
				Memo: out.Memo + " cancelled", ExchangeRate: inv.ExchangeRate, Lines: inv.Lines,
			}
			sale.Invoice = nil
			sale.CreditMemo = cm
			sale.Action = ActionCredit
			sale.Reason = fmt.Sprintf("order %d is %s in BigCommerce after bcqb posted it as %s: a credit memo of the same lines undoes it", o.ID, status, what)
			if err := validate(&qbxml.CreditMemoAddRq{CreditMemoAdd: *cm}); err != nil {
				return sale, err
			}
			return sale, nil
		}
		out.Action = ActionVoid
		out.Reason = fmt.Sprintf("order %d is %s in BigCommerce after bcqb posted it as %s: void it", o.ID, status, what)
		return out, nil
	case StatusIncomplete, StatusPending:
		out.Action = ActionFlag
		out.Reason = fmt.Sprintf("order %d was posted as %s but is now %s in BigCommerce: check whether the money was taken, then void or keep it by hand", o.ID, what, status)
		return out, nil
	case StatusManualVerification:
		out.Action = ActionWait
		out.Reason = fmt.Sprintf("order %d (posted as %s) is on hold in BigCommerce (%s)", o.ID, what, status)
		return out, nil
	}
	if !posted.Total.Equal(out.Total) {
		out.Action = ActionFlag
		out.Reason = fmt.Sprintf("order %d was edited in BigCommerce after bcqb posted it as %s: its total was %s and is now %s (%s); edit the %s in QuickBooks to match, bcqb never posts a second sale",
			o.ID, what, posted.Total.StringFixed(2), out.Total.StringFixed(2), signed(out.Total.Sub(posted.Total)), posted.TxnType)
		return out, nil
	}
	if posted.TxnType == qbxml.TxnTypeInvoice && paidStatus(o.StatusID) && posted.PaymentTxnID == "" {
		sale, err := buildSale(st, d, s, l, out, cv, false, true)
		if err != nil {
			return sale, err
		}
		sale.Invoice = nil
		sale.Items = nil
		sale.Customer.Add = nil
		sale.Action = ActionPay
		sale.Reason = fmt.Sprintf("order %d, posted as invoice %s, is now paid in BigCommerce (%s): post the payment", o.ID, posted.TxnID, status)
		if sale.Payment != nil {
			sale.Payment.AppliedToTxns[0].TxnID = posted.TxnID
		} else {
			sale.Action = ActionSkip
			sale.Reason = fmt.Sprintf("order %d, posted as invoice %s, is paid in BigCommerce entirely by gift certificate or store credit: nothing left to receive", o.ID, posted.TxnID)
		}
		return sale, nil
	}
	out.Action = ActionSkip
	out.Reason = fmt.Sprintf("order %d is posted already as %s and its money has not changed (now %s)", o.ID, what, status)
	return out, nil
}

func signed(d decimal.Decimal) string {
	if d.IsNegative() {
		return d.StringFixed(2)
	}
	return "+" + d.StringFixed(2)
}

// dateIn is the calendar day of t in the store's time zone.
func dateIn(t time.Time, s Settings) qbxml.Date {
	if t.IsZero() {
		return qbxml.Date{}
	}
	loc := time.UTC
	if s.TimeZone != "" {
		if z, err := time.LoadLocation(s.TimeZone); err == nil {
			loc = z
		}
	}
	return qbxml.DateOf(t.In(loc))
}

// conv converts BigCommerce's transactional amounts into the currency
// posted; fx is set for a foreign currency of a multicurrency company.
type conv struct {
	rate     decimal.Decimal // divide by it; zero means no conversion
	currency string
	note     string
	fx       *foreignCurrency
	err      error // the currency cannot be posted (buildSale returns it)
}

// exchangeRate is the ExchangeRate of the order's transactions (absent
// unless in a foreign currency with BigCommerce's rate).
func (c conv) exchangeRate() qbxml.Float {
	if c.fx == nil {
		return qbxml.Float{}
	}
	return c.fx.rate
}

func newConv(o bigcommerce.Order, s Settings, l Lists) conv {
	txn := o.DefaultCurrencyCode
	if txn == "" {
		txn = o.CurrencyCode
	}
	c := conv{currency: txn}
	multi := l.MultiCurrency()
	if multi {
		c.fx, c.note, c.err = foreignFor(o, s, l)
		return c
	}
	base := o.StoreDefaultCode
	rate := o.StoreDefaultToTxnFX.Decimal
	if base == "" || base == txn || !rate.IsPositive() || rate.Equal(decimal.NewFromInt(1)) {
		return c
	}
	c.rate, c.currency = rate, base
	c.note = fmt.Sprintf("the order is in %s and QuickBooks has no multicurrency: amounts converted to %s at BigCommerce's rate %s (1 %s = %s %s)",
		txn, base, rate.String(), base, rate.String(), txn)
	return c
}

// money converts an amount (exact, not rounded yet).
func (c conv) money(d decimal.Decimal) decimal.Decimal {
	if c.rate.IsZero() {
		return d
	}
	return d.DivRound(c.rate, 10)
}

func cents(d decimal.Decimal) decimal.Decimal { return qbxml.RoundAmount(d).Decimal() }

// paymentMethod maps BigCommerce's payment method to QuickBooks'.
func paymentMethod(s Settings, method string) string {
	if m, ok := s.PaymentMethods[method]; ok && m != "" {
		return m
	}
	return s.PaymentMethod
}

func classFor(s Settings, channel int64) string {
	if c, ok := s.Channels[channel]; ok && c.Class != "" {
		return c.Class
	}
	return s.Class
}

func depositFor(s Settings, channel int64, method string) string {
	if a, ok := s.PaymentDeposits[method]; ok && a != "" {
		return a
	}
	if c, ok := s.Channels[channel]; ok && c.DepositAccount != "" {
		return c.DepositAccount
	}
	return s.DepositAccount
}

func refOrNil(name string) *qbxml.Ref {
	if strings.TrimSpace(name) == "" {
		return nil
	}
	return qbxml.RefName(name)
}
