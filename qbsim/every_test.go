package qbsim

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/bcqb/bcqb/qbxml"
)

// TestEveryQueryAnswersValidly runs every query the simulator knows, with
// line items and links, over a company holding every transaction type, and
// checks each answer against the schema (and xmllint when present).
func TestEveryQueryAnswersValidly(t *testing.T) {
	c, _ := newTestCompany(t)
	populate(t, c)
	var names []string
	for name := range schemaMessages {
		if strings.HasSuffix(name, "QueryRq") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			body := `<` + name + ` requestID="1"/>`
			op := strings.TrimSuffix(name, "QueryRq")
			if txnKinds[op] {
				body = `<` + name + ` requestID="1"><IncludeLineItems>true</IncludeLineItems>`
				if op == "Invoice" || op == "CreditMemo" {
					body += `<IncludeLinkedTxns>true</IncludeLinkedTxns>`
				}
				body += `</` + name + `>`
			}
			resp, err := c.ProcessRequest(context.Background(), rawMessage("stopOnError", body))
			if err != nil {
				t.Fatal(err)
			}
			xsdCheck(t, resp)
		})
	}
}

// populate adds one of each transaction type, linked where they link.
func populate(t *testing.T, c *Company) {
	t.Helper()
	inv := one[*qbxml.InvoiceAddRs](t, c, &qbxml.InvoiceAddRq{InvoiceAdd: qbxml.InvoiceAdd{CustomerRef: qbxml.RefName("Abercrombie, Kristy"),
		Lines: []qbxml.SalesLineAdd{line("Gadget", "1", ""), {Desc: "Thank you for your order"}}}})
	cm := one[*qbxml.CreditMemoAddRs](t, c, &qbxml.CreditMemoAddRq{CreditMemoAdd: qbxml.CreditMemoAdd{CustomerRef: qbxml.RefName("Abercrombie, Kristy"),
		Lines: []qbxml.SalesLineAdd{line("Widget", "1", "")}}})
	rs := send(t, c, qbxml.StopOnError,
		&qbxml.SalesReceiptAddRq{SalesReceiptAdd: qbxml.SalesReceiptAdd{PaymentMethodRef: qbxml.RefName("Visa"), Lines: []qbxml.SalesLineAdd{line("Widget", "1", "")}}},
		&qbxml.ReceivePaymentAddRq{ReceivePaymentAdd: qbxml.ReceivePaymentAdd{CustomerRef: qbxml.RefName("Abercrombie, Kristy"),
			TotalAmount: qbxml.AmountOf(dec("10.00")), AppliedToTxns: []qbxml.AppliedToTxnAdd{{TxnID: inv.Invoice.TxnID, PaymentAmount: qbxml.AmountOf(dec("10.00"))}}}},
		&qbxml.ARRefundCreditCardAddRq{ARRefundCreditCardAdd: qbxml.ARRefundCreditCardAdd{CustomerRef: qbxml.RefName("Abercrombie, Kristy"),
			PaymentMethodRef: qbxml.RefName("Visa"), RefundAppliedToTxns: []qbxml.RefundAppliedToTxnAdd{{TxnID: cm.CreditMemo.TxnID, RefundAmount: qbxml.AmountOf(dec("5.00"))}}}},
		&qbxml.CheckAddRq{CheckAdd: qbxml.CheckAdd{AccountRef: qbxml.RefName("Checking"), PayeeEntityRef: qbxml.RefName("Cook, Brian"),
			ExpenseLines: []qbxml.ExpenseLineAdd{{AccountRef: qbxml.RefName("Accounts Receivable"), Amount: qbxml.AmountOf(dec("12.34")), CustomerRef: qbxml.RefName("Cook, Brian")}}}},
		&qbxml.InventoryAdjustmentAddRq{InventoryAdjustmentAdd: qbxml.InventoryAdjustmentAdd{AccountRef: qbxml.RefName("Inventory Adjustments"),
			Lines: []qbxml.InventoryAdjustmentLineAdd{{ItemRef: qbxml.RefName("Gadget"), QuantityAdjustment: &qbxml.QuantityAdjustment{QuantityDifference: qbxml.QuantityInt(-1)}}}}},
	)
	for _, r := range rs {
		if code, msg := status(r); code != 0 {
			t.Fatalf("%s: %d %s", r.RsName(), code, msg)
		}
	}
}

