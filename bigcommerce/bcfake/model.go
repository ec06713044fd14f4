package bcfake

import (
	"time"

	"github.com/shopspring/decimal"
)

// The model below is the fake store's own state. Money is decimal; the JSON
// the handler serves is rendered from it on each request, so a change made
// through the Store's methods shows up at once in every endpoint.

var (
	zero    = decimal.Zero
	hundred = decimal.NewFromInt(100)
)

// taxRate is one jurisdiction's rate (percent) with its BigCommerce tax_rate_id.
type taxRate struct {
	ID   int64
	Name string
	Pct  decimal.Decimal
}

// Tax classes of the fake store.
const (
	classDefault    = 0
	classNonTaxable = 1
	classReduced    = 2
	classShipping   = 3
)

var taxClassNames = map[int]string{
	classDefault: "Default Tax Class", classNonTaxable: "Non-Taxable Products",
	classReduced: "Reduced Rate", classShipping: "Shipping",
}

// region is where an order ships: its currency, whether its prices include
// tax, and the rates per tax class.
type region struct {
	Country, ISO2, State, City, Zip, Zone string
	ZoneID                                int64
	Currency                              string
	Inclusive                             bool
	Rates                                 map[int][]taxRate
}

type currency struct {
	ID     int64
	Code   string
	Name   string
	Token  string
	Rate   decimal.Decimal // from the store default (USD)
	ISO2   string
	Places int
}

type variant struct {
	ID        int64
	ProductID int64
	SKU       string
	SKUID     int64 // 0 for a base variant
	Price     decimal.Decimal
	Cost      decimal.Decimal
	Level     int64
	Options   []optionValue
}

type optionValue struct {
	ID, OptionID  int64
	Label, Option string
}

type product struct {
	ID         int64
	Name, SKU  string
	Type       string // physical, digital
	Price      decimal.Decimal
	Cost       decimal.Decimal
	TaxClass   int
	Tracking   string // none, product, variant
	Level      int64
	Variants   []*variant
	Bundle     *product // child picked with this product (pick list), price 0
	Created    time.Time
	Modified   time.Time
	TotalSold  int64
	WeightOz   int64
	BinPicking string
}

type address struct {
	First, Last, Company, Street1, Street2, City, State, Zip, Country, ISO2, Phone, Email string
}

type customer struct {
	ID          int64
	Email       string
	Addr        address
	Group       int64
	TaxExempt   string
	Notes       string
	StoreCredit decimal.Decimal
	Created     time.Time
	Modified    time.Time
	AddressID   int64
}

type discount struct {
	ID     string
	Name   string
	Code   string // "" is null (automatic and manual discounts)
	Target string // order, product
	Amount decimal.Decimal
	Coupon bool
}

type line struct {
	ID         int64
	ProductID  int64
	VariantID  int64
	Name, SKU  string
	Type       string // physical, digital, giftcertificate
	Qty        int
	Shipped    int
	Unit       decimal.Decimal // in the order's basis: ex tax, or inc tax when the order is inclusive
	Cost       decimal.Decimal
	TaxClass   int
	Parent     int64 // parent order product id for bundle children
	Discounts  []discount
	Options    []lineOption
	GiftCertID int64

	// computed by order.compute
	PriceEx, PriceInc, PriceTax       decimal.Decimal
	TotalEx, TotalInc, TotalTax, Disc decimal.Decimal
	DiscountedInc                     decimal.Decimal
	TaxParts                          []decimal.Decimal // one per rate of the line's class

	// refund state
	RefQty int
	RefAmt decimal.Decimal
	RefTax decimal.Decimal
}

type lineOption struct {
	ID, OptionID, ProductOptionID int64
	Name, Value, Type             string
}

type couponUse struct {
	ID, CouponID int64
	Code         string
	Type         int             // 1 percentage, 2 per total
	Face         decimal.Decimal // 10 (%) or 5 ($)
	Discount     decimal.Decimal // what it took off, computed
}

type txn struct {
	ID        int64
	Event     string // purchase, authorization, capture, refund, void, pending
	Method    string // credit_card, gift_certificate, store_credit, offline, electronic_wallet
	Amount    decimal.Decimal
	Gateway   string
	GatewayID string
	Status    string // ok, error
	Fraud     bool
	Ref       int64
	Created   time.Time
	PMID      string
	GiftCode  string
	Remaining decimal.Decimal
	Offline   string
}

type refundItem struct {
	Type   string // PRODUCT, SHIPPING, HANDLING, ORDER
	ItemID int64
	Qty    int
	Amount decimal.Decimal
	Reason string
}

type refundPayment struct {
	ID       int64
	Provider string
	Amount   decimal.Decimal
	Offline  bool
	TxnID    string
}

