package qbsim

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

var hundred = decimal.NewFromInt(100)

func round2(d decimal.Decimal) decimal.Decimal { return d.Round(2) }

// txnAdd adds a transaction, computing its amounts the way QuickBooks does.
func (c *Company) txnAdd(kind string, add *elem) (*record, *qbStatus) {
	now := c.now()
	ret := add.Clone()
	ret.Name = kind + "Ret"
	if st := c.resolveRefs(ret, kind); st != nil {
		return nil, st
	}
	if st := unsupported(kind, add); st != nil {
		return nil, st
	}
	r := &record{Kind: kind, Created: now, Modified: now, EditSeq: now.Unix()}
	if !ret.Has("TxnDate") || ret.Get("TxnDate") == "" {
		ret.Set("TxnDate", now.Format("2006-01-02"))
	}
	if cust := c.refRecord(ret, "CustomerRef"); cust != nil {
		r.Customer = cust.ID
	}
	if st := c.txnCurrency(kind, ret, r); st != nil {
		return nil, st
	}
	var st *qbStatus
	switch kind {
	case "SalesReceipt", "Invoice", "CreditMemo":
		st = c.salesTxn(kind, ret, r)
	case "ReceivePayment":
		st = c.receivePayment(ret, r)
	case "ARRefundCreditCard":
		st = c.refund(ret, r)
	case "Check":
		st = c.check(ret, r)
	case "InventoryAdjustment":
		st = c.inventoryAdjustment(ret, r)
	default:
		st = &qbStatus{3250, fmt.Sprintf("The simulator cannot add %s transactions.", kind)}
	}
	if st != nil {
		return nil, st
	}
	if !r.Rate.IsZero() {
		ret.Set("TotalAmountInHomeCurrency", money(r.homeTotal()))
	}
	r.ID = c.newTxnID(now)
	c.d.TxnNumber++
	r.TxnNum = c.d.TxnNumber
	ret.Kids = append([]*elem{leaf("TxnID", r.ID), leaf("TimeCreated", qbTime(now)), leaf("TimeModified", qbTime(now)),
		leaf("EditSequence", strconv.FormatInt(r.EditSeq, 10)), leaf("TxnNumber", strconv.FormatInt(r.TxnNum, 10))}, ret.Kids...)
	r.Ret = ret
	c.insert(r)
	return r, nil
}

func (c *Company) newLineID() string {
	c.d.Seq++
	return fmt.Sprintf("%X-%d", c.d.Seq, c.now().Unix())
}

// notModeled lists request elements whose accounting the simulator does
// not carry out; a request using them is refused (3250) rather than
// answered with books that silently differ from QuickBooks'.
// (A SetCredit inside a ReceivePayment's AppliedToTxnAdd is modeled: see
// receivePayment; one directly on an InvoiceAdd is not.)
var notModeled = []string{"SetCredit", "LinkToTxnID", "AppliedToTxnAdd/DiscountAmount",
	"AppliedToTxnAdd/TxnLineDetail", "CreditCardTxnInfo"}

func unsupported(kind string, add *elem) *qbStatus {
	if add.Get("IsTaxIncluded") == "true" {
		return &qbStatus{3250, "The simulator does not model IsTaxIncluded (amounts including tax)."}
	}
	for _, path := range notModeled {
		first, rest, nested := strings.Cut(path, "/")
		for _, k := range add.All(first) {
			if !nested || k.Has(rest) {
				return &qbStatus{3250, fmt.Sprintf("The simulator does not model %s in a %s.", path, kind)}
			}
		}
	}
	return nil
}

// defaultRef fills a reference QuickBooks defaults (A/R account,
// Undeposited Funds) when the request leaves it out.
func (c *Company) defaultRef(ret *elem, name, id string) {
	if r := c.byID[id]; r != nil && !ret.Has(name) {
		ret.Put(refNode(name, r))
	}
}