func TestCreditMemoRefund(t *testing.T) {
	c, _ := newTestCompany(t)
	// Widget 19.99 + 7.75% tax (1.55) = 21.54 credited.
	cm := one[*qbxml.CreditMemoAddRs](t, c, &qbxml.CreditMemoAddRq{CreditMemoAdd: qbxml.CreditMemoAdd{CustomerRef: qbxml.RefName("Cook, Brian"),
		Lines: []qbxml.SalesLineAdd{line("Widget", "1", "")}}})
	if got := cm.CreditMemo; got.TotalAmount.String() != "21.54" || got.CreditRemaining.String() != "21.54" {
		t.Fatalf("credit memo total %s remaining %s", got.TotalAmount, got.CreditRemaining)
	}
	refund := func(amount string) *qbxml.ARRefundCreditCardAddRs {
		return one[*qbxml.ARRefundCreditCardAddRs](t, c, &qbxml.ARRefundCreditCardAddRq{ARRefundCreditCardAdd: qbxml.ARRefundCreditCardAdd{
			CustomerRef: qbxml.RefName("Cook, Brian"), RefundAppliedToTxns: []qbxml.RefundAppliedToTxnAdd{{TxnID: cm.CreditMemo.TxnID, RefundAmount: qbxml.AmountOf(dec(amount))}}}})
	}
	if r := refund("21.55"); r.Header().StatusCode != 3210 {
		t.Errorf("refunding more than the credit: %d", r.Header().StatusCode)
	}
	if r := refund("21.54"); r.Header().StatusCode != 0 || r.ARRefundCreditCard.TotalAmount.String() != "21.54" {
		t.Fatalf("refund: %d %s", r.Header().StatusCode, r.Header().StatusMessage)
	}
	q := one[*qbxml.CreditMemoQueryRs](t, c, &qbxml.CreditMemoQueryRq{TxnSelect: qbxml.TxnSelect{TxnIDs: []string{cm.CreditMemo.TxnID}}})
	if got := q.CreditMemos[0].CreditRemaining.String(); got != "0.00" {
		t.Errorf("credit remaining %s", got)
	}
	cust := one[*qbxml.CustomerQueryRs](t, c, &qbxml.CustomerQueryRq{ListSelect: qbxml.ListSelect{FullNames: []string{"Cook, Brian"}}})
	if got := cust.Customers[0].Balance.String(); got != "0.00" {
		t.Errorf("customer balance after credit and refund %s", got)
	}
	if v := one[*qbxml.TxnVoidRs](t, c, &qbxml.TxnVoidRq{TxnVoidType: qbxml.TxnTypeCreditMemo, TxnID: cm.CreditMemo.TxnID}); v.Header().StatusCode != 3210 {
		t.Errorf("voiding a refunded credit memo: %d", v.Header().StatusCode)
	}
	if v := one[*qbxml.TxnVoidRs](t, c, &qbxml.TxnVoidRq{TxnVoidType: qbxml.TxnTypeInvoice, TxnID: cm.CreditMemo.TxnID}); v.Header().StatusCode != 3120 {
		t.Errorf("voiding with the wrong type: %d", v.Header().StatusCode)
	}
}

func TestPaymentDeleteAndTxnDel(t *testing.T) {
	c, _ := newTestCompany(t)
	inv := one[*qbxml.InvoiceAddRs](t, c, &qbxml.InvoiceAddRq{InvoiceAdd: qbxml.InvoiceAdd{CustomerRef: qbxml.RefName("Cook, Brian"),
		Lines: []qbxml.SalesLineAdd{line("Installation", "1", "")}}})
	pay := one[*qbxml.ReceivePaymentAddRs](t, c, &qbxml.ReceivePaymentAddRq{ReceivePaymentAdd: qbxml.ReceivePaymentAdd{CustomerRef: qbxml.RefName("Cook, Brian"),
		TotalAmount: qbxml.AmountOf(dec("75.00")), IsAutoApply: new(true)}})
	balance := func() string {
		q := one[*qbxml.InvoiceQueryRs](t, c, &qbxml.InvoiceQueryRq{TxnSelect: qbxml.TxnSelect{TxnIDs: []string{inv.Invoice.TxnID}}})
		return q.Invoices[0].BalanceRemaining.String()
	}
	if got := balance(); got != "0.00" {
		t.Fatalf("paid invoice balance %s", got)
	}
	// qbXML cannot void a received payment (TxnVoidType has no
	// ReceivePayment); it can only delete it.
	text, _ := qbxml.NewMessage(qbxml.StopOnError, &qbxml.TxnVoidRq{TxnVoidType: qbxml.TxnTypeReceivePayment, TxnID: pay.ReceivePayment.TxnID}).Build(qbxml.V13)
	if _, err := c.ProcessRequest(context.Background(), string(text)); err == nil {
		t.Error("TxnVoid of a ReceivePayment was accepted")
	}
	del := func(kind, id string) {
		t.Helper()
		resp, err := c.ProcessRequest(context.Background(), rawMessage("stopOnError",
			`<TxnDelRq requestID="d"><TxnDelType>`+kind+`</TxnDelType><TxnID>`+id+`</TxnID></TxnDelRq>`))
		if err != nil {
			t.Fatal(err)
		}
		xsdCheck(t, resp)
		if !strings.Contains(resp, `statusCode="0"`) {
			t.Fatalf("TxnDel %s:\n%s", kind, resp)
		}
	}
	del("ReceivePayment", pay.ReceivePayment.TxnID)
	if got := balance(); got != "75.00" {
		t.Errorf("balance after deleting the payment %s, want 75.00", got)
	}
	del("Invoice", inv.Invoice.TxnID)
	if c.Summary().Txns["Invoice"].Count != 0 {
		t.Error("the invoice is still there")
	}
	if got := c.customerBalance(c.findByName(nameKinds, "Cook, Brian").ID); !got.IsZero() {
		t.Errorf("customer balance after deleting the invoice %s", got)
	}
}

