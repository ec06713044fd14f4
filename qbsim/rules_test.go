package qbsim

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/qbxml"
	"github.com/shopspring/decimal"
)

// send builds a message with the qbxml package (what bcqb will send), lets
// the company answer it, checks the answer against the schema, and parses
// it back with qbxml.
func send(t *testing.T, c *Company, onError qbxml.OnError, reqs ...qbxml.Request) []qbxml.Response {
	t.Helper()
	msg := qbxml.NewMessage(onError)
	for i, r := range reqs {
		msg.Add(strconv.Itoa(i+1), r)
	}
	text, err := msg.Build(qbxml.V13)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	resp, err := c.ProcessRequest(context.Background(), string(text))
	if err != nil {
		t.Fatalf("QuickBooks refused the message: %v\n%s", err, text)
	}
	xsdCheck(t, resp)
	rm, err := qbxml.ParseResponse([]byte(resp))
	if err != nil {
		t.Fatalf("qbxml cannot parse the response: %v\n%s", err, resp)
	}
	return rm.Responses
}

// one sends a single request and returns its response.
func one[T qbxml.Response](t *testing.T, c *Company, r qbxml.Request) T {
	t.Helper()
	rs := send(t, c, qbxml.StopOnError, r)
	if len(rs) != 1 {
		t.Fatalf("%d responses", len(rs))
	}
	out, ok := rs[0].(T)
	if !ok {
		t.Fatalf("response is %T", rs[0])
	}
	return out
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func status(r qbxml.Response) (int, string) { return r.Header().StatusCode, r.Header().StatusMessage }

func line(item string, qty, rate string) qbxml.SalesLineAdd {
	l := qbxml.SalesLineAdd{ItemRef: qbxml.RefName(item)}
	if qty != "" {
		l.Quantity = qbxml.QuantityOf(dec(qty))
	}
	if rate != "" {
		l.Rate = qbxml.PriceOf(dec(rate))
	}
	return l
}

func TestNameInUse(t *testing.T) {
	tests := []struct {
		name string
		req  qbxml.Request
		code int
	}{
		{"same customer name", &qbxml.CustomerAddRq{CustomerAdd: qbxml.CustomerAdd{Name: "Cook, Brian"}}, 3100},
		{"names are case-insensitive", &qbxml.CustomerAddRq{CustomerAdd: qbxml.CustomerAdd{Name: "COOK, BRIAN"}}, 3100},
		{"customers share the name list with vendors", &qbxml.CustomerAddRq{CustomerAdd: qbxml.CustomerAdd{Name: "State Board of Equalization"}}, 3100},
		{"item types share one list", &qbxml.ItemServiceAddRq{ItemServiceAdd: qbxml.ItemServiceAdd{Name: "Widget",
			SalesOrPurchase: &qbxml.SalesOrPurchase{Price: qbxml.PriceOf(dec("1")), AccountRef: qbxml.RefName("Sales")}}}, 3100},
		{"an item may share a customer's name", &qbxml.ItemServiceAddRq{ItemServiceAdd: qbxml.ItemServiceAdd{Name: "Cook, Brian",
			SalesOrPurchase: &qbxml.SalesOrPurchase{Price: qbxml.PriceOf(dec("1")), AccountRef: qbxml.RefName("Sales")}}}, 0},
		{"a new customer", &qbxml.CustomerAddRq{CustomerAdd: qbxml.CustomerAdd{Name: "Dana Scully", Email: "dana@example.com"}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestCompany(t)
			rs := send(t, c, qbxml.StopOnError, tc.req)
			code, msg := status(rs[0])
			if code != tc.code {
				t.Fatalf("status %d %q, want %d", code, msg, tc.code)
			}
			if code == 3100 && !strings.Contains(msg, "is already in use") {
				t.Errorf("message %q", msg)
			}
		})
	}
}

func TestInvalidReference(t *testing.T) {
	tests := []struct {
		name string
		add  qbxml.SalesReceiptAdd
		msg  string
	}{
		{"customer", qbxml.SalesReceiptAdd{CustomerRef: qbxml.RefName("Nobody"), Lines: []qbxml.SalesLineAdd{line("Widget", "1", "")}},
			`There is an invalid reference to QuickBooks Customer "Nobody" in the SalesReceipt.`},
		{"item on a line", qbxml.SalesReceiptAdd{Lines: []qbxml.SalesLineAdd{line("Widget", "1", ""), line("Sprocket", "1", "2.00")}},
			`There is an invalid reference to QuickBooks Item "Sprocket" in the SalesReceipt line.`},
		{"payment method by ListID", qbxml.SalesReceiptAdd{PaymentMethodRef: qbxml.RefID("80000999-1"), Lines: []qbxml.SalesLineAdd{line("Widget", "1", "")}},
			`There is an invalid reference to QuickBooks Payment Method "80000999-1" in the SalesReceipt.`},
		{"terms the company does not have", qbxml.SalesReceiptAdd{TemplateRef: qbxml.RefName("Custom Receipt"), Lines: []qbxml.SalesLineAdd{line("Widget", "1", "")}},
			`There is an invalid reference to QuickBooks Template "Custom Receipt" in the SalesReceipt.`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestCompany(t)
			before := c.Summary()
			rs := one[*qbxml.SalesReceiptAddRs](t, c, &qbxml.SalesReceiptAddRq{SalesReceiptAdd: tc.add})
			code, msg := status(rs)
			if code != 3140 || !strings.HasPrefix(msg, tc.msg) || rs.SalesReceipt != nil {
				t.Fatalf("status %d %q, want 3140 %q", code, msg, tc.msg)
			}
			if after := c.Summary(); after.Txns["SalesReceipt"].Count != before.Txns["SalesReceipt"].Count {
				t.Error("a refused request changed the company")
			}
		})
	}
}

