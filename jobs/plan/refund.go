package plan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/qbxml"
)

// RefundRefNumber is the RefNumber of a refund's credit memo (and of the
// card refund or check paying it): RefPrefix + "R" + BigCommerce's refund id.
// Refund ids are unique across the store and never reused, so the number is
// unique and stable whatever else is known about the order's refunds (an
// ordinal "-R2" would change with the refunds pulled); the order id is in
// the Memo. An error wraps ErrSettings when it cannot fit 11 characters.
func RefundRefNumber(s Settings, refundID int64) (string, error) {
	ref := s.RefPrefix + "R" + strconv.FormatInt(refundID, 10)
	if n := len([]rune(ref)); n > qbxml.MaxRefNumber {
		return "", fmt.Errorf("%w: refund RefNumber %q has %d characters and QuickBooks holds %d: shorten the RefPrefix on the settings page",
			ErrSettings, ref, n, qbxml.MaxRefNumber)
	}
	return ref, nil
}

// refundPart is one refunded item: its line (without amount), what it gave
// back tax included, and its own share of tax as far as the order tells.
type refundPart struct {
	line   qbxml.SalesLineAdd
	inc    decimal.Decimal // amount back, tax included
	ex     decimal.Decimal // amount back, tax excluded, when the amount is read as ex tax
	taxEst decimal.Decimal
}

