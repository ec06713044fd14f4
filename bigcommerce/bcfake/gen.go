package bcfake

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

var currencies = []*currency{
	{ID: 1, Code: "USD", Name: "US Dollar", Token: "$", Rate: dec("1"), ISO2: "US", Places: 2},
	{ID: 2, Code: "CAD", Name: "Canadian Dollar", Token: "$", Rate: dec("1.36"), ISO2: "CA", Places: 2},
	{ID: 3, Code: "EUR", Name: "Euro", Token: "€", Rate: dec("0.92"), ISO2: "EU", Places: 2},
	{ID: 4, Code: "GBP", Name: "British Pound", Token: "£", Rate: dec("0.79"), ISO2: "GB", Places: 2},
}

func currencyByCode(code string) *currency {
	for _, c := range currencies {
		if c.Code == code {
			return c
		}
	}
	return currencies[0]
}

func rates(rs ...taxRate) []taxRate { return rs }

var (
	txState  = taxRate{1, "TX State Tax", dec("6.25")}
	txCity   = taxRate{2, "Austin City Tax", dec("2")}
	caState  = taxRate{3, "CA State Tax", dec("7.25")}
	caCounty = taxRate{4, "Los Angeles County Tax", dec("2.25")}
	gst      = taxRate{5, "GST", dec("5")}
	pst      = taxRate{6, "PST", dec("7")}
	deVAT    = taxRate{7, "MwSt 19%", dec("19")}
	deVAT7   = taxRate{8, "MwSt 7%", dec("7")}
	ukVAT    = taxRate{9, "VAT", dec("20")}
	ukVAT5   = taxRate{10, "VAT 5%", dec("5")}
)

// regions spread orders over exclusive (US, Canada) and inclusive (Germany,
// UK) taxation with one, two or no rates, in four currencies.
var regions = []*region{
	{Country: "United States", ISO2: "US", State: "Texas", City: "Austin", Zip: "78701", Zone: "United States - Texas", ZoneID: 1, Currency: "USD",
		Rates: map[int][]taxRate{classDefault: rates(txState, txCity), classReduced: rates(txState), classShipping: rates(txState, txCity)}},
	{Country: "United States", ISO2: "US", State: "California", City: "Los Angeles", Zip: "90012", Zone: "United States - California", ZoneID: 2, Currency: "USD",
		Rates: map[int][]taxRate{classDefault: rates(caState, caCounty), classReduced: rates(caState)}},
	{Country: "United States", ISO2: "US", State: "Oregon", City: "Portland", Zip: "97201", Zone: "United States", ZoneID: 3, Currency: "USD",
		Rates: map[int][]taxRate{}},
	{Country: "Canada", ISO2: "CA", State: "British Columbia", City: "Vancouver", Zip: "V6B 1A1", Zone: "Canada", ZoneID: 4, Currency: "CAD",
		Rates: map[int][]taxRate{classDefault: rates(gst, pst), classReduced: rates(gst), classShipping: rates(gst)}},
	{Country: "Germany", ISO2: "DE", State: "Berlin", City: "Berlin", Zip: "10115", Zone: "Europe", ZoneID: 5, Currency: "EUR", Inclusive: true,
		Rates: map[int][]taxRate{classDefault: rates(deVAT), classReduced: rates(deVAT7), classShipping: rates(deVAT)}},
	{Country: "United Kingdom", ISO2: "GB", State: "England", City: "London", Zip: "SW1A 1AA", Zone: "United Kingdom", ZoneID: 6, Currency: "GBP", Inclusive: true,
		Rates: map[int][]taxRate{classDefault: rates(ukVAT), classReduced: rates(ukVAT5), classShipping: rates(ukVAT)}},
}