func TestSalesTaxLineOverride(t *testing.T) {
	c, _ := newTestCompany(t)
	resp, err := c.ProcessRequest(context.Background(), rawMessage("stopOnError",
		`<SalesReceiptAddRq><SalesReceiptAdd><SalesReceiptLineAdd><ItemRef><FullName>Widget</FullName></ItemRef><Quantity>1</Quantity><Rate>100.00</Rate></SalesReceiptLineAdd>`+
			`<SalesTaxLineAdd><Amount>8.00</Amount></SalesTaxLineAdd></SalesReceiptAdd></SalesReceiptAddRq>`))
	if err != nil {
		t.Fatal(err)
	}
	xsdCheck(t, resp)
	if !strings.Contains(resp, "<SalesTaxTotal>8.00</SalesTaxTotal>") || !strings.Contains(resp, "<TotalAmount>108.00</TotalAmount>") {
		t.Errorf("the request's tax amount should win over 7.75%%:\n%s", resp)
	}
}

func TestEditionAndVersion(t *testing.T) {
	c := NewSampleCompany(CompanyOptions{Clock: NewFakeClock(testStart), Country: "CA", QBXMLMajor: 12, QBXMLMinor: 0})
	info, err := c.BeginSession(context.Background(), BeginSessionRequest{})
	if err != nil {
		t.Fatal(err)
	}
	hcp, err := qbxml.ParseHCPResponse([]byte(info.HCPResponse))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hcp.Negotiate(info.Major, info.Minor); err == nil || info.Country != "CA" {
		t.Errorf("a Canadian qbXML 12.0 company negotiated: country %s, %v", info.Country, err)
	}
	// The request processor refuses a message newer than it speaks.
	text, _ := qbxml.NewMessage(qbxml.StopOnError, &qbxml.HostQueryRq{}).Build(qbxml.V13)
	var hr *HResultError
	if _, err := c.ProcessRequest(context.Background(), string(text)); !errors.As(err, &hr) || hr.HResult != HResultParseError {
		t.Errorf("13.0 message to a 12.0 QuickBooks: %v", err)
	}
}

