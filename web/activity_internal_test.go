package web

import "testing"

// TestRequestWords: what the dashboard says QuickBooks is working on.
func TestRequestWords(t *testing.T) {
	tests := []struct{ xml, want string }{
		{`<?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="continueOnError"><SalesReceiptAddRq requestID="j1.0"><SalesReceiptAdd/></SalesReceiptAddRq>` +
			`<SalesReceiptAddRq requestID="j2.0"/><CustomerAddRq requestID="j3.0"/></QBXMLMsgsRq></QBXML>`,
			"3 requests (adding 2 sales receipts, adding 1 customer)"},
		{`<QBXMLMsgsRq><ItemNonInventoryAddRq requestID="j4.0"/><ItemSalesTaxAddRq requestID="j5.0"/><ItemSalesTaxAddRq requestID="j6.0"/></QBXMLMsgsRq>`,
			"3 requests (adding 1 non-inventory item, adding 2 sales tax items)"},
		{`<QBXMLMsgsRq><AccountQueryRq requestID="j7.0" metaData="NoMetaData"/><ShipMethodQueryRq requestID="j7.1"/><TxnVoidRq requestID="j8.0"/></QBXMLMsgsRq>`,
			"3 requests (reading accounts, reading ship methods, voiding 1 transaction)"},
		{`<QBXML></QBXML>`, "a request"},
	}
	for _, tc := range tests {
		if got := requestWords(tc.xml); got != tc.want {
			t.Errorf("requestWords(%s) = %q, want %q", tc.xml, got, tc.want)
		}
	}
}
