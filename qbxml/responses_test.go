package qbxml

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden files")

// summary is the golden form of a parsed response: the status and the
// typed Rets (the first two, and how many there were).
type summary struct {
	Type   string
	Header RsHeader
	Count  int   `json:",omitempty"`
	Rets   []any `json:",omitempty"`
}

func summarize(m *ResponseMessage) []summary {
	var out []summary
	for _, r := range m.Responses {
		s := summary{Type: fmt.Sprintf("%T", r), Header: *r.Header()}
		v := reflect.ValueOf(r).Elem()
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if v.Type().Field(i).Anonymous || !v.Type().Field(i).IsExported() {
				continue
			}
			switch f.Kind() {
			case reflect.Slice:
				s.Count += f.Len()
				for j := 0; j < f.Len() && j < 2; j++ {
					s.Rets = append(s.Rets, f.Index(j).Interface())
				}
			case reflect.Pointer:
				if !f.IsNil() {
					s.Count++
					s.Rets = append(s.Rets, f.Interface())
				}
			}
		}
		out = append(out, s)
	}
	return out
}

// golden compares got with testdata/golden/name, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file missing (run go test -run %s -update): %v", t.Name(), err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden %s:\n%s", t.Name(), path, got)
	}
}

func sampleFiles(t *testing.T) []string {
	ref := referenceDir(t)
	var files []string
	err := filepath.WalkDir(filepath.Join(ref, "qbxml", "samples"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".xml") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestSampleResponses: every real response under samples/ (those with a
// QBXMLMsgsRs) parses, and golden files pin the typed values. The other
// files (requests, OSR templates with placeholder values) must be refused
// with an error, never a panic.
func TestSampleResponses(t *testing.T) {
	ref := referenceDir(t)
	n := 0
	for _, p := range sampleFiles(t) {
		rel, _ := filepath.Rel(filepath.Join(ref, "qbxml", "samples"), p)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(rel, func(t *testing.T) {
			m, err := ParseResponse(data)
			if !bytes.Contains(data, []byte("<QBXMLMsgsRs")) {
				if err == nil && len(m.Responses) > 0 {
					t.Errorf("a non-response parsed into %d responses", len(m.Responses))
				}
				return
			}
			n++
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if len(m.Responses) == 0 {
				t.Fatal("no responses")
			}
			js, err := json.MarshalIndent(summarize(m), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, strings.NewReplacer("/", "_", ".xml", ".json").Replace(rel), append(js, '\n'))

			// The simulator direction: the typed values marshal back into a
			// response that parses to the same values.
			b, err := m.Build()
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			m2, err := ParseResponse(b)
			if err != nil {
				t.Fatalf("reparse: %v\n%s", err, b)
			}
			js2, _ := json.MarshalIndent(summarize(m2), "", "  ")
			if !bytes.Equal(js, js2) {
				t.Errorf("round trip changed the values:\n%s\n%s", js, js2)
			}
		})
	}
	if n < 8 {
		t.Errorf("only %d sample responses found, want the 8 listed in SOURCES.md", n)
	}
}

// TestSampleValues pins a few values by hand, independent of the goldens.
func TestSampleValues(t *testing.T) {
	ref := referenceDir(t)
	read := func(rel string) *ResponseMessage {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(ref, "qbxml", "samples", rel))
		if err != nil {
			t.Fatal(err)
		}
		m, err := ParseResponse(data)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	inv := read("flowlink-derived/invoice_add_rs.payload.xml").Responses[0].(*InvoiceAddRs)
	if inv.Invoice.TxnID != "C5-1417118624" || inv.Invoice.EditSequence != "1417118624" || inv.Invoice.RefNumber != "R1TT46883" {
		t.Errorf("invoice identity %+v", inv.Invoice.TxnCore)
	}
	if got := inv.Invoice.Subtotal.Decimal(); !got.Equal(dec("206")) || inv.Invoice.Subtotal.String() != "206.00" {
		t.Errorf("subtotal %v", got)
	}
	if inv.Invoice.TimeCreated.Raw != "2014-11-27T18:03:44-02:00" || inv.Invoice.TimeCreated.Time.IsZero() {
		t.Errorf("time created %+v", inv.Invoice.TimeCreated)
	}
	if inv.Invoice.CustomerRef.FullName != "spree@example.com" || inv.Invoice.TxnDate != (Date{2014, 2, 3}) {
		t.Errorf("customer/date %+v %v", inv.Invoice.CustomerRef, inv.Invoice.TxnDate)
	}

	so := read("flowlink-derived/sales_order_add_rs_raw.payload.xml")
	last := so.Responses[len(so.Responses)-1]
	if o := last.Header().Outcome(); o.Code != 3140 || o.Action != ActionFixMapping || last.Header().Err() == nil {
		t.Errorf("3140 outcome %+v", o)
	}
	if first := so.Responses[0].Header(); first.StatusCode != 1 || first.Err() != nil || first.Outcome().Action != ActionNotFound {
		t.Errorf("status 1 must be not-found without error: %+v", first)
	}

	cust := read("bill-ash-qbwc/customers.xml").Responses[0].(*CustomerQueryRs)
	if len(cust.Customers) < 10 {
		t.Fatalf("%d customers", len(cust.Customers))
	}
	for _, c := range cust.Customers {
		if c.ListID == "" || c.EditSequence == "" || c.FullName == "" {
			t.Fatalf("customer without identity: %+v", c.ListCore)
		}
	}
}

// loadHCP reads and parses the constructed US HCP response.
func loadHCP(t *testing.T) ([]byte, HCP) {
	t.Helper()
	data, err := os.ReadFile("testdata/hcp_us_pro2014.xml")
	if err != nil {
		t.Fatal(err)
	}
	h, err := ParseHCPResponse(data)
	if err != nil {
		t.Fatal(err)
	}
	return data, h
}

func TestParseHCPResponse(t *testing.T) {
	data, h := loadHCP(t)
	if h.Host.ProductName != "QuickBooks Pro 2014" || h.Country() != "US" || len(h.Host.SupportedQBXMLVersion) != 6 {
		t.Errorf("host %+v", h.Host)
	}
	if h.Company.CompanyName != "Cedar & Pine Goods" || h.Company.LegalCompanyName != "Cedar and Pine Goods LLC" || h.Company.Address.City != "Portland" {
		t.Errorf("company %+v", h.Company)
	}
	if h.FileID != "{2F0C7E3A-5B1D-4C9E-9A61-3E8D2B7C1F40}" {
		t.Errorf("FileID %q", h.FileID)
	}
	p := h.Preferences
	if !p.AccountingPreferences.IsUsingClassTracking || p.SalesTaxPreferences.DefaultItemSalesTaxRef.FullName != "OR Sales Tax" ||
		!p.ItemsAndInventoryPreferences.IsBarcodeEnabled || p.MultiCurrencyPreferences.IsMultiCurrencyOn {
		t.Errorf("preferences %+v", p)
	}
	for _, c := range []struct {
		maj, min int
		want     Version
		err      error
	}{
		{13, 0, V13, nil},
		{16, 0, V13, nil}, // the Web Connector is newer, but this QuickBooks lists 13.0 at most
		{0, 0, V13, nil},
		{12, 0, Version{}, ErrNoCommonVersion},
	} {
		got, err := h.Negotiate(c.maj, c.min)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("Negotiate(%d,%d) = %v, %v; want %v, %v", c.maj, c.min, got, err, c.want, c.err)
		}
	}
	ca := bytes.Replace(data, []byte("<Country>US</Country>\n<SupportedQBXMLVersion>"), []byte("<Country>CA</Country>\n<SupportedQBXMLVersion>"), 1)
	hc, err := ParseHCPResponse(ca)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hc.Negotiate(13, 0); !errors.Is(err, ErrUnsupportedCountry) || !strings.Contains(err.Error(), "not supported yet") {
		t.Errorf("CA negotiate error %v", err)
	}
	if _, err := ParseHCPResponse([]byte(`<?xml version="1.0"?><QBXML><QBXMLMsgsRs/></QBXML>`)); !errors.Is(err, ErrNoHostRet) {
		t.Errorf("empty HCP error %v", err)
	}
}

func TestNegotiateVersion(t *testing.T) {
	cases := []struct {
		name     string
		maj, min int
		host     []string
		want     Version
		wantErr  bool
	}{
		{"16 both", 16, 0, []string{"13.0", "14.0", "15.0", "16.0"}, V16, false},
		{"wc 15", 15, 0, []string{"13.0", "14.0", "15.0", "16.0"}, V15, false},
		{"host lacks 16", 16, 0, []string{"12.0", "13.0", "14.0"}, V14, false},
		{"no host list", 14, 0, nil, V14, false},
		{"wc 13.1 picks 13.0", 13, 1, nil, V13, false},
		{"CA entries ignored", 16, 0, []string{"CA3.0", "UK3.0", "13.0"}, V13, false},
		{"too old", 12, 0, []string{"12.0"}, Version{}, true},
		{"host too old", 16, 0, []string{"11.0", "12.0"}, Version{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := NegotiateVersion(c.maj, c.min, c.host)
			if got != c.want || (err != nil) != c.wantErr {
				t.Fatalf("got %v, %v; want %v (err %v)", got, err, c.want, c.wantErr)
			}
		})
	}
	if err := CheckCountry("UK"); !errors.Is(err, ErrUnsupportedCountry) {
		t.Errorf("UK: %v", err)
	}
	if err := CheckCountry("us"); err != nil {
		t.Errorf("us: %v", err)
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		code     int
		severity string
		want     Action
		failed   bool
	}{
		{0, "Info", ActionSuccess, false},
		{1, "Info", ActionNotFound, false},
		{500, "Warn", ActionWarning, false},
		{530, "Warn", ActionWarning, false},
		{3000, "Error", ActionFixMapping, true},
		{3100, "Error", ActionAlreadyExists, true},
		{3120, "Error", ActionNotFound, true},
		{3140, "Error", ActionFixMapping, true},
		{3170, "Error", ActionRetryLater, true},
		{3175, "Error", ActionRetryLater, true},
		{3176, "Error", ActionRetryLater, true},
		{3180, "Error", ActionRetryLater, true},
		{3200, "Error", ActionRetryLater, true},
		{3210, "Error", ActionFixMapping, true},
		{3250, "Error", ActionFixMapping, true},
		{3260, "Error", ActionFixMapping, true},
		{9001, "Error", ActionFixMapping, true},
		{1000, "Error", ActionRetryLater, true},
		{3020, "Error", ActionBadRequest, true},
		{1999, "Error", ActionRetryLater, true}, // unknown, general-error range
		{2001, "Error", ActionBadRequest, true}, // unknown, not-supported range
		{3999, "Error", ActionFixMapping, true}, // unknown data error
		{42, "Error", ActionFixMapping, true},   // unknown code, severity wins
		{599, "Warn", ActionWarning, false},     // unknown warning
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.code), func(t *testing.T) {
			o := Classify(c.code, c.severity, "qb text")
			if o.Action != c.want || o.Failed() != c.failed || o.Message == "" || o.Detail != "qb text" {
				t.Fatalf("Classify(%d) = %+v; want %s failed=%v", c.code, o, c.want, c.failed)
			}
			h := RsHeader{RequestID: "r", StatusCode: c.code, StatusSeverity: c.severity, StatusMessage: "qb text"}
			var se *StatusError
			if err := h.Err(); (err != nil) != c.failed || (err != nil && (!errors.As(err, &se) || se.RequestID != "r")) {
				t.Fatalf("Err() = %v", err)
			}
		})
	}
	if !Classify(3200, "Error", "").Requery {
		t.Error("3200 must ask for a re-query")
	}
	for _, c := range []struct {
		hresult string
		want    Action
	}{
		{"0x80040400", ActionBadRequest},
		{"0X80040400", ActionBadRequest},
		{"0x80040418", ActionFixMapping},
		{"0x80040408", ActionRetryLater},
		{"garbage", ActionRetryLater},
	} {
		if o := ClassifyHResult(c.hresult, "QuickBooks found an error when parsing the provided XML text stream."); o.Action != c.want || o.Message == "" {
			t.Errorf("ClassifyHResult(%s) = %+v", c.hresult, o)
		}
	}
}

