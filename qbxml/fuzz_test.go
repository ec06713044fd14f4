package qbxml

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/bcqb/bcqb/internal/sharedref"
)

// fuzzSeeds adds the sample responses (when the reference folder exists)
// and a few hand-written edge cases.
func fuzzSeeds(f *testing.F) {
	for _, s := range []string{
		`<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><HostQueryRs statusCode="0" statusSeverity="Info"><HostRet><SupportedQBXMLVersion>13.0</SupportedQBXMLVersion></HostRet></HostQueryRs></QBXMLMsgsRs></QBXML>`,
		`<QBXML><QBXMLMsgsRs><ItemQueryRs statusCode="0" statusSeverity="Info" iteratorRemainingCount="3" iteratorID="{x}"><ItemServiceRet><ListID>1</ListID><SalesOrPurchase><Price>1.5</Price></SalesOrPurchase></ItemServiceRet><ItemGroupRet/></ItemQueryRs></QBXMLMsgsRs></QBXML>`,
		`<QBXML><QBXMLMsgsRs><CustomerQueryRs statusCode="1" statusSeverity="Info" statusMessage="A query request did not find a matching object in QuickBooks"/></QBXMLMsgsRs></QBXML>`,
		`<QBXML><QBXMLMsgsRs><TxnVoidRs statusCode="3120" statusSeverity="Error"><TimeCreated>bad</TimeCreated></TxnVoidRs></QBXMLMsgsRs></QBXML>`,
		"<?xml version=\"1.0\" encoding=\"windows-1252\"?><QBXML><QBXMLMsgsRs></QBXMLMsgsRs></QBXML>",
	} {
		f.Add([]byte(s))
	}
	if ref, ok := sharedref.Find("qbxml", "samples"); ok {
		_ = filepath.WalkDir(ref, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
					f.Add(b)
				}
			}
			return nil
		})
	}
}

// FuzzParseResponse: the response parser never panics, and whatever it
// accepts has consistent, classifiable headers.
func FuzzParseResponse(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseResponse(data)
		if err != nil {
			return
		}
		for _, r := range m.Responses {
			h := r.Header()
			o := h.Outcome()
			if o.Action == "" || o.Message == "" {
				t.Fatalf("unclassified %+v", h)
			}
			_ = h.Err()
			_ = fmt.Sprint(r)
		}
	})
}

// FuzzParseHCPResponse: strHCPResponse parsing never panics.
func FuzzParseHCPResponse(f *testing.F) {
	fuzzSeeds(f)
	if b, err := os.ReadFile("testdata/hcp_us_pro2014.xml"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseHCPResponse(data)
		if err != nil {
			return
		}
		_, _ = h.Negotiate(16, 0)
	})
}

// FuzzParseMessage: the request parser (used by the simulator) never panics,
// and a message it accepts that validates can be rebuilt.
func FuzzParseMessage(f *testing.F) {
	for _, mk := range sampleRequests() {
		if b, err := NewMessage(ContinueOnError).Add("1", mk()).Build(V13); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, v, err := ParseMessage(data)
		if err != nil || !isSupported(v) {
			return
		}
		if m.Validate(v) == nil {
			if _, err := m.Build(v); err != nil {
				t.Fatalf("validated message does not build: %v", err)
			}
		}
	})
}