var (
	firstNames = []string{"Jane", "John", "Ava", "Liam", "Mia", "Noah", "Emma", "Oliver", "Sofia", "Lucas", "Chloe", "Mateo", "Hannah", "Elias", "Grace", "Yusuf"}
	lastNames  = []string{"Doe", "Smith", "Garcia", "Müller", "Nguyen", "Brown", "Okafor", "Tremblay", "Rossi", "Kowalski", "Patel", "O'Brien", "Johansson", "Silva"}
	streets    = []string{"Main Street", "Sussex St", "Oak Avenue", "High Street", "Hauptstraße", "King Street W", "Elm Road", "Congress Ave"}
	companies  = []string{"", "", "", "Acme Corp", "Globex Ltd", "Initech", "Umbrella GmbH"}
	nouns      = []string{"Mug", "Towel", "Notebook", "Candle", "Jar", "Tote Bag", "Apron", "Teapot", "Blanket", "Planter", "Lamp", "Cutting Board", "Scarf", "Poster", "Coaster Set"}
	adjectives = []string{"Linen", "Ceramic", "Oak", "Organic", "Vintage", "Copper", "Wool", "Recycled", "Handmade", "Glass"}
	sizes      = []string{"S", "M", "L", "XL"}
	colors     = []string{"Beige", "Navy", "Olive", "Rust"}
)

// generator draws everything from one seeded source so a seed always gives
// the same store.
type generator struct {
	r *rand.Rand
}

func (g *generator) pick(n int) int { return g.r.IntN(n) }

// chance is true pct times in a hundred.
func (g *generator) chance(pct int) bool { return g.r.IntN(100) < pct }

// price draws a shelf price like 24.95 or 129.00.
func (g *generator) price(lo, hi int) decimal.Decimal {
	whole := lo + g.pick(hi-lo+1)
	cents := []string{"00", "95", "99", "50"}[g.pick(4)]
	return dec(fmt.Sprintf("%d.%s", whole, cents))
}

func (g *generator) person() (first, last string) {
	return firstNames[g.pick(len(firstNames))], lastNames[g.pick(len(lastNames))]
}

func (g *generator) address(first, last, email string, reg *region) address {
	return address{
		First: first, Last: last, Company: companies[g.pick(len(companies))],
		Street1: fmt.Sprintf("%d %s", 1+g.pick(999), streets[g.pick(len(streets))]),
		City:    reg.City, State: reg.State, Zip: reg.Zip, Country: reg.Country, ISO2: reg.ISO2,
		Phone: fmt.Sprintf("555-%03d-%04d", g.pick(1000), g.pick(10000)), Email: email,
	}
}

func emailFor(first, last string, n int64, domain string) string {
	clean := func(s string) string {
		s = strings.ToLower(s)
		s = strings.NewReplacer("ü", "u", "'", "", " ", "").Replace(s)
		return s
	}
	return fmt.Sprintf("%s.%s%d@%s", clean(first), clean(last), n, domain)
}