// TestSimulatedResponse: what qbsim does — fill typed Rs values, Build,
// and the appliance parses them back.
func TestSimulatedResponse(t *testing.T) {
	rs := &SalesReceiptAddRs{SalesReceipt: &SalesReceiptRet{
		TxnCore:     TxnCore{TxnID: "1A-1", EditSequence: "17", TxnNumber: 3, TimeCreated: DateTime{Raw: "2026-11-03T10:00:00-05:00"}},
		TxnDate:     testDay,
		RefNumber:   "100042",
		TotalAmount: AmountOf(dec("41.48")),
		Lines:       []SalesLineRet{{TxnLineID: "1A-2", ItemRef: RefName("X"), Quantity: QuantityInt(2), Amount: AmountOf(dec("39.98"))}},
	}}
	rs.RequestID = "job-1"
	rs.SetStatus(0, "")
	dup := &CustomerAddRs{}
	dup.RequestID = "job-2"
	dup.SetStatus(3100, `The name "Jane Doe" of the list element is already in use.`)
	b, err := (&ResponseMessage{Responses: []Response{rs, dup}}).Build()
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseResponse(b)
	if err != nil {
		t.Fatal(err)
	}
	r1, ok := m.ByRequestID("job-1")
	if !ok || r1.(*SalesReceiptAddRs).SalesReceipt.TotalAmount.String() != "41.48" || r1.Header().StatusMessage != "Status OK" {
		t.Fatalf("job-1: %+v", r1)
	}
	r2, _ := m.ByRequestID("job-2")
	if o := r2.Header().Outcome(); o.Action != ActionAlreadyExists || r2.Header().StatusSeverity != "Error" {
		t.Fatalf("job-2: %+v", o)
	}
}

func TestParseResponseRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"empty":          "",
		"not xml":        "hello",
		"wrong root":     "<Foo/>",
		"bad status":     `<QBXML><QBXMLMsgsRs><HostQueryRs statusCode="x" statusSeverity="Info"/></QBXMLMsgsRs></QBXML>`,
		"bad amount":     `<QBXML><QBXMLMsgsRs><InvoiceAddRs statusCode="0" statusSeverity="Info"><InvoiceRet><Subtotal>1,00</Subtotal></InvoiceRet></InvoiceAddRs></QBXMLMsgsRs></QBXML>`,
		"truncated":      `<QBXML><QBXMLMsgsRs><HostQueryRs statusCode="0"`,
		"bad encoding":   `<?xml version="1.0" encoding="ebcdic"?><QBXML/>`,
		"bad qbxml vers": `<?qbxml version="x"?><QBXML/>`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseResponse([]byte(in)); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	// A byte-order mark and surrounding whitespace are accepted.
	if m, err := ParseResponse([]byte("\xef\xbb\xbf\n <?xml version=\"1.0\"?>\n<QBXML><QBXMLMsgsRs><HostQueryRs statusCode=\"0\" statusSeverity=\"Info\"/></QBXMLMsgsRs></QBXML>\n")); err != nil || len(m.Responses) != 1 {
		t.Fatalf("BOM: %v", err)
	}
	// Unknown elements and unknown Rs are accepted; Latin-1 is decoded.
	in := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><QBXML><Extra/><QBXMLMsgsRs><NewThingRs statusCode=\"0\" statusSeverity=\"Info\"><X/></NewThingRs>" +
		"<CustomerAddRs statusCode=\"0\" statusSeverity=\"Info\"><CustomerRet><ListID>1</ListID><Future>y</Future><Name>Zo\xeb</Name></CustomerRet></CustomerAddRs></QBXMLMsgsRs></QBXML>"
	m, err := ParseResponse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if m.Responses[0].RsName() != "NewThingRs" || m.Responses[1].(*CustomerAddRs).Customer.Name != "Zoë" {
		t.Fatalf("%#v", m.Responses)
	}
}
