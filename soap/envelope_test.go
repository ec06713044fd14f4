package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strings"
	"testing"

	"github.com/bcqb/bcqb/qbxml"
)

func env(body string) string {
	return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ` +
		`xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>` +
		body + `</soap:Body></soap:Envelope>`
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		op     string
		params map[string]string
	}{
		{"serverVersion empty element", env(`<serverVersion xmlns="http://developer.intuit.com/" />`), "serverVersion", map[string]string{}},
		{"serverVersion with a stray ticket", env(`<serverVersion xmlns="http://developer.intuit.com/"><strVersion>x</strVersion></serverVersion>`),
			"serverVersion", map[string]string{"strVersion": "x"}},
		{"authenticate", env(`<authenticate xmlns="http://developer.intuit.com/"><strUserName>qb</strUserName><strPassword>p&amp;w</strPassword></authenticate>`),
			"authenticate", map[string]string{"strUserName": "qb", "strPassword": "p&w"}},
		{"prefixed operation", `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header/><s:Body><q:getLastError xmlns:q="http://developer.intuit.com/"><q:ticket>t</q:ticket></q:getLastError></s:Body></s:Envelope>`,
			"getLastError", map[string]string{"ticket": "t"}},
		{"nil parameter", env(`<closeConnection xmlns="http://developer.intuit.com/"><ticket xsi:nil="true"/></closeConnection>`),
			"closeConnection", map[string]string{}},
		{"escaped qbXML in response", env(`<receiveResponseXML xmlns="http://developer.intuit.com/"><ticket>t</ticket><response>&lt;?xml version="1.0" ?&gt;&lt;QBXML/&gt;</response><hresult /><message /></receiveResponseXML>`),
			"receiveResponseXML", map[string]string{"ticket": "t", "response": `<?xml version="1.0" ?><QBXML/>`, "hresult": "", "message": ""}},
		{"qbXML as elements, not escaped", env(`<receiveResponseXML xmlns="http://developer.intuit.com/"><ticket>t</ticket><response>
			<QBXML><QBXMLMsgsRs><HostQueryRs statusCode="0"/></QBXMLMsgsRs></QBXML>
		</response></receiveResponseXML>`),
			"receiveResponseXML", map[string]string{"ticket": "t", "response": `<QBXML><QBXMLMsgsRs><HostQueryRs statusCode="0"/></QBXMLMsgsRs></QBXML>`}},
		{"latin-1 declared", `<?xml version="1.0" encoding="ISO-8859-1"?>` + env(`<clientVersion xmlns="http://developer.intuit.com/"><strVersion>caf` + "\xe9" + `</strVersion></clientVersion>`)[38:],
			"clientVersion", map[string]string{"strVersion": "café"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Decode(strings.NewReader(tc.in))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if c.Op != tc.op {
				t.Errorf("op = %q, want %q", c.Op, tc.op)
			}
			if len(c.Params) != len(tc.params) {
				t.Errorf("params = %v, want %v", c.Params, tc.params)
			}
			for k, v := range tc.params {
				if c.Params[k] != v {
					t.Errorf("param %s = %q, want %q", k, c.Params[k], v)
				}
			}
		})
	}
}

// TestDecodeWindows1252: a declared Windows-1252 (or ISO-8859-1, which on
// Windows is the same code page) is decoded as Windows-1252, so QuickBooks'
// curly apostrophe in a customer name (0x92) arrives as U+2019, and the
// qbXML it carries parses to the same name.
func TestDecodeWindows1252(t *testing.T) {
	qbxmlText := `&lt;?xml version="1.0" ?&gt;&lt;QBXML&gt;&lt;QBXMLMsgsRs&gt;&lt;CustomerQueryRs statusCode="0" statusSeverity="Info"&gt;` +
		"&lt;CustomerRet&gt;&lt;ListID&gt;80000001-1&lt;/ListID&gt;&lt;Name&gt;O\x92Brien \x93Caf\xe9\x94 \x96 \x80&lt;/Name&gt;&lt;/CustomerRet&gt;" +
		`&lt;/CustomerQueryRs&gt;&lt;/QBXMLMsgsRs&gt;&lt;/QBXML&gt;`
	body := env(`<receiveResponseXML xmlns="http://developer.intuit.com/"><ticket>t</ticket><response>` + qbxmlText +
		`</response><hresult /><message /></receiveResponseXML>`)[38:]
	const want = "O\u2019Brien “Café” – €"
	for _, label := range []string{"windows-1252", "Windows-1252", "cp1252", "ISO-8859-1", "latin1"} {
		t.Run(label, func(t *testing.T) {
			c, err := Decode(strings.NewReader(`<?xml version="1.0" encoding="` + label + `"?>` + body))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !strings.Contains(c.Str("response"), "<Name>"+want+"</Name>") {
				t.Fatalf("response = %q, want the name %q", c.Str("response"), want)
			}
			m, err := qbxml.ParseResponse([]byte(c.Str("response")))
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Responses[0].(*qbxml.CustomerQueryRs).Customers[0].Name; got != want {
				t.Errorf("customer name %q, want %q", got, want)
			}
		})
	}
}

func TestDecodeFaults(t *testing.T) {
	tests := []struct {
		name, in, code, contains string
	}{
		{"empty", "", FaultClient, "ended early"},
		{"not xml", "hello", FaultClient, "malformed"},
		{"truncated", env(`<authenticate xmlns="http://developer.intuit.com/"><strUserName>qb`)[:120], FaultClient, "malformed"},
		{"soap 1.2", `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>`, FaultVersionMismatch, "SOAP 1.2"},
		{"wrong root", `<Envelope><Body/></Envelope>`, FaultClient, "SOAP 1.1 Envelope"},
		{"no body", `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"></soap:Envelope>`, FaultClient, "no Body"},
		{"empty body", env(``), FaultClient, "no operation"},
		{"unknown operation", env(`<deleteEverything xmlns="http://developer.intuit.com/"/>`), FaultClient, "unknown operation"},
		{"wrong namespace", env(`<authenticate xmlns="http://example.com/"/>`), FaultClient, "namespace"},
		{"two operations", env(`<getLastError xmlns="http://developer.intuit.com/"/><closeConnection xmlns="http://developer.intuit.com/"/>`), FaultClient, "more than one"},
		{"trailing garbage", env(`<getLastError xmlns="http://developer.intuit.com/"/>`) + "<x/>", FaultClient, "after the envelope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tc.in))
			var f *Fault
			if !errors.As(err, &f) {
				t.Fatalf("err = %v, want a *Fault", err)
			}
			if f.Code != tc.code || !strings.Contains(f.String, tc.contains) {
				t.Errorf("fault = %s %q, want %s containing %q", f.Code, f.String, tc.code, tc.contains)
			}
		})
	}
}