// taxable decides whether a sales line is taxed: the line's code, else the
// item's; a non-taxable customer code overrides both.
func (c *Company) taxable(line *elem, item *record, custCode *record) (bool, *record) {
	code := c.refRecord(line, "SalesTaxCodeRef")
	if code == nil && item != nil {
		code = c.refRecord(item.Ret, "SalesTaxCodeRef")
	}
	if code == nil {
		return false, nil
	}
	if custCode != nil && custCode.Ret.Get("IsTaxable") == "false" {
		return false, code
	}
	return code.Ret.Get("IsTaxable") == "true", code
}

// salesTxn computes the lines, subtotal, tax and total of a sales receipt,
// invoice or credit memo.
//
// A line may name a sales tax item (not a group) with an explicit Amount,
// as US QuickBooks allows: careful connectors put a 0 % tax item in the
// header and the store's charged tax on such lines, so that QuickBooks'
// total is the store's to the cent. A tax line is never taxable, is not in
// the base of the header tax or of a percent line, and adds its Amount to
// the total. The Ret is filled as QuickBooks fills it: Subtotal is the sum
// of all lines, tax lines included, and SalesTaxTotal only the header
// tax (the ItemSalesTaxRef item's rate on the taxable lines), so that
// TotalAmount = Subtotal + SalesTaxTotal as in every QuickBooks Ret. What
// the books hold as sales tax rather than income (header tax plus tax
// lines) is reported by Transactions().
func (c *Company) salesTxn(kind string, ret *elem, r *record) *qbStatus {
	cust := c.byID[r.Customer]
	switch kind {
	case "Invoice", "CreditMemo":
		c.defaultRef(ret, "ARAccountRef", c.d.Defaults.AccountsReceive)
	case "SalesReceipt":
		c.defaultRef(ret, "DepositToAccountRef", c.d.Defaults.UndepositedFunds)
	}
	if !ret.Has("RefNumber") {
		ret.Set("RefNumber", c.nextRefNumber(kind))
	}
	custCode := c.refRecord(ret, "CustomerSalesTaxCodeRef")
	if custCode == nil && cust != nil {
		custCode = c.refRecord(cust.Ret, "SalesTaxCodeRef")
	}
	subtotal, taxableSub, taxLines := decimal.Zero, decimal.Zero, decimal.Zero
	sign := decimal.NewFromInt(-1) // sales take stock out
	if kind == "CreditMemo" {
		sign = decimal.NewFromInt(1)
	}
	lineAdd, lineRet := kind+"LineAdd", kind+"LineRet"
	for _, line := range ret.Kids {
		if line.Name == kind+"LineGroupAdd" {
			return statusInvalidRef("Item Group", line.Get("ItemGroupRef/FullName")+line.Get("ItemGroupRef/ListID"), kind+" line")
		}
		if line.Name != lineAdd {
			continue
		}
		line.Name = lineRet
		if st := c.resolveRefs(line, kind+" line"); st != nil {
			return st
		}
		item := c.refRecord(line, "ItemRef")
		if item != nil && item.Kind == "ItemSalesTax" {
			amt, st := salesTaxLine(kind, line, item)
			if st != nil {
				return st
			}
			line.Set("Amount", money(amt))
			taxLines = taxLines.Add(amt)
			line.Kids = append([]*elem{leaf("TxnLineID", c.newLineID())}, line.Kids...)
			continue
		}
		qty, hasQty := line.Dec("Quantity")
		rate, hasRate := line.Dec("Rate")
		pct, hasPct := line.Dec("RatePercent")
		amt, hasAmt := line.Dec("Amount")
		q := qty
		if !hasQty {
			q = decimal.NewFromInt(1)
		}
		switch {
		case hasRate:
			amt = round2(q.Mul(rate))
		case hasPct:
			amt = round2(subtotal.Mul(pct).Div(hundred))
		case hasAmt:
			if hasQty && !qty.IsZero() {
				line.Set("Rate", amt.DivRound(qty, 5).String())
			}
		case item != nil:
			switch {
			case item.Kind == "ItemDiscount" && item.Ret.Has("DiscountRatePercent"):
				p, _ := item.Ret.Dec("DiscountRatePercent")
				amt = round2(subtotal.Mul(p).Div(hundred)).Neg()
				line.Set("RatePercent", p.Neg().String())
			case item.Kind == "ItemDiscount":
				d, _ := item.Ret.Dec("DiscountRate")
				amt = d.Neg()
				line.Set("Rate", d.Neg().String())
			default:
				price := itemPrice(item)
				amt = round2(q.Mul(price))
				line.Set("Rate", price.String())
			}
		}
		if item == nil && !hasAmt && !hasRate && !hasPct {
			amt = decimal.Zero // a description-only line
			line.Remove("Amount")
		} else {
			line.Set("Amount", money(amt))
		}
		isTaxable, code := c.taxable(line, item, custCode)
		if code != nil && !line.Has("SalesTaxCodeRef") {
			line.Put(refNode("SalesTaxCodeRef", code))
		}
		subtotal = subtotal.Add(amt)
		if isTaxable {
			taxableSub = taxableSub.Add(amt)
		}
		// Stock moves by the line's Quantity: an inventory line without one
		// (an amount only, as QuickBooks takes a blank Qty) posts its amount
		// to the item's income account and moves no stock, and no cost.
		if item != nil && item.Kind == "ItemInventory" && hasQty && !qty.IsZero() {
			r.Stock = append(r.Stock, stockMove{Item: item.ID, Qty: qty.Mul(sign)})
		}
		line.Kids = append([]*elem{leaf("TxnLineID", c.newLineID())}, line.Kids...)
	}
	// Sales tax: the transaction's tax item, else the customer's, else the
	// company default; a SalesTaxLineAdd sets the amount or rate itself.
	taxItem := c.refRecord(ret, "ItemSalesTaxRef")
	if taxItem == nil && cust != nil {
		taxItem = c.refRecord(cust.Ret, "ItemSalesTaxRef")
	}
	if taxItem == nil {
		taxItem = c.byID[c.d.Defaults.SalesTaxItem]
	}
	rate := decimal.Zero
	if taxItem != nil {
		rate, _ = taxItem.Ret.Dec("TaxRate")
		ret.Put(refNode("ItemSalesTaxRef", taxItem))
	}
	tax := round2(taxableSub.Mul(rate).Div(hundred))
	if tl := ret.Kid("SalesTaxLineAdd"); tl != nil {
		if a, ok := tl.Dec("Amount"); ok {
			tax = a
		} else if p, ok := tl.Dec("RatePercent"); ok {
			rate = p
			tax = round2(taxableSub.Mul(rate).Div(hundred))
		}
		tl.Name = "SalesTaxLineRet"
	}
	total := subtotal.Add(tax).Add(taxLines)
	for _, extra := range []string{"ShippingLineAdd", "DiscountLineAdd"} {
		if l := ret.Kid(extra); l != nil {
			a, _ := l.Dec("Amount")
			if extra == "DiscountLineAdd" {
				total = total.Sub(a)
			} else {
				total = total.Add(a)
			}
			l.Name = strings.TrimSuffix(extra, "Add") + "Ret"
		}
	}
	ret.Set("Subtotal", money(subtotal.Add(taxLines)))
	ret.Set("SalesTaxPercentage", rate.String())
	ret.Set("SalesTaxTotal", money(tax))
	if kind != "Invoice" {
		ret.Set("TotalAmount", money(total))
	}
	if kind == "Invoice" && !ret.Has("DueDate") {
		ret.Set("DueDate", ret.Get("TxnDate"))
	}
	for _, b := range []string{"IsPending", "IsToBePrinted", "IsToBeEmailed", "IsTaxIncluded"} {
		if !ret.Has(b) {
			ret.Set(b, "false")
		}
	}
	r.Total = total
	return nil
}

