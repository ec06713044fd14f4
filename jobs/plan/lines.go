package plan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/qbxml"
)

// Total returns what QuickBooks will compute as the total of the given lines
// (line Amount, or round-half-away-from-zero to cents of Quantity×Rate, a
// missing Quantity counting as 1), for the rounding check and tests.
// RatePercent lines (a percentage of the lines above) are not used by the
// plan and count as 0.
func Total(lines []qbxml.SalesLineAdd) decimal.Decimal {
	t := decimal.Zero
	for _, ln := range lines {
		switch {
		case ln.Amount.IsSet():
			t = t.Add(ln.Amount.Decimal())
		case ln.Rate.IsSet():
			q := decimal.NewFromInt(1)
			if ln.Quantity.IsSet() {
				q = ln.Quantity.Decimal()
			}
			t = t.Add(qbxml.RoundAmount(q.Mul(ln.Rate.Decimal())).Decimal())
		}
	}
	return t
}

// draft is a line whose exact amount (BigCommerce's 4 decimals, maybe
// converted) is not rounded to cents yet.
type draft struct {
	line  qbxml.SalesLineAdd
	exact decimal.Decimal
}

// roundDrafts gives each line its cents so that the lines add up to the
// rounded sum of the exact amounts (each line is off by less than a cent,
// and a line whose exact amount is whole cents keeps it as long as the
// lines before it are whole cents too, which is BigCommerce's usual case).
func roundDrafts(ds []draft) []qbxml.SalesLineAdd {
	out := make([]qbxml.SalesLineAdd, 0, len(ds))
	run, prev := decimal.Zero, decimal.Zero
	for _, d := range ds {
		run = run.Add(d.exact)
		r := cents(run)
		ln := d.line
		ln.Amount = qbxml.AmountOf(r.Sub(prev))
		prev = r
		out = append(out, ln)
	}
	return out
}

// resolver finds (or plans) the QuickBooks item of each order line.
type resolver struct {
	s       Settings
	l       Lists
	newByNm map[string]int
	items   []NewItem
	missing []string
	// skus are the SKUs of missing, for MappingError.
	skus []string
}

// itemKey is what identifies a product line's item: its SKU (variants have
// their own), or for a product without SKU its name and product id.
func itemKey(p bigcommerce.OrderProduct) string {
	if sku := strings.TrimSpace(p.SKU); sku != "" {
		return sku
	}
	name := strings.TrimSpace(p.Name)
	if name == "" {
		name = "Product"
	}
	if p.ProductID > 0 {
		return name + " #" + strconv.FormatInt(p.ProductID, 10)
	}
	return name
}

// itemName is the QuickBooks name bcqb gives the item of key: storable
// characters, no ':' (QuickBooks' parent:child separator), at most 31
// characters with a stable hash suffix when cut.
func itemName(key string) string {
	n := strings.TrimSpace(strings.ReplaceAll(qbxml.Clean(key), ":", "-"))
	return qbxml.Fit(n, qbxml.MaxItemName)
}

func (r *resolver) lookup(key string) (string, bool) {
	n, _, ok := lookupItem(r.s, r.l, key)
	return n, ok
}