func TestCallInt(t *testing.T) {
	c := Call{Op: "sendRequestXML", Params: map[string]string{"qbXMLMajorVers": " 13 ", "qbXMLMinorVers": "x"}}
	if n, err := c.Int("qbXMLMajorVers"); err != nil || n != 13 {
		t.Errorf("Int(major) = %d, %v", n, err)
	}
	var f *Fault
	if _, err := c.Int("qbXMLMinorVers"); !errors.As(err, &f) || f.Code != FaultClient {
		t.Errorf("Int(malformed) err = %v, want a client fault", err)
	}
	if n, err := c.Int("missing"); n != 0 || err != nil {
		t.Errorf("Int(missing) = %d, %v; want 0, nil (gowsdl omits zero ints)", n, err)
	}
}

// decodeResult parses an answer envelope back, to check its shape.
func decodeResult(t *testing.T, b []byte) (op string, inner string) {
	t.Helper()
	var e struct {
		Body struct {
			Inner []byte `xml:",innerxml"`
		} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
	}
	if err := xml.Unmarshal(b, &e); err != nil {
		t.Fatalf("answer is not XML: %v\n%s", err, b)
	}
	var r struct {
		XMLName xml.Name
		Inner   string `xml:",innerxml"`
	}
	if err := xml.Unmarshal(e.Body.Inner, &r); err != nil {
		t.Fatalf("answer body: %v", err)
	}
	if r.XMLName.Space != Namespace && r.XMLName.Local != "Fault" {
		t.Errorf("answer element in namespace %q", r.XMLName.Space)
	}
	return r.XMLName.Local, r.Inner
}

func TestEncode(t *testing.T) {
	var b bytes.Buffer
	EncodeInt(&b, "receiveResponseXML", 0)
	if op, inner := decodeResult(t, b.Bytes()); op != "receiveResponseXMLResponse" ||
		inner != "<receiveResponseXMLResult>0</receiveResponseXMLResult>" {
		t.Errorf("EncodeInt(0) = %s %s: zero must be written as 0", op, inner)
	}
	b.Reset()
	EncodeStrings(&b, "authenticate", []string{"", "nvu"})
	if _, inner := decodeResult(t, b.Bytes()); inner != "<authenticateResult><string></string><string>nvu</string></authenticateResult>" {
		t.Errorf("EncodeStrings = %s: every slot must be written", inner)
	}
	b.Reset()
	qb := `<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError"><HostQueryRq/></QBXMLMsgsRq></QBXML>`
	EncodeString(&b, "sendRequestXML", qb)
	var e struct {
		Result string `xml:"Body>sendRequestXMLResponse>sendRequestXMLResult"`
	}
	if err := xml.Unmarshal(b.Bytes(), &e); err != nil || e.Result != qb {
		t.Errorf("qbXML did not survive escaping: %q, %v", e.Result, err)
	}
}

// FuzzDecode feeds the envelope decoder arbitrary bytes: it must never
// panic, and whatever it accepts must name a known operation.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(env(`<serverVersion xmlns="http://developer.intuit.com/" />`)))
	f.Add([]byte(env(`<authenticate xmlns="http://developer.intuit.com/"><strUserName>qb</strUserName><strPassword>pw</strPassword></authenticate>`)))
	f.Add([]byte(env(`<sendRequestXML xmlns="http://developer.intuit.com/"><ticket>t</ticket><strHCPResponse>&lt;QBXML/&gt;</strHCPResponse><qbXMLMajorVers>13</qbXMLMajorVers><qbXMLMinorVers>0</qbXMLMinorVers></sendRequestXML>`)))
	f.Add([]byte(`<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>`))
	f.Add([]byte("<"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Decode(bytes.NewReader(data))
		if err != nil {
			var fault *Fault
			if !errors.As(err, &fault) {
				t.Fatalf("error is not a fault: %v", err)
			}
			return
		}
		if _, ok := operationByName[c.Op]; !ok {
			t.Fatalf("accepted unknown operation %q", c.Op)
		}
	})
}