// salesTaxLine checks a line whose item is a sales tax item and returns its
// amount. QuickBooks works out a tax line without an Amount against a
// preceding subtotal line (only the first tax line after it), or makes it
// zero, and reads Quantity and Rate on it the same way; the simulator does
// not model subtotal lines, so it refuses those forms with 3250, as it
// refuses every element whose accounting it does not carry out, rather
// than answer with a total QuickBooks would not reach.
func salesTaxLine(kind string, line *elem, item *record) (decimal.Decimal, *qbStatus) {
	for _, name := range []string{"Quantity", "Rate", "RatePercent"} {
		if line.Has(name) {
			return decimal.Zero, &qbStatus{3250, fmt.Sprintf("The simulator takes the sales tax item \"%s\" as a %s line only with an Amount: "+
				"it does not model %s on a tax line, which QuickBooks works out against a subtotal line. Send the tax charged as the line's Amount.",
				item.fullName(), kind, name)}
		}
	}
	amt, ok := line.Dec("Amount")
	if !ok {
		return decimal.Zero, &qbStatus{3250, fmt.Sprintf("The simulator takes the sales tax item \"%s\" as a %s line only with an Amount: "+
			"without one QuickBooks makes the line zero or works it out against a subtotal line, which the simulator does not model.",
			item.fullName(), kind)}
	}
	return amt, nil
}

