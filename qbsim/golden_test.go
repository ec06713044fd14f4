package qbsim

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden pins the exact text the simulated QuickBooks answers, so a
// change in format is a visible diff. Run with -update to accept one.
func TestGolden(t *testing.T) {
	tests := []struct {
		name    string
		request string
	}{
		{"salesreceipt_add", rawMessage("stopOnError", `<SalesReceiptAddRq requestID="order-1042"><SalesReceiptAdd>`+
			`<CustomerRef><FullName>Web Store Customer</FullName></CustomerRef><TxnDate>2026-11-26</TxnDate><RefNumber>1042</RefNumber>`+
			`<PaymentMethodRef><FullName>Visa</FullName></PaymentMethodRef><Memo>BigCommerce order 1042</Memo>`+
			`<SalesReceiptLineAdd><ItemRef><FullName>Widget</FullName></ItemRef><Desc>Blue widget</Desc><Quantity>3</Quantity><Rate>19.99</Rate></SalesReceiptLineAdd>`+
			`<SalesReceiptLineAdd><ItemRef><FullName>Shipping</FullName></ItemRef><Amount>5.00</Amount></SalesReceiptLineAdd>`+
			`</SalesReceiptAdd></SalesReceiptAddRq>`)},
		{"invalid_reference", rawMessage("continueOnError", `<InvoiceAddRq requestID="a"><InvoiceAdd><CustomerRef><FullName>Joe Smith</FullName></CustomerRef>`+
			`<InvoiceLineAdd><ItemRef><FullName>Widget</FullName></ItemRef></InvoiceLineAdd></InvoiceAdd></InvoiceAddRq>`+
			`<CustomerAddRq requestID="b"><CustomerAdd><Name>Cook, Brian</Name></CustomerAdd></CustomerAddRq>`+
			`<ItemInventoryQueryRq requestID="c"><FullName>Sprocket</FullName></ItemInventoryQueryRq>`+
			`<SalesReceiptQueryRq requestID="d"><RefNumber>9999</RefNumber></SalesReceiptQueryRq>`)},
		{"customer_iterator", rawMessage("stopOnError", `<CustomerQueryRq requestID="it" iterator="Start"><MaxReturned>1</MaxReturned>`+
			`<IncludeRetElement>ListID</IncludeRetElement><IncludeRetElement>FullName</IncludeRetElement></CustomerQueryRq>`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestCompany(t)
			resp, err := c.ProcessRequest(context.Background(), tc.request)
			if err != nil {
				t.Fatal(err)
			}
			xsdCheck(t, resp)
			compareGolden(t, tc.name+".xml", resp)
		})
	}
	t.Run("hcp", func(t *testing.T) {
		c, _ := newTestCompany(t)
		info, err := c.BeginSession(context.Background(), BeginSessionRequest{OwnerID: "{11111111-2222-3333-4444-555555555555}", FileID: "{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}"})
		if err != nil {
			t.Fatal(err)
		}
		xsdCheck(t, info.HCPResponse)
		compareGolden(t, "hcp.xml", info.HCPResponse)
	})
}

func compareGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGolden -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestSchemaGenUpToDate regenerates schema_gen.go from Intuit's XSD and
// checks the committed file matches (skipped without the reference files).
func TestSchemaGenUpToDate(t *testing.T) {
	ref := referenceDir(t)
	out := filepath.Join(t.TempDir(), "schema_gen.go")
	cmd := exec.Command("go", "run", "./internal/xsdgen", "-xsd", filepath.Join(ref, "qbxml", "xsd", "13.0"), "-out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xsdgen: %v\n%s", err, b)
	}
	got, _ := os.ReadFile(out)
	want, _ := os.ReadFile("schema_gen.go")
	if string(got) != string(want) {
		t.Error("schema_gen.go is stale: run go generate ./qbsim/")
	}
}
