package qbsim

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// testServer is a deliberately small QBWC SOAP server written for these
// tests: it decodes calls, checks the SOAPAction header and parameter names
// against the WSDL and answers through a per-method function.
type testServer struct {
	t       testing.TB
	mu      sync.Mutex
	answer  func(method string, p map[string]string) (any, error)
	calls   []string
	srv     *httptest.Server
	problem []string
}

// wsdlParams are the parameter names of each operation in Intuit's WSDL.
var wsdlParams = map[string][]string{
	"serverVersion":      {},
	"clientVersion":      {"strVersion"},
	"authenticate":       {"strUserName", "strPassword"},
	"sendRequestXML":     {"ticket", "strHCPResponse", "strCompanyFileName", "qbXMLCountry", "qbXMLMajorVers", "qbXMLMinorVers"},
	"receiveResponseXML": {"ticket", "response", "hresult", "message"},
	"connectionError":    {"ticket", "hresult", "message"},
	"getLastError":       {"ticket"},
	"closeConnection":    {"ticket"},
	// Interactive mode names the ticket wcTicket.
	"getInteractiveURL":   {"wcTicket", "sessionID"},
	"interactiveDone":     {"wcTicket"},
	"interactiveRejected": {"wcTicket", "reason"},
}

func newTestServer(t testing.TB, answer func(method string, p map[string]string) (any, error)) *testServer {
	t.Helper()
	s := &testServer{t: t, answer: answer}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// url is the server's URL with a symbolic host, as QBWC requires.
func (s *testServer) url() string {
	return strings.Replace(s.srv.URL, "127.0.0.1", "localhost", 1) + "/qbwc"
}

func (s *testServer) methods() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

func (s *testServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var env struct {
		Body struct {
			Op struct {
				XMLName xml.Name
				Params  []struct {
					XMLName xml.Name
					Value   string `xml:",chardata"`
				} `xml:",any"`
			} `xml:",any"`
		} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
	}
	if err := xml.Unmarshal(body, &env); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	op := env.Body.Op.XMLName
	method := op.Local
	s.mu.Lock()
	s.calls = append(s.calls, method)
	if op.Space != intuitNS {
		s.problem = append(s.problem, "namespace "+op.Space)
	}
	if got, want := r.Header.Get("SOAPAction"), `"`+intuitNS+method+`"`; got != want {
		s.problem = append(s.problem, fmt.Sprintf("SOAPAction %s, want %s", got, want))
	}
	p := map[string]string{}
	var names []string
	for _, e := range env.Body.Op.Params {
		p[e.XMLName.Local] = e.Value
		names = append(names, e.XMLName.Local)
	}
	if want, ok := wsdlParams[method]; !ok || strings.Join(names, ",") != strings.Join(want, ",") {
		s.problem = append(s.problem, fmt.Sprintf("%s params %v, want %v", method, names, want))
	}
	s.mu.Unlock()
	res, err := s.answer(method, p)
	if err != nil {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, `<?xml version="1.0"?><soap:Envelope xmlns:soap="%s"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>%s</faultstring></soap:Fault></soap:Body></soap:Envelope>`, soapEnvNS, err)
		return
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="%s"><soap:Body><%sResponse xmlns="%s">`, soapEnvNS, method, intuitNS)
	switch v := res.(type) {
	case []string:
		b.WriteString("<" + method + "Result>")
		for _, s := range v {
			b.WriteString("<string>")
			_ = xml.EscapeText(&b, []byte(s))
			b.WriteString("</string>")
		}
		b.WriteString("</" + method + "Result>")
	case int:
		b.WriteString("<" + method + "Result>" + strconv.Itoa(v) + "</" + method + "Result>")
	case string:
		b.WriteString("<" + method + "Result>")
		_ = xml.EscapeText(&b, []byte(v))
		b.WriteString("</" + method + "Result>")
	case nil:
	}
	fmt.Fprintf(&b, `</%sResponse></soap:Body></soap:Envelope>`, method)
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

// check fails the test if any call broke the WSDL contract.
func (s *testServer) check() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.problem {
		s.t.Error("contract: " + p)
	}
}