// taxLineTotal is the sum of a sales transaction's sales tax item lines.
func (c *Company) taxLineTotal(r *record) decimal.Decimal {
	sum := decimal.Zero
	for _, l := range r.Ret.All(r.Kind + "LineRet") {
		if item := c.refRecord(l, "ItemRef"); item != nil && item.Kind == "ItemSalesTax" {
			a, _ := l.Dec("Amount")
			sum = sum.Add(a)
		}
	}
	return sum
}

// itemPrice is the sales price QuickBooks fills in when a line names only an
// item.
func itemPrice(item *record) decimal.Decimal {
	for _, p := range []string{"SalesPrice", "SalesOrPurchase/Price", "SalesAndPurchase/SalesPrice"} {
		if d, ok := item.Ret.Dec(p); ok {
			return d
		}
	}
	return decimal.Zero
}

// openInvoices are the customer's invoices with a balance, oldest first.
func (c *Company) openInvoices(custID string) []*record {
	var out []*record
	for _, r := range c.d.Records {
		if r.Kind == "Invoice" && !r.Voided && r.Customer == custID {
			if paid, _ := c.applied(r.ID); r.Total.Sub(paid).IsPositive() {
				out = append(out, r)
			}
		}
	}
	return out
}

// receivePayment applies a payment to invoices (listed, or oldest first
// with IsAutoApply) and refuses overpaying an invoice (3210).
//
// An AppliedToTxnAdd may carry SetCredit: AppliedAmount of the customer's
// credit memo (CreditTxnID) is used on that invoice as well, as QuickBooks'
// Receive Payments window applies credits: the credit memo's remaining
// credit and the invoice's balance both drop by it, and the customer's
// balance does not move (the credit memo lowered it when entered). A
// payment may be credits only (TotalAmount 0, PaymentAmount 0). Using more
// than a credit memo's remaining credit, or paying and crediting more than
// the invoice's balance, is refused with 3210. The payment record holds the
// applications (the invoice: PaymentAmount plus the credits; each credit
// memo: its AppliedAmount), so voiding or deleting the payment gives both
// back; a query's LinkedTxn shows the payment, with those amounts, on the
// invoice and on the credit memo. SetCredit's TxnLineID and Override are not
// modeled (3250).
func (c *Company) receivePayment(ret *elem, r *record) *qbStatus {
	c.defaultRef(ret, "DepositToAccountRef", c.d.Defaults.UndepositedFunds)
	c.defaultRef(ret, "ARAccountRef", c.d.Defaults.AccountsReceive)
	total, hasTotal := ret.Dec("TotalAmount")
	applied := decimal.Zero // money received applied to invoices (not credits)
	var apps []application
	var rets []*elem
	// open is what is left of an invoice or credit memo, counting what this
	// payment has applied to it already.
	open := func(t *record) decimal.Decimal {
		used, _ := c.applied(t.ID)
		left := t.Total.Sub(used)
		for _, a := range apps {
			if a.TxnID == t.ID {
				left = left.Sub(a.Amount)
			}
		}
		return left
	}
	type credit struct {
		cm  *record
		amt decimal.Decimal
	}
	apply := func(inv *record, amt decimal.Decimal, credits []credit) {
		bal := open(inv)
		used := amt
		for _, cr := range credits {
			used = used.Add(cr.amt)
		}
		apps = append(apps, application{TxnID: inv.ID, Amount: used})
		applied = applied.Add(amt)
		n := el("AppliedToTxnRet", leaf("TxnID", inv.ID), leaf("TxnType", "Invoice"), leaf("TxnDate", inv.Ret.Get("TxnDate")),
			leaf("RefNumber", inv.Ret.Get("RefNumber")), leaf("BalanceRemaining", money(bal.Sub(used))), leaf("Amount", money(amt)))
		for _, cr := range credits {
			apps = append(apps, application{TxnID: cr.cm.ID, Amount: cr.amt})
			n.Kids = append(n.Kids, el("LinkedTxn", leaf("TxnID", cr.cm.ID), leaf("TxnType", "CreditMemo"), leaf("TxnDate", cr.cm.Ret.Get("TxnDate")),
				leaf("RefNumber", cr.cm.Ret.Get("RefNumber")), leaf("LinkType", "AMTTYPE"), leaf("Amount", money(cr.amt.Neg()))))
		}
		rets = append(rets, n)
	}
	if ret.Get("IsAutoApply") == "true" {
		left := total
		for _, inv := range c.openInvoices(r.Customer) {
			if !left.IsPositive() {
				break
			}
			amt := decimal.Min(left, open(inv))
			apply(inv, amt, nil)
			left = left.Sub(amt)
		}
	}
	for _, a := range ret.All("AppliedToTxnAdd") {
		inv := c.byID[a.Get("TxnID")]
		if inv == nil || inv.Kind != "Invoice" || inv.Voided {
			return statusNotFound(a.Get("TxnID"))
		}
		if inv.Customer != r.Customer {
			return statusInvalidValue(fmt.Sprintf("Invoice %s belongs to another customer.", inv.Ret.Get("RefNumber")))
		}
		amt, _ := a.Dec("PaymentAmount")
		var credits []credit
		used := amt
		for _, sc := range a.All("SetCredit") {
			for _, k := range []string{"TxnLineID", "Override"} {
				if sc.Has(k) {
					return &qbStatus{3250, fmt.Sprintf("The simulator does not model SetCredit/%s in a ReceivePayment.", k)}
				}
			}
			cm := c.byID[sc.Get("CreditTxnID")]
			if cm == nil || cm.Kind != "CreditMemo" || cm.Voided {
				return statusNotFound(sc.Get("CreditTxnID"))
			}
			if cm.Customer != r.Customer {
				return statusInvalidValue(fmt.Sprintf("Credit memo %s belongs to another customer.", cm.Ret.Get("RefNumber")))
			}
			ca, _ := sc.Dec("AppliedAmount")
			left := open(cm)
			for _, prev := range credits {
				if prev.cm == cm {
					left = left.Sub(prev.amt)
				}
			}
			if ca.IsNegative() || ca.GreaterThan(left) {
				return statusInvalidValue(fmt.Sprintf("You cannot apply more than the credit remaining (%s) of credit memo %s.", money(left), cm.Ret.Get("RefNumber")))
			}
			credits = append(credits, credit{cm, ca})
			used = used.Add(ca)
		}
		if used.GreaterThan(open(inv)) {
			return statusInvalidValue("You cannot pay more than the amount due.")
		}
		apply(inv, amt, credits)
	}
	if !hasTotal {
		total = applied
		ret.Set("TotalAmount", money(total))
	}
	if applied.GreaterThan(total) {
		return statusInvalidValue("The amount applied to transactions is more than the amount of the payment.")
	}
	ret.Remove("AppliedToTxnAdd")
	ret.Remove("IsAutoApply")
	ret.Set("UnusedPayment", money(total.Sub(applied)))
	ret.Set("UnusedCredits", "0.00")
	ret.Kids = append(ret.Kids, rets...)
	r.Applied = apps
	r.Total = total
	return nil
}

