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