// rawMessage wraps request XML the way QuickBooks receives it.
func rawMessage(onError, body string) string {
	return `<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="` + onError + `">` + body + `</QBXMLMsgsRq></QBXML>`
}

func TestSchemaInvalidRequests(t *testing.T) {
	good := `<CustomerAddRq requestID="1"><CustomerAdd><Name>Fox Mulder</Name></CustomerAdd></CustomerAddRq>`
	tests := []struct{ name, msg string }{
		{"element out of order", rawMessage("stopOnError", `<CustomerAddRq><CustomerAdd><IsActive>true</IsActive><Name>X</Name></CustomerAdd></CustomerAddRq>`)},
		{"unknown element", rawMessage("stopOnError", `<CustomerAddRq><CustomerAdd><Name>X</Name><Nickname>x</Nickname></CustomerAdd></CustomerAddRq>`)},
		{"missing required element", rawMessage("stopOnError", `<InvoiceAddRq><InvoiceAdd><RefNumber>1</RefNumber></InvoiceAdd></InvoiceAddRq>`)},
		{"amount with three decimals", rawMessage("stopOnError", `<SalesReceiptAddRq><SalesReceiptAdd><SalesReceiptLineAdd><ItemRef><FullName>Widget</FullName></ItemRef><Amount>1.005</Amount></SalesReceiptLineAdd></SalesReceiptAdd></SalesReceiptAddRq>`)},
		{"bad boolean", rawMessage("stopOnError", `<CustomerAddRq><CustomerAdd><Name>X</Name><IsActive>yes</IsActive></CustomerAdd></CustomerAddRq>`)},
		{"unknown request", rawMessage("stopOnError", `<WidgetAddRq><Name>X</Name></WidgetAddRq>`)},
		{"bad onError", rawMessage("keepGoing", good)},
		{"not well-formed", rawMessage("stopOnError", `<CustomerAddRq><CustomerAdd><Name>X</CustomerAdd>`)},
		{"no qbxml version", `<?xml version="1.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">` + good + `</QBXMLMsgsRq></QBXML>`},
		{"newer version than QuickBooks", strings.Replace(rawMessage("stopOnError", good), "13.0", "16.0", 1)},
		{"character outside Windows-1252", rawMessage("stopOnError", `<CustomerAddRq><CustomerAdd><Name>Zoë 東京</Name></CustomerAdd></CustomerAddRq>`)},
		{"a C1 control character", rawMessage("stopOnError", "<CustomerAddRq><CustomerAdd><Name>O\u0092Brien</Name></CustomerAdd></CustomerAddRq>")},
		{"a good request before a bad one: no partial work", rawMessage("continueOnError", good+`<CustomerAddRq><CustomerAdd><Name>Y</Name><Bogus/></CustomerAdd></CustomerAddRq>`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestCompany(t)
			before := c.Summary()
			resp, err := c.ProcessRequest(context.Background(), tc.msg)
			var hr *HResultError
			if !errors.As(err, &hr) || hr.HResult != HResultParseError || resp != "" {
				t.Fatalf("got %q, %v; want hresult %s and no response", resp, err, HResultParseError)
			}
			if !strings.HasPrefix(hr.Message, "QuickBooks found an error when parsing the provided XML text stream.") {
				t.Errorf("message %q", hr.Message)
			}
			if after := c.Summary(); after.Lists["Customer"] != before.Lists["Customer"] {
				t.Error("a refused message changed the company")
			}
		})
	}
}

// TestWindows1252Text: QuickBooks stores Windows-1252, so the curly quotes,
// dashes and € a store's names carry are kept, whether the request is UTF-8
// (as qbxml sends it) or declared Windows-1252, and come back unchanged.
func TestWindows1252Text(t *testing.T) {
	c, _ := newTestCompany(t)
	const name = "O’Brien “Café” – €"
	if rs := one[*qbxml.CustomerAddRs](t, c, &qbxml.CustomerAddRq{CustomerAdd: qbxml.CustomerAdd{Name: name, Notes: "Ships… ™"}}); rs.Header().StatusCode != 0 {
		t.Fatalf("UTF-8 request: %d %s", rs.Header().StatusCode, rs.Header().StatusMessage)
	}
	resp, err := c.ProcessRequest(context.Background(), `<?xml version="1.0" encoding="windows-1252"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">`+
		"<CustomerAddRq requestID=\"2\"><CustomerAdd><Name>D\x92Angelo \x97 \x80</Name></CustomerAdd></CustomerAddRq></QBXMLMsgsRq></QBXML>")
	if err != nil || !strings.Contains(resp, `statusCode="0"`) {
		t.Fatalf("Windows-1252 request: %v\n%s", err, resp)
	}
	xsdCheck(t, resp)
	q := one[*qbxml.CustomerQueryRs](t, c, &qbxml.CustomerQueryRq{ListSelect: qbxml.ListSelect{FullNames: []string{name, "D’Angelo — €"}}})
	if len(q.Customers) != 2 || q.Customers[0].Name != name || q.Customers[0].Notes != "Ships… ™" || q.Customers[1].Name != "D’Angelo — €" {
		t.Errorf("queried back %+v", q.Customers)
	}
}