// refund pays money back against credit memos.
func (c *Company) refund(ret *elem, r *record) *qbStatus {
	c.defaultRef(ret, "RefundFromAccountRef", c.d.Defaults.UndepositedFunds)
	c.defaultRef(ret, "ARAccountRef", c.d.Defaults.AccountsReceive)
	total := decimal.Zero
	var rets []*elem
	for _, a := range ret.All("RefundAppliedToTxnAdd") {
		cm := c.byID[a.Get("TxnID")]
		if cm == nil || cm.Kind != "CreditMemo" || cm.Voided {
			return statusNotFound(a.Get("TxnID"))
		}
		amt, _ := a.Dec("RefundAmount")
		used, _ := c.applied(cm.ID)
		for _, prev := range r.Applied {
			if prev.TxnID == cm.ID {
				used = used.Add(prev.Amount)
			}
		}
		if amt.GreaterThan(cm.Total.Sub(used)) {
			return statusInvalidValue("You cannot refund more than the credit remaining.")
		}
		r.Applied = append(r.Applied, application{TxnID: cm.ID, Amount: amt})
		total = total.Add(amt)
		rets = append(rets, el("RefundAppliedToTxnRet", leaf("TxnID", cm.ID), leaf("TxnType", "CreditMemo"), leaf("TxnDate", cm.Ret.Get("TxnDate")),
			leaf("RefNumber", cm.Ret.Get("RefNumber")), leaf("CreditRemaining", money(cm.Total.Sub(used).Sub(amt))), leaf("RefundAmount", money(amt))))
	}
	ret.Remove("RefundAppliedToTxnAdd")
	ret.Set("TotalAmount", money(total))
	ret.Kids = append(ret.Kids, rets...)
	r.Total = total
	return nil
}