type refund struct {
	ID       int64
	OrderID  int64
	Created  time.Time
	Reason   string
	Total    decimal.Decimal
	Tax      decimal.Decimal
	Items    []refundItem
	Payments []refundPayment
}

// tender is how an order is paid apart from gift certificates and store credit.
type tender struct {
	Display string // payment_method on the order
	Gateway string
	Method  string // transaction method
	Offline bool
	PMID    string
}

var tenders = []tender{
	{"Credit Card", "braintree", "credit_card", false, "braintree.card"},
	{"Credit Card", "stripe", "credit_card", false, "stripe.card"},
	{"PayPal", "paypalexpress", "electronic_wallet", false, "paypalexpress.paypal"},
	{"Cash on Delivery", "cod", "offline", true, "cod"},
	{"Bank Deposit", "bankdeposit", "offline", true, "bankdeposit"},
}

type order struct {
	ID         int64
	CustomerID int64
	Created    time.Time
	Modified   time.Time
	Shipped    time.Time
	StatusID   int
	Region     *region
	Cur        *currency
	Billing    address
	Ship       address
	ShipAddrID int64
	ShipMethod string
	Lines      []*line
	ShipBasis  decimal.Decimal
	HandBasis  decimal.Decimal
	// Fee is a custom order fee (not taxed); FeeID 0 means none.
	FeeID       int64
	Fee         decimal.Decimal
	FeeRefund   bool
	Coupon      *couponUse
	GiftCert    decimal.Decimal
	GiftCode    string
	StoreCredit decimal.Decimal
	Tender      tender
	PayStatus   string
	ProviderID  string
	Txns        []*txn
	Refunds     []*refund
	ShipRefund  bool
	HandRefund  bool
	OrderRefund bool // an ORDER-level (custom amount) refund was made
	StaffNotes  string
	Message     string
	IP          string
	// Channel is the sales channel (channel_id); 0 is the storefront, 1.
	Channel int64

	// computed
	SubEx, SubInc, SubTax       decimal.Decimal
	ShipEx, ShipInc, ShipTax    decimal.Decimal
	HandEx, HandInc, HandTax    decimal.Decimal
	ShipParts, HandParts        []decimal.Decimal
	TotalEx, TotalInc, TotalTax decimal.Decimal
	DiscountAmt, CouponAmt      decimal.Decimal
}

func r2(d decimal.Decimal) decimal.Decimal { return d.Round(2) }
func r4(d decimal.Decimal) decimal.Decimal { return d.Round(4) }

// sumPct is the total percentage of a rate list.
func sumPct(rates []taxRate) decimal.Decimal {
	s := zero
	for _, r := range rates {
		s = s.Add(r.Pct)
	}
	return s
}

// splitTax divides a tax amount across rates in proportion to their
// percentages, the last rate taking the rounding remainder, so the parts
// always add up to the whole.
func splitTax(total decimal.Decimal, rates []taxRate) []decimal.Decimal {
	parts := make([]decimal.Decimal, len(rates))
	if len(rates) == 0 {
		return parts
	}
	all := sumPct(rates)
	left := total
	for i, r := range rates {
		if i == len(rates)-1 || all.IsZero() {
			parts[i] = left
			break
		}
		parts[i] = r2(total.Mul(r.Pct).Div(all))
		left = left.Sub(parts[i])
	}
	return parts
}

// charge computes the ex/inc/tax of a basis amount at a rate list, rounding
// tax to cents: basis is ex tax for exclusive orders, inc tax for inclusive.
func charge(basis decimal.Decimal, rates []taxRate, inclusive bool) (ex, inc, tax decimal.Decimal) {
	pct := sumPct(rates)
	if inclusive {
		inc = basis
		tax = r2(basis.Sub(basis.Mul(hundred).Div(hundred.Add(pct))))
		return inc.Sub(tax), inc, tax
	}
	tax = r2(basis.Mul(pct).Div(hundred))
	return basis, basis.Add(tax), tax
}