// TestStringTooLong: QuickBooks does not refuse the message for a string
// over its maximum length; it fails that request alone with 3070.
func TestStringTooLong(t *testing.T) {
	c, _ := newTestCompany(t)
	resp, err := c.ProcessRequest(context.Background(), rawMessage("continueOnError",
		`<CustomerAddRq requestID="1"><CustomerAdd><Name>`+strings.Repeat("n", 42)+`</Name></CustomerAdd></CustomerAddRq>`+
			`<SalesReceiptAddRq requestID="2"><SalesReceiptAdd><RefNumber>BC-100000001</RefNumber><SalesReceiptLineAdd><ItemRef><FullName>Widget</FullName></ItemRef></SalesReceiptLineAdd></SalesReceiptAdd></SalesReceiptAddRq>`+
			`<CustomerAddRq requestID="3"><CustomerAdd><Name>Fits</Name></CustomerAdd></CustomerAddRq>`))
	if err != nil {
		t.Fatal(err)
	}
	xsdCheck(t, resp)
	rm, err := qbxml.ParseResponse([]byte(resp))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`3070 The string "` + strings.Repeat("n", 42) + `" in the field "Name" is too long.`,
		`3070 The string "BC-100000001" in the field "RefNumber" is too long.`,
		`0 Status OK`,
	}
	for i, r := range rm.Responses {
		if code, msg := status(r); strconv.Itoa(code)+" "+msg != want[i] {
			t.Errorf("response %d: %d %s, want %s", i+1, code, msg, want[i])
		}
	}
	if s := c.Summary(); s.Lists["Customer"] != 4 || s.Txns["SalesReceipt"].Count != 0 {
		t.Errorf("summary %+v", s)
	}
}