// check totals expense and item lines (a refund by check, for example).
func (c *Company) check(ret *elem, r *record) *qbStatus {
	total := decimal.Zero
	for _, l := range ret.Kids {
		switch l.Name {
		case "ExpenseLineAdd":
			l.Name = "ExpenseLineRet"
		case "ItemLineAdd":
			l.Name = "ItemLineRet"
		case "ItemGroupLineAdd":
			return statusInvalidRef("Item Group", l.Get("ItemGroupRef/FullName"), "Check line")
		default:
			continue
		}
		if st := c.resolveRefs(l, "Check line"); st != nil {
			return st
		}
		amt, hasAmt := l.Dec("Amount")
		if cost, ok := l.Dec("Cost"); ok && !hasAmt {
			q, okq := l.Dec("Quantity")
			if !okq {
				q = decimal.NewFromInt(1)
			}
			amt = round2(q.Mul(cost))
		}
		l.Set("Amount", money(amt))
		l.Kids = append([]*elem{leaf("TxnLineID", c.newLineID())}, l.Kids...)
		total = total.Add(amt)
		if item := c.refRecord(l, "ItemRef"); item != nil && item.Kind == "ItemInventory" {
			if q, ok := l.Dec("Quantity"); ok {
				r.Stock = append(r.Stock, stockMove{Item: item.ID, Qty: q})
			}
		}
	}
	ret.Set("Amount", money(total))
	if !ret.Has("IsToBePrinted") {
		ret.Set("IsToBePrinted", "false")
	}
	r.Total = total
	// A check paying out a customer's credit: its A/R lines raise the
	// customer's balance, and ApplyCheckToTxnAdd uses up the credit memo.
	for _, l := range ret.All("ExpenseLineRet") {
		if acct := c.refRecord(l, "AccountRef"); acct != nil && acct.Ret.Get("AccountType") == "AccountsReceivable" {
			if cust := c.refRecord(l, "CustomerRef"); cust != nil {
				amt, _ := l.Dec("Amount")
				r.Customer = cust.ID
				r.ARDelta = r.ARDelta.Add(amt)
			}
		}
	}
	for _, a := range ret.All("ApplyCheckToTxnAdd") {
		cm := c.byID[a.Get("TxnID")]
		if cm == nil || cm.Kind != "CreditMemo" || cm.Voided {
			return statusNotFound(a.Get("TxnID"))
		}
		used, _ := c.applied(cm.ID)
		left := cm.Total.Sub(used)
		amt, ok := a.Dec("Amount")
		if !ok {
			amt = left
		}
		if amt.GreaterThan(left) {
			return statusInvalidValue("You cannot apply more than the credit remaining.")
		}
		r.Applied = append(r.Applied, application{TxnID: cm.ID, Amount: amt})
		ret.Kids = append(ret.Kids, el("LinkedTxn", leaf("TxnID", cm.ID), leaf("TxnType", "CreditMemo"), leaf("TxnDate", cm.Ret.Get("TxnDate")),
			leaf("RefNumber", cm.Ret.Get("RefNumber")), leaf("LinkType", "AMTTYPE"), leaf("Amount", money(amt.Neg()))))
	}
	ret.Remove("ApplyCheckToTxnAdd")
	return nil
}

