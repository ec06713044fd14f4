package qbxml

import (
	"fmt"
	"testing"
)

func fiftyReceipts() *Message {
	m := NewMessage(ContinueOnError)
	for i := range 50 {
		r := sampleRequests()["SalesReceiptAddRq"]().(*SalesReceiptAddRq)
		r.SalesReceiptAdd.RefNumber = fmt.Sprint(100000 + i)
		m.Add(fmt.Sprintf("posting-%d", i), r)
	}
	return m
}

func fiftyReceiptResponses(b *testing.B) []byte {
	rm := &ResponseMessage{}
	for i := range 50 {
		rs := &SalesReceiptAddRs{SalesReceipt: &SalesReceiptRet{
			TxnCore:     TxnCore{TxnID: fmt.Sprintf("%X-1417118624", i+1), EditSequence: "1417118624", TimeCreated: DateTime{Raw: "2026-11-03T10:00:00-05:00"}},
			RefNumber:   fmt.Sprint(100000 + i),
			TxnDate:     testDay,
			Subtotal:    AmountOf(dec("39.98")),
			TotalAmount: AmountOf(dec("41.48")),
			Lines: []SalesLineRet{
				{TxnLineID: "1", ItemRef: RefName("TSHIRT-RED-M"), Quantity: QuantityInt(2), Rate: PriceOf(dec("19.99")), Amount: AmountOf(dec("39.98"))},
				{TxnLineID: "2", ItemRef: RefName("Shipping"), Amount: AmountOf(dec("5.00"))},
			},
		}}
		rs.RequestID = fmt.Sprintf("posting-%d", i)
		rs.SetStatus(0, "")
		rm.Responses = append(rm.Responses, rs)
	}
	out, err := rm.Build()
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkFiftySalesReceipts builds (with validation) a message of 50
// SalesReceiptAdd requests and parses the matching 50 responses.
func BenchmarkFiftySalesReceipts(b *testing.B) {
	resp := fiftyReceiptResponses(b)
	b.Run("build", func(b *testing.B) {
		m := fiftyReceipts()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.Build(V13); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(resp)))
		for b.Loop() {
			m, err := ParseResponse(resp)
			if err != nil || len(m.Responses) != 50 {
				b.Fatal(err)
			}
		}
	})
	b.Run("build+parse", func(b *testing.B) {
		m := fiftyReceipts()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.Build(V13); err != nil {
				b.Fatal(err)
			}
			if _, err := ParseResponse(resp); err != nil {
				b.Fatal(err)
			}
		}
	})
}