// compute derives every total of the order from its lines, discounts and
// charges. The invariants the tests check, for exclusive and inclusive orders:
//
//	line:  total_inc = total_ex + total_tax; discounted_total_inc = total_inc - discounts
//	order: subtotal_* = sum of lines; total_tax = subtotal_tax + shipping_tax + handling_tax
//	       total_inc = sum(discounted_total_inc) + shipping_inc + handling_inc + fees (untaxed)
//	       total_inc = total_ex + total_tax
//	       discount_amount + coupon_discount = sum of all applied discounts
//	taxes: sum of the tax rows = total_tax
func (o *order) compute() {
	inc := o.Region.Inclusive
	o.SubEx, o.SubInc, o.SubTax, o.DiscountAmt, o.CouponAmt = zero, zero, zero, zero, zero
	sumDiscInc := zero
	for _, l := range o.Lines {
		rates := o.Region.Rates[l.TaxClass]
		pct := sumPct(rates)
		q := decimal.NewFromInt(int64(l.Qty))
		l.Disc = zero
		for _, d := range l.Discounts {
			l.Disc = l.Disc.Add(d.Amount)
			if d.Coupon {
				o.CouponAmt = o.CouponAmt.Add(d.Amount)
			} else {
				o.DiscountAmt = o.DiscountAmt.Add(d.Amount)
			}
		}
		gross := l.Unit.Mul(q)
		net := gross.Sub(l.Disc)
		if inc {
			l.PriceInc = l.Unit
			l.PriceEx = r4(l.Unit.Mul(hundred).Div(hundred.Add(pct)))
			l.PriceTax = l.PriceInc.Sub(l.PriceEx)
			l.TotalInc = gross
			l.TotalTax = r2(net.Sub(net.Mul(hundred).Div(hundred.Add(pct))))
			l.TotalEx = l.TotalInc.Sub(l.TotalTax)
			l.DiscountedInc = net
		} else {
			l.PriceEx = l.Unit
			l.PriceTax = r4(l.Unit.Mul(pct).Div(hundred))
			l.PriceInc = l.PriceEx.Add(l.PriceTax)
			l.TotalEx = gross
			l.TotalTax = r2(net.Mul(pct).Div(hundred))
			l.TotalInc = l.TotalEx.Add(l.TotalTax)
			l.DiscountedInc = net.Add(l.TotalTax)
		}
		l.TaxParts = splitTax(l.TotalTax, rates)
		o.SubEx = o.SubEx.Add(l.TotalEx)
		o.SubInc = o.SubInc.Add(l.TotalInc)
		o.SubTax = o.SubTax.Add(l.TotalTax)
		sumDiscInc = sumDiscInc.Add(l.DiscountedInc)
	}
	shipRates := o.Region.Rates[classShipping]
	o.ShipEx, o.ShipInc, o.ShipTax = charge(o.ShipBasis, shipRates, inc)
	o.HandEx, o.HandInc, o.HandTax = charge(o.HandBasis, shipRates, inc)
	o.ShipParts = splitTax(o.ShipTax, shipRates)
	o.HandParts = splitTax(o.HandTax, shipRates)
	o.TotalTax = o.SubTax.Add(o.ShipTax).Add(o.HandTax)
	o.TotalInc = sumDiscInc.Add(o.ShipInc).Add(o.HandInc).Add(o.Fee)
	o.TotalEx = o.TotalInc.Sub(o.TotalTax)
	if o.Coupon != nil {
		o.Coupon.Discount = o.CouponAmt
	}
}

// paidByTender is what the main payment method covers after gift
// certificates and store credit.
func (o *order) paidByTender() decimal.Decimal {
	return o.TotalInc.Sub(o.GiftCert).Sub(o.StoreCredit)
}

// refunded is the sum of the order's refunds.
func (o *order) refunded() decimal.Decimal {
	s := zero
	for _, r := range o.Refunds {
		s = s.Add(r.Total)
	}
	return s
}

func (o *order) itemsTotal() (total, shipped int) {
	for _, l := range o.Lines {
		total += l.Qty
		shipped += l.Shipped
	}
	return total, shipped
}

func (o *order) isDigital() bool {
	for _, l := range o.Lines {
		if l.Type == "physical" {
			return false
		}
	}
	return true
}

// Status names, system descriptions as BigCommerce documents them.
var statusNames = []string{
	"Incomplete", "Pending", "Shipped", "Partially Shipped", "Refunded", "Cancelled",
	"Declined", "Awaiting Payment", "Awaiting Pickup", "Awaiting Shipment", "Completed",
	"Awaiting Fulfillment", "Manual Verification Required", "Disputed", "Partially Refunded",
}

var statusDescriptions = []string{
	"An incomplete order happens when a shopper reached the payment page, but did not complete the transaction.",
	"Customer started the checkout process, but did not complete it.",
	"Order has been shipped, but receipt has not been confirmed; seller has used the Ship Items action.",
	"Only some items in the order have been shipped, due to some products being pre-order only or other reasons.",
	"Seller has used the Refund action.",
	"Seller has cancelled an order, due to a stock inconsistency or other reasons.",
	"Seller has marked the order as declined for lack of manual payment, or other reasons.",
	"Customer has completed checkout process, but payment has yet to be confirmed.",
	"Order has been pulled, and is awaiting customer pickup from a seller-specified location.",
	"Order has been pulled and packaged, and is awaiting collection from a shipping provider.",
	"Client has paid for their digital product and their file(s) are available for download.",
	"Customer has completed the checkout process and payment has been confirmed.",
	"Order is on hold while some aspect needs to be manually confirmed.",
	"Customer has initiated a dispute resolution process for the PayPal transaction that paid for the order.",
	"Seller has partially refunded the order.",
}
