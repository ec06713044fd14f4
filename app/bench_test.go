package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bcqb/bcqb/jobs"
	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/store"
)

// endless is a job that asks QuickBooks for its host info and is queued
// again by every answer, so a benchmark session never runs out of work.
type endless struct{}

func (endless) Kind() string           { return "bench.endless" }
func (endless) Noun() (string, string) { return "benchmark job", "benchmark jobs" }
func (endless) Requests(ctx context.Context, env jobs.Env, job store.Job) ([]qbxml.Request, error) {
	return qbxml.CompanyInfoRequests("", ""), nil
}
func (endless) Response(ctx context.Context, env jobs.Env, job store.Job, rs []qbxml.Response) (store.Outcome, error) {
	return store.Outcome{State: store.JobQueued}, nil
}

func envelope(op, inner string) []byte {
	return []byte(`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><` +
		op + ` xmlns="http://developer.intuit.com/">` + inner + `</` + op + `></soap:Body></soap:Envelope>`)
}

func xmlText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// BenchmarkRoundTrip measures one sendRequestXML + receiveResponseXML pair
// over loopback, with 50 Web Connector sessions (50 company files) at once.
func BenchmarkRoundTrip(b *testing.B) {
	const sessions = 50
	// Logged at warn: a benchmark measures the exchange, not the test log.
	ts := startServerWith(b, b.TempDir(), "http://localhost:%d", map[string]string{"BCQB_LOG_LEVEL": "warn"}, nil)
	ts.Source().Register(endless{})
	ctx := context.Background()

	// No FileID stamp: each benchmark user is its own company file.
	raw, err := os.ReadFile("testdata/hcp_us_pro.xml")
	if err != nil {
		b.Fatal(err)
	}
	company := strings.NewReplacer("{{OWNERID}}", "", "{{FILEID}}", "").Replace(string(raw))
	tickets := make([]string, sessions)
	var wg sync.WaitGroup
	errs := make(chan error, sessions)
	for i := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := fmt.Sprintf("bench%02d", i)
			u, err := ts.DB().PutUser(ctx, user, testPassword)
			if err != nil {
				errs <- err
				return
			}
			if _, _, err := ts.DB().Enqueue(ctx, store.Job{CompanyID: u.CompanyID, Kind: "bench.endless"}); err != nil {
				errs <- err
				return
			}
			auth := rawCall(b, ts.URL, envelope("authenticate", "<strUserName>"+user+"</strUserName><strPassword>"+testPassword+"</strPassword>"))
			tickets[i] = between(auth, "<string>", "</string>")
			first := rawCall(b, ts.URL, envelope("sendRequestXML", "<ticket>"+tickets[i]+"</ticket><strHCPResponse>"+xmlText(company)+
				"</strHCPResponse><strCompanyFileName>C:\\bench.QBW</strCompanyFileName><qbXMLCountry>US</qbXMLCountry><qbXMLMajorVers>13</qbXMLMajorVers><qbXMLMinorVers>0</qbXMLMinorVers>"))
			if !strings.Contains(first, "HostQueryRq") {
				errs <- fmt.Errorf("first request: %s", first)
				return
			}
			rawCall(b, ts.URL, envelope("receiveResponseXML", "<ticket>"+tickets[i]+"</ticket><response>"+xmlText(company)+"</response>"))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}

	transport := &http.Transport{MaxIdleConns: 2 * sessions, MaxIdleConnsPerHost: 2 * sessions}
	defer transport.CloseIdleConnections()
	var next atomic.Int64
	b.SetParallelism((sessions + 1) / 2) // × GOMAXPROCS goroutines; 50 on 2 cores
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ticket := tickets[int(next.Add(1)-1)%sessions]
		send := envelope("sendRequestXML", "<ticket>"+ticket+"</ticket><qbXMLMajorVers>13</qbXMLMajorVers><qbXMLMinorVers>0</qbXMLMinorVers>")
		recv := envelope("receiveResponseXML", "<ticket>"+ticket+"</ticket><response>"+xmlText(company)+"</response>")
		client := &http.Client{Transport: transport}
		for pb.Next() {
			if r := rawCallWith(b, client, ts.URL, send); !strings.Contains(r, "HostQueryRq") {
				b.Errorf("sendRequestXML: %s", r)
				return
			}
			if r := rawCallWith(b, client, ts.URL, recv); !strings.Contains(r, "<receiveResponseXMLResult>") {
				b.Errorf("receiveResponseXML: %s", r)
				return
			}
		}
	})
}

func between(s, a, z string) string {
	_, rest, _ := strings.Cut(s, a)
	v, _, _ := strings.Cut(rest, z)
	return v
}

func rawCall(b testing.TB, url string, body []byte) string {
	return rawCallWith(b, http.DefaultClient, url, body)
}

func rawCallWith(b testing.TB, c *http.Client, url string, body []byte) string {
	resp, err := c.Post(url+"/qbwc", "text/xml; charset=utf-8", bytes.NewReader(body))
	if err != nil {
		b.Error(err)
		return ""
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.Errorf("status %d: %s", resp.StatusCode, out)
	}
	return string(out)
}
