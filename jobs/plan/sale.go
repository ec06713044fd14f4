package plan

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/qbxml"
)

// buildSale builds the sale of an order: a sales receipt (receipt), or an
// invoice, with a payment when withPayment.
func buildSale(st Store, d bigcommerce.OrderDetails, s Settings, l Lists, out Order, cv conv, receipt, withPayment bool) (Order, error) {
	o := d.Order
	if cv.err != nil {
		return out, cv.err
	}
	var custChanges []qbxml.Change
	out.Customer, custChanges = customerFor(d, s, l, cv.fx)
	out.Changes = append(out.Changes, custChanges...)
	b, err := buildMoney(d, s, l, cv, out.Total)
	out.Notes = append(out.Notes, b.notes...)
	if err != nil {
		return out, err
	}
	out.Items = b.items
	out.Rounding = b.rounding
	out.Credits = b.credited
	lines := append(append([]qbxml.SalesLineAdd{}, b.lines...), b.credits...)
	if len(lines) == 0 {
		return out, fmt.Errorf("%w: order %d has no lines to post", ErrMalformed, o.ID)
	}
	if fee, desc, note := processingFee(s, o.PaymentMethod, out.Total.Sub(out.Credits), out.Currency); fee.IsPositive() {
		if receipt {
			out.Fees = fee
			lines = append(lines, qbxml.SalesLineAdd{ItemRef: refOrNil(s.FeeExpenseItem), Desc: desc, Amount: qbxml.AmountOf(fee.Neg()),
				ClassRef: refOrNil(classFor(s, o.ChannelID)), SalesTaxCodeRef: s.code(false)})
			if note != "" {
				out.Notes = append(out.Notes, note)
			}
		} else {
			out.Notes = append(out.Notes, fmt.Sprintf("the processing fee of %s (%s) is not posted: the order is an invoice, and the payment applied to it cannot carry a fee line; "+
				"the payment deposits the full amount, so enter the fee with the deposit", fee.StringFixed(2), desc))
		}
	}
	bill := txnAddress(o.BillingAddress)
	var ship *qbxml.Address
	if len(d.ShippingAddresses) > 0 {
		ship = txnAddress(d.ShippingAddresses[0].Address)
	}
	date := dateIn(o.DateCreated, s)
	custRef := refOrNil(out.Customer.Name)
	class := refOrNil(classFor(s, o.ChannelID))
	var shipDate qbxml.Date
	if !o.DateShipped.IsZero() {
		shipDate = dateIn(o.DateShipped, s)
	}
	if receipt {
		sr := &qbxml.SalesReceiptAdd{
			CustomerRef: custRef, ClassRef: class, TxnDate: date, RefNumber: out.RefNumber, BillAddress: bill, ShipAddress: ship,
			PaymentMethodRef: refOrNil(paymentMethod(s, o.PaymentMethod)), ShipDate: shipDate,
			ItemSalesTaxRef: refOrNil(s.ZeroTaxItem), Memo: out.Memo, DepositToAccountRef: refOrNil(depositFor(s, o.ChannelID, o.PaymentMethod)),
			ExchangeRate: cv.exchangeRate(), Lines: lines,
		}
		out.SalesReceipt = sr
	} else {
		inv := &qbxml.InvoiceAdd{
			CustomerRef: custRef, ClassRef: class, TxnDate: date, RefNumber: out.RefNumber, BillAddress: bill, ShipAddress: ship,
			ShipDate: shipDate, ItemSalesTaxRef: refOrNil(s.ZeroTaxItem), Memo: out.Memo, ExchangeRate: cv.exchangeRate(), Lines: lines,
		}
		out.Invoice = inv
	}
	if withPayment {
		amt, when, note := received(d, out.Total.Sub(out.Credits), cv)
		if note != "" {
			out.Notes = append(out.Notes, note)
		}
		if amt.IsPositive() {
			if when.IsZero() {
				when = o.DateCreated
			}
			pay := &qbxml.ReceivePaymentAdd{
				CustomerRef: custRef, TxnDate: dateIn(when, s), RefNumber: out.RefNumber, TotalAmount: qbxml.AmountOf(amt), ExchangeRate: cv.exchangeRate(),
				PaymentMethodRef: refOrNil(paymentMethod(s, o.PaymentMethod)), Memo: out.Memo,
				DepositToAccountRef: refOrNil(depositFor(s, o.ChannelID, o.PaymentMethod)),
				AppliedToTxns:       []qbxml.AppliedToTxnAdd{{PaymentAmount: qbxml.AmountOf(amt)}},
			}
			out.Payment = pay
		}
	}
	out.Action = ActionPost
	if err := out.finish(); err != nil {
		return out, err
	}
	return out, nil
}

