package qbsim

import (
	"context"
	"strconv"
	"testing"

	"github.com/bcqb/bcqb/qbxml"
)

// BenchmarkSalesReceiptAdd measures the simulated company answering one
// order (schema check, references, amounts, tax), without modeled delays.
func BenchmarkSalesReceiptAdd(b *testing.B) {
	c := NewSampleCompany(CompanyOptions{Clock: NewFakeClock(testStart)})
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		msg := qbxml.NewMessage(qbxml.StopOnError).Add("1", &qbxml.SalesReceiptAddRq{SalesReceiptAdd: qbxml.SalesReceiptAdd{
			RefNumber: strconv.Itoa(i), CustomerRef: qbxml.RefName("Web Store Customer"),
			Lines: []qbxml.SalesLineAdd{line("Widget", "2", "19.99"), line("Gift Wrap", "1", "")}}})
		text, err := msg.Build(qbxml.V13)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.ProcessRequest(ctx, string(text)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSession measures whole Web Connector sessions of 20 orders
// against the naive test server over loopback HTTP.
func BenchmarkSession(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		var reqs []string
		for i := range 20 {
			reqs = append(reqs, salesReceiptRequest(b, strconv.Itoa(i)))
		}
		srv := newNaiveServer(b, reqs...)
		company := NewSampleCompany(CompanyOptions{Clock: NewFakeClock(testStart)})
		wc, err := NewWebConnector(WebConnectorOptions{QWC: testQWC(srv.srv.url()), Password: "secret", QuickBooks: company, Clock: NewFakeClock(testStart)})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := wc.RunSession(context.Background())
		if err != nil || res.Outcome != OutcomeDone || res.Requests != 20 {
			b.Fatalf("session %v %v", res, err)
		}
		b.StopTimer()
		srv.srv.srv.Close()
		b.StartTimer()
	}
}

// BenchmarkQueryLargeCompany pages through 2,000 invoices (with payments
// applied to half) 100 at a time, the way bcqb reconciles.
func BenchmarkQueryLargeCompany(b *testing.B) {
	c := NewSampleCompany(CompanyOptions{Clock: NewFakeClock(testStart)})
	ctx := context.Background()
	for i := range 2000 {
		msg := qbxml.NewMessage(qbxml.StopOnError).Add("1", &qbxml.InvoiceAddRq{InvoiceAdd: qbxml.InvoiceAdd{
			CustomerRef: qbxml.RefName("Cook, Brian"), RefNumber: strconv.Itoa(i), Lines: []qbxml.SalesLineAdd{line("Installation", "1", "")}}})
		if i%2 == 0 {
			msg.Add("2", &qbxml.ReceivePaymentAddRq{ReceivePaymentAdd: qbxml.ReceivePaymentAdd{CustomerRef: qbxml.RefName("Cook, Brian"),
				TotalAmount: qbxml.AmountOf(dec("75.00")), IsAutoApply: new(true)}})
		}
		text, err := msg.Build(qbxml.V13)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.ProcessRequest(ctx, string(text)); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		q := &qbxml.InvoiceQueryRq{TxnFilter: qbxml.TxnFilter{MaxReturned: 100}, IncludeLinkedTxns: new(true)}
		q.SetIterator(qbxml.IteratorStart, "")
		for pages := 0; ; pages++ {
			text, err := qbxml.NewMessage(qbxml.StopOnError).Add("q", q).Build(qbxml.V13)
			if err != nil {
				b.Fatal(err)
			}
			resp, err := c.ProcessRequest(ctx, string(text))
			if err != nil {
				b.Fatal(err)
			}
			rm, err := qbxml.ParseResponse([]byte(resp))
			if err != nil {
				b.Fatal(err)
			}
			h := rm.Responses[0].Header()
			if h.IteratorRemainingCount == 0 {
				if pages != 19 {
					b.Fatalf("%d pages", pages+1)
				}
				break
			}
			q = &qbxml.InvoiceQueryRq{TxnFilter: qbxml.TxnFilter{MaxReturned: 100}, IncludeLinkedTxns: new(true)}
			q.SetIterator(qbxml.IteratorContinue, h.IteratorID)
		}
	}
}