func (r *resolver) item(p bigcommerce.OrderProduct, taxed bool, price decimal.Decimal) string {
	key := itemKey(p)
	if n, ok := r.lookup(key); ok {
		return n
	}
	name := itemName(key)
	if _, ok := r.newByNm[name]; ok {
		return name
	}
	taxCode := r.s.NonTaxCode
	if taxed {
		taxCode = r.s.TaxCode
	}
	desc := strings.TrimSpace(p.Name)
	if name != key || strings.TrimSpace(p.SKU) != "" {
		desc = fmt.Sprintf("%s (BigCommerce SKU %s)", desc, key)
	}
	ni := NewItem{SKU: key, Name: name}
	policy := itemPolicy(r.s, key, p.Type)
	switch {
	case policy == ItemsRequireMapping:
		r.missing = append(r.missing, fmt.Sprintf("map SKU %s on the mapping page or create item %s in QuickBooks (%s)", key, name, strings.TrimSpace(p.Name)))
		r.skus = append(r.skus, key)
		return name
	case policy == ItemsCreateInventory:
		ni.Inventory = &qbxml.ItemInventoryAdd{
			Name: name, SalesTaxCodeRef: refOrNil(taxCode), SalesDesc: desc, SalesPrice: qbxml.PriceOf(cents(price)),
			IncomeAccountRef: refOrNil(r.s.IncomeAccount), PurchaseDesc: desc, PurchaseCost: qbxml.PriceOf(cents(p.BaseCostPrice.Decimal)),
			COGSAccountRef: refOrNil(r.s.COGSAccount), AssetAccountRef: refOrNil(r.s.AssetAccount),
		}
	default:
		// Non-inventory (also digital goods under the inventory policy:
		// there is no stock of a download to count).
		ni.NonInventory = &qbxml.ItemNonInventoryAdd{
			Name: name, SalesTaxCodeRef: refOrNil(taxCode),
			SalesOrPurchase: &qbxml.SalesOrPurchase{Desc: desc, Price: qbxml.PriceOf(cents(price)), AccountRef: refOrNil(r.s.IncomeAccount)},
		}
	}
	r.newByNm[name] = len(r.items)
	r.items = append(r.items, ni)
	return name
}

func (r *resolver) err() error {
	if len(r.missing) == 0 {
		return nil
	}
	return &MappingError{SKUs: r.skus, msg: fmt.Sprintf("%s: %s", ErrNeedsMapping, strings.Join(r.missing, "; "))}
}

// built is the money of a sale, ready to go on a receipt, invoice or memo.
type built struct {
	lines    []qbxml.SalesLineAdd // before the credits lines
	credits  []qbxml.SalesLineAdd // gift certificate and store credit, negative
	credited decimal.Decimal
	rounding decimal.Decimal
	items    []NewItem
	notes    []string
}

func (s Settings) code(taxed bool) *qbxml.Ref {
	if taxed {
		return refOrNil(s.TaxCode)
	}
	return refOrNil(s.NonTaxCode)
}

// optionsText renders a line's chosen options ("Size: M, Color: Navy").
func optionsText(p bigcommerce.OrderProduct) string {
	var parts []string
	for _, o := range p.ProductOptions {
		name, val := strings.TrimSpace(o.DisplayName), strings.TrimSpace(o.DisplayValue)
		if val == "" {
			val = strings.TrimSpace(o.Value)
		}
		if name == "" || val == "" {
			continue
		}
		parts = append(parts, name+": "+val)
	}
	return strings.Join(parts, ", ")
}

type discAcc struct {
	desc  string
	taxed bool
	amt   decimal.Decimal
}