// BuildRefund plans one BigCommerce refund: a credit memo of what was
// refunded (products at their discounted per-unit amount × quantity, ex tax;
// shipping, handling, gift wrapping, fees and order-level amounts at the
// requested amounts, ex tax; the refund's total_tax as a tax line) adding up
// to total_amount, and the money back by card or check (Settings.Refund).
//
// BigCommerce's requested amounts may be read tax included (as the offline
// store and refund quotes show them) or tax excluded; the reading whose
// lines add up to total_amount is taken. Its TxnIDs (the credit memo the
// card refund or check applies to) are left empty for the jobs package.
//
// Refunded products: with Settings.Restock the line names the product's
// item with the quantity refunded, so QuickBooks puts an inventory item's
// units back on hand (and reverses their cost). Without it the goods are not
// back on the shelf: the line names the same item with the amount only, no
// Quantity (the quantity is in Desc). QuickBooks moves stock, and cost, by
// a line's Quantity, so an inventory line without one reverses the income on
// the item's own income account (as a bookkeeper crediting a sale expects,
// and Sales by Item shows it) and leaves quantity on hand and cost of goods
// sold as they are. Posting the amount on RefundItem or DiscountItem instead
// would also move no stock, but would reverse the income on another account
// and hide the product from the item's sales.
//
// order is what bcqb posted for the refund's order. When it is an invoice
// with no payment posted (PaymentTxnID empty: the invoice is still open),
// no money went out of QuickBooks, so none goes back: the credit memo is
// applied to the invoice (Refund.Apply) and CardRefund and Check are nil.
// Otherwise (a sales receipt, a paid invoice, nothing posted) the money goes
// back as Settings.Refund says.
func BuildRefund(st Store, d bigcommerce.OrderDetails, r bigcommerce.Refund, s Settings, l Lists, order Posted) (Refund, error) {
	o := d.Order
	out := Refund{Memo: fmt.Sprintf("%s refund %d", memo(st, o.ID), r.ID)}
	ref, err := RefundRefNumber(s, r.ID)
	if err != nil {
		return out, err
	}
	out.RefNumber = ref
	cv := newConv(o, s, l)
	out.Currency = cv.currency
	if cv.err != nil {
		return out, cv.err
	}
	if cv.note != "" {
		out.Notes = append(out.Notes, cv.note)
	}
	out.Total = cents(cv.money(r.TotalAmount.Decimal))
	tax := cents(cv.money(r.TotalTax.Decimal))
	if out.Total.IsZero() && len(r.Items) == 0 {
		out.Action = ActionSkip
		out.Reason = fmt.Sprintf("refund %d of order %d gives nothing back", r.ID, o.ID)
		return out, nil
	}
	var custChanges []qbxml.Change
	out.Customer, custChanges = customerFor(d, s, l, cv.fx)
	out.Changes = append(out.Changes, custChanges...)
	class := refOrNil(classFor(s, o.ChannelID))

	products := map[int64]bigcommerce.OrderProduct{}
	for _, p := range d.Products {
		products[p.ID] = p
	}
	fees := map[int64]bigcommerce.Fee{}
	for _, f := range o.Fees {
		fees[f.ID] = f
	}
	res := &resolver{s: s, l: l, newByNm: map[string]int{}}
	share := func(whole, part, of decimal.Decimal) decimal.Decimal {
		if of.IsZero() {
			return decimal.Zero
		}
		return whole.Mul(part).DivRound(of, 10)
	}
	var parts []refundPart
	for _, it := range r.Items {
		var req *decimal.Decimal
		if it.RequestedAmount != nil {
			v := it.RequestedAmount.Decimal
			req = &v
		}
		line := qbxml.SalesLineAdd{ClassRef: class}
		var pt refundPart
		charge := func(item, desc string, inc, tx decimal.Decimal) error {
			if req == nil {
				return fmt.Errorf("%w: refund %d of order %d: %s item %d has no requested amount", ErrMalformed, r.ID, o.ID, it.ItemType, it.ItemID)
			}
			line.ItemRef, line.Desc = refOrNil(item), desc
			line.SalesTaxCodeRef = s.code(!tx.IsZero())
			pt = refundPart{inc: *req, ex: *req, taxEst: share(tx, *req, inc)}
			return nil
		}
		var err error
		switch it.ItemType {
		case "PRODUCT":
			p, ok := products[it.ItemID]
			if !ok {
				return out, fmt.Errorf("%w: refund %d of order %d names order product %d, which the order does not have", ErrMalformed, r.ID, o.ID, it.ItemID)
			}
			q := it.Quantity
			if q <= 0 {
				q = p.Quantity
			}
			qd, of := decimal.NewFromInt(int64(q)), decimal.NewFromInt(int64(max(p.Quantity, 1)))
			taxed := !p.TotalTax.IsZero()
			net := p.TotalIncTax.Decimal
			if hasDiscounted(p) {
				net = p.DiscountedTotalInc.Decimal
			}
			pt.taxEst = share(p.TotalTax.Decimal, qd, of)
			pt.inc = share(net, qd, of)
			pt.ex = pt.inc.Sub(pt.taxEst)
			if req != nil {
				pt.inc, pt.ex = *req, *req
			}
			if p.Type == "giftcertificate" || p.GiftCertificateID != nil {
				line.ItemRef = refOrNil(s.GiftCertItem)
			} else {
				line.ItemRef = refOrNil(res.item(p, taxed, cv.money(p.PriceExTax.Decimal)))
			}
			line.Desc = fmt.Sprintf("Refund: %s [SKU %s]", strings.TrimSpace(p.Name), itemKey(p))
			if s.Restock {
				line.Quantity = qbxml.QuantityInt(int64(q))
			} else {
				// No Quantity: QuickBooks moves no stock (see above).
				line.Desc += fmt.Sprintf(", %d not restocked", q)
			}
			line.SalesTaxCodeRef = s.code(taxed)
		case "SHIPPING":
			err = charge(s.ShippingItem, "Refund: shipping", o.ShippingCostIncTax.Decimal, o.ShippingCostTax.Decimal)
		case "HANDLING":
			err = charge(s.HandlingItem, "Refund: handling", o.HandlingCostIncTax.Decimal, o.HandlingCostTax.Decimal)
		case "GIFT_WRAPPING":
			err = charge(s.WrappingItem, "Refund: gift wrapping", o.WrappingCostIncTax.Decimal, o.WrappingCostTax.Decimal)
		case "FEE":
			f := fees[it.ItemID]
			name := strings.TrimSpace(f.DisplayNameMerchant)
			if name == "" {
				name = "fee"
			}
			err = charge(s.FeeItem, "Refund: "+name, f.CostIncTax.Decimal, f.CostTax.Decimal)
		case "ORDER":
			item := s.RefundItem
			if item == "" {
				item = s.DiscountItem
			}
			desc := "Refund of an amount"
			if why := strings.TrimSpace(firstNonEmpty(it.Reason, r.Reason)); why != "" {
				desc += ": " + why
			}
			err = charge(item, desc, decimal.Zero, decimal.Zero)
		default:
			return out, fmt.Errorf("%w: refund %d of order %d has an item of type %q, which bcqb does not know", ErrMalformed, r.ID, o.ID, it.ItemType)
		}
		if err != nil {
			return out, err
		}
		pt.line = line
		pt.inc, pt.ex, pt.taxEst = cv.money(pt.inc), cv.money(pt.ex), cv.money(pt.taxEst)
		parts = append(parts, pt)
	}
	if err := res.err(); err != nil {
		return out, err
	}
	out.Items = res.items

	// Read the amounts tax included (allocating total_tax over the parts by
	// their own tax) or tax excluded, whichever adds up to total_amount.
	incLines := make([]draft, len(parts))
	exLines := make([]draft, len(parts))
	estSum, incSum := decimal.Zero, decimal.Zero
	for _, p := range parts {
		estSum = estSum.Add(p.taxEst)
		incSum = incSum.Add(p.inc)
	}
	left := tax
	last := -1
	for i, p := range parts {
		if (estSum.IsZero() && !p.inc.IsZero()) || !p.taxEst.IsZero() {
			last = i
		}
	}
	for i, p := range parts {
		alloc := decimal.Zero
		switch {
		case i == last:
			alloc = left
		case !estSum.IsZero():
			alloc = share(tax, p.taxEst, estSum)
		case !incSum.IsZero() && last >= 0:
			alloc = share(tax, p.inc, incSum)
		}
		left = left.Sub(alloc)
		incLines[i] = draft{line: p.line, exact: p.inc.Sub(alloc)}
		exLines[i] = draft{line: p.line, exact: p.ex}
	}
	pick := func(ds []draft) []qbxml.SalesLineAdd {
		lines := roundDrafts(ds)
		if !tax.IsZero() {
			lines = append(lines, refundTaxLine(d, s, tax))
		}
		return lines
	}
	lines := pick(incLines)
	if alt := pick(exLines); out.Total.Sub(Total(alt)).Abs().LessThan(out.Total.Sub(Total(lines)).Abs()) {
		lines = alt
	}
	if got := Total(lines); !got.Equal(out.Total) {
		diff := out.Total.Sub(got)
		if diff.Abs().GreaterThan(s.RoundingLimit) {
			return out, fmt.Errorf("%w: refund %d of order %d: BigCommerce's total_amount is %s but its items and tax (%s) add up to %s (%s, more than the rounding limit %s)",
				ErrMalformed, r.ID, o.ID, out.Total.StringFixed(2), tax.StringFixed(2), got.StringFixed(2), signed(diff), s.RoundingLimit.StringFixed(2))
		}
		out.Rounding = diff
		lines = append(lines, qbxml.SalesLineAdd{ItemRef: refOrNil(s.RoundingItem), Desc: "Rounding to BigCommerce's refund total",
			Amount: qbxml.AmountOf(diff), ClassRef: class, SalesTaxCodeRef: s.code(false)})
		out.Notes = append(out.Notes, fmt.Sprintf("the refund's lines add up to %s and BigCommerce's total_amount is %s: a rounding line of %s makes them equal",
			got.StringFixed(2), out.Total.StringFixed(2), signed(diff)))
	}
	date := dateIn(r.Created, s)
	if date.IsZero() {
		date = dateIn(o.DateModified, s)
	}
	custRef := refOrNil(out.Customer.Name)
	out.CreditMemo = &qbxml.CreditMemoAdd{
		CustomerRef: custRef, ClassRef: class, TxnDate: date, RefNumber: out.RefNumber, BillAddress: txnAddress(o.BillingAddress),
		ItemSalesTaxRef: refOrNil(s.ZeroTaxItem), Memo: out.Memo, ExchangeRate: cv.exchangeRate(), Lines: lines,
	}

	// The money back: what went to a card or gateway. Refunds paid as
	// BigCommerce store credit stay as the customer's credit in QuickBooks.
	back := out.Total
	if len(r.Payments) > 0 {
		back = decimal.Zero
		for _, p := range r.Payments {
			if p.IsDeclined || p.ProviderID == "storecredit" {
				continue
			}
			back = back.Add(p.Amount.Decimal)
		}
		back = decimal.Min(cents(cv.money(back)), out.Total)
		if kept := out.Total.Sub(back); kept.IsPositive() {
			out.Notes = append(out.Notes, fmt.Sprintf("%s of the refund went back as BigCommerce store credit (or was declined): it stays as the customer's credit on the credit memo", kept.StringFixed(2)))
		}
	}
	if order.TxnType == qbxml.TxnTypeInvoice && order.TxnID != "" && order.PaymentTxnID == "" && out.Total.IsPositive() {
		// The invoice is still open: the credit lowers what the customer
		// owes on it. The jobs package fills CreditTxnID with the credit
		// memo's TxnID once QuickBooks has added it.
		if back.IsPositive() {
			out.Notes = append(out.Notes, fmt.Sprintf("BigCommerce reports %s back to the shopper, but QuickBooks holds no payment of invoice %s: the credit memo is applied to the invoice and no money goes back in QuickBooks",
				back.StringFixed(2), order.TxnID))
		}
		out.MoneyBack = decimal.Zero
		out.Apply = &qbxml.ReceivePaymentAdd{
			CustomerRef: custRef, TxnDate: date, TotalAmount: qbxml.AmountOf(decimal.Zero), ExchangeRate: cv.exchangeRate(), Memo: out.Memo,
			AppliedToTxns: []qbxml.AppliedToTxnAdd{{TxnID: order.TxnID, PaymentAmount: qbxml.AmountOf(decimal.Zero),
				SetCredit: []qbxml.SetCredit{{AppliedAmount: qbxml.AmountOf(out.Total)}}}},
		}
		out.Action = ActionPost
		return out, out.finish()
	}
	out.MoneyBack = back
	deposit := refOrNil(depositFor(s, o.ChannelID, o.PaymentMethod))
	method := s.Refund
	if method == RefundByCheck && cv.fx != nil {
		// A check is in its bank account's currency and goes against the
		// home-currency A/R account; the shopper's currency needs a refund
		// that carries the customer's currency and rate, as the sale did.
		method = RefundByCard
		out.Notes = append(out.Notes, fmt.Sprintf("the refund is in %s: posted as a refund from %s with BigCommerce's exchange rate, not as a check (a check is in its bank account's currency)",
			cv.fx.code, depositFor(s, o.ChannelID, o.PaymentMethod)))
	}
	if back.IsPositive() {
		switch method {
		case RefundByCard:
			out.CardRefund = &qbxml.ARRefundCreditCardAdd{
				CustomerRef: custRef, RefundFromAccountRef: deposit, TxnDate: date, RefNumber: out.RefNumber,
				PaymentMethodRef: refOrNil(paymentMethod(s, o.PaymentMethod)), Memo: out.Memo, ExchangeRate: cv.exchangeRate(),
				RefundAppliedToTxns: []qbxml.RefundAppliedToTxnAdd{{RefundAmount: qbxml.AmountOf(back)}},
			}
		case RefundByCheck:
			ar := s.ARAccount
			if ar == "" {
				ar = DefaultARAccount
			}
			out.Check = &qbxml.CheckAdd{
				AccountRef: deposit, PayeeEntityRef: custRef, RefNumber: out.RefNumber, TxnDate: date, Memo: out.Memo,
				ApplyCheckToTxn: []qbxml.ApplyCheckToTxnAdd{{Amount: qbxml.AmountOf(back)}},
				ExpenseLines:    []qbxml.ExpenseLineAdd{{AccountRef: refOrNil(ar), Amount: qbxml.AmountOf(back), Memo: out.Memo, CustomerRef: custRef, ClassRef: class}},
			}
		}
	}
	out.Action = ActionPost
	return out, out.finish()
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}