// genCatalog makes the products: simple ones tracked by product, ones with
// size/colour variants tracked by variant, untracked physical ones, digital
// ones, and a bundle whose pick-list child ships at price 0.
func (s *Store) genCatalog(g *generator, n int) {
	base := s.opts.Epoch.AddDate(-2, 0, 0)
	for i := 0; i < n; i++ {
		id := int64(100 + i)
		name := fmt.Sprintf("%s %s", adjectives[g.pick(len(adjectives))], nouns[i%len(nouns)])
		p := &product{
			ID: id, Name: name, SKU: fmt.Sprintf("SKU-%03d", id), Type: "physical",
			Price: g.price(5, 150), TaxClass: classDefault, Tracking: "product",
			Level: int64(50 + g.pick(500)), WeightOz: int64(4 + g.pick(60)),
			Created: base.Add(time.Duration(i) * 24 * time.Hour),
		}
		p.Cost = r2(p.Price.Mul(dec("0.45")))
		switch {
		case i%10 == 9:
			p.Type, p.Tracking, p.Level, p.TaxClass = "digital", "none", 0, classReduced
			p.Name = "E-book: " + p.Name
		case i%5 == 1:
			p.Tracking, p.Level = "variant", 0
			p.Name += " T-Shirt"
			for j, size := range sizes[:2+g.pick(3)] {
				color := colors[g.pick(len(colors))]
				v := &variant{
					ID: s.nextVariant(), ProductID: id, SKU: fmt.Sprintf("%s-%s-%s", p.SKU, size, strings.ToUpper(color[:3])),
					Price: p.Price.Add(decimal.NewFromInt(int64(j))), Cost: p.Cost, Level: int64(g.pick(120)),
					Options: []optionValue{{ID: int64(1000 + j), OptionID: 10, Label: size, Option: "Size"}, {ID: int64(2000 + g.pick(4)), OptionID: 11, Label: color, Option: "Color"}},
				}
				v.SKUID = v.ID + 5000
				p.Level += v.Level
				p.Variants = append(p.Variants, v)
			}
		case i%7 == 3:
			p.Tracking, p.Level = "none", 0
		case i%6 == 4:
			p.TaxClass = classReduced
		}
		if len(p.Variants) == 0 {
			p.Variants = []*variant{{ID: s.nextVariant(), ProductID: id, SKU: p.SKU, Price: p.Price, Cost: p.Cost, Level: p.Level}}
		}
		p.Modified = p.Created.Add(time.Duration(g.pick(300)) * 24 * time.Hour)
		p.BinPicking = fmt.Sprintf("A%02d-%d", i%40, 1+g.pick(9))
		s.products = append(s.products, p)
	}
	// The bundle: a gift basket whose pick list adds a simple product.
	child := s.products[0]
	for _, p := range s.products {
		if p.Tracking == "product" && p.Type == "physical" {
			child = p
			break
		}
	}
	id := int64(100 + n)
	b := &product{
		ID: id, Name: "Gift Basket", SKU: "BNDL-BASKET", Type: "physical", Price: dec("89.00"), Cost: dec("40.00"),
		TaxClass: classDefault, Tracking: "none", Bundle: child, WeightOz: 80,
		Created: base, Modified: base.AddDate(0, 2, 0), BinPicking: "B01-1",
	}
	b.Variants = []*variant{{ID: s.nextVariant(), ProductID: id, SKU: b.SKU, Price: b.Price, Cost: b.Cost}}
	s.products = append(s.products, b)
}

func (s *Store) nextVariant() int64 { s.seq.variant++; return s.seq.variant }

// genCustomers makes registered customers spread over the regions; some
// have store credit.
func (s *Store) genCustomers(g *generator, n int) {
	base := s.opts.Epoch.AddDate(-1, -6, 0)
	for i := 0; i < n; i++ {
		id := int64(1 + i)
		first, last := g.person()
		reg := regions[g.pick(len(regions))]
		c := &customer{
			ID: id, Email: emailFor(first, last, id, "example.com"),
			Created: base.Add(time.Duration(i) * 7 * time.Hour), AddressID: id + 200,
		}
		c.Addr = g.address(first, last, c.Email, reg)
		if g.chance(15) {
			c.StoreCredit = decimal.NewFromInt(int64(10 + 5*g.pick(10)))
		}
		if g.chance(10) {
			c.Group, c.TaxExempt, c.Notes = 1, "", "Wholesale"
		}
		c.Modified = c.Created.Add(time.Duration(g.pick(4000)) * time.Hour)
		if !c.Modified.Before(s.opts.Epoch) {
			c.Modified = s.opts.Epoch.Add(-time.Hour)
		}
		s.customers = append(s.customers, c)
	}
}

// statusWeights draws the final status of a seeded order; every status
// appears in a few hundred orders.
var statusWeights = []struct {
	id     int
	weight int
}{
	{0, 2}, {1, 4}, {2, 14}, {3, 3}, {4, 4}, {5, 4}, {6, 2}, {7, 6},
	{8, 2}, {9, 6}, {10, 30}, {11, 12}, {12, 1}, {13, 1}, {14, 5},
}

func (g *generator) status() int {
	total := 0
	for _, w := range statusWeights {
		total += w.weight
	}
	n := g.pick(total)
	for _, w := range statusWeights {
		if n < w.weight {
			return w.id
		}
		n -= w.weight
	}
	return 10
}