// buildMoney turns an order's figures into lines whose total is exactly
// BigCommerce's total_inc_tax (in the currency posted).
//
// BigCommerce's line total_ex_tax is before discounts; the discounts are in
// applied_discounts, and discounted_total_inc_tax is the line after all of
// them, tax included. The discount of a line, ex tax, is therefore
// total_ex_tax - (discounted_total_inc_tax - total_tax), which is the applied
// amount on tax-exclusive stores and the applied amount less its tax on
// tax-inclusive ones; it is posted on DiscountItem, one line per discount
// name and taxability. Tax comes from the order's tax rows.
func buildMoney(d bigcommerce.OrderDetails, s Settings, l Lists, cv conv, total decimal.Decimal) (built, error) {
	o := d.Order
	var b built
	if cv.note != "" {
		b.notes = append(b.notes, cv.note)
	}
	r := &resolver{s: s, l: l, newByNm: map[string]int{}}
	lineTax := map[int64]decimal.Decimal{}
	for _, t := range d.Taxes {
		if t.OrderProductID != 0 {
			lineTax[t.OrderProductID] = lineTax[t.OrderProductID].Add(t.LineAmount.Decimal.Abs())
		}
	}
	names := map[int64]string{}
	for _, p := range d.Products {
		names[p.ID] = strings.TrimSpace(p.Name)
	}
	class := refOrNil(classFor(s, o.ChannelID))
	var ds []draft
	var discs []*discAcc
	discBy := map[string]*discAcc{}
	addDisc := func(desc string, taxed bool, amt decimal.Decimal) {
		if amt.IsZero() {
			return
		}
		k := desc + "|" + strconv.FormatBool(taxed)
		a := discBy[k]
		if a == nil {
			a = &discAcc{desc: desc, taxed: taxed}
			discBy[k] = a
			discs = append(discs, a)
		}
		a.amt = a.amt.Add(amt)
	}
	anyTaxed := false
	lineDisc := decimal.Zero
	for _, p := range d.Products {
		taxed := !p.TotalTax.IsZero() || lineTax[p.ID].IsPositive()
		anyTaxed = anyTaxed || taxed
		var ln qbxml.SalesLineAdd
		desc := strings.TrimSpace(p.Name)
		if opt := optionsText(p); opt != "" {
			desc += " (" + opt + ")"
		}
		if p.Type == "giftcertificate" || p.GiftCertificateID != nil {
			// Selling a gift certificate is a liability, not income.
			ln.ItemRef = refOrNil(s.GiftCertItem)
			desc = "Gift certificate sold: " + desc
		} else {
			name := r.item(p, taxed, cv.money(p.PriceExTax.Decimal))
			ln.ItemRef = refOrNil(name)
			if key := itemKey(p); name != key || key != strings.TrimSpace(p.SKU) {
				desc += " [BigCommerce SKU " + key + "]"
			} else {
				desc += " [SKU " + key + "]"
			}
		}
		if p.ParentOrderProductID != nil {
			desc = fmt.Sprintf("Part of bundle %s: %s", names[*p.ParentOrderProductID], desc)
		}
		ln.Desc = desc
		if p.Quantity > 0 {
			ln.Quantity = qbxml.QuantityInt(int64(p.Quantity))
		}
		ln.ClassRef = class
		ln.SalesTaxCodeRef = s.code(taxed)
		ds = append(ds, draft{line: ln, exact: cv.money(p.TotalExTax.Decimal)})

		applied := decimal.Zero
		for _, a := range p.AppliedDiscounts {
			applied = applied.Add(a.Amount.Decimal)
		}
		disc := applied
		if hasDiscounted(p) {
			disc = p.TotalExTax.Sub(p.DiscountedTotalInc.Sub(p.TotalTax.Decimal))
		}
		disc = cv.money(disc)
		if disc.IsZero() {
			continue
		}
		lineDisc = lineDisc.Add(disc)
		if len(p.AppliedDiscounts) == 0 || applied.IsZero() {
			addDisc("Discount", taxed, disc)
			continue
		}
		left := disc
		for i, a := range p.AppliedDiscounts {
			share := disc.Mul(a.Amount.Decimal).DivRound(applied, 10)
			if i == len(p.AppliedDiscounts)-1 {
				share = left
			}
			left = left.Sub(share)
			addDisc(discountDesc(a), taxed, share)
		}
	}
	if err := r.err(); err != nil {
		return b, err
	}
	b.items = r.items
	// An order-level discount the lines do not carry (tax-exclusive stores,
	// where the order's figures and the lines' are comparable).
	if !o.IsTaxInclusive {
		orderDisc := cv.money(o.DiscountAmount.Add(o.CouponDiscount.Decimal))
		if rest := orderDisc.Sub(lineDisc); cents(rest).IsPositive() {
			addDisc("Order discount", anyTaxed, rest)
			b.notes = append(b.notes, fmt.Sprintf("BigCommerce's order discounts (%s) exceed the lines' discounts by %s: posted as an order discount line",
				cents(orderDisc).StringFixed(2), cents(rest).StringFixed(2)))
		}
	}
	for _, a := range discs {
		ds = append(ds, draft{line: qbxml.SalesLineAdd{ItemRef: refOrNil(s.DiscountItem), Desc: a.desc, ClassRef: class, SalesTaxCodeRef: s.code(a.taxed)}, exact: a.amt.Neg()})
	}
	charge := func(item, desc string, ex, tax decimal.Decimal) {
		if ex.IsZero() {
			return
		}
		ds = append(ds, draft{line: qbxml.SalesLineAdd{ItemRef: refOrNil(item), Desc: desc, ClassRef: class, SalesTaxCodeRef: s.code(!tax.IsZero())}, exact: cv.money(ex)})
	}
	charge(s.ShippingItem, shippingDesc(d), o.ShippingCostExTax.Decimal, o.ShippingCostTax.Decimal)
	charge(s.HandlingItem, "Handling", o.HandlingCostExTax.Decimal, o.HandlingCostTax.Decimal)
	charge(s.WrappingItem, "Gift wrapping", o.WrappingCostExTax.Decimal, o.WrappingCostTax.Decimal)
	for _, f := range o.Fees {
		name := strings.TrimSpace(f.DisplayNameMerchant)
		if name == "" {
			name = strings.TrimSpace(f.DisplayNameCustomer)
		}
		if name == "" {
			name = "Fee"
		}
		charge(s.FeeItem, name, f.CostExTax.Decimal, f.CostTax.Decimal)
	}
	b.lines = roundDrafts(ds)

	taxLines, taxNotes := buildTax(d, s, cv)
	b.notes = append(b.notes, taxNotes...)
	b.lines = append(b.lines, taxLines...)

	got := Total(b.lines)
	if diff := total.Sub(got); !diff.IsZero() {
		if diff.Abs().GreaterThan(s.RoundingLimit) {
			return b, fmt.Errorf("%w: order %d: BigCommerce's total_inc_tax is %s but its lines, discounts, charges and tax add up to %s (%s, more than the rounding limit %s)",
				ErrMalformed, o.ID, total.StringFixed(2), got.StringFixed(2), signed(diff), s.RoundingLimit.StringFixed(2))
		}
		b.rounding = diff
		b.lines = append(b.lines, qbxml.SalesLineAdd{ItemRef: refOrNil(s.RoundingItem), Desc: "Rounding to BigCommerce's total",
			Amount: qbxml.AmountOf(diff), ClassRef: class, SalesTaxCodeRef: s.code(false)})
		b.notes = append(b.notes, fmt.Sprintf("the lines add up to %s and BigCommerce's total is %s: a rounding line of %s makes them equal",
			got.StringFixed(2), total.StringFixed(2), signed(diff)))
	}

	// Gift certificates and store credit paid part of the order: money
	// received, not a discount. They go on the sale as negative lines on
	// their (liability) items, so the deposit or the invoice balance is
	// what the card (or other tender) paid.
	credit := func(item, desc string, amt decimal.Decimal) {
		amt = cents(cv.money(amt))
		if !amt.IsPositive() {
			return
		}
		b.credited = b.credited.Add(amt)
		b.credits = append(b.credits, qbxml.SalesLineAdd{ItemRef: refOrNil(item), Desc: desc, Amount: qbxml.AmountOf(amt.Neg()), ClassRef: class, SalesTaxCodeRef: s.code(false)})
	}
	credit(s.GiftCertItem, giftDesc(d), o.GiftCertificateAmt.Decimal)
	credit(s.StoreCreditItem, "Paid with BigCommerce store credit", o.StoreCreditAmount.Decimal)
	if b.credited.GreaterThan(total) {
		return b, fmt.Errorf("%w: order %d: gift certificates and store credit (%s) exceed the order total %s", ErrMalformed, o.ID, b.credited.StringFixed(2), total.StringFixed(2))
	}
	return b, nil
}