// refundTaxLine is the refund's total_tax as one tax line: on the order's
// tax item when the order had a single tax name, on TaxItem otherwise
// (BigCommerce does not split a refund's tax by rate).
func refundTaxLine(d bigcommerce.OrderDetails, s Settings, tax decimal.Decimal) qbxml.SalesLineAdd {
	var names []string
	for _, t := range d.Taxes {
		if n := strings.TrimSpace(t.Name); !contains(names, n) {
			names = append(names, n)
		}
	}
	item, desc := s.TaxItem, "Sales tax refunded"
	if len(names) == 1 && names[0] != "" {
		desc = names[0] + " refunded"
		if m, ok := s.TaxItems[names[0]]; ok && m != "" {
			item = m
		}
	}
	return qbxml.SalesLineAdd{ItemRef: refOrNil(item), Desc: desc, Amount: qbxml.AmountOf(tax)}
}

// finish normalizes and validates the refund's requests.
func (r *Refund) finish() error {
	o := Order{Items: r.Items, Customer: r.Customer, CreditMemo: r.CreditMemo}
	if err := o.finish(); err != nil {
		return err
	}
	r.Changes = append(r.Changes, o.Changes...)
	if c := r.CardRefund; c != nil {
		rq := &qbxml.ARRefundCreditCardAddRq{ARRefundCreditCardAdd: *c}
		r.Changes = append(r.Changes, normalize(rq, "CardRefund")...)
		*c = rq.ARRefundCreditCardAdd
		if err := validatePlaceholder(rq); err != nil {
			return err
		}
	}
	if a := r.Apply; a != nil {
		rq := &qbxml.ReceivePaymentAddRq{ReceivePaymentAdd: *a}
		r.Changes = append(r.Changes, normalize(rq, "Apply")...)
		*a = rq.ReceivePaymentAdd
		if err := validatePlaceholder(rq); err != nil {
			return err
		}
	}
	if c := r.Check; c != nil {
		rq := &qbxml.CheckAddRq{CheckAdd: *c}
		r.Changes = append(r.Changes, normalize(rq, "Check")...)
		*c = rq.CheckAdd
		if err := validatePlaceholder(rq); err != nil {
			return err
		}
	}
	return nil
}