func TestAmountsAndTax(t *testing.T) {
	tests := []struct {
		name                      string
		add                       qbxml.SalesReceiptAdd
		subtotal, tax, total, pct string
		lineAmounts               []string
		lineRates                 []string // when set: each line's Rate ("" for none)
	}{
		{
			// 3 × 19.99 = 59.97 taxable; Gift Wrap is non-inventory (Non):
			// 2.5 × 3.333 = 8.3325 -> 8.33. Tax 7.75% of 59.97 = 4.647675 -> 4.65.
			name:     "quantity times rate, tax on taxable lines only",
			add:      qbxml.SalesReceiptAdd{Lines: []qbxml.SalesLineAdd{line("Widget", "3", "19.99"), line("Gift Wrap", "2.5", "3.333")}},
			subtotal: "68.30", tax: "4.65", total: "72.95", pct: "7.75", lineAmounts: []string{"59.97", "8.33"},
		},
		{
			// No rate: QuickBooks uses the item's price (Gadget 49.50 × 2 = 99.00); tax 7.6725 -> 7.67.
			name:     "item price when the line has no rate",
			add:      qbxml.SalesReceiptAdd{Lines: []qbxml.SalesLineAdd{line("Gadget", "2", "")}},
			subtotal: "99.00", tax: "7.67", total: "106.67", pct: "7.75", lineAmounts: []string{"99.00"},
		},
		{
			name:     "tax item chosen by the request",
			add:      qbxml.SalesReceiptAdd{ItemSalesTaxRef: qbxml.RefName("Out of State"), Lines: []qbxml.SalesLineAdd{line("Widget", "1", "19.99")}},
			subtotal: "19.99", tax: "0.00", total: "19.99", pct: "0", lineAmounts: []string{"19.99"},
		},
		{
			name: "non-taxable code on the line",
			add: qbxml.SalesReceiptAdd{Lines: []qbxml.SalesLineAdd{func() qbxml.SalesLineAdd {
				l := line("Widget", "1", "10.00")
				l.SalesTaxCodeRef = qbxml.RefName("Non")
				return l
			}()}},
			subtotal: "10.00", tax: "0.00", total: "10.00", pct: "7.75", lineAmounts: []string{"10.00"},
		},
		{
			// Shipping as an other-charge line with an amount, and the coupon
			// discount item (5.00 off) at its own rate.
			name: "amount-only line and discount item",
			add: qbxml.SalesReceiptAdd{Lines: []qbxml.SalesLineAdd{line("Widget", "2", "10.00"),
				{ItemRef: qbxml.RefName("Shipping"), Amount: qbxml.AmountOf(dec("7.50"))}, {ItemRef: qbxml.RefName("Coupon")}}},
			// 20.00 + 7.50 - 5.00 = 22.50; only the Widget line is taxable: 1.55
			subtotal: "22.50", tax: "1.55", total: "24.05", pct: "7.75", lineAmounts: []string{"20.00", "7.50", "-5.00"},
		},
		{
			// A store discount and a shipping credit as negative amounts on a
			// discount and an other-charge item. Neither is taxable: tax is
			// 7.75 % of the Widget's 50.00 = 3.875 -> 3.88.
			name: "negative amounts on discount and other-charge lines",
			add: qbxml.SalesReceiptAdd{Lines: []qbxml.SalesLineAdd{line("Widget", "1", "50.00"),
				{ItemRef: qbxml.RefName("Coupon"), Amount: qbxml.AmountOf(dec("-7.50"))},
				{ItemRef: qbxml.RefName("Shipping"), Amount: qbxml.AmountOf(dec("-2.00"))}}},
			subtotal: "40.50", tax: "3.88", total: "44.38", pct: "7.75", lineAmounts: []string{"50.00", "-7.50", "-2.00"},
			lineRates: []string{"50", "", ""},
		},
		{
			// Quantity and Amount without a Rate: the Amount stands and
			// QuickBooks derives Rate = Amount / Quantity (5 decimals).
			// Tax: 7.75 % of the Widget's 30.00 = 2.325 -> 2.33.
			name: "quantity and amount, no rate",
			add: qbxml.SalesReceiptAdd{Lines: []qbxml.SalesLineAdd{
				{ItemRef: qbxml.RefName("Widget"), Quantity: qbxml.QuantityInt(2), Amount: qbxml.AmountOf(dec("30.00"))},
				{ItemRef: qbxml.RefName("Gift Wrap"), Quantity: qbxml.QuantityInt(3), Amount: qbxml.AmountOf(dec("10.00"))}}},
			subtotal: "40.00", tax: "2.33", total: "42.33", pct: "7.75", lineAmounts: []string{"30.00", "10.00"},
			lineRates: []string{"15", "3.33333"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestCompany(t)
			rs := one[*qbxml.SalesReceiptAddRs](t, c, &qbxml.SalesReceiptAddRq{SalesReceiptAdd: tc.add})
			if code, msg := status(rs); code != 0 {
				t.Fatalf("status %d %s", code, msg)
			}
			sr := rs.SalesReceipt
			got := []string{sr.Subtotal.String(), sr.SalesTaxTotal.String(), sr.TotalAmount.String(), sr.SalesTaxPercentage.String()}
			want := []string{tc.subtotal, tc.tax, tc.total, tc.pct}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("subtotal/tax/total/pct %v, want %v", got, want)
			}
			var amounts []string
			for _, l := range sr.Lines {
				amounts = append(amounts, l.Amount.String())
			}
			if strings.Join(amounts, " ") != strings.Join(tc.lineAmounts, " ") {
				t.Errorf("line amounts %v, want %v", amounts, tc.lineAmounts)
			}
			if tc.lineRates != nil {
				var rates []string
				for _, l := range sr.Lines {
					rates = append(rates, l.Rate.String())
				}
				if strings.Join(rates, "|") != strings.Join(tc.lineRates, "|") {
					t.Errorf("line rates %q, want %q", rates, tc.lineRates)
				}
			}
			if sr.RefNumber == "" || sr.TxnID == "" || sr.EditSequence == "" || sr.TimeCreated.IsZero() {
				t.Errorf("missing identity: %+v", sr.TxnCore)
			}
		})
	}
}

