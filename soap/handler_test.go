package soap

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// echo is a Service that answers each call with what it received, so the
// handler's decoding and encoding can be checked end to end over HTTP.
type echo struct{ fail bool }

func (e echo) err() error {
	if e.fail {
		return errors.New("database is locked at /secret/path")
	}
	return nil
}
func (e echo) ServerVersion(context.Context) (string, error) { return "v1", e.err() }
func (e echo) ClientVersion(_ context.Context, v string) (string, error) {
	return "W:" + v, e.err()
}
func (e echo) Authenticate(_ context.Context, r AuthenticateRequest) ([]string, error) {
	return []string{r.UserName, "", r.RemoteHost}, e.err()
}
func (e echo) SendRequestXML(_ context.Context, r SendRequestXMLRequest) (string, error) {
	return r.Ticket + "|" + r.HCPResponse + "|" + r.Country, e.err()
}
func (e echo) ReceiveResponseXML(_ context.Context, r ReceiveResponseXMLRequest) (int, error) {
	return len(r.Response), e.err()
}
func (e echo) ConnectionError(_ context.Context, r ConnectionErrorRequest) (string, error) {
	return "done", e.err()
}
func (e echo) GetLastError(_ context.Context, t string) (string, error) { return "last " + t, e.err() }
func (e echo) CloseConnection(_ context.Context, t string) (string, error) {
	return "closed " + t, e.err()
}
func (e echo) GetInteractiveURL(_ context.Context, t, s string) (string, error) {
	return "https://x/" + s, e.err()
}
func (e echo) InteractiveDone(context.Context, string) (string, error) { return "Done", e.err() }
func (e echo) InteractiveRejected(_ context.Context, _, r string) (string, error) {
	return r, e.err()
}

func call(t *testing.T, h http.Handler, action string, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/qbwc", strings.NewReader(body))
	if action != "" {
		req.Header.Set("SOAPAction", action)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func TestHandler(t *testing.T) {
	h := NewHandler(echo{}, "https://qb-box.local/qbwc", 4096, nil)
	tests := []struct {
		name, action, body string
		status             int
		contains           string
	}{
		{"quoted SOAPAction", `"http://developer.intuit.com/serverVersion"`, env(`<serverVersion xmlns="http://developer.intuit.com/"/>`), 200, "<serverVersionResult>v1</serverVersionResult>"},
		{"bare SOAPAction", `http://developer.intuit.com/serverVersion`, env(`<serverVersion xmlns="http://developer.intuit.com/"/>`), 200, "v1"},
		{"no SOAPAction", ``, env(`<getLastError xmlns="http://developer.intuit.com/"><ticket>t1</ticket></getLastError>`), 200, "last t1"},
		{"mismatched SOAPAction", `"http://developer.intuit.com/authenticate"`, env(`<serverVersion xmlns="http://developer.intuit.com/"/>`), 500, "does not match"},
		{"authenticate slots", "", env(`<authenticate xmlns="http://developer.intuit.com/"><strUserName>qb</strUserName><strPassword>pw</strPassword></authenticate>`), 200, "<string>qb</string><string></string><string>192.0.2.1</string>"},
		{"qbXML escaped both ways", "", env(`<sendRequestXML xmlns="http://developer.intuit.com/"><ticket>t</ticket><strHCPResponse>&lt;a&gt;&amp;</strHCPResponse><qbXMLCountry>US</qbXMLCountry><qbXMLMajorVers>13</qbXMLMajorVers><qbXMLMinorVers>0</qbXMLMinorVers></sendRequestXML>`), 200, "t|&lt;a&gt;&amp;|US"},
		{"int result", "", env(`<receiveResponseXML xmlns="http://developer.intuit.com/"><ticket>t</ticket><response></response></receiveResponseXML>`), 200, "<receiveResponseXMLResult>0</receiveResponseXMLResult>"},
		{"body over the limit", "", env(`<getLastError xmlns="http://developer.intuit.com/"><ticket>` + strings.Repeat("x", 5000) + `</ticket></getLastError>`), 500, "larger than 4096 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := call(t, h, tc.action, tc.body)
			if status != tc.status || !strings.Contains(body, tc.contains) {
				t.Errorf("= %d %s; want %d containing %q", status, body, tc.status, tc.contains)
			}
		})
	}
}

func TestHandlerServiceErrorIsAFaultWithoutDetails(t *testing.T) {
	var logBuf bytes.Buffer
	h := NewHandler(echo{fail: true}, "https://qb-box.local/qbwc", 0, newTestLogger(&logBuf))
	status, body := call(t, h, "", env(`<serverVersion xmlns="http://developer.intuit.com/"/>`))
	if status != 500 || !strings.Contains(body, "<faultcode>soap:Server</faultcode>") {
		t.Fatalf("= %d %s", status, body)
	}
	if strings.Contains(body, "/secret/path") {
		t.Error("the fault leaks the internal error")
	}
	if !strings.Contains(logBuf.String(), "/secret/path") {
		t.Error("the internal error is not logged")
	}
}

func TestHandlerGET(t *testing.T) {
	h := NewHandler(echo{}, "https://qb-box.local:8443/qbwc", 0, nil)
	for _, tc := range []struct {
		method, target string
		status         int
		contains       string
	}{
		{http.MethodGet, "/qbwc?wsdl", 200, `<soap:address location="https://qb-box.local:8443/qbwc" />`},
		{http.MethodGet, "/qbwc?WSDL", 200, "interactiveRejected"},
		{http.MethodGet, "/qbwc", 200, "?wsdl"},
		{http.MethodPut, "/qbwc", 405, "method not allowed"},
	} {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.target, nil))
			body, _ := io.ReadAll(rec.Body)
			if rec.Code != tc.status || !strings.Contains(string(body), tc.contains) {
				t.Errorf("= %d %s", rec.Code, body)
			}
		})
	}
}

func newTestLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