// newOrder builds an order placed at t with its lines, discounts and
// charges, then plays its life to the given status (payment, capture,
// shipping, cancellation, refunds), every event after t.
func (s *Store) newOrder(g *generator, t time.Time, status int) *order {
	s.seq.order++
	o := &order{ID: s.seq.order, Created: t, Modified: t, StatusID: 0}
	var reg *region
	if len(s.customers) > 0 && g.chance(65) {
		c := s.customers[g.pick(len(s.customers))]
		o.CustomerID = c.ID
		o.Billing = c.Addr
		for _, rg := range regions {
			if rg.ISO2 == c.Addr.ISO2 && rg.State == c.Addr.State {
				reg = rg
			}
		}
		if c.StoreCredit.IsPositive() && g.chance(40) {
			o.StoreCredit = decimal.Min(c.StoreCredit, dec("10"))
		}
	}
	if reg == nil {
		reg = regions[g.pick(len(regions))]
	}
	if o.CustomerID == 0 {
		first, last := g.person()
		o.Billing = g.address(first, last, emailFor(first, last, o.ID, "example.net"), reg)
	}
	o.Region, o.Cur = reg, currencyByCode(reg.Currency)
	o.Ship = o.Billing
	if g.chance(20) {
		first, last := g.person()
		o.Ship = g.address(first, last, o.Billing.Email, reg)
	}
	s.seq.address++
	o.ShipAddrID = s.seq.address
	o.ShipMethod = []string{"Flat Rate", "UPS Ground", "Free Shipping", "Royal Mail", "DHL Express"}[g.pick(5)]
	o.IP = fmt.Sprintf("203.0.113.%d", 1+g.pick(250))
	if g.chance(10) {
		o.Message = "Please leave at the back door."
	}

	conv := func(usd decimal.Decimal) decimal.Decimal { return r2(usd.Mul(o.Cur.Rate)) }
	nLines := 1 + g.pick(4)
	for i := 0; i < nLines; i++ {
		p := s.products[g.pick(len(s.products))]
		v := p.Variants[g.pick(len(p.Variants))]
		l := s.newLine(p, v, 1+g.pick(3), conv(v.Price))
		o.Lines = append(o.Lines, l)
		if p.Bundle != nil {
			c := p.Bundle
			child := s.newLine(c, c.Variants[0], l.Qty, zero)
			child.Parent = l.ID
			child.Options = nil
			o.Lines = append(o.Lines, child)
			l.Options = append(l.Options, lineOption{ID: l.ID*10 + 1, OptionID: 39, ProductOptionID: 124, Name: "PickList", Value: c.Name, Type: "Product Pick List"})
		}
	}
	if g.chance(3) {
		s.seq.line++
		s.seq.giftCert++
		o.Lines = append(o.Lines, &line{ID: s.seq.line, Name: "$50 Gift Certificate", Type: "giftcertificate", Qty: 1,
			Unit: conv(dec("50")), TaxClass: classNonTaxable, GiftCertID: s.seq.giftCert})
	}
	if !o.isDigital() {
		o.ShipBasis = conv(dec([]string{"0", "5.00", "7.95", "12.00", "15.50"}[g.pick(5)]))
		if g.chance(15) {
			o.HandBasis = conv(dec("2.50"))
		}
		if g.chance(5) {
			s.seq.fee++
			o.FeeID, o.Fee = s.seq.fee, conv(dec("1.50"))
		}
	}

	// Discounts: an automatic promotion on some product lines; a coupon (only
	// in the default currency, as in BigCommerce); now and then a manual one.
	for _, l := range o.Lines {
		if l.Parent == 0 && l.Type != "giftcertificate" && l.ProductID%4 == 0 && g.chance(50) {
			amt := r2(l.Unit.Mul(decimal.NewFromInt(int64(l.Qty))).Mul(dec("0.15")))
			l.Discounts = append(l.Discounts, discount{ID: "7", Name: "Spring sale: 15% off", Target: "product", Amount: amt})
		}
	}
	if o.Cur.Code == "USD" && g.chance(20) {
		s.seq.coupon++
		cu := &couponUse{ID: s.seq.coupon, CouponID: int64(1 + g.pick(2))}
		if cu.CouponID == 1 {
			cu.Code, cu.Type, cu.Face = "SAVE10", 1, dec("10")
		} else {
			cu.Code, cu.Type, cu.Face = "FIVEOFF", 2, dec("5")
		}
		o.Coupon = cu
		s.allocate(o, cu.Face, cu.Type == 1, discount{ID: "total-coupon", Name: "Coupon " + cu.Code, Code: cu.Code, Target: "order", Coupon: true})
		o.compute()
		if o.Coupon.Discount.IsZero() {
			o.Coupon = nil
		}
	}
	if g.chance(4) {
		s.allocate(o, dec("3.00"), false, discount{ID: "manual-discount", Name: "Manual Discount", Target: "order"})
	}
	o.compute()

	if g.chance(7) && o.TotalInc.GreaterThan(dec("40")) {
		o.GiftCert = dec("25.00")
		o.GiftCode = fmt.Sprintf("GC-%06d", o.ID)
	}
	if o.StoreCredit.GreaterThanOrEqual(o.TotalInc.Sub(o.GiftCert)) {
		o.StoreCredit = zero
	}
	o.Tender = tenders[g.pick(len(tenders))]
	s.play(g, o, status)
	return o
}

