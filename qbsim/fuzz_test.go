package qbsim

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzProcessRequest feeds arbitrary messages to the company: it must never
// panic, and must either refuse the whole message with an HRESULT or answer
// with a response that is valid against the schema.
func FuzzProcessRequest(f *testing.F) {
	f.Add(rawMessage("stopOnError", `<CustomerAddRq><CustomerAdd><Name>X</Name></CustomerAdd></CustomerAddRq>`))
	f.Add(rawMessage("continueOnError", `<SalesReceiptAddRq><SalesReceiptAdd><SalesReceiptLineAdd><ItemRef><FullName>Widget</FullName></ItemRef><Quantity>3</Quantity></SalesReceiptLineAdd></SalesReceiptAdd></SalesReceiptAddRq><CustomerQueryRq iterator="Start"><MaxReturned>1</MaxReturned></CustomerQueryRq>`))
	f.Add(rawMessage("stopOnError", `<InvoiceQueryRq><PaidStatus>NotPaidOnly</PaidStatus><IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq>`))
	var files []string
	if ref := referenceDirOrEmpty(); ref != "" {
		files, _ = filepath.Glob(filepath.Join(ref, "qbxml", "samples", "intuit-sdk-xmlfiles", "*.xml"))
	}
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(string(b))
		}
	}
	c := NewSampleCompany(CompanyOptions{Clock: NewFakeClock(testStart)})
	f.Fuzz(func(t *testing.T, msg string) {
		resp, err := c.ProcessRequest(context.Background(), msg)
		if err != nil {
			var hr *HResultError
			if !errors.As(err, &hr) {
				t.Fatalf("error without an HRESULT: %v", err)
			}
			return
		}
		root, _, perr := parseDoc([]byte(resp))
		if perr != nil {
			t.Fatalf("response does not parse: %v", perr)
		}
		for _, rs := range root.Kid("QBXMLMsgsRs").Kids {
			if verr := validateNode(rs, schemaMessages[rs.Name], rs.Name); verr != nil {
				t.Fatalf("invalid response: %v\n%s", verr, resp)
			}
		}
	})
}

// FuzzDecodeResponse checks that the Web Connector's SOAP decoding never
// panics on what a server might answer.
func FuzzDecodeResponse(f *testing.F) {
	f.Add("authenticate", `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><authenticateResponse xmlns="http://developer.intuit.com/"><authenticateResult><string>t</string><string></string></authenticateResult></authenticateResponse></soap:Body></soap:Envelope>`)
	f.Add("receiveResponseXML", `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>x</faultstring></soap:Fault></soap:Body></soap:Envelope>`)
	f.Fuzz(func(t *testing.T, method, body string) {
		_, _ = decodeResponse(method, []byte(body))
	})
}
