package app

import (
	"bytes"
	"encoding/xml"
	"flag"
	"go/format"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bcqb/bcqb/internal/sharedref"
)

var (
	updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden from the answers")
	updateClient = flag.Bool("update-client", false, "regenerate internal/qbwcclient from the served WSDL")
)

// sharedReference finds ../shared/reference beside the repository, or skips.
func sharedReference(t testing.TB) string {
	t.Helper()
	return sharedref.Dir(t)
}

var (
	ticketElem  = regexp.MustCompile(`<ticket>[^<]*</ticket>`)
	ticketValue = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// post sends a raw envelope as the Web Connector does and returns the status and answer.
func post(t *testing.T, url, action string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/qbwc", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	if action != "" {
		req.Header.Set("SOAPAction", action)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/xml; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// checkGolden compares an answer, tickets masked, with testdata/golden/name.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	got = ticketValue.ReplaceAll(got, []byte("TICKET"))
	path := filepath.Join("testdata", "golden", name)
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./app -run %s -update-golden to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("answer differs from %s:\n got: %s\nwant: %s", path, got, want)
	}
	// Every answer is a well-formed SOAP 1.1 envelope.
	var env struct {
		XMLName xml.Name
		Body    struct {
			Inner []byte `xml:",innerxml"`
		} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
	}
	if err := xml.Unmarshal(got, &env); err != nil || env.XMLName.Space != "http://schemas.xmlsoap.org/soap/envelope/" {
		t.Errorf("answer is not a SOAP 1.1 envelope: %v", err)
	}
}

// TestReplayRealCaptures replays the real receiveResponseXML envelopes the
// Web Connector sent (flowlink's captures) into a session whose request is
// outstanding, and checks each answer's shape against a golden file.
func TestReplayRealCaptures(t *testing.T) {
	dir := filepath.Join(sharedReference(t), "qbwc", "soap-captures", "flowlink")
	files, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no captures in %s: %v", dir, err)
	}
	ts := startServer(t, t.TempDir())
	w := newWC(t, ts.URL, "")
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			capture, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			// A fresh session with one request outstanding, as when the capture was made.
			job := companyInfoJob(t, ts, name)
			if c, err := ts.DB().CountJobs(t.Context(), job.CompanyID); err != nil {
				t.Fatal(err)
			} else if c.Due == 0 {
				ts.DB().Enqueue(t.Context(), job)
			}
			ticket := w.authenticate(testUser, testPassword)[0]
			if req := w.send(ticket, hcp(t, ts)); req == "" {
				t.Fatalf("no request outstanding: %s", w.lastError(ticket))
			}
			body := ticketElem.ReplaceAll(capture, []byte("<ticket>"+ticket+"</ticket>"))
			status, answer := post(t, ts.URL, `"http://developer.intuit.com/receiveResponseXML"`, body)
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, answer)
			}
			checkGolden(t, "receiveResponseXML-"+name, answer)
			w.close(ticket)
		})
	}
}

// TestGoldenCalls sends each Web Connector call as the Web Connector writes
// it (testdata/qbwc) and pins the answers.
func TestGoldenCalls(t *testing.T) {
	ts := startServer(t, t.TempDir())
	files, err := filepath.Glob(filepath.Join("testdata", "qbwc", "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no calls in testdata/qbwc: %v", err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			op := strings.SplitN(strings.TrimSuffix(name, ".xml"), "-", 2)[0]
			status, answer := post(t, ts.URL, "http://developer.intuit.com/"+op, body)
			want := http.StatusOK
			if strings.Contains(name, "-fault") {
				want = http.StatusInternalServerError
			}
			if status != want {
				t.Errorf("status %d, want %d", status, want)
			}
			checkGolden(t, name, answer)
		})
	}
}

// TestGeneratedClientMatchesServedWSDL regenerates the gowsdl client from
// the WSDL bcqb serves and compares it with internal/qbwcclient, so the
// client the contract tests use can never drift from the served contract.
func TestGeneratedClientMatchesServedWSDL(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH; gowsdl runs as a go tool")
	}
	ts := startServer(t, t.TempDir())
	resp, err := http.Get(ts.URL + "/qbwc?wsdl")
	if err != nil {
		t.Fatal(err)
	}
	wsdl, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET ?wsdl: %d %v", resp.StatusCode, err)
	}
	if !bytes.Contains(wsdl, []byte(`<soap:address location="`+ts.URL+`/qbwc" />`)) {
		t.Errorf("the WSDL's soap:address is not the base URL's endpoint")
	}
	tmp := t.TempDir()
	if err := os.WriteFile(filepath.Join(tmp, "qbwc.wsdl"), wsdl, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goBin, "tool", "gowsdl", "-d", tmp, "-p", "qbwcclient", "-o", "client.go", filepath.Join(tmp, "qbwc.wsdl"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go tool gowsdl: %v\n%s", err, out)
	}
	gen, err := os.ReadFile(filepath.Join(tmp, "qbwcclient", "client.go"))
	if err != nil {
		t.Fatal(err)
	}
	if gen, err = format.Source(gen); err != nil {
		t.Fatal(err)
	}
	committed := filepath.Join("..", "internal", "qbwcclient", "client.go")
	if *updateClient {
		if err := os.WriteFile(committed, gen, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gen, have) {
		t.Errorf("internal/qbwcclient/client.go is stale: run go generate ./internal/qbwcclient")
	}
}