// newLine makes an order line for a product/variant at a unit price in the
// order's currency and basis.
func (s *Store) newLine(p *product, v *variant, qty int, unit decimal.Decimal) *line {
	s.seq.line++
	l := &line{
		ID: s.seq.line, ProductID: p.ID, VariantID: v.ID, Name: p.Name, SKU: v.SKU, Type: p.Type,
		Qty: qty, Unit: unit, Cost: v.Cost, TaxClass: p.TaxClass,
	}
	for _, ov := range v.Options {
		l.Options = append(l.Options, lineOption{ID: l.ID*10 + ov.OptionID, OptionID: ov.OptionID, ProductOptionID: ov.OptionID + 100, Name: ov.Option, Value: ov.Label, Type: "Multiple choice"})
	}
	switch p.Tracking {
	case "product":
		p.Level = max(p.Level-int64(qty), 0)
	case "variant":
		v.Level = max(v.Level-int64(qty), 0)
		p.Level = 0
		for _, x := range p.Variants {
			p.Level += x.Level
		}
	}
	p.TotalSold += int64(qty)
	return l
}

// allocate spreads an order-level discount over the discountable lines in
// proportion to their value (percent: face% of each line), the last line
// taking the rounding remainder; a line is never discounted below zero.
func (s *Store) allocate(o *order, face decimal.Decimal, percent bool, d discount) {
	var eligible []*line
	total := zero
	for _, l := range o.Lines {
		if l.Parent == 0 && l.Type != "giftcertificate" && l.Unit.IsPositive() {
			eligible = append(eligible, l)
			total = total.Add(lineNet(l))
		}
	}
	if len(eligible) == 0 || !total.IsPositive() {
		return
	}
	amount := face
	if percent {
		amount = r2(total.Mul(face).Div(hundred))
	}
	amount = decimal.Min(amount, total)
	left := amount
	for i, l := range eligible {
		share := r2(amount.Mul(lineNet(l)).Div(total))
		if i == len(eligible)-1 {
			share = left
		}
		share = decimal.Min(share, lineNet(l))
		left = left.Sub(share)
		if share.IsPositive() {
			dd := d
			dd.Amount = share
			l.Discounts = append(l.Discounts, dd)
		}
	}
}

func lineNet(l *line) decimal.Decimal {
	n := l.Unit.Mul(decimal.NewFromInt(int64(l.Qty)))
	for _, d := range l.Discounts {
		n = n.Sub(d.Amount)
	}
	return n
}