// processingFee is the fee Settings.Fees configures for a payment method
// on the amount charged to it: Percent × charged / 100 + Fixed, rounded
// half away from zero to cents once; never more than the charge (noted),
// and nothing when the method has no fee or nothing was charged to it.
func processingFee(s Settings, method string, charged decimal.Decimal, currency string) (fee decimal.Decimal, desc, note string) {
	f, ok := s.Fees[method]
	if !ok || !charged.IsPositive() {
		return decimal.Zero, "", ""
	}
	fee = cents(charged.Mul(f.Percent).Div(decimal.NewFromInt(100)).Add(f.Fixed))
	var parts []string
	if !f.Percent.IsZero() {
		parts = append(parts, f.Percent.String()+"%")
	}
	if !f.Fixed.IsZero() {
		parts = append(parts, f.Fixed.String()+" "+currency)
	}
	desc = fmt.Sprintf("Processing fee, %s: %s of %s", strings.TrimSpace(method), strings.Join(parts, " + "), charged.StringFixed(2))
	if fee.GreaterThan(charged) {
		note = fmt.Sprintf("the processing fee for %s (%s) is more than the %s charged: posted as %s", method, fee.StringFixed(2), charged.StringFixed(2), charged.StringFixed(2))
		fee = charged
	}
	if fee.IsNegative() {
		fee = decimal.Zero
	}
	return fee, desc, note
}

// received is what BigCommerce reports the order's tender paid: captured
// (purchase, capture) transactions that succeeded, not gift certificates or
// store credit (those are lines of the sale), or settled ones when there are
// no captures; the sale's balance when there are no transactions at all. It
// never exceeds the balance (the excess is noted).
func received(d bigcommerce.OrderDetails, balance decimal.Decimal, cv conv) (decimal.Decimal, time.Time, string) {
	sum := func(events ...string) (decimal.Decimal, time.Time, int) {
		total, n := decimal.Zero, 0
		var last time.Time
		for _, t := range d.Transactions {
			if t.Status != "" && t.Status != "ok" {
				continue
			}
			if t.Method == "gift_certificate" || t.Method == "store_credit" {
				continue
			}
			if !contains(events, t.Event) {
				continue
			}
			total = total.Add(t.Amount.Decimal)
			n++
			if t.DateCreated.After(last) {
				last = t.DateCreated
			}
		}
		return total, last, n
	}
	amt, when, n := sum("purchase", "capture")
	if n == 0 {
		amt, when, n = sum("settled")
	}
	if n == 0 {
		return balance, time.Time{}, ""
	}
	// Paid in full, judged in the currency BigCommerce took the money in:
	// converted figures can differ by a cent of rounding, and a full
	// payment must close the invoice, not leave that cent open.
	o := d.Order
	due := o.TotalIncTax.Decimal.Sub(o.GiftCertificateAmt.Decimal).Sub(o.StoreCreditAmount.Decimal)
	if amt.GreaterThanOrEqual(due) {
		note := ""
		if amt.GreaterThan(due) {
			note = fmt.Sprintf("BigCommerce's transactions took %s, more than the %s left to pay: the payment is %s", amt.StringFixed(2), due.StringFixed(2), balance.StringFixed(2))
		}
		return balance, when, note
	}
	amt = cents(cv.money(amt))
	switch {
	case amt.GreaterThan(balance):
		return balance, when, fmt.Sprintf("BigCommerce's transactions took %s, more than the %s left to pay: the payment is %s", amt.StringFixed(2), balance.StringFixed(2), balance.StringFixed(2))
	case amt.LessThan(balance):
		return amt, when, fmt.Sprintf("BigCommerce's transactions took %s of the %s due: the invoice keeps %s open", amt.StringFixed(2), balance.StringFixed(2), balance.Sub(amt).StringFixed(2))
	}
	return amt, when, ""
}

// txnAddress is an order address as QuickBooks prints it: the name, the
// company, then the street lines.
func txnAddress(a bigcommerce.Address) *qbxml.Address {
	var lines []string
	if n := strings.TrimSpace(strings.TrimSpace(a.FirstName) + " " + strings.TrimSpace(a.LastName)); n != "" {
		lines = append(lines, n)
	}
	for _, x := range []string{a.Company, a.Street1, a.Street2} {
		if x = strings.TrimSpace(x); x != "" {
			lines = append(lines, x)
		}
	}
	ad := &qbxml.Address{City: strings.TrimSpace(a.City), State: strings.TrimSpace(a.State), PostalCode: strings.TrimSpace(a.Zip), Country: strings.TrimSpace(a.Country)}
	dst := []*string{&ad.Addr1, &ad.Addr2, &ad.Addr3, &ad.Addr4, &ad.Addr5}
	for i, x := range lines {
		if i < len(dst) {
			*dst[i] = x
		}
	}
	if *ad == (qbxml.Address{}) {
		return nil
	}
	return ad
}