// TestMessageSetErrorRecovery follows the SDK's error recovery: a message
// set sent with newMessageSetID can be asked about (oldMessageSetID) or sent
// again without being processed twice.
func TestMessageSetErrorRecovery(t *testing.T) {
	msg := func(attrs, body string) string {
		return `<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError" ` + attrs + `>` + body + `</QBXMLMsgsRq></QBXML>`
	}
	receipt := `<SalesReceiptAddRq requestID="1"><SalesReceiptAdd><RefNumber>R-7</RefNumber><SalesReceiptLineAdd><ItemRef><FullName>Widget</FullName></ItemRef></SalesReceiptLineAdd></SalesReceiptAdd></SalesReceiptAddRq>`
	other := strings.Replace(receipt, "R-7", "R-8", 1)
	c, _ := newTestCompany(t)
	do := func(text string) string {
		t.Helper()
		resp, err := c.ProcessRequest(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		xsdCheck(t, resp)
		return resp
	}
	receipts := func() int { return c.Summary().Txns["SalesReceipt"].Count }

	first := do(msg(`newMessageSetID="A1"`, receipt))
	if !strings.Contains(first, `newMessageSetID="A1"`) || receipts() != 1 {
		t.Fatalf("first send:\n%s", first)
	}
	if again := do(msg(`newMessageSetID="A1"`, receipt)); again != first || receipts() != 1 {
		t.Errorf("the same message set sent again must return the saved answer, not post twice:\n%s", again)
	}
	if changed := do(msg(`newMessageSetID="A1"`, other)); !strings.Contains(changed, `messageSetStatusCode="9001"`) || receipts() != 1 {
		t.Errorf("another message under a saved ID:\n%s", changed)
	}
	recovered := do(msg(`oldMessageSetID="A1"`, ""))
	txnID := first[strings.Index(first, "<TxnID>"):strings.Index(first, "</TxnID>")]
	if !strings.Contains(recovered, `messageSetStatusCode="0"`) || !strings.Contains(recovered, txnID) {
		t.Errorf("recovery status:\n%s", recovered)
	}
	if unknown := do(msg(`oldMessageSetID="B2"`, "")); !strings.Contains(unknown, `messageSetStatusCode="600"`) {
		t.Errorf("unknown old ID:\n%s", unknown)
	}
	if long := do(msg(`newMessageSetID="`+strings.Repeat("x", 25)+`"`, receipt)); !strings.Contains(long, `messageSetStatusCode="9004"`) || receipts() != 1 {
		t.Errorf("ID over 24 characters:\n%s", long)
	}
	fresh, _ := newTestCompany(t)
	resp, err := fresh.ProcessRequest(context.Background(), msg(`oldMessageSetID="A1"`, ""))
	if err != nil || !strings.Contains(resp, `messageSetStatusCode="9002"`) {
		t.Errorf("nothing saved: %v\n%s", err, resp)
	}
}

// TestRefundByCheck: bcqb refunds by check with an A/R expense line for the
// customer, applied to the credit memo.
func TestRefundByCheck(t *testing.T) {
	c, _ := newTestCompany(t)
	cm := one[*qbxml.CreditMemoAddRs](t, c, &qbxml.CreditMemoAddRq{CreditMemoAdd: qbxml.CreditMemoAdd{CustomerRef: qbxml.RefName("Cook, Brian"),
		Lines: []qbxml.SalesLineAdd{line("Installation", "1", "")}}})
	check := func(amount string) *qbxml.CheckAddRs {
		return one[*qbxml.CheckAddRs](t, c, &qbxml.CheckAddRq{CheckAdd: qbxml.CheckAdd{AccountRef: qbxml.RefName("Checking"), PayeeEntityRef: qbxml.RefName("Cook, Brian"),
			ApplyCheckToTxn: []qbxml.ApplyCheckToTxnAdd{{TxnID: cm.CreditMemo.TxnID, Amount: qbxml.AmountOf(dec(amount))}},
			ExpenseLines:    []qbxml.ExpenseLineAdd{{AccountRef: qbxml.RefName("Accounts Receivable"), Amount: qbxml.AmountOf(dec(amount)), CustomerRef: qbxml.RefName("Cook, Brian")}}}})
	}
	if r := check("75.01"); r.Header().StatusCode != 3210 {
		t.Errorf("applying more than the credit: %d", r.Header().StatusCode)
	}
	if r := check("75.00"); r.Header().StatusCode != 0 || r.Check.Amount.String() != "75.00" {
		t.Fatalf("check: %d %s", r.Header().StatusCode, r.Header().StatusMessage)
	}
	q := one[*qbxml.CreditMemoQueryRs](t, c, &qbxml.CreditMemoQueryRq{TxnSelect: qbxml.TxnSelect{TxnIDs: []string{cm.CreditMemo.TxnID}}, IncludeLinkedTxns: new(true)})
	if got := q.CreditMemos[0]; got.CreditRemaining.String() != "0.00" || len(got.LinkedTxns) != 1 || got.LinkedTxns[0].TxnType != "Check" {
		t.Errorf("credit memo after the check: remaining %s links %+v", got.CreditRemaining, got.LinkedTxns)
	}
	if got := c.customerBalance(c.findByName(nameKinds, "Cook, Brian").ID); !got.IsZero() {
		t.Errorf("customer balance %s, want 0 (credit 75 paid out by check)", got)
	}
}

// TestNotModeledIsRefused: what the simulator cannot account for is refused
// (3250), never silently ignored.
func TestNotModeledIsRefused(t *testing.T) {
	c, _ := newTestCompany(t)
	resp, err := c.ProcessRequest(context.Background(), rawMessage("stopOnError",
		`<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>Cook, Brian</FullName></CustomerRef><SetCredit><CreditTxnID>1-1</CreditTxnID><AppliedAmount>1.00</AppliedAmount></SetCredit>`+
			`<InvoiceLineAdd><ItemRef><FullName>Widget</FullName></ItemRef></InvoiceLineAdd></InvoiceAdd></InvoiceAddRq>`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(resp, `statusCode="3250"`) || c.Summary().Txns["Invoice"].Count != 0 {
		t.Errorf("SetCredit:\n%s", resp)
	}
}