func TestInvoiceBalancesAndPayments(t *testing.T) {
	c, _ := newTestCompany(t)
	inv := func(ref, qty string) *qbxml.InvoiceRet {
		rs := one[*qbxml.InvoiceAddRs](t, c, &qbxml.InvoiceAddRq{InvoiceAdd: qbxml.InvoiceAdd{CustomerRef: qbxml.RefName("Cook, Brian"),
			RefNumber: ref, Lines: []qbxml.SalesLineAdd{line("Installation", qty, "")}}})
		if code, msg := status(rs); code != 0 {
			t.Fatalf("invoice: %d %s", code, msg)
		}
		return rs.Invoice
	}
	// Installation is a non-taxable service at 75.00.
	a, b := inv("INV-1", "2"), inv("INV-2", "1")
	if a.BalanceRemaining.String() != "150.00" || a.AppliedAmount.String() != "0.00" || a.IsPaid {
		t.Fatalf("new invoice balance %s applied %s paid %v", a.BalanceRemaining, a.AppliedAmount, a.IsPaid)
	}
	pay := func(total string, apps ...qbxml.AppliedToTxnAdd) *qbxml.ReceivePaymentAddRs {
		p := qbxml.ReceivePaymentAdd{CustomerRef: qbxml.RefName("Cook, Brian"), TotalAmount: qbxml.AmountOf(dec(total)), AppliedToTxns: apps}
		if len(apps) == 0 {
			p.IsAutoApply = new(true)
		}
		return one[*qbxml.ReceivePaymentAddRs](t, c, &qbxml.ReceivePaymentAddRq{ReceivePaymentAdd: p})
	}
	if rs := pay("200.00", qbxml.AppliedToTxnAdd{TxnID: b.TxnID, PaymentAmount: qbxml.AmountOf(dec("75.01"))}); rs.Header().StatusCode != 3210 {
		t.Fatalf("overpaying an invoice: status %d %s, want 3210", rs.Header().StatusCode, rs.Header().StatusMessage)
	}
	rs := pay("100.00", qbxml.AppliedToTxnAdd{TxnID: a.TxnID, PaymentAmount: qbxml.AmountOf(dec("100.00"))})
	if code, msg := status(rs); code != 0 || rs.ReceivePayment.UnusedPayment.String() != "0.00" {
		t.Fatalf("payment: %d %s", code, msg)
	}
	// Auto-apply pays the oldest open invoice first: 50.00 left on INV-1, then INV-2.
	rs = pay("100.00")
	if code, msg := status(rs); code != 0 {
		t.Fatalf("auto-apply: %d %s", code, msg)
	}
	if got := rs.ReceivePayment.AppliedToTxns; len(got) != 2 || got[0].Amount.String() != "50.00" || got[1].Amount.String() != "50.00" {
		t.Fatalf("auto-applied %+v", got)
	}
	q := one[*qbxml.InvoiceQueryRs](t, c, &qbxml.InvoiceQueryRq{IncludeLinkedTxns: new(true)})
	bal := map[string]string{}
	for _, i := range q.Invoices {
		bal[i.RefNumber] = i.BalanceRemaining.String() + "/" + i.AppliedAmount.String() + "/" + strconv.FormatBool(i.IsPaid) + "/" + strconv.Itoa(len(i.LinkedTxns))
	}
	if bal["INV-1"] != "0.00/-150.00/true/2" || bal["INV-2"] != "25.00/-50.00/false/1" {
		t.Errorf("balances %v", bal)
	}
	unpaid := one[*qbxml.InvoiceQueryRs](t, c, &qbxml.InvoiceQueryRq{PaidStatus: "NotPaidOnly"})
	if len(unpaid.Invoices) != 1 || unpaid.Invoices[0].RefNumber != "INV-2" {
		t.Errorf("NotPaidOnly returned %d invoices", len(unpaid.Invoices))
	}
	cust := one[*qbxml.CustomerQueryRs](t, c, &qbxml.CustomerQueryRq{ListSelect: qbxml.ListSelect{FullNames: []string{"Cook, Brian"}}})
	if got := cust.Customers[0].Balance.String(); got != "25.00" {
		t.Errorf("customer balance %s, want 25.00", got)
	}
	for _, tx := range c.Transactions() {
		if tx.RefNumber == "INV-2" && (tx.Open.StringFixed(2) != "25.00" || tx.Total.StringFixed(2) != "75.00" || tx.Subtotal.StringFixed(2) != "75.00") {
			t.Errorf("Transactions() INV-2 %+v", tx)
		}
	}
}

func qoh(t *testing.T, c *Company, item string) string {
	t.Helper()
	rs := one[*qbxml.ItemInventoryQueryRs](t, c, &qbxml.ItemInventoryQueryRq{ListSelect: qbxml.ListSelect{FullNames: []string{item}}})
	if len(rs.Items) != 1 {
		t.Fatalf("%d items named %s", len(rs.Items), item)
	}
	return rs.Items[0].QuantityOnHand.String()
}