// inventoryAdjustment moves quantity on hand (new quantity or difference).
func (c *Company) inventoryAdjustment(ret *elem, r *record) *qbStatus {
	for _, l := range ret.All("InventoryAdjustmentLineAdd") {
		l.Name = "InventoryAdjustmentLineRet"
		if st := c.resolveRefs(l, "InventoryAdjustment line"); st != nil {
			return st
		}
		item := c.refRecord(l, "ItemRef")
		if item == nil || item.Kind != "ItemInventory" {
			return statusInvalidRef("Item", l.Get("ItemRef/FullName"), "InventoryAdjustment line (not an inventory item)")
		}
		qa := l.Kid("QuantityAdjustment")
		if qa == nil {
			return &qbStatus{3250, "The simulator only adjusts quantities."}
		}
		diff, ok := qa.Dec("QuantityDifference")
		if !ok {
			nq, _ := qa.Dec("NewQuantity")
			have := c.quantityOnHand(item.ID)
			for _, m := range r.Stock {
				if m.Item == item.ID {
					have = have.Add(m.Qty)
				}
			}
			diff = nq.Sub(have)
		}
		r.Stock = append(r.Stock, stockMove{Item: item.ID, Qty: diff})
		l.Kids = []*elem{leaf("TxnLineID", c.newLineID()), refNode("ItemRef", item), leaf("QuantityDifference", diff.String()), leaf("ValueDifference", "0.00")}
	}
	return nil
}

// voidOrDelete handles TxnVoid and TxnDel.
func (c *Company) voidOrDelete(op string, rq *elem) ([]*elem, *qbStatus) {
	typeEl := op + "Type"
	id := rq.Get("TxnID")
	r := c.byID[id]
	if r == nil || isListKind(r.Kind) || r.Kind != rq.Get(typeEl) {
		return nil, statusNotFound(id)
	}
	if used, _ := c.applied(r.ID); !used.IsZero() {
		return nil, statusInvalidValue(fmt.Sprintf("The %s has payments or refunds applied; remove them first.", r.Kind))
	}
	now := c.now()
	if op == "TxnDel" {
		c.remove(r)
		return []*elem{leaf("TxnDelType", r.Kind), leaf("TxnID", r.ID), leaf("TimeDeleted", qbTime(now))}, nil
	}
	if !r.Voided {
		c.eff.account(r, -1)
		r.Voided = true
		r.Modified = now
		r.EditSeq = max(now.Unix(), r.EditSeq+1)
		r.Ret.Set("TimeModified", qbTime(now))
		r.Ret.Set("EditSequence", strconv.FormatInt(r.EditSeq, 10))
		r.Ret.Set("Memo", strings.TrimSpace("VOID: "+r.Ret.Get("Memo")))
		zero := func(n *elem, names ...string) {
			for _, name := range names {
				if n.Has(name) {
					n.Set(name, "0.00")
				}
			}
		}
		zero(r.Ret, "Subtotal", "SalesTaxTotal", "TotalAmount", "Amount", "UnusedPayment")
		for _, l := range r.Ret.Kids {
			if strings.HasSuffix(l.Name, "LineRet") {
				zero(l, "Amount")
				if l.Has("Quantity") {
					l.Set("Quantity", "0")
				}
			}
		}
	}
	return []*elem{leaf("TxnVoidType", r.Kind), leaf("TxnID", r.ID), leaf("TimeModified", qbTime(now)), leaf("EditSequence", strconv.FormatInt(r.EditSeq, 10))}, nil
}
