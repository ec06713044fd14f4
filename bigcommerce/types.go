package bigcommerce

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Order is a v2 order (GET /v2/orders/{id}). Money is exact, dates are UTC,
// and Raw holds the JSON exactly as BigCommerce sent it so the store can keep
// the document as pulled even for fields this struct does not name.
type Order struct {
	ID                 int64     `json:"id"`
	CustomerID         int64     `json:"customer_id"`
	DateCreated        time.Time `json:"date_created"`
	DateModified       time.Time `json:"date_modified"`
	DateShipped        time.Time `json:"date_shipped"` // zero until shipped
	StatusID           int       `json:"status_id"`
	Status             string    `json:"status"`
	CustomStatus       string    `json:"custom_status"`
	ChannelID          int64     `json:"channel_id"`
	CartID             string    `json:"cart_id"`
	OrderSource        string    `json:"order_source"`
	ExternalSource     *string   `json:"external_source"`
	ExternalID         *string   `json:"external_id"`
	ExternalOrderID    string    `json:"external_order_id"`
	IsDeleted          bool      `json:"is_deleted"`
	CustomerMessage    string    `json:"customer_message"`
	StaffNotes         string    `json:"staff_notes"`
	TaxProviderID      string    `json:"tax_provider_id"`
	IsTaxInclusive     bool      `json:"is_tax_inclusive_pricing"`
	OrderIsDigital     bool      `json:"order_is_digital"`
	ItemsTotal         int       `json:"items_total"`
	ItemsShipped       int       `json:"items_shipped"`
	ShippingAddressCnt int       `json:"shipping_address_count"`

	SubtotalExTax        Amount `json:"subtotal_ex_tax"`
	SubtotalIncTax       Amount `json:"subtotal_inc_tax"`
	SubtotalTax          Amount `json:"subtotal_tax"`
	BaseShippingCost     Amount `json:"base_shipping_cost"`
	ShippingCostExTax    Amount `json:"shipping_cost_ex_tax"`
	ShippingCostIncTax   Amount `json:"shipping_cost_inc_tax"`
	ShippingCostTax      Amount `json:"shipping_cost_tax"`
	ShippingTaxClassID   int64  `json:"shipping_cost_tax_class_id"`
	BaseHandlingCost     Amount `json:"base_handling_cost"`
	HandlingCostExTax    Amount `json:"handling_cost_ex_tax"`
	HandlingCostIncTax   Amount `json:"handling_cost_inc_tax"`
	HandlingCostTax      Amount `json:"handling_cost_tax"`
	HandlingTaxClassID   int64  `json:"handling_cost_tax_class_id"`
	BaseWrappingCost     Amount `json:"base_wrapping_cost"`
	WrappingCostExTax    Amount `json:"wrapping_cost_ex_tax"`
	WrappingCostIncTax   Amount `json:"wrapping_cost_inc_tax"`
	WrappingCostTax      Amount `json:"wrapping_cost_tax"`
	TotalExTax           Amount `json:"total_ex_tax"`
	TotalIncTax          Amount `json:"total_inc_tax"`
	TotalTax             Amount `json:"total_tax"`
	DiscountAmount       Amount `json:"discount_amount"`
	CouponDiscount       Amount `json:"coupon_discount"`
	StoreCreditAmount    Amount `json:"store_credit_amount"`
	GiftCertificateAmt   Amount `json:"gift_certificate_amount"`
	RefundedAmount       Amount `json:"refunded_amount"` // BigCommerce documents it as always 0: sum refunds instead
	PaymentMethod        string `json:"payment_method"`
	PaymentProviderID    string `json:"payment_provider_id"`
	PaymentStatus        string `json:"payment_status"`
	CurrencyID           int64  `json:"currency_id"`
	CurrencyCode         string `json:"currency_code"`
	CurrencyExchangeRate Amount `json:"currency_exchange_rate"`
	// DefaultCurrencyCode is the transactional currency: book the order in it.
	DefaultCurrencyID   int64  `json:"default_currency_id"`
	DefaultCurrencyCode string `json:"default_currency_code"`
	StoreDefaultCode    string `json:"store_default_currency_code"`
	StoreDefaultToTxnFX Amount `json:"store_default_to_transactional_exchange_rate"`

	BillingAddress Address `json:"billing_address"`
	// Fees are custom order fees (ListOrders and Order ask for them with
	// include=fees); they are part of the order's totals.
	Fees []Fee `json:"fees"`

	// Lines are the order's lines as BigCommerce embedded them in its
	// consignments (ListOrders and Order ask with
	// include=consignments.line_items&consignment_structure=object): each
	// one the same orderProducts object GET /v2/orders/{id}/products returns
	// (spec: orders.v2.oas2.yml, parameter order_includes). LinesComplete
	// says they are provably all of them; see embeddedLines.
	Lines         []OrderProduct `json:"-"`
	LinesComplete bool           `json:"-"`

	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes dates and loosely typed fields at this edge.
func (o *Order) UnmarshalJSON(b []byte) error {
	type alias Order
	aux := struct {
		*alias
		DateCreated       flexTime        `json:"date_created"`
		DateModified      flexTime        `json:"date_modified"`
		DateShipped       flexTime        `json:"date_shipped"`
		CustomerID        flexInt         `json:"customer_id"`
		PaymentProviderID flexString      `json:"payment_provider_id"`
		Fees              json.RawMessage `json:"fees"`
		Consignments      json.RawMessage `json:"consignments"`
	}{alias: (*alias)(o)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	// Without include=fees, "fees" is a {url, resource} link, not a list.
	o.Fees = nil
	if fees := bytes.TrimSpace(aux.Fees); len(fees) > 0 && fees[0] == '[' {
		if err := json.Unmarshal(fees, &o.Fees); err != nil {
			return fmt.Errorf("bigcommerce: order fees: %w", err)
		}
	}
	o.DateCreated, o.DateModified, o.DateShipped = aux.DateCreated.t, aux.DateModified.t, aux.DateShipped.t
	o.CustomerID = int64(aux.CustomerID)
	o.PaymentProviderID = string(aux.PaymentProviderID)
	o.Lines, o.LinesComplete = embeddedLines(aux.Consignments, o.ItemsTotal)
	o.Raw = rawCopy(b)
	return nil
}

// consignmentLinesCap is how many line items BigCommerce embeds per
// consignment at most: a consignment with more gets only 50 and a
// "__warning__" object saying to use /v2/orders/{id}/products (undocumented
// in the spec; reported in bigcommerce/docs issue #960).
const consignmentLinesCap = 50

// embeddedLines collects the lines embedded in an order's expanded
// consignments (pickups, shipping, downloads, gift certificate emails) and
// reports whether they are provably the whole order, so that the lines call
// can be skipped. They are not, and the caller must fetch
// /v2/orders/{id}/products, when: consignments is absent or only a
// {url, resource} link; any consignment carries "__warning__" or has the
// cap's worth of lines (it may have been cut); a line item is a
// {url, resource} link instead of a line; a consignment's line_items is not
// a list; or the quantities do not add up to the order's items_total (a
// line outside every consignment). The lines come back sorted by id, the
// order /v2/orders/{id}/products lists them in.
func embeddedLines(raw json.RawMessage, itemsTotal int) ([]OrderProduct, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' || bytes.Contains(raw, []byte(`"__warning__"`)) {
		return nil, false
	}
	type group struct {
		LineItems json.RawMessage `json:"line_items"`
	}
	var c struct {
		Pickups   []group `json:"pickups"`
		Shipping  []group `json:"shipping"`
		Downloads []group `json:"downloads"`
		Email     struct {
			GiftCertificates []group `json:"gift_certificates"`
		} `json:"email"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, false
	}
	groups := append(append(append(c.Pickups, c.Shipping...), c.Downloads...), c.Email.GiftCertificates...)
	var lines []OrderProduct
	seen := map[int64]bool{}
	qty := 0
	for _, g := range groups {
		li := bytes.TrimSpace(g.LineItems)
		if len(li) == 0 || li[0] != '[' {
			return nil, false
		}
		var items []OrderProduct
		if err := json.Unmarshal(li, &items); err != nil || len(items) >= consignmentLinesCap {
			return nil, false
		}
		for _, it := range items {
			if it.ID == 0 || it.OrderID == 0 {
				return nil, false // a {url, resource} link, not a line
			}
			if !seen[it.ID] {
				seen[it.ID] = true
				qty += it.Quantity
				lines = append(lines, it)
			}
		}
	}
	if len(lines) == 0 || qty != itemsTotal {
		return nil, false
	}
	slices.SortFunc(lines, func(a, b OrderProduct) int { return cmp.Compare(a.ID, b.ID) })
	return lines, true
}

// Fee is a custom order fee (gift wrap service, eco fee...).
type Fee struct {
	ID                  int64  `json:"id"`
	Type                string `json:"type"`
	DisplayNameCustomer string `json:"display_name_customer"`
	DisplayNameMerchant string `json:"display_name_merchant"`
	Source              string `json:"source"`
	BaseCost            Amount `json:"base_cost"`
	CostExTax           Amount `json:"cost_ex_tax"`
	CostIncTax          Amount `json:"cost_inc_tax"`
	CostTax             Amount `json:"cost_tax"`
	TaxClassID          *int64 `json:"tax_class_id"`
}

// UnmarshalJSON also reads "cost_exc_tax", a spelling seen in BigCommerce's
// own example.
func (f *Fee) UnmarshalJSON(b []byte) error {
	type alias Fee
	aux := struct {
		*alias
		CostExcTax *Amount `json:"cost_exc_tax"`
	}{alias: (*alias)(f)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	if aux.CostExcTax != nil && f.CostExTax.IsZero() {
		f.CostExTax = *aux.CostExcTax
	}
	return nil
}

// Address is an order address (billing, or the core of a shipping address);
// for guests (CustomerID 0) the billing Email is the only customer key there is.
type Address struct {
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Company     string `json:"company"`
	Street1     string `json:"street_1"`
	Street2     string `json:"street_2"`
	City        string `json:"city"`
	State       string `json:"state"`
	Zip         string `json:"zip"`
	Country     string `json:"country"`
	CountryISO2 string `json:"country_iso2"`
	Phone       string `json:"phone"`
	Email       string `json:"email"`
}

// OrderProduct is one order line (GET /v2/orders/{id}/products). Bundle
// children carry ParentOrderProductID and usually price 0.
type OrderProduct struct {
	ID                   int64             `json:"id"`
	OrderID              int64             `json:"order_id"`
	ProductID            int64             `json:"product_id"`
	VariantID            int64             `json:"variant_id"`
	OrderAddressID       int64             `json:"order_address_id"`
	Name                 string            `json:"name"`
	SKU                  string            `json:"sku"`
	Type                 string            `json:"type"`
	Quantity             int               `json:"quantity"`
	QuantityShipped      int               `json:"quantity_shipped"`
	QuantityRefunded     int               `json:"quantity_refunded"`
	IsRefunded           bool              `json:"is_refunded"`
	BasePrice            Amount            `json:"base_price"`
	PriceExTax           Amount            `json:"price_ex_tax"`
	PriceIncTax          Amount            `json:"price_inc_tax"`
	PriceTax             Amount            `json:"price_tax"`
	BaseTotal            Amount            `json:"base_total"`
	TotalExTax           Amount            `json:"total_ex_tax"`
	TotalIncTax          Amount            `json:"total_inc_tax"`
	TotalTax             Amount            `json:"total_tax"`
	BaseCostPrice        Amount            `json:"base_cost_price"`
	DiscountedTotalInc   Amount            `json:"discounted_total_inc_tax"`
	FixedShippingCost    Amount            `json:"fixed_shipping_cost"`
	ParentOrderProductID *int64            `json:"parent_order_product_id"`
	IsBundledProduct     bool              `json:"is_bundled_product"`
	GiftCertificateID    *int64            `json:"gift_certificate_id"`
	AppliedDiscounts     []AppliedDiscount `json:"applied_discounts"`
	ProductOptions       []ProductOption   `json:"product_options"`

	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON keeps the raw line next to the typed fields.
func (p *OrderProduct) UnmarshalJSON(b []byte) error {
	type alias OrderProduct
	aux := struct {
		*alias
		Quantity         flexInt `json:"quantity"`
		QuantityShipped  flexInt `json:"quantity_shipped"`
		QuantityRefunded flexInt `json:"quantity_refunded"`
	}{alias: (*alias)(p)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	p.Quantity, p.QuantityShipped, p.QuantityRefunded = int(aux.Quantity), int(aux.QuantityShipped), int(aux.QuantityRefunded)
	p.Raw = rawCopy(b)
	return nil
}

// AppliedDiscount is one discount on a line: a coupon, an automatic promotion
// or a manual discount (Code is empty for the last two).
type AppliedDiscount struct {
	ID     string  `json:"id"`
	Amount Amount  `json:"amount"`
	Name   string  `json:"name"`
	Code   *string `json:"code"`
	Target string  `json:"target"`
}

// ProductOption is a chosen option on a line (size, colour, pick list).
type ProductOption struct {
	ID              int64  `json:"id"`
	OptionID        int64  `json:"option_id"`
	ProductOptionID int64  `json:"product_option_id"`
	DisplayName     string `json:"display_name"`
	DisplayValue    string `json:"display_value"`
	Value           string `json:"value"`
	Type            string `json:"type"`
	Name            string `json:"name"`
}

// ShippingAddress is an order's ship-to with its shipping and handling charge;
// its ID is the item_id of SHIPPING and HANDLING refund items.
type ShippingAddress struct {
	ID      int64 `json:"id"`
	OrderID int64 `json:"order_id"`
	Address
	ItemsTotal         int    `json:"items_total"`
	ItemsShipped       int    `json:"items_shipped"`
	ShippingMethod     string `json:"shipping_method"`
	BaseCost           Amount `json:"base_cost"`
	CostExTax          Amount `json:"cost_ex_tax"`
	CostIncTax         Amount `json:"cost_inc_tax"`
	CostTax            Amount `json:"cost_tax"`
	CostTaxClassID     int64  `json:"cost_tax_class_id"`
	BaseHandlingCost   Amount `json:"base_handling_cost"`
	HandlingCostExTax  Amount `json:"handling_cost_ex_tax"`
	HandlingCostIncTax Amount `json:"handling_cost_inc_tax"`
	HandlingCostTax    Amount `json:"handling_cost_tax"`
	ShippingZoneID     int64  `json:"shipping_zone_id"`
	ShippingZoneName   string `json:"shipping_zone_name"`

	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON keeps the raw address.
func (s *ShippingAddress) UnmarshalJSON(b []byte) error {
	type alias ShippingAddress
	return decodeRaw(b, (*alias)(s), &s.Raw)
}

// Coupon is a coupon used on an order. Amount is the coupon's face value (5
// for $5 or 5%); Discount is the money actually taken off.
type Coupon struct {
	ID       int64  `json:"id"`
	CouponID int64  `json:"coupon_id"`
	OrderID  int64  `json:"order_id"`
	Code     string `json:"code"`
	Amount   Amount `json:"amount"`
	Type     int    `json:"type"`
	Discount Amount `json:"discount"`

	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON keeps the raw coupon.
func (c *Coupon) UnmarshalJSON(b []byte) error {
	type alias Coupon
	return decodeRaw(b, (*alias)(c), &c.Raw)
}

// Tax is one tax row of an order (GET /v2/orders/{id}/taxes?details=true):
// one per rate per taxed line, shipping or handling charge.
type Tax struct {
	ID             int64  `json:"id"`
	OrderID        int64  `json:"order_id"`
	OrderAddressID int64  `json:"order_address_id"`
	TaxRateID      int64  `json:"tax_rate_id"`
	TaxClassID     int64  `json:"tax_class_id"`
	SalesTaxID     string `json:"sales_tax_id"`
	Name           string `json:"name"`
	Class          string `json:"class"`
	Rate           Amount `json:"rate"` // percent: "8.0000" is 8%
	Priority       int    `json:"priority"`
	PriorityAmount Amount `json:"priority_amount"`
	LineAmount     Amount `json:"line_amount"`
	OrderProductID int64  `json:"order_product_id"`
	LineItemType   string `json:"line_item_type"` // item, shipping, handling, gift-wrapping

	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON accepts order_product_id as a number or a string.
func (t *Tax) UnmarshalJSON(b []byte) error {
	type alias Tax
	aux := struct {
		*alias
		OrderProductID flexInt    `json:"order_product_id"`
		SalesTaxID     flexString `json:"sales_tax_id"`
	}{alias: (*alias)(t)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	t.OrderProductID = int64(aux.OrderProductID)
	t.SalesTaxID = string(aux.SalesTaxID)
	t.Raw = rawCopy(b)
	return nil
}

// Transaction is a v3 payment event on an order (purchase, authorization,
// capture, refund, void, pending, settled). OrderID arrives as a string on the
// wire and is an integer here.
type Transaction struct {
	ID                   int64     `json:"id"`
	OrderID              int64     `json:"order_id"`
	Event                string    `json:"event"`
	Method               string    `json:"method"`
	Amount               Amount    `json:"amount"`
	Currency             string    `json:"currency"`
	Gateway              string    `json:"gateway"`
	GatewayTransactionID string    `json:"gateway_transaction_id"`
	Status               string    `json:"status"`
	Test                 bool      `json:"test"`
	FraudReview          bool      `json:"fraud_review"`
	ReferenceTxnID       int64     `json:"reference_transaction_id"`
	DateCreated          time.Time `json:"date_created"`
	PaymentMethodID      string    `json:"payment_method_id"`
	CreditCard           *struct {
		CardType  string `json:"card_type"`
		CardLast4 string `json:"card_last4"`
	} `json:"credit_card"`
	GiftCertificate *struct {
		Code             string `json:"code"`
		RemainingBalance Amount `json:"remaining_balance"`
	} `json:"gift_certificate"`
	StoreCredit *struct {
		RemainingBalance Amount `json:"remaining_balance"`
	} `json:"store_credit"`
	Offline *struct {
		DisplayName string `json:"display_name"`
	} `json:"offline"`
	Custom *struct {
		PaymentMethod string `json:"payment_method"`
	} `json:"custom"`

	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON converts the string order_id and the ISO date.
func (t *Transaction) UnmarshalJSON(b []byte) error {
	type alias Transaction
	aux := struct {
		*alias
		OrderID        flexInt  `json:"order_id"`
		ReferenceTxnID flexInt  `json:"reference_transaction_id"`
		DateCreated    flexTime `json:"date_created"`
	}{alias: (*alias)(t)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	t.OrderID, t.ReferenceTxnID, t.DateCreated = int64(aux.OrderID), int64(aux.ReferenceTxnID), aux.DateCreated.t
	t.Raw = rawCopy(b)
	return nil
}

// Refund is a v3 refund. Sum refunds to know what was refunded: the order's
// refunded_amount is documented as always 0.
type Refund struct {
	ID                 int64           `json:"id"`
	OrderID            int64           `json:"order_id"`
	UserID             int64           `json:"user_id"`
	Created            time.Time       `json:"created"`
	Reason             string          `json:"reason"`
	TotalAmount        Amount          `json:"total_amount"`
	TotalTax           Amount          `json:"total_tax"`
	UsesMerchantValues bool            `json:"uses_merchant_override_values"`
	Items              []RefundItem    `json:"items"`
	Payments           []RefundPayment `json:"payments"`
	Raw                json.RawMessage `json:"-"`
}

// UnmarshalJSON parses the created date ("" in some real responses).
func (r *Refund) UnmarshalJSON(b []byte) error {
	type alias Refund
	aux := struct {
		*alias
		Created flexTime `json:"created"`
	}{alias: (*alias)(r)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	r.Created = aux.Created.t
	r.Raw = rawCopy(b)
	return nil
}

// RefundItem is what a refund gave back. ItemID is an order product id for
// PRODUCT and GIFT_WRAPPING, a shipping address id for SHIPPING and HANDLING,
// the order id for ORDER and a fee id for FEE.
type RefundItem struct {
	ItemType        string  `json:"item_type"`
	ItemID          int64   `json:"item_id"`
	Reason          string  `json:"reason"`
	Quantity        int     `json:"quantity"`
	RequestedAmount *Amount `json:"requested_amount"`
}

// RefundPayment is how a refund was paid back (gateway, store credit, offline).
type RefundPayment struct {
	ID              int64  `json:"id"`
	ProviderID      string `json:"provider_id"`
	Amount          Amount `json:"amount"`
	Offline         bool   `json:"offline"`
	IsDeclined      bool   `json:"is_declined"`
	DeclinedMessage string `json:"declined_message"`
	TransactionID   string `json:"transaction_id"`
}

// Customer is a registered v3 customer (guests have none: use the order's
// billing address).
type Customer struct {
	ID                 int64             `json:"id"`
	Email              string            `json:"email"`
	FirstName          string            `json:"first_name"`
	LastName           string            `json:"last_name"`
	Company            string            `json:"company"`
	Phone              string            `json:"phone"`
	Notes              string            `json:"notes"`
	TaxExemptCategory  string            `json:"tax_exempt_category"`
	CustomerGroupID    int64             `json:"customer_group_id"`
	DateCreated        time.Time         `json:"date_created"`
	DateModified       time.Time         `json:"date_modified"`
	AddressCount       int               `json:"address_count"`
	Addresses          []CustomerAddress `json:"addresses"`
	StoreCreditAmounts []struct {
		Amount Amount `json:"amount"`
	} `json:"store_credit_amounts"`
	OriginChannelID int64   `json:"origin_channel_id"`
	ChannelIDs      []int64 `json:"channel_ids"`

	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON parses the ISO dates.
func (c *Customer) UnmarshalJSON(b []byte) error {
	type alias Customer
	aux := struct {
		*alias
		DateCreated  flexTime `json:"date_created"`
		DateModified flexTime `json:"date_modified"`
	}{alias: (*alias)(c)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	c.DateCreated, c.DateModified = aux.DateCreated.t, aux.DateModified.t
	c.Raw = rawCopy(b)
	return nil
}

// CustomerAddress is one of a customer's saved addresses.
type CustomerAddress struct {
	ID              int64  `json:"id"`
	CustomerID      int64  `json:"customer_id"`
	FirstName       string `json:"first_name"`
	LastName        string `json:"last_name"`
	Company         string `json:"company"`
	Address1        string `json:"address1"`
	Address2        string `json:"address2"`
	City            string `json:"city"`
	StateOrProvince string `json:"state_or_province"`
	PostalCode      string `json:"postal_code"`
	CountryCode     string `json:"country_code"`
	Country         string `json:"country"`
	Phone           string `json:"phone"`
	AddressType     string `json:"address_type"`
}

// Inventory tracking levels of a catalog product.
const (
	TrackNone    = "none"
	TrackProduct = "product"
	TrackVariant = "variant"
)

// Product is a v3 catalog product. InventoryTracking says whether stock lives
// on the product, on its variants, or nowhere.
type Product struct {
	ID                    int64     `json:"id"`
	Name                  string    `json:"name"`
	Type                  string    `json:"type"`
	SKU                   string    `json:"sku"`
	Price                 Amount    `json:"price"`
	CostPrice             Amount    `json:"cost_price"`
	SalePrice             Amount    `json:"sale_price"`
	RetailPrice           Amount    `json:"retail_price"`
	CalculatedPrice       Amount    `json:"calculated_price"`
	TaxClassID            int64     `json:"tax_class_id"`
	ProductTaxCode        string    `json:"product_tax_code"`
	InventoryLevel        int64     `json:"inventory_level"`
	InventoryWarningLevel int64     `json:"inventory_warning_level"`
	InventoryTracking     string    `json:"inventory_tracking"`
	BaseVariantID         *int64    `json:"base_variant_id"`
	Availability          string    `json:"availability"`
	IsVisible             bool      `json:"is_visible"`
	UPC                   string    `json:"upc"`
	GTIN                  string    `json:"gtin"`
	MPN                   string    `json:"mpn"`
	DateCreated           time.Time `json:"date_created"`
	DateModified          time.Time `json:"date_modified"`
	Variants              []Variant `json:"variants"`

	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON parses dates and the numeric tax_class_id.
func (p *Product) UnmarshalJSON(b []byte) error {
	type alias Product
	aux := struct {
		*alias
		TaxClassID   flexInt  `json:"tax_class_id"`
		DateCreated  flexTime `json:"date_created"`
		DateModified flexTime `json:"date_modified"`
	}{alias: (*alias)(p)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	p.TaxClassID = int64(aux.TaxClassID)
	p.DateCreated, p.DateModified = aux.DateCreated.t, aux.DateModified.t
	p.Raw = rawCopy(b)
	return nil
}

// Variant is a v3 catalog variant. Nil prices mean "inherit the product's".
// InventoryLevel counts only when the product tracks by variant.
type Variant struct {
	ID                    int64         `json:"id"`
	ProductID             int64         `json:"product_id"`
	SKU                   string        `json:"sku"`
	SKUID                 *int64        `json:"sku_id"` // nil for a product's base variant
	Price                 *Amount       `json:"price"`
	SalePrice             *Amount       `json:"sale_price"`
	RetailPrice           *Amount       `json:"retail_price"`
	CostPrice             *Amount       `json:"cost_price"`
	CalculatedPrice       Amount        `json:"calculated_price"`
	InventoryLevel        int64         `json:"inventory_level"`
	InventoryWarningLevel int64         `json:"inventory_warning_level"`
	BinPickingNumber      string        `json:"bin_picking_number"`
	UPC                   *string       `json:"upc"`
	MPN                   string        `json:"mpn"`
	GTIN                  string        `json:"gtin"`
	PurchasingDisabled    bool          `json:"purchasing_disabled"`
	OptionValues          []OptionValue `json:"option_values"`

	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON keeps the raw variant.
func (v *Variant) UnmarshalJSON(b []byte) error {
	type alias Variant
	return decodeRaw(b, (*alias)(v), &v.Raw)
}

// OptionValue is one option choice that defines a variant (Color: Red).
type OptionValue struct {
	ID                int64  `json:"id"`
	OptionID          int64  `json:"option_id"`
	Label             string `json:"label"`
	OptionDisplayName string `json:"option_display_name"`
}

// OrderStatus is one of the 15 order statuses and its store label.
type OrderStatus struct {
	ID           int    `json:"id"`
	Name         string `json:"name"`
	SystemLabel  string `json:"system_label"`
	CustomLabel  string `json:"custom_label"`
	SystemDesc   string `json:"system_description"`
	DisplayOrder int    `json:"order"`
}

// StoreInfo is the part of /v2/store that accounting needs: the default
// currency, its decimals, the time zone and whether prices include tax.
type StoreInfo struct {
	ID                    string `json:"id"`
	Domain                string `json:"domain"`
	SecureURL             string `json:"secure_url"`
	Name                  string `json:"name"`
	Currency              string `json:"currency"`
	DecimalPlaces         int    `json:"decimal_places"`
	PlanName              string `json:"plan_name"`
	PlanLevel             string `json:"plan_level"`
	IsPriceEnteredWithTax bool   `json:"is_price_entered_with_tax"`
	DefaultChannelID      int64  `json:"default_channel_id"`
	Timezone              struct {
		Name      string `json:"name"`
		RawOffset int64  `json:"raw_offset"`
		DSTOffset int64  `json:"dst_offset"`
	} `json:"timezone"`

	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON keeps the raw store document.
func (s *StoreInfo) UnmarshalJSON(b []byte) error {
	type alias StoreInfo
	return decodeRaw(b, (*alias)(s), &s.Raw)
}

// Currency is a store currency (GET /v2/currencies); ExchangeRate converts
// from the store default.
type Currency struct {
	ID              int64     `json:"id"`
	IsDefault       bool      `json:"is_default"`
	CurrencyCode    string    `json:"currency_code"`
	Name            string    `json:"name"`
	ExchangeRate    Amount    `json:"currency_exchange_rate"`
	DecimalPlaces   int       `json:"decimal_places"`
	Enabled         bool      `json:"enabled"`
	IsTransactional bool      `json:"is_transactional"`
	LastUpdated     time.Time `json:"last_updated"`
}

// UnmarshalJSON parses last_updated (documented as ISO, shown as RFC 2822).
func (c *Currency) UnmarshalJSON(b []byte) error {
	type alias Currency
	aux := struct {
		*alias
		LastUpdated flexTime `json:"last_updated"`
	}{alias: (*alias)(c)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	c.LastUpdated = aux.LastUpdated.t
	return nil
}

// PaymentMethod is an enabled payment method (GET /v2/payments/methods); a
// mapping aid, since BigCommerce says the list may be incomplete.
type PaymentMethod struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	TestMode bool   `json:"test_mode"`
}

// InventoryItem is one absolute stock level to set. Exactly one of VariantID,
// ProductID or SKU identifies the item; LocationID 0 means location 1.
type InventoryItem struct {
	LocationID int64  `json:"location_id"`
	VariantID  int64  `json:"variant_id,omitempty"`
	ProductID  int64  `json:"product_id,omitempty"`
	SKU        string `json:"sku,omitempty"`
	Quantity   int64  `json:"quantity"`
}