// finish normalizes every request of the order in place (recording the
// changes) and validates them for qbXML 13.0.
func (o *Order) finish() error {
	for i := range o.Items {
		it := &o.Items[i]
		if it.NonInventory != nil {
			rq := &qbxml.ItemNonInventoryAddRq{ItemNonInventoryAdd: *it.NonInventory}
			o.Changes = append(o.Changes, normalize(rq, "Item["+it.Name+"]")...)
			*it.NonInventory = rq.ItemNonInventoryAdd
			if err := validate(rq); err != nil {
				return err
			}
		}
		if it.Inventory != nil {
			rq := &qbxml.ItemInventoryAddRq{ItemInventoryAdd: *it.Inventory}
			o.Changes = append(o.Changes, normalize(rq, "Item["+it.Name+"]")...)
			*it.Inventory = rq.ItemInventoryAdd
			if err := validate(rq); err != nil {
				return err
			}
		}
	}
	if c := o.Customer.Add; c != nil {
		rq := &qbxml.CustomerAddRq{CustomerAdd: *c}
		o.Changes = append(o.Changes, normalize(rq, "Customer")...)
		*c = rq.CustomerAdd
		if err := validate(rq); err != nil {
			return err
		}
	}
	if sr := o.SalesReceipt; sr != nil {
		rq := &qbxml.SalesReceiptAddRq{SalesReceiptAdd: *sr}
		o.Changes = append(o.Changes, normalize(rq, "SalesReceipt")...)
		*sr = rq.SalesReceiptAdd
		if err := validate(rq); err != nil {
			return err
		}
	}
	if inv := o.Invoice; inv != nil {
		rq := &qbxml.InvoiceAddRq{InvoiceAdd: *inv}
		o.Changes = append(o.Changes, normalize(rq, "Invoice")...)
		*inv = rq.InvoiceAdd
		if err := validate(rq); err != nil {
			return err
		}
	}
	if cm := o.CreditMemo; cm != nil {
		rq := &qbxml.CreditMemoAddRq{CreditMemoAdd: *cm}
		o.Changes = append(o.Changes, normalize(rq, "CreditMemo")...)
		*cm = rq.CreditMemoAdd
		if err := validate(rq); err != nil {
			return err
		}
	}
	if p := o.Payment; p != nil {
		rq := &qbxml.ReceivePaymentAddRq{ReceivePaymentAdd: *p}
		o.Changes = append(o.Changes, normalize(rq, "Payment")...)
		*p = rq.ReceivePaymentAdd
		if err := validatePlaceholder(rq); err != nil {
			return err
		}
	}
	return nil
}

func normalize(rq qbxml.Request, prefix string) []qbxml.Change {
	ch := qbxml.Normalize(rq)
	for i := range ch {
		ch[i].Path = prefix + "." + ch[i].Path
	}
	return ch
}

func validate(rq qbxml.Request) error {
	if err := qbxml.ValidateRequest(rq, qbxml.V13); err != nil {
		return fmt.Errorf("%w: %s would be refused by QuickBooks: %v", ErrMalformed, rq.RqName(), err)
	}
	return nil
}

// placeholderTxnID stands for the TxnID the jobs package fills in (the
// invoice or credit memo posted just before), so that the rest of the
// request can be validated now.
const placeholderTxnID = "0-0"

// validatePlaceholder validates a request whose applied-to TxnIDs are left
// for the jobs package, with a placeholder in their place.
func validatePlaceholder(rq qbxml.Request) error {
	switch r := rq.(type) {
	case *qbxml.ReceivePaymentAddRq:
		c := *r
		c.ReceivePaymentAdd.AppliedToTxns = append([]qbxml.AppliedToTxnAdd{}, r.ReceivePaymentAdd.AppliedToTxns...)
		for i := range c.ReceivePaymentAdd.AppliedToTxns {
			a := &c.ReceivePaymentAdd.AppliedToTxns[i]
			if a.TxnID == "" {
				a.TxnID = placeholderTxnID
			}
			a.SetCredit = append([]qbxml.SetCredit{}, a.SetCredit...)
			for j := range a.SetCredit {
				if a.SetCredit[j].CreditTxnID == "" {
					a.SetCredit[j].CreditTxnID = placeholderTxnID
				}
			}
		}
		return validate(&c)
	case *qbxml.ARRefundCreditCardAddRq:
		c := *r
		c.ARRefundCreditCardAdd.RefundAppliedToTxns = append([]qbxml.RefundAppliedToTxnAdd{}, r.ARRefundCreditCardAdd.RefundAppliedToTxns...)
		for i := range c.ARRefundCreditCardAdd.RefundAppliedToTxns {
			if c.ARRefundCreditCardAdd.RefundAppliedToTxns[i].TxnID == "" {
				c.ARRefundCreditCardAdd.RefundAppliedToTxns[i].TxnID = placeholderTxnID
			}
		}
		return validate(&c)
	case *qbxml.CheckAddRq:
		c := *r
		c.CheckAdd.ApplyCheckToTxn = append([]qbxml.ApplyCheckToTxnAdd{}, r.CheckAdd.ApplyCheckToTxn...)
		for i := range c.CheckAdd.ApplyCheckToTxn {
			if c.CheckAdd.ApplyCheckToTxn[i].TxnID == "" {
				c.CheckAdd.ApplyCheckToTxn[i].TxnID = placeholderTxnID
			}
		}
		return validate(&c)
	}
	return validate(rq)
}
