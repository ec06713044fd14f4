package bcfake

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Rendering follows the wire formats: v2 money is a string with 4 decimals
// and v2 dates are RFC 2822 in UTC ("" when unset); v3 money is a JSON number
// and v3 dates are RFC 3339.

func m4(d decimal.Decimal) string { return d.StringFixed(4) }

func num(d decimal.Decimal) json.Number { return json.Number(d.StringFixed(2)) }

func rate10(d decimal.Decimal) string { return d.StringFixed(10) }

func d2(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC1123Z)
}

func d3(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-07:00") }

func link(hash, resource string) map[string]any {
	return map[string]any{
		"url":      fmt.Sprintf("https://api.bigcommerce.com/stores/%s/v2%s", hash, resource),
		"resource": resource,
	}
}

func (s *Store) storeInfo() map[string]any {
	return map[string]any{
		"id": s.opts.StoreHash, "account_uuid": "00000000-0000-4000-8000-00000000bcqb",
		"domain": "fake.bcqb.test", "secure_url": "https://fake.bcqb.test",
		"control_panel_base_url": "https://store-" + s.opts.StoreHash + ".mybigcommerce.com",
		"status":                 "live", "name": "bcqb Offline Store", "first_name": "Jane", "last_name": "Doe",
		"address": "100 Congress Ave, Austin, TX 78701", "country": "United States", "country_code": "US",
		"phone": "555-123-4567", "admin_email": "owner@fake.bcqb.test", "order_email": "orders@fake.bcqb.test",
		"favicon_url": "",
		"timezone": map[string]any{
			"name": "America/Chicago", "raw_offset": -21600, "dst_offset": -18000, "dst_correction": true,
			"date_format": map[string]any{"display": "M jS Y", "export": "M jS Y", "extended_display": "M jS Y @ g:i A"},
		},
		"language": "en", "currency": "USD", "currency_symbol": "$", "decimal_separator": ".",
		"thousands_separator": ",", "decimal_places": 2, "currency_symbol_location": "left",
		"weight_units": "Ounces", "dimension_units": "Inches", "dimension_decimal_places": 2,
		"dimension_decimal_token": ".", "dimension_thousands_token": ",",
		"plan_name": "Standard", "plan_level": "Standard", "plan_is_trial": false, "industry": "Home & Garden",
		"logo":                      map[string]any{"url": ""},
		"is_price_entered_with_tax": false, "store_id": 1000000 + s.opts.Seed%1000000,
		"default_channel_id": 1, "default_site_id": 1000, "active_comparison_modules": []any{},
		"features": map[string]any{
			"stencil_enabled": true, "sitewidehttps_enabled": true, "facebook_catalog_id": "",
			"checkout_type": "optimized", "wishlists_enabled": true, "graphql_storefront_api_enabled": true,
			"shopper_consent_tracking_enabled": true, "multi_storefront_enabled": false,
			"storefront_limits": map[string]any{"active": 1, "total_including_inactive": 1},
		},
	}
}

func orderStatuses() []any {
	out := make([]any, 0, len(statusNames))
	for i, n := range statusNames {
		out = append(out, map[string]any{
			"id": i, "name": n, "system_label": n, "custom_label": n,
			"system_description": statusDescriptions[i], "order": i,
		})
	}
	return out
}

func currencyList() []any {
	out := make([]any, 0, len(currencies))
	for _, c := range currencies {
		out = append(out, map[string]any{
			"id": c.ID, "is_default": c.Code == "USD", "last_updated": "2018-06-12T14:41:56+00:00",
			"country_iso2": c.ISO2, "default_for_country_codes": []string{c.ISO2},
			"currency_code": c.Code, "currency_exchange_rate": rate10(c.Rate), "auto_update": false,
			"token_location": "left", "token": c.Token, "decimal_token": ".", "thousands_token": ",",
			"decimal_places": c.Places, "name": c.Name, "enabled": true, "is_transactional": true,
			"use_default_name": true,
		})
	}
	return out
}

func paymentMethods() []any {
	out := []any{}
	seen := map[string]bool{}
	for _, t := range tenders {
		if seen[t.Gateway] {
			continue
		}
		seen[t.Gateway] = true
		name := t.Display
		switch t.Gateway {
		case "braintree":
			name = "Braintree"
		case "stripe":
			name = "Stripe"
		case "paypalexpress":
			name = "PayPal Express Checkout"
		}
		out = append(out, map[string]any{"code": t.Gateway, "name": name, "test_mode": false})
	}
	out = append(out, map[string]any{"code": "giftcertificate", "name": "Gift Certificate", "test_mode": false},
		map[string]any{"code": "storecredit", "name": "Store Credit", "test_mode": false})
	return out
}

func addrMap(a address) map[string]any {
	return map[string]any{
		"first_name": a.First, "last_name": a.Last, "company": a.Company, "street_1": a.Street1,
		"street_2": a.Street2, "city": a.City, "state": a.State, "zip": a.Zip, "country": a.Country,
		"country_iso2": a.ISO2, "phone": a.Phone, "email": a.Email,
	}
}

func renderFees(o *order) []any {
	if o.FeeID == 0 {
		return []any{}
	}
	return []any{map[string]any{
		"id": o.FeeID, "type": "custom_fee", "display_name_customer": "Eco packaging",
		"display_name_merchant": "Eco packaging fee", "source": "bcfake",
		"base_cost": m4(o.Fee), "cost_ex_tax": m4(o.Fee), "cost_inc_tax": m4(o.Fee), "cost_tax": m4(zero),
		"tax_class_id": nil,
	}}
}

// renderOrder renders a v2 order; with include=fees the fees come as a list,
// otherwise as a link.
func (s *Store) renderOrder(o *order, include string) map[string]any {
	total, shipped := o.itemsTotal()
	bill := addrMap(o.Billing)
	bill["form_fields"] = []any{}
	var fees any = link(s.opts.StoreHash, fmt.Sprintf("/orders/%d/fees", o.ID))
	if strings.Contains(include, "fees") {
		fees = renderFees(o)
	}
	m := map[string]any{
		"id": o.ID, "customer_id": o.CustomerID, "fees": fees,
		"date_created": d2(o.Created), "date_modified": d2(o.Modified), "date_shipped": d2(o.Shipped),
		"status_id": o.StatusID, "status": statusNames[o.StatusID], "custom_status": statusNames[o.StatusID],
		"subtotal_ex_tax": m4(o.SubEx), "subtotal_inc_tax": m4(o.SubInc), "subtotal_tax": m4(o.SubTax),
		"base_shipping_cost": m4(o.ShipBasis), "shipping_cost_ex_tax": m4(o.ShipEx),
		"shipping_cost_inc_tax": m4(o.ShipInc), "shipping_cost_tax": m4(o.ShipTax),
		"shipping_cost_tax_class_id": classShipping,
		"base_handling_cost":         m4(o.HandBasis), "handling_cost_ex_tax": m4(o.HandEx),
		"handling_cost_inc_tax": m4(o.HandInc), "handling_cost_tax": m4(o.HandTax),
		"handling_cost_tax_class_id": classShipping,
		"base_wrapping_cost":         m4(zero), "wrapping_cost_ex_tax": m4(zero), "wrapping_cost_inc_tax": m4(zero),
		"wrapping_cost_tax": m4(zero), "wrapping_cost_tax_class_id": classShipping,
		"total_ex_tax": m4(o.TotalEx), "total_inc_tax": m4(o.TotalInc), "total_tax": m4(o.TotalTax),
		"is_tax_inclusive_pricing": o.Region.Inclusive,
		"items_total":              total, "items_shipped": shipped,
		"payment_method": o.Tender.Display, "payment_provider_id": o.ProviderID, "payment_status": o.PayStatus,
		"refunded_amount": m4(zero), "order_is_digital": o.isDigital(),
		"store_credit_amount": m4(o.StoreCredit), "gift_certificate_amount": m4(o.GiftCert),
		"ip_address": o.IP, "ip_address_v6": "", "geoip_country": o.Billing.Country, "geoip_country_iso2": o.Billing.ISO2,
		"currency_id": o.Cur.ID, "currency_code": o.Cur.Code, "currency_exchange_rate": rate10(o.Cur.Rate),
		"default_currency_id": o.Cur.ID, "default_currency_code": o.Cur.Code,
		"store_default_currency_code": "USD", "store_default_to_transactional_exchange_rate": rate10(o.Cur.Rate),
		"staff_notes": o.StaffNotes, "customer_message": o.Message,
		"discount_amount": m4(o.DiscountAmt), "coupon_discount": m4(o.CouponAmt),
		"shipping_address_count": shipCount(o), "is_deleted": false, "ebay_order_id": "0",
		"cart_id": fmt.Sprintf("7e48f7ef-2e88-4817-aea4-%012d", o.ID), "billing_address": bill,
		"is_email_opt_in": false, "credit_card_type": nil, "order_source": orderSource(o), "channel_id": channelOf(o),
		"external_source": nil, "external_id": nil, "external_merchant_id": nil, "external_order_id": "",
		"tax_provider_id": "BasicTaxProvider", "customer_locale": "en",
		"products":           link(s.opts.StoreHash, fmt.Sprintf("/orders/%d/products", o.ID)),
		"shipping_addresses": link(s.opts.StoreHash, fmt.Sprintf("/orders/%d/shipping_addresses", o.ID)),
		"coupons":            link(s.opts.StoreHash, fmt.Sprintf("/orders/%d/coupons", o.ID)),
	}
	if c := s.orderConsignments(o, include); c != nil {
		m["consignments"] = c
	}
	return m
}

// orderConsignments is the order's "consignments" field with
// include=consignments (or consignments.line_items): the consignments
// themselves (spec order_RespOnly.consignments, orderConsignment_Get). Without
// the include it is nil and the field is left out, as in BigCommerce's
// recorded responses (fixtures/.../orders_v2__218__get.json has none).
func (s *Store) orderConsignments(o *order, include string) map[string]any {
	withLines := false
	expand := false
	for _, inc := range strings.Split(include, ",") {
		switch strings.TrimSpace(inc) {
		case "consignments.line_items":
			expand, withLines = true, true
		case "consignments":
			expand = true
		}
	}
	if !expand {
		return nil
	}
	return s.renderConsignments(o, withLines)
}

// renderConsignments renders an order's consignments (orderConsignment_Get):
// its physical lines in one shipping consignment (the shipping address, whose
// id it shares), its digital lines in one download consignment, and each gift
// certificate in an email consignment. withLines embeds each line as
// /v2/orders/{id}/products gives it, otherwise a {url, resource} link to it.
// A consignment with more lines than Options.ConsignmentLineCap (50, as in
// BigCommerce) embeds only that many and says so in "__warning__"
// (bigcommerce/docs issue #960).
func (s *Store) renderConsignments(o *order, withLines bool) map[string]any {
	rendered := s.renderLines(o)
	items := func(ls []int) []any {
		out := make([]any, 0, len(ls))
		for _, i := range ls {
			if len(out) == s.opts.ConsignmentLineCap {
				break
			}
			if withLines {
				out = append(out, rendered[i])
			} else {
				out = append(out, link(s.opts.StoreHash, fmt.Sprintf("/orders/%d/products/%d", o.ID, o.Lines[i].ID)))
			}
		}
		return out
	}
	warn := func(m map[string]any, n int) map[string]any {
		if n > s.opts.ConsignmentLineCap {
			m["__warning__"] = map[string]any{"message": fmt.Sprintf("Not all line items of this consignment are returned with this response, only %d are included. Please use the `/v2/orders/{order_id}/products` endpoint to fetch all line items.", s.opts.ConsignmentLineCap)}
		}
		return m
	}
	var physical, digital, gifts []int
	for i, l := range o.Lines {
		switch l.Type {
		case "physical":
			physical = append(physical, i)
		case "digital":
			digital = append(digital, i)
		default:
			gifts = append(gifts, i)
		}
	}
	shipping, downloads, certs := []any{}, []any{}, []any{}
	if len(physical) > 0 && shipCount(o) > 0 {
		total, shipped := o.itemsTotal()
		m := addrMap(o.Ship)
		for k, v := range map[string]any{
			"id": o.ShipAddrID, "form_fields": []any{}, "line_items": items(physical),
			"items_total": total, "items_shipped": shipped, "shipping_method": o.ShipMethod,
			"base_cost": num(o.ShipBasis), "cost_ex_tax": num(o.ShipEx), "cost_inc_tax": num(o.ShipInc),
			"cost_tax": num(o.ShipTax), "cost_tax_class_id": classShipping,
			"base_handling_cost": num(o.HandBasis), "handling_cost_ex_tax": num(o.HandEx),
			"handling_cost_inc_tax": num(o.HandInc), "handling_cost_tax": num(o.HandTax),
			"handling_cost_tax_class_id": classShipping, "shipping_zone_id": o.Region.ZoneID,
			"shipping_zone_name": o.Region.Zone,
			"shipping_quotes":    link(s.opts.StoreHash, fmt.Sprintf("/orders/%d/consignments/shipping/%d/shipping_quotes", o.ID, o.ShipAddrID)),
		} {
			m[k] = v
		}
		shipping = append(shipping, warn(m, len(physical)))
	}
	if len(digital) > 0 {
		downloads = append(downloads, warn(map[string]any{"recipient_email": o.Billing.Email, "line_items": items(digital)}, len(digital)))
	}
	for _, i := range gifts {
		certs = append(certs, map[string]any{"recipient_email": o.Billing.Email, "line_items": items([]int{i})})
	}
	return map[string]any{
		"pickups": []any{}, "shipping": shipping, "downloads": downloads,
		"email": map[string]any{"gift_certificates": certs},
	}
}

func (s *Store) renderLines(o *order) []any {
	out := make([]any, 0, len(o.Lines))
	for _, l := range o.Lines {
		discounts := make([]any, 0, len(l.Discounts))
		for _, d := range l.Discounts {
			var code any
			if d.Code != "" {
				code = d.Code
			}
			discounts = append(discounts, map[string]any{"id": d.ID, "amount": m4(d.Amount), "name": d.Name, "code": code, "target": d.Target})
		}
		options := make([]any, 0, len(l.Options))
		for _, op := range l.Options {
			options = append(options, map[string]any{
				"id": op.ID, "option_id": op.OptionID, "order_product_id": l.ID, "product_option_id": op.ProductOptionID,
				"display_name": op.Name, "display_name_customer": op.Name, "display_name_merchant": op.Name,
				"display_value": op.Value, "display_value_customer": op.Value, "display_value_merchant": op.Value,
				"value": op.Value, "type": op.Type, "name": op.Name, "display_style": "",
			})
		}
		q := decimal.NewFromInt(int64(l.Qty))
		m := map[string]any{
			"id": l.ID, "order_id": o.ID, "product_id": l.ProductID, "order_address_id": o.ShipAddrID,
			"order_pickup_method_id": 0,
			"name":                   l.Name, "name_customer": l.Name, "name_merchant": l.Name, "sku": l.SKU, "upc": "",
			"type": l.Type, "base_price": m4(l.Unit), "price_ex_tax": m4(l.PriceEx), "price_inc_tax": m4(l.PriceInc),
			"price_tax": m4(l.PriceTax), "base_total": m4(l.Unit.Mul(q)), "total_ex_tax": m4(l.TotalEx),
			"total_inc_tax": m4(l.TotalInc), "total_tax": m4(l.TotalTax), "weight": "1.0000",
			"width": "0.0000", "height": "0.0000", "depth": "0.0000", "quantity": l.Qty,
			"base_cost_price": m4(l.Cost), "cost_price_inc_tax": m4(l.Cost), "cost_price_ex_tax": m4(l.Cost),
			"cost_price_tax": m4(zero), "is_refunded": l.RefQty >= l.Qty, "quantity_refunded": l.RefQty,
			"refund_amount": m4(zero), "return_id": 0, "wrapping_id": 0, "wrapping_name": "",
			"base_wrapping_cost": m4(zero), "wrapping_cost_ex_tax": m4(zero), "wrapping_cost_inc_tax": m4(zero),
			"wrapping_cost_tax": m4(zero), "wrapping_message": "", "quantity_shipped": l.Shipped,
			"event_name": nil, "event_date": nil, "fixed_shipping_cost": m4(zero), "ebay_item_id": "",
			"ebay_transaction_id": "", "option_set_id": nil, "parent_order_product_id": nil,
			"is_bundled_product": l.Parent != 0, "bin_picking_number": "", "external_id": nil, "brand": "",
			"applied_discounts": discounts, "product_options": options, "configurable_fields": []any{},
			"discounted_total_inc_tax": m4(l.DiscountedInc), "gift_certificate_id": nil,
		}
		if l.VariantID != 0 {
			m["variant_id"] = l.VariantID
		}
		if l.Parent != 0 {
			m["parent_order_product_id"] = l.Parent
		}
		if l.GiftCertID != 0 {
			m["gift_certificate_id"] = l.GiftCertID
		}
		out = append(out, m)
	}
	return out
}

// shipCount is 0 for an order with nothing to ship (digital goods and gift
// certificates only), which then has no shipping address.
func shipCount(o *order) int {
	if o.isDigital() {
		return 0
	}
	return 1
}

func (s *Store) renderShipping(o *order) []any {
	if shipCount(o) == 0 {
		return []any{}
	}
	total, shipped := o.itemsTotal()
	m := addrMap(o.Ship)
	for k, v := range map[string]any{
		"id": o.ShipAddrID, "order_id": o.ID, "items_total": total, "items_shipped": shipped,
		"shipping_method": o.ShipMethod, "base_cost": m4(o.ShipBasis), "cost_ex_tax": m4(o.ShipEx),
		"cost_inc_tax": m4(o.ShipInc), "cost_tax": m4(o.ShipTax), "cost_tax_class_id": classShipping,
		"base_handling_cost": m4(o.HandBasis), "handling_cost_ex_tax": m4(o.HandEx),
		"handling_cost_inc_tax": m4(o.HandInc), "handling_cost_tax": m4(o.HandTax),
		"handling_cost_tax_class_id": classShipping, "shipping_zone_id": o.Region.ZoneID,
		"shipping_zone_name": o.Region.Zone, "form_fields": []any{},
		"shipping_quotes": link(s.opts.StoreHash, fmt.Sprintf("/orders/%d/shipping_addresses/%d/shipping_quotes", o.ID, o.ShipAddrID)),
	} {
		m[k] = v
	}
	return []any{m}
}

func renderCoupons(o *order) []any {
	if o.Coupon == nil {
		return []any{}
	}
	c := o.Coupon
	return []any{map[string]any{
		"id": c.ID, "coupon_id": c.CouponID, "order_id": o.ID, "code": c.Code,
		"amount": num(c.Face), "type": c.Type, "discount": num(c.Discount),
	}}
}

// renderTaxes lists one row per rate per taxed line, shipping and handling
// charge. Row ids are derived from the order so they are stable.
func (s *Store) renderTaxes(o *order, details bool) []any {
	var out []any
	n := int64(0)
	add := func(r taxRate, class int, amount decimal.Decimal, lineID int64, kind string) {
		n++
		row := map[string]any{
			"id": o.ID*100 + n, "order_id": o.ID, "order_address_id": o.ShipAddrID, "tax_rate_id": r.ID,
			"sales_tax_id": "", "tax_class_id": class, "name": r.Name, "class": taxClassNames[class],
			"rate": m4(r.Pct), "priority": 0, "priority_amount": m4(amount), "line_amount": m4(amount),
			"order_pickup_method_id": 0,
		}
		if details {
			row["order_product_id"] = strconv.FormatInt(lineID, 10)
			row["line_item_type"] = kind
		}
		out = append(out, row)
	}
	for _, l := range o.Lines {
		for i, r := range o.Region.Rates[l.TaxClass] {
			if !l.TaxParts[i].IsZero() {
				add(r, l.TaxClass, l.TaxParts[i], l.ID, "item")
			}
		}
	}
	for i, r := range o.Region.Rates[classShipping] {
		if !o.ShipParts[i].IsZero() {
			add(r, classShipping, o.ShipParts[i], 0, "shipping")
		}
		if !o.HandParts[i].IsZero() {
			add(r, classShipping, o.HandParts[i], 0, "handling")
		}
	}
	if out == nil {
		out = []any{}
	}
	return out
}

func renderTxn(o *order, t *txn) map[string]any {
	m := map[string]any{
		"id": t.ID, "order_id": strconv.FormatInt(o.ID, 10), "event": t.Event, "method": t.Method,
		"amount": num(t.Amount), "currency": o.Cur.Code, "gateway": t.Gateway,
		"gateway_transaction_id": t.GatewayID, "status": t.Status, "test": false, "fraud_review": t.Fraud,
		"date_created": d3(t.Created), "payment_method_id": t.PMID,
		"avs_result": map[string]any{"code": "", "message": "", "street_match": "", "postal_match": ""},
		"cvv_result": map[string]any{"code": "", "message": ""},
		// As in recorded responses, the method objects that do not apply are {}.
		"credit_card": map[string]any{}, "gift_certificate": map[string]any{}, "store_credit": map[string]any{},
		"offline": map[string]any{}, "custom": map[string]any{}, "payment_instrument_token": nil,
	}
	if t.Ref != 0 {
		m["reference_transaction_id"] = t.Ref
	}
	switch t.Method {
	case "credit_card":
		m["credit_card"] = map[string]any{
			"card_type": []string{"visa", "master", "american_express"}[o.ID%3], "card_iin": "411111",
			"card_last4": fmt.Sprintf("%04d", o.ID*37%10000), "card_expiry_month": 1 + int(o.ID%12), "card_expiry_year": 2028,
		}
	case "gift_certificate":
		m["gift_certificate"] = map[string]any{
			"code": t.GiftCode, "original_balance": num(dec("50")), "starting_balance": num(dec("50")),
			"remaining_balance": num(t.Remaining), "status": "active",
		}
	case "store_credit":
		m["store_credit"] = map[string]any{"remaining_balance": num(t.Remaining)}
	case "offline":
		m["offline"] = map[string]any{"display_name": t.Offline}
	}
	return m
}

func renderRefund(r *refund) map[string]any {
	items := make([]any, 0, len(r.Items))
	for _, it := range r.Items {
		m := map[string]any{"item_type": it.Type, "item_id": it.ItemID, "reason": it.Reason, "requested_amount": num(it.Amount)}
		if it.Type == "PRODUCT" {
			m["quantity"] = it.Qty
		}
		items = append(items, m)
	}
	pays := make([]any, 0, len(r.Payments))
	for _, p := range r.Payments {
		m := map[string]any{"id": p.ID, "provider_id": p.Provider, "amount": num(p.Amount), "offline": p.Offline, "is_declined": false, "declined_message": ""}
		if p.TxnID != "" {
			m["transaction_id"] = p.TxnID
		}
		pays = append(pays, m)
	}
	return map[string]any{
		"id": r.ID, "order_id": r.OrderID, "user_id": 1, "created": d3(r.Created), "reason": r.Reason,
		"total_amount": num(r.Total), "total_tax": num(r.Tax), "uses_merchant_override_values": false,
		"items": items, "payments": pays,
	}
}

func renderCustomer(c *customer, addresses, credit bool) map[string]any {
	m := map[string]any{
		"id": c.ID, "email": c.Email, "first_name": c.Addr.First, "last_name": c.Addr.Last,
		"company": c.Addr.Company, "phone": c.Addr.Phone, "registration_ip_address": "", "notes": c.Notes,
		"tax_exempt_category": c.TaxExempt, "customer_group_id": c.Group,
		"date_created": d3(c.Created), "date_modified": d3(c.Modified),
		"address_count": 1, "attribute_count": 0,
		"authentication": map[string]any{"force_password_reset": false},
		"accepts_product_review_abandoned_cart_emails": false,
		"origin_channel_id":                            1, "channel_ids": []int{1},
	}
	if addresses {
		m["addresses"] = []any{map[string]any{
			"id": c.AddressID, "customer_id": c.ID, "first_name": c.Addr.First, "last_name": c.Addr.Last,
			"company": c.Addr.Company, "address1": c.Addr.Street1, "address2": c.Addr.Street2,
			"city": c.Addr.City, "state_or_province": c.Addr.State, "postal_code": c.Addr.Zip,
			"country_code": c.Addr.ISO2, "country": c.Addr.Country, "phone": c.Addr.Phone,
			"address_type": "residential",
		}}
	}
	if credit {
		m["store_credit_amounts"] = []any{map[string]any{"amount": num(c.StoreCredit)}}
	}
	return m
}

func renderProduct(p *product, withVariants bool) map[string]any {
	m := map[string]any{
		"id": p.ID, "name": p.Name, "type": p.Type, "sku": p.SKU, "description": "<p>" + p.Name + "</p>",
		"weight": p.WeightOz, "width": 0, "depth": 0, "height": 0,
		"price": num(p.Price), "cost_price": num(p.Cost), "retail_price": num(p.Price), "sale_price": 0,
		"map_price": 0, "tax_class_id": p.TaxClass, "product_tax_code": "", "categories": []int{23},
		"brand_id": 0, "inventory_level": p.Level, "inventory_warning_level": 5,
		"inventory_tracking": p.Tracking, "fixed_cost_shipping_price": 0, "is_free_shipping": false,
		"is_visible": true, "is_featured": false, "related_products": []int{-1}, "warranty": "",
		"bin_picking_number": p.BinPicking, "upc": "", "mpn": "", "gtin": "", "search_keywords": "",
		"availability": "available", "availability_description": "", "sort_order": 0, "condition": "New",
		"is_condition_shown": false, "order_quantity_minimum": 0, "order_quantity_maximum": 0,
		"view_count": 0, "is_preorder_only": false, "is_price_hidden": false, "price_hidden_label": "",
		"total_sold": p.TotalSold, "date_created": d3(p.Created), "date_modified": d3(p.Modified),
		"calculated_price": num(p.Price), "option_set_display": "right",
		"custom_url":  map[string]any{"url": fmt.Sprintf("/products/%d/", p.ID), "is_customized": false},
		"layout_file": "product.html", "page_title": "", "meta_keywords": []string{}, "meta_description": "",
		"reviews_count": 0, "reviews_rating_sum": 0, "gift_wrapping_options_type": "any",
		"gift_wrapping_options_list": []int{}, "preorder_message": "", "open_graph_type": "product",
		"open_graph_title": "", "open_graph_description": "", "open_graph_use_meta_description": true,
		"open_graph_use_product_name": true, "open_graph_use_image": true,
	}
	if p.Tracking != "variant" {
		m["base_variant_id"] = p.Variants[0].ID
	}
	if withVariants {
		vs := make([]any, 0, len(p.Variants))
		for _, v := range p.Variants {
			vs = append(vs, renderVariant(p, v))
		}
		m["variants"] = vs
	}
	return m
}

func renderVariant(p *product, v *variant) map[string]any {
	level := v.Level
	if p.Tracking != "variant" {
		level = 0
		if p.Tracking == "product" {
			level = p.Level
		}
	}
	m := map[string]any{
		"id": v.ID, "product_id": p.ID, "sku": v.SKU,
		"price": num(v.Price), "calculated_price": num(v.Price), "sale_price": 0, "retail_price": num(v.Price),
		"cost_price": num(v.Cost), "weight": p.WeightOz, "calculated_weight": p.WeightOz, "width": 0, "height": 0, "depth": 0,
		"is_free_shipping": false, "fixed_cost_shipping_price": 0, "purchasing_disabled": false,
		"purchasing_disabled_message": "", "upc": "", "mpn": "", "gtin": "",
		"inventory_level": level, "inventory_warning_level": 0, "bin_picking_number": p.BinPicking,
		"image_url": "", "option_values": []any{},
	}
	if v.SKUID != 0 {
		m["sku_id"] = v.SKUID
	}
	ovs := make([]any, 0, len(v.Options))
	for _, ov := range v.Options {
		ovs = append(ovs, map[string]any{"id": ov.ID, "label": ov.Label, "option_id": ov.OptionID, "option_display_name": ov.Option})
	}
	m["option_values"] = ovs
	return m
}

// channelOf is an order's channel_id: 1, the storefront, unless moved.
func channelOf(o *order) int64 {
	if o.Channel == 0 {
		return 1
	}
	return o.Channel
}

// orderSource is what BigCommerce reports for the storefront ("www") and
// for orders another channel brought ("external").
func orderSource(o *order) string {
	if channelOf(o) == 1 {
		return "www"
	}
	return "external"
}