func TestQuantityOnHand(t *testing.T) {
	c, _ := newTestCompany(t)
	steps := []struct {
		name string
		req  qbxml.Request
		want string
	}{
		{"opening quantity", nil, "100"},
		{"sold 3", &qbxml.SalesReceiptAddRq{SalesReceiptAdd: qbxml.SalesReceiptAdd{RefNumber: "S1", Lines: []qbxml.SalesLineAdd{line("Widget", "3", "")}}}, "97"},
		{"invoiced 2.5", &qbxml.InvoiceAddRq{InvoiceAdd: qbxml.InvoiceAdd{CustomerRef: qbxml.RefName("Cook, Brian"), Lines: []qbxml.SalesLineAdd{line("Widget", "2.5", "")}}}, "94.5"},
		{"returned 1 on a credit memo", &qbxml.CreditMemoAddRq{CreditMemoAdd: qbxml.CreditMemoAdd{CustomerRef: qbxml.RefName("Cook, Brian"), Lines: []qbxml.SalesLineAdd{line("Widget", "1", "")}}}, "95.5"},
		{"adjusted by -5.5", &qbxml.InventoryAdjustmentAddRq{InventoryAdjustmentAdd: qbxml.InventoryAdjustmentAdd{AccountRef: qbxml.RefName("Inventory Adjustments"),
			Lines: []qbxml.InventoryAdjustmentLineAdd{{ItemRef: qbxml.RefName("Widget"), QuantityAdjustment: &qbxml.QuantityAdjustment{QuantityDifference: qbxml.QuantityOf(dec("-5.5"))}}}}}, "90"},
		{"counted at 80", &qbxml.InventoryAdjustmentAddRq{InventoryAdjustmentAdd: qbxml.InventoryAdjustmentAdd{AccountRef: qbxml.RefName("Inventory Adjustments"),
			Lines: []qbxml.InventoryAdjustmentLineAdd{{ItemRef: qbxml.RefName("Widget"), QuantityAdjustment: &qbxml.QuantityAdjustment{NewQuantity: qbxml.QuantityInt(80)}}}}}, "80"},
		{"service items do not count", &qbxml.SalesReceiptAddRq{SalesReceiptAdd: qbxml.SalesReceiptAdd{Lines: []qbxml.SalesLineAdd{line("Installation", "4", "")}}}, "80"},
	}
	for _, s := range steps {
		if s.req != nil {
			rs := send(t, c, qbxml.StopOnError, s.req)
			if code, msg := status(rs[0]); code != 0 {
				t.Fatalf("%s: %d %s", s.name, code, msg)
			}
		}
		if got := qoh(t, c, "Widget"); got != s.want {
			t.Fatalf("%s: quantity on hand %s, want %s", s.name, got, s.want)
		}
	}
	// Voiding the first sale puts its 3 back.
	sr := one[*qbxml.SalesReceiptQueryRs](t, c, &qbxml.SalesReceiptQueryRq{TxnSelect: qbxml.TxnSelect{RefNumbers: []string{"S1"}}})
	v := one[*qbxml.TxnVoidRs](t, c, &qbxml.TxnVoidRq{TxnVoidType: qbxml.TxnTypeSalesReceipt, TxnID: sr.SalesReceipts[0].TxnID})
	if code, msg := status(v); code != 0 {
		t.Fatalf("void: %d %s", code, msg)
	}
	if got := qoh(t, c, "Widget"); got != "83" {
		t.Errorf("after void: %s, want 83", got)
	}
	voided := one[*qbxml.SalesReceiptQueryRs](t, c, &qbxml.SalesReceiptQueryRq{TxnSelect: qbxml.TxnSelect{TxnIDs: []string{sr.SalesReceipts[0].TxnID}}})
	if got := voided.SalesReceipts[0]; got.TotalAmount.String() != "0.00" || !strings.HasPrefix(got.Memo, "VOID:") {
		t.Errorf("voided receipt total %s memo %q", got.TotalAmount, got.Memo)
	}
}

func TestIterators(t *testing.T) {
	c, _ := newTestCompany(t)
	for i := range 7 {
		send(t, c, qbxml.StopOnError, &qbxml.CustomerAddRq{CustomerAdd: qbxml.CustomerAdd{Name: "Iter " + strconv.Itoa(i)}})
	}
	// 3 sample customers + 7 = 10, pages of 4.
	q := &qbxml.CustomerQueryRq{ListFilter: qbxml.ListFilter{MaxReturned: 4}}
	q.SetIterator(qbxml.IteratorStart, "")
	var names []string
	var remaining []int
	for page := 0; ; page++ {
		rs := one[*qbxml.CustomerQueryRs](t, c, q)
		h := rs.Header()
		if h.StatusCode != 0 {
			t.Fatalf("page %d: %d %s", page, h.StatusCode, h.StatusMessage)
		}
		for _, cu := range rs.Customers {
			names = append(names, cu.FullName)
		}
		remaining = append(remaining, h.IteratorRemainingCount)
		if h.IteratorRemainingCount == 0 {
			break
		}
		if h.IteratorID == "" {
			t.Fatal("no iteratorID")
		}
		q = &qbxml.CustomerQueryRq{ListFilter: qbxml.ListFilter{MaxReturned: 4}}
		q.SetIterator(qbxml.IteratorContinue, h.IteratorID)
	}
	if len(names) != 10 || strings.Join(strInts(remaining), ",") != "6,2,0" {
		t.Fatalf("got %d names, remaining %v", len(names), remaining)
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("%s returned twice", n)
		}
		seen[n] = true
	}
	// The finished iterator is gone; a stale one is an error, not an empty page.
	rs := one[*qbxml.CustomerQueryRs](t, c, q)
	if rs.Header().StatusCode != 3000 {
		t.Errorf("continuing a finished iterator: %d %s", rs.Header().StatusCode, rs.Header().StatusMessage)
	}
	// Iterators die with the session.
	start := &qbxml.CustomerQueryRq{ListFilter: qbxml.ListFilter{MaxReturned: 2}}
	start.SetIterator(qbxml.IteratorStart, "")
	first := one[*qbxml.CustomerQueryRs](t, c, start)
	if err := c.EndSession(context.Background()); err != nil {
		t.Fatal(err)
	}
	cont := &qbxml.CustomerQueryRq{ListFilter: qbxml.ListFilter{MaxReturned: 2}}
	cont.SetIterator(qbxml.IteratorContinue, first.Header().IteratorID)
	if rs := one[*qbxml.CustomerQueryRs](t, c, cont); rs.Header().StatusCode != 3000 {
		t.Errorf("iterator survived the session: %d", rs.Header().StatusCode)
	}
}

func strInts(v []int) []string {
	out := make([]string, len(v))
	for i, n := range v {
		out[i] = strconv.Itoa(n)
	}
	return out
}

