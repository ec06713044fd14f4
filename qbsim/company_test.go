package qbsim

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/internal/sharedref"
)

var testStart = time.Date(2026, 11, 27, 15, 4, 5, 0, time.UTC)

func newTestCompany(t *testing.T) (*Company, *FakeClock) {
	t.Helper()
	clock := NewFakeClock(testStart)
	return NewSampleCompany(CompanyOptions{Clock: clock}), clock
}

// xsdCheck validates a response with xmllint against Intuit's XSD when both
// are available (the schema-derived validator always runs as well).
func xsdCheck(t *testing.T, resp string) {
	t.Helper()
	root, _, err := parseDoc([]byte(resp))
	if err != nil {
		t.Fatalf("response does not parse: %v\n%s", err, resp)
	}
	for _, rs := range root.Kid("QBXMLMsgsRs").Kids {
		if err := validateNode(rs, schemaMessages[rs.Name], rs.Name); err != nil {
			t.Errorf("response invalid: %v", err)
		}
	}
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		return
	}
	dir := os.Getenv("QBSIM_XSD")
	if dir == "" {
		ref := referenceDirOrEmpty()
		if ref == "" {
			return
		}
		dir = filepath.Join(ref, "qbxml", "xsd", "13.0")
	}
	f := filepath.Join(t.TempDir(), "rs.xml")
	if err := os.WriteFile(f, []byte(resp), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join(dir, "qbxmlops130.xsd"), f).CombinedOutput()
	if err != nil {
		t.Errorf("xmllint: %v\n%s\n%s", err, out, resp)
	}
}

// referenceDirOrEmpty is referenceDir without skipping.
func referenceDirOrEmpty() string {
	if dir, ok := sharedref.Find(); ok {
		return dir
	}
	return ""
}

func TestIntuitSamples(t *testing.T) {
	ref := referenceDir(t)
	files, _ := filepath.Glob(filepath.Join(ref, "qbxml", "samples", "intuit-sdk-xmlfiles", "*.xml"))
	legacy, _ := filepath.Glob(filepath.Join(ref, "qbxml", "samples", "intuit-sdk-xmlfiles", "legacy", "*.xml"))
	files = append(files, legacy...)
	for _, f := range files {
		t.Run(strings.TrimPrefix(f, filepath.Join(ref, "qbxml", "samples")+"/"), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			root, _, err := parseDoc(raw)
			if err != nil {
				t.Skipf("sample is not well-formed: %v", err)
			}
			for _, rq := range root.Kid("QBXMLMsgsRq").Kids {
				if _, ok := schemaMessages[rq.Name]; !ok {
					t.Skipf("the simulator does not answer %s", rq.Name)
				}
			}
			c, _ := newTestCompany(t)
			resp, err := c.ProcessRequest(context.Background(), string(raw))
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			xsdCheck(t, resp)
			t.Log(resp[:min(len(resp), 400)])
		})
	}
}