// hasDiscounted tells a discounted_total_inc_tax that BigCommerce sent from
// one that was null or absent (decoded as 0 for a line that is not free).
func hasDiscounted(p bigcommerce.OrderProduct) bool {
	return !p.DiscountedTotalInc.IsZero() || p.TotalIncTax.IsZero()
}

func discountDesc(a bigcommerce.AppliedDiscount) string {
	d := strings.TrimSpace(a.Name)
	if d == "" {
		d = "Discount " + a.ID
	}
	if a.Code != nil && *a.Code != "" && !strings.Contains(d, *a.Code) {
		d += " (code " + *a.Code + ")"
	}
	return d
}

func shippingDesc(d bigcommerce.OrderDetails) string {
	var ms []string
	for _, a := range d.ShippingAddresses {
		if m := strings.TrimSpace(a.ShippingMethod); m != "" && !contains(ms, m) {
			ms = append(ms, m)
		}
	}
	if len(ms) == 0 {
		return "Shipping"
	}
	return "Shipping: " + strings.Join(ms, ", ")
}

func giftDesc(d bigcommerce.OrderDetails) string {
	var codes []string
	for _, t := range d.Transactions {
		if t.GiftCertificate != nil && t.GiftCertificate.Code != "" && !contains(codes, t.GiftCertificate.Code) {
			codes = append(codes, t.GiftCertificate.Code)
		}
	}
	if len(codes) == 0 {
		return "Paid with gift certificate"
	}
	return "Paid with gift certificate " + strings.Join(codes, ", ")
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// buildTax turns the order's tax rows into one sales tax line per rate,
// checked against total_tax; without rows, total_tax is one line.
func buildTax(d bigcommerce.OrderDetails, s Settings, cv conv) ([]qbxml.SalesLineAdd, []string) {
	o := d.Order
	want := cents(cv.money(o.TotalTax.Decimal))
	type acc struct {
		name string
		rate decimal.Decimal
		amt  decimal.Decimal
	}
	var accs []*acc
	by := map[string]*acc{}
	for _, t := range d.Taxes {
		k := t.Name + "|" + t.Rate.String()
		a := by[k]
		if a == nil {
			a = &acc{name: strings.TrimSpace(t.Name), rate: t.Rate.Decimal}
			by[k] = a
			accs = append(accs, a)
		}
		a.amt = a.amt.Add(t.LineAmount.Decimal)
	}
	var notes []string
	if len(accs) == 0 {
		// No rows: the pull fetches them only for the per-rate detail
		// (TaxDetail, TaxItems). total_tax is BigCommerce's tax on either
		// kind of store: on a tax-exclusive one it is added to the lines, on
		// a tax-inclusive one it is the part of the inclusive prices the
		// lines (posted ex tax, as above) leave out; either way
		// total_ex_tax + total_tax = total_inc_tax, and the per-rate lines
		// below are made to add up to the same figure.
		if want.IsZero() {
			return nil, nil
		}
		if s.TaxDetail || len(s.TaxItems) > 0 {
			notes = append(notes, fmt.Sprintf("the order has no tax rows (pulled before the tax detail was asked for, or BigCommerce gave none) for a total tax of %s: posted as one tax line on %s", want.StringFixed(2), s.TaxItem))
		}
		return []qbxml.SalesLineAdd{{ItemRef: refOrNil(s.TaxItem), Desc: "Sales tax (BigCommerce)", Amount: qbxml.AmountOf(want)}}, notes
	}
	sum := decimal.Zero
	amts := make([]decimal.Decimal, len(accs))
	largest := 0
	for i, a := range accs {
		amts[i] = cents(cv.money(a.amt))
		sum = sum.Add(amts[i])
		if amts[i].Abs().GreaterThan(amts[largest].Abs()) {
			largest = i
		}
	}
	if diff := want.Sub(sum); !diff.IsZero() {
		amts[largest] = amts[largest].Add(diff)
		notes = append(notes, fmt.Sprintf("BigCommerce's tax rows add up to %s but the order's total_tax is %s: posted %s, the difference (%s) on %s",
			sum.StringFixed(2), want.StringFixed(2), want.StringFixed(2), signed(diff), taxDesc(accs[largest].name, accs[largest].rate)))
	}
	out := make([]qbxml.SalesLineAdd, 0, len(accs))
	for i, a := range accs {
		if amts[i].IsZero() {
			continue
		}
		item := s.TaxItem
		if m, ok := s.TaxItems[a.name]; ok && m != "" {
			item = m
		}
		out = append(out, qbxml.SalesLineAdd{ItemRef: refOrNil(item), Desc: taxDesc(a.name, a.rate), Amount: qbxml.AmountOf(amts[i])})
	}
	return out, notes
}

func taxDesc(name string, rate decimal.Decimal) string {
	if name == "" {
		name = "Sales tax"
	}
	return fmt.Sprintf("%s %s%%", name, rate.String())
}