func TestQueries(t *testing.T) {
	c, clock := newTestCompany(t)
	clock.Advance(time.Hour)
	mark := clock.Now()
	clock.Advance(time.Minute)
	added := one[*qbxml.CustomerAddRs](t, c, &qbxml.CustomerAddRq{CustomerAdd: qbxml.CustomerAdd{Name: "Skinner, Walter"}})
	send(t, c, qbxml.StopOnError, &qbxml.CustomerModRq{CustomerMod: qbxml.CustomerMod{ListID: added.Customer.ListID,
		EditSequence: added.Customer.EditSequence, IsActive: new(false)}})
	send(t, c, qbxml.StopOnError, &qbxml.SalesReceiptAddRq{SalesReceiptAdd: qbxml.SalesReceiptAdd{RefNumber: "BC1001",
		CustomerRef: qbxml.RefName("Cook, Brian"), Lines: []qbxml.SalesLineAdd{line("Widget", "1", "")}}})
	names := func(rs *qbxml.CustomerQueryRs) string {
		var out []string
		for _, cu := range rs.Customers {
			out = append(out, cu.FullName)
		}
		return strings.Join(out, "|")
	}
	tests := []struct {
		name  string
		q     *qbxml.CustomerQueryRq
		code  int
		names string
	}{
		{"all active, sorted", &qbxml.CustomerQueryRq{}, 0, "Abercrombie, Kristy|Cook, Brian|Web Store Customer"},
		{"inactive only", &qbxml.CustomerQueryRq{ListFilter: qbxml.ListFilter{ActiveStatus: qbxml.InactiveOnly}}, 0, "Skinner, Walter"},
		{"by full name, any case", &qbxml.CustomerQueryRq{ListSelect: qbxml.ListSelect{FullNames: []string{"cook, brian"}}}, 0, "Cook, Brian"},
		{"by ListID", &qbxml.CustomerQueryRq{ListSelect: qbxml.ListSelect{ListIDs: []string{added.Customer.ListID}}}, 0, "Skinner, Walter"},
		{"a missing full name is a warning", &qbxml.CustomerQueryRq{ListSelect: qbxml.ListSelect{FullNames: []string{"Cook, Brian", "Nobody"}}}, 500, "Cook, Brian"},
		{"name filter", &qbxml.CustomerQueryRq{ListFilter: qbxml.ListFilter{NameFilter: &qbxml.NameFilter{MatchCriterion: qbxml.StartsWith, Name: "ab"}}}, 0, "Abercrombie, Kristy"},
		{"modified since", &qbxml.CustomerQueryRq{ListFilter: qbxml.ListFilter{ActiveStatus: qbxml.ActiveAll, FromModifiedDate: qbxml.DateTimeOf(mark)}}, 0, "Skinner, Walter"},
		{"no match", &qbxml.CustomerQueryRq{ListFilter: qbxml.ListFilter{NameFilter: &qbxml.NameFilter{MatchCriterion: qbxml.Contains, Name: "zzz"}}}, 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs := one[*qbxml.CustomerQueryRs](t, c, tc.q)
			if code, msg := status(rs); code != tc.code || names(rs) != tc.names {
				t.Errorf("status %d %q names %q; want %d %q", code, msg, names(rs), tc.code, tc.names)
			}
			if tc.code == 1 && rs.Header().StatusMessage != msgNoMatch {
				t.Errorf("message %q", rs.Header().StatusMessage)
			}
		})
	}
	t.Run("transaction by RefNumber", func(t *testing.T) {
		rs := one[*qbxml.SalesReceiptQueryRs](t, c, &qbxml.SalesReceiptQueryRq{TxnSelect: qbxml.TxnSelect{RefNumbers: []string{"bc1001"}}})
		if len(rs.SalesReceipts) != 1 || len(rs.SalesReceipts[0].Lines) != 0 {
			t.Fatalf("got %d receipts (lines are left out unless IncludeLineItems)", len(rs.SalesReceipts))
		}
		rs = one[*qbxml.SalesReceiptQueryRs](t, c, &qbxml.SalesReceiptQueryRq{TxnSelect: qbxml.TxnSelect{RefNumberCaseSensitives: []string{"bc1001"}}})
		if rs.Header().StatusCode != 1 {
			t.Errorf("case-sensitive RefNumber matched: %d", rs.Header().StatusCode)
		}
		rs = one[*qbxml.SalesReceiptQueryRs](t, c, &qbxml.SalesReceiptQueryRq{TxnSelect: qbxml.TxnSelect{RefNumbers: []string{"BC1001"}}, IncludeLineItems: new(true)})
		if len(rs.SalesReceipts[0].Lines) != 1 {
			t.Errorf("IncludeLineItems: %d lines", len(rs.SalesReceipts[0].Lines))
		}
	})
}

