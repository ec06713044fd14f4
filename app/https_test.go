package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	gsoap "github.com/hooklift/gowsdl/soap"

	"github.com/bcqb/bcqb/internal/qbwcclient"
)

// TestHTTPSWithOwnCA serves https on a host name with a certificate from
// bcqb's own CA: a client that trusts only /ca.crt reaches the Web Connector
// endpoint by that name, as the Windows PC will once the root is imported.
func TestHTTPSWithOwnCA(t *testing.T) {
	dir := t.TempDir()
	ts := startServerWith(t, dir, "https://bcqb-box.test:%d", nil, nil)
	// Any name resolves to the loopback address, as a hosts-file entry would.
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1:"+port)
	}

	// Fetch the root the way a user does the first time: without trusting it yet.
	insecure := &http.Client{Transport: &http.Transport{DialContext: dial,
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} // #nosec G402 -- downloading the root to trust is the point.
	resp, err := insecure.Get(ts.URL + "/ca.crt")
	if err != nil {
		t.Fatal(err)
	}
	caPEM, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/x-x509-ca-cert" {
		t.Fatalf("GET /ca.crt = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatal("/ca.crt is not a PEM certificate")
	}
	tr := &http.Transport{DialContext: dial, TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}
	t.Cleanup(tr.CloseIdleConnections)
	trusted := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	resp, err = trusted.Get(ts.URL + "/healthz")
	if err != nil {
		t.Fatalf("healthz over https with the root trusted: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"ok"`) {
		t.Errorf("healthz = %d %s", resp.StatusCode, body)
	}

	c := qbwcclient.NewQBWebConnectorSvcSoap(gsoap.NewClient(ts.URL+"/qbwc", gsoap.WithHTTPClient(trusted)))
	auth, err := c.Authenticate(&qbwcclient.Authenticate{StrUserName: testUser, StrPassword: testPassword})
	if err != nil || auth.AuthenticateResult == nil || len(auth.AuthenticateResult.Astring) < 2 {
		t.Fatalf("authenticate over https: %+v, %v", auth, err)
	}

	// A restart keeps the same CA, so the root imported on Windows stays valid.
	ts.stopServer(t)
	ts2 := startServerWith(t, dir, "https://bcqb-box.test:%d", nil, nil)
	resp, err = insecure.Get(ts2.URL + "/ca.crt")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(again) != string(caPEM) {
		t.Error("the CA changed across a restart")
	}

	// The .qwc file points the Web Connector at the https endpoint.
	if err := Run(context.Background(), []string{"qwc", "--user", testUser, "--url", ts2.URL}, func(k string) string {
		return map[string]string{"BCQB_DATA": dir}[k]
	}, nil, io.Discard, io.Discard); err != nil {
		t.Errorf("bcqb qwc: %v", err)
	}
}
