package qbxml

import (
	"bytes"
	"strings"
	"testing"
)

// TestWindows1252Responses: QuickBooks' text is Windows-1252, and under any
// of its labels 0x80-0x9F are its characters (’ is 0x92, € is 0x80), not
// the C1 control characters a Latin-1 reading makes of them.
func TestWindows1252Responses(t *testing.T) {
	customer := func(decl, name string) []byte {
		return []byte(`<?xml version="1.0" encoding="` + decl + `" ?><QBXML><QBXMLMsgsRs><CustomerQueryRs statusCode="0" statusSeverity="Info" statusMessage="Status OK">` +
			`<CustomerRet><ListID>80000001-1</ListID><Name>` + name + `</Name><IsActive>true</IsActive><Notes>` + name + `</Notes></CustomerRet>` +
			`</CustomerQueryRs></QBXMLMsgsRs></QBXML>`)
	}
	tests := []struct {
		name, decl, in, want string
	}{
		{"curly apostrophe", "windows-1252", "O\x92Brien", "O\u2019Brien"},
		{"declared ISO-8859-1, sent by Windows", "ISO-8859-1", "O\x92Brien", "O’Brien"},
		{"cp1252 label", "cp1252", "O\x92Brien", "O’Brien"},
		{"curly quotes, dashes, euro, ellipsis", "Windows-1252", "\x93Caf\xe9\x94 \x96 \x97 \x805\x85 \x99", "“Café” – — €5… ™"},
		{"Latin-1 letters stay", "iso-8859-1", "Zo\xeb M\xfcller", "Zoë Müller"},
		// The Web Connector carries the qbXML as text in a UTF-8 envelope:
		// a declaration inside no longer describes the bytes.
		{"already decoded on the way", "windows-1252", "O’Brien “Café”", "O’Brien “Café”"},
		{"UTF-8", "utf-8", "O’Brien", "O’Brien"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseResponse(customer(tc.decl, tc.in))
			if err != nil {
				t.Fatal(err)
			}
			c := m.Responses[0].(*CustomerQueryRs).Customers[0]
			if c.Name != tc.want || c.Notes != tc.want {
				t.Fatalf("name %q notes %q, want %q", c.Name, c.Notes, tc.want)
			}
			for _, r := range c.Name {
				if !Storable(r) {
					t.Errorf("decoded %U, which QuickBooks could not have stored", r)
				}
			}
		})
	}
	// A request message (the simulator's direction) decodes the same way.
	msg := `<?xml version="1.0" encoding="windows-1252"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">` +
		"<CustomerAddRq requestID=\"1\"><CustomerAdd><Name>O\x92Brien</Name></CustomerAdd></CustomerAddRq></QBXMLMsgsRq></QBXML>"
	rm, _, err := ParseMessage([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	if got := rm.Requests[0].(*CustomerAddRq).CustomerAdd.Name; got != "O’Brien" {
		t.Errorf("request name %q", got)
	}
}

// TestWindows1252Requests: what Windows-1252 can hold beyond ISO-8859-1
// passes Validate, is sent as UTF-8 under the message's utf-8 declaration
// (QuickBooks reads UTF-8 requests), is schema-valid and comes back
// unchanged.
func TestWindows1252Requests(t *testing.T) {
	name := "O’Brien “Café” – €"
	r := &CustomerAddRq{CustomerAdd: CustomerAdd{Name: name, Notes: "Ordered “Deluxe” set… ™ Œuvre"}}
	if changes := Normalize(r); len(changes) != 0 {
		t.Errorf("Normalize changed storable text: %+v", changes)
	}
	b, err := NewMessage(StopOnError).Add("1", r).Build(V13)
	if err != nil {
		t.Fatalf("Build refused Windows-1252 text: %v", err)
	}
	if !bytes.HasPrefix(b, []byte(`<?xml version="1.0" encoding="utf-8"?>`)) || !bytes.Contains(b, []byte("<Name>O\xe2\x80\x99Brien \xe2\x80\x9cCaf\xc3\xa9\xe2\x80\x9d \xe2\x80\x93 \xe2\x82\xac</Name>")) {
		t.Fatalf("not UTF-8:\n%s", b)
	}
	m, _, err := ParseMessage(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Requests[0].(*CustomerAddRq).CustomerAdd; got.Name != name || !strings.Contains(got.Notes, "“Deluxe”") {
		t.Errorf("round trip %q %q", got.Name, got.Notes)
	}
	if ref := referenceDirOrEmpty(t); ref != "" {
		if fails := xmllint(t, xsdFor(ref, V13), map[string][]byte{"cp1252": b}); len(fails) > 0 {
			t.Errorf("does not validate: %v\n%s", fails, b)
		}
	}
}