func TestOnError(t *testing.T) {
	reqs := func() []qbxml.Request {
		return []qbxml.Request{
			&qbxml.CustomerAddRq{CustomerAdd: qbxml.CustomerAdd{Name: "First"}},
			&qbxml.CustomerAddRq{CustomerAdd: qbxml.CustomerAdd{Name: "Cook, Brian"}}, // 3100
			&qbxml.CustomerAddRq{CustomerAdd: qbxml.CustomerAdd{Name: "Third"}},
		}
	}
	tests := []struct {
		onError   qbxml.OnError
		responses int
		customers int
	}{
		{qbxml.StopOnError, 2, 4},
		{qbxml.ContinueOnError, 3, 5},
	}
	for _, tc := range tests {
		t.Run(string(tc.onError), func(t *testing.T) {
			c, _ := newTestCompany(t)
			rs := send(t, c, tc.onError, reqs()...)
			if len(rs) != tc.responses {
				t.Fatalf("%d responses, want %d", len(rs), tc.responses)
			}
			if rs[1].Header().RequestID != "2" || rs[1].Header().StatusCode != 3100 {
				t.Errorf("second response %+v", rs[1].Header())
			}
			if got := c.Summary().Lists["Customer"]; got != tc.customers {
				t.Errorf("%d customers, want %d", got, tc.customers)
			}
		})
	}
}

func TestEditSequence(t *testing.T) {
	c, clock := newTestCompany(t)
	added := one[*qbxml.CustomerAddRs](t, c, &qbxml.CustomerAddRq{CustomerAdd: qbxml.CustomerAdd{Name: "Reyes, Monica"}})
	mod := func(es string) *qbxml.CustomerModRs {
		return one[*qbxml.CustomerModRs](t, c, &qbxml.CustomerModRq{CustomerMod: qbxml.CustomerMod{ListID: added.Customer.ListID, EditSequence: es, Email: "m@example.com"}})
	}
	clock.Advance(time.Second)
	first := mod(added.Customer.EditSequence)
	if first.Header().StatusCode != 0 || first.Customer.EditSequence == added.Customer.EditSequence || first.Customer.Email != "m@example.com" {
		t.Fatalf("mod: %+v", first.Header())
	}
	if stale := mod(added.Customer.EditSequence); stale.Header().StatusCode != 3200 {
		t.Errorf("stale EditSequence: %d %s", stale.Header().StatusCode, stale.Header().StatusMessage)
	}
	rename := one[*qbxml.CustomerModRs](t, c, &qbxml.CustomerModRq{CustomerMod: qbxml.CustomerMod{ListID: added.Customer.ListID,
		EditSequence: first.Customer.EditSequence, Name: "Cook, Brian"}})
	if rename.Header().StatusCode != 3100 {
		t.Errorf("renaming onto a used name: %d", rename.Header().StatusCode)
	}
}

func TestDataExtAndHCP(t *testing.T) {
	c, _ := newTestCompany(t)
	const owner, fileID = "{11111111-2222-3333-4444-555555555555}", "{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}"
	info, err := c.BeginSession(context.Background(), BeginSessionRequest{OwnerID: owner, FileID: fileID})
	if err != nil {
		t.Fatal(err)
	}
	xsdCheck(t, info.HCPResponse)
	hcp, err := qbxml.ParseHCPResponse([]byte(info.HCPResponse))
	if err != nil {
		t.Fatal(err)
	}
	if hcp.FileID != fileID || hcp.Country() != "US" {
		t.Errorf("HCP FileID %q country %q", hcp.FileID, hcp.Country())
	}
	if v, err := hcp.Negotiate(info.Major, info.Minor); err != nil || v != qbxml.V13 {
		t.Errorf("negotiated %v, %v", v, err)
	}
	// A BigCommerce order id kept in a private data extension on a receipt.
	sr := one[*qbxml.SalesReceiptAddRs](t, c, &qbxml.SalesReceiptAddRq{SalesReceiptAdd: qbxml.SalesReceiptAdd{Lines: []qbxml.SalesLineAdd{line("Widget", "1", "")}}})
	rs := send(t, c, qbxml.StopOnError,
		&qbxml.DataExtDefAddRq{DataExtDefAdd: qbxml.DataExtDefAdd{OwnerID: owner, DataExtName: "BCOrderID", DataExtType: "STR255TYPE"}},
		&qbxml.DataExtAddRq{DataExtAdd: qbxml.DataExtAdd{OwnerID: owner, DataExtName: "BCOrderID", TxnDataExtType: "SalesReceipt", TxnID: sr.SalesReceipt.TxnID, DataExtValue: "1042"}})
	for _, r := range rs {
		if code, msg := status(r); code != 0 {
			t.Fatalf("%s: %d %s", r.RsName(), code, msg)
		}
	}
	q := one[*qbxml.SalesReceiptQueryRs](t, c, &qbxml.SalesReceiptQueryRq{TxnSelect: qbxml.TxnSelect{TxnIDs: []string{sr.SalesReceipt.TxnID}}, OwnerIDs: []string{owner}})
	if d := q.SalesReceipts[0].DataExtRets; len(d) != 1 || d[0].DataExtName != "BCOrderID" || d[0].DataExtValue != "1042" {
		t.Errorf("data extensions %+v", d)
	}
	plain := one[*qbxml.SalesReceiptQueryRs](t, c, &qbxml.SalesReceiptQueryRq{TxnSelect: qbxml.TxnSelect{TxnIDs: []string{sr.SalesReceipt.TxnID}}})
	if len(plain.SalesReceipts[0].DataExtRets) != 0 {
		t.Error("private data extensions returned without their OwnerID")
	}
}
