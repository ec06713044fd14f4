package tlsca

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// TestMain keeps the package's certificate-issued logs out of test output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}

// startTLS serves "hello" over a real listener with cfg.
func startTLS(t *testing.T, cfg *tls.Config) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	srv.TLS = cfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// clientFor trusts only caPEM and dials srv whatever host name the URL has,
// standing in for a hosts-file entry on the Windows PC.
func clientFor(t *testing.T, caPEM []byte, srv *httptest.Server, maxVersion uint16) *http.Client {
	t.Helper()
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatal("CA PEM did not parse")
	}
	addr := srv.Listener.Addr().String()
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: roots, MaxVersion: maxVersion},
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}}
}

// get fetches https://host:port/ from srv and returns the body and the
// server's certificate; getState returns the whole TLS connection state.
func get(t *testing.T, c *http.Client, srv *httptest.Server, host string) (string, *x509.Certificate, error) {
	t.Helper()
	body, state, err := getState(t, c, srv, host)
	if err != nil {
		return "", nil, err
	}
	return body, state.PeerCertificates[0], nil
}

func getState(t *testing.T, c *http.Client, srv *httptest.Server, host string) (string, *tls.ConnectionState, error) {
	t.Helper()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	resp, err := c.Get("https://" + net.JoinHostPort(host, port) + "/")
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", nil, err
	}
	return string(body), resp.TLS, nil
}

func mustEnsure(t *testing.T, dir string, hosts []string, now time.Time) *Authority {
	t.Helper()
	a, err := Ensure(context.Background(), dir, hosts, now)
	if err != nil {
		t.Fatalf("Ensure(%v): %v", hosts, err)
	}
	return a
}

func TestEnsureServesHTTPSByHostName(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	a := mustEnsure(t, dir, []string{"QB-Box.example.test"}, time.Now())
	srv := startTLS(t, a.TLSConfig())
	c := clientFor(t, a.CACertPEM(), srv, 0)

	for _, host := range []string{"qb-box.example.test", "localhost"} {
		t.Run(host, func(t *testing.T) {
			body, leaf, err := get(t, c, srv, host)
			if err != nil {
				t.Fatalf("GET over TLS by %s: %v", host, err)
			}
			if body != "hello" {
				t.Errorf("body = %q", body)
			}
			if leaf.SerialNumber.Cmp(a.Leaf().SerialNumber) != 0 {
				t.Errorf("served serial %v, Authority leaf %v", leaf.SerialNumber, a.Leaf().SerialNumber)
			}
		})
	}
	t.Run("name not in certificate", func(t *testing.T) {
		_, _, err := get(t, c, srv, "other.example.test")
		var hostErr x509.HostnameError
		if !errors.As(err, &hostErr) {
			t.Fatalf("want x509.HostnameError, got %v", err)
		}
	})
	t.Run("TLS 1.1 refused", func(t *testing.T) {
		c11 := clientFor(t, a.CACertPEM(), srv, tls.VersionTLS11)
		if _, _, err := get(t, c11, srv, "localhost"); err == nil {
			t.Fatal("TLS 1.1 handshake succeeded; want TLS 1.2 minimum")
		}
	})
	t.Run("untrusting client refused", func(t *testing.T) {
		other := mustEnsure(t, filepath.Join(t.TempDir(), "tls"), nil, time.Now())
		cOther := clientFor(t, other.CACertPEM(), srv, 0)
		_, _, err := get(t, cOther, srv, "localhost")
		var unknown x509.UnknownAuthorityError
		if !errors.As(err, &unknown) {
			t.Fatalf("want x509.UnknownAuthorityError, got %v", err)
		}
	})
}

func TestCertificateShape(t *testing.T) {
	a := mustEnsure(t, t.TempDir(), []string{"qb.local", "qb.local", "Books"}, t0)
	ca, leaf := a.CACert(), a.Leaf()
	if !ca.IsCA || ca.MaxPathLen != 0 || !ca.MaxPathLenZero || ca.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("CA constraints: IsCA=%v MaxPathLen=%d KeyUsage=%b", ca.IsCA, ca.MaxPathLen, ca.KeyUsage)
	}
	for _, c := range []*x509.Certificate{ca, leaf} {
		if c.SignatureAlgorithm != x509.SHA256WithRSA || c.PublicKeyAlgorithm != x509.RSA {
			t.Errorf("%s: %v / %v, want SHA256-RSA / RSA", c.Subject.CommonName, c.SignatureAlgorithm, c.PublicKeyAlgorithm)
		}
	}
	if want := []string{"qb.local", "books", "localhost"}; !slices.Equal(leaf.DNSNames, want) {
		t.Errorf("DNSNames = %v, want %v", leaf.DNSNames, want)
	}
	if len(leaf.IPAddresses) != 0 {
		t.Errorf("IPAddresses = %v, want none", leaf.IPAddresses)
	}
	if !slices.Equal(leaf.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) {
		t.Errorf("ExtKeyUsage = %v", leaf.ExtKeyUsage)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "books", CurrentTime: t0}); err != nil {
		t.Errorf("leaf does not verify against CA: %v", err)
	}
	if got := leaf.NotAfter.Sub(t0); got > 398*24*time.Hour {
		t.Errorf("leaf lifetime %v exceeds 398 days", got)
	}
	if a.CAThumbprint() != strings.ToUpper(a.CAThumbprint()) || len(a.CAThumbprint()) != 40 {
		t.Errorf("thumbprint %q: want 40 upper-case hex digits", a.CAThumbprint())
	}
}

func TestEnsureReuseAndReissue(t *testing.T) {
	type step struct {
		hosts       []string
		now         time.Time
		wantReissue bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"restart reuses CA and leaf", []step{
			{[]string{"qb.example.test"}, t0, true},
			{[]string{"qb.example.test"}, t0.Add(time.Minute), false},
			{[]string{"QB.example.test."}, t0.Add(200 * 24 * time.Hour), false},
		}},
		{"host change reissues leaf", []step{
			{[]string{"qb.example.test"}, t0, true},
			{[]string{"books.example.test"}, t0.Add(time.Hour), true},
			{[]string{"books.example.test", "qb-pc"}, t0.Add(2 * time.Hour), true},
			{[]string{"books.example.test", "qb-pc"}, t0.Add(3 * time.Hour), false},
		}},
		{"near expiry reissues leaf", []step{
			{[]string{"qb.example.test"}, t0, true},
			{[]string{"qb.example.test"}, t0.Add(leafValidity - RenewBefore - time.Hour), false},
			{[]string{"qb.example.test"}, t0.Add(leafValidity - RenewBefore + time.Hour), true},
		}},
		{"clock moved back reissues leaf", []step{
			{[]string{"qb.example.test"}, t0, true},
			{[]string{"qb.example.test"}, t0.Add(-48 * time.Hour), true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var firstCA string
			var prev *x509.Certificate
			for i, s := range tt.steps {
				a := mustEnsure(t, dir, s.hosts, s.now)
				if i == 0 {
					firstCA = a.CAThumbprint()
				} else if a.CAThumbprint() != firstCA {
					t.Fatalf("step %d: CA changed from %s to %s", i, firstCA, a.CAThumbprint())
				}
				leaf := a.Leaf()
				reissued := prev == nil || leaf.SerialNumber.Cmp(prev.SerialNumber) != 0
				if reissued != s.wantReissue {
					t.Errorf("step %d (%v at %s): reissued=%v, want %v", i, s.hosts, s.now, reissued, s.wantReissue)
				}
				if err := leaf.VerifyHostname(strings.TrimSuffix(s.hosts[0], ".")); err != nil {
					t.Errorf("step %d: %v", i, err)
				}
				if !s.now.After(leaf.NotBefore) || !s.now.Add(RenewBefore).Before(leaf.NotAfter) {
					t.Errorf("step %d: leaf %s..%s not comfortably valid at %s", i, leaf.NotBefore, leaf.NotAfter, s.now)
				}
				prev = leaf
			}
		})
	}
}

func TestRenewSwapsServedCertificate(t *testing.T) {
	a := mustEnsure(t, t.TempDir(), []string{"qb.example.test"}, time.Now())
	srv := startTLS(t, a.TLSConfig())
	c := clientFor(t, a.CACertPEM(), srv, 0)
	_, before, err := get(t, c, srv, "qb.example.test")
	if err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(leafValidity - RenewBefore/2)
	renewed, err := a.Renew(context.Background(), later)
	if err != nil || !renewed {
		t.Fatalf("Renew near expiry = %v, %v; want true, nil", renewed, err)
	}
	// The client lives at the same later time as the renewal.
	c.Transport.(*http.Transport).TLSClientConfig.Time = func() time.Time { return later }
	_, after, err := get(t, c, srv, "qb.example.test")
	if err != nil {
		t.Fatal(err)
	}
	if before.SerialNumber.Cmp(after.SerialNumber) == 0 {
		t.Error("server still presents the old certificate after Renew")
	}
	if renewed, err := a.Renew(context.Background(), later); err != nil || renewed {
		t.Errorf("second Renew = %v, %v; want false, nil", renewed, err)
	}
}

func TestFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "tls")
	mustEnsure(t, dir, []string{"qb.example.test"}, t0)
	want := map[string]fs.FileMode{
		".":            0o700,
		CAKeyFile:      0o600,
		ServerKeyFile:  0o600,
		CACertFile:     0o644,
		ServerCertFile: 0o644,
	}
	for name, mode := range want {
		t.Run(name, func(t *testing.T) {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != mode {
				t.Errorf("mode %v, want %v", got, mode)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(want)-1 {
		t.Errorf("dir holds %d entries, want %d (temporary files left behind?)", len(entries), len(want)-1)
	}

	t.Run("loose CA key mode is tightened", func(t *testing.T) {
		key := filepath.Join(dir, CAKeyFile)
		if err := os.Chmod(key, 0o644); err != nil {
			t.Fatal(err)
		}
		mustEnsure(t, dir, []string{"qb.example.test"}, t0)
		fi, _ := os.Stat(key)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %v after Ensure, want 0600", fi.Mode().Perm())
		}
	})
}

func TestEnsureErrors(t *testing.T) {
	tests := []struct {
		name     string
		hosts    []string
		prepare  func(t *testing.T, dir string)
		wantIs   error
		contains string
	}{
		{name: "IPv4 host", hosts: []string{"192.168.1.20"}, wantIs: ErrIPHost, contains: "QBWC1001"},
		{name: "IPv6 host", hosts: []string{"[fe80::1%eth0]"}, wantIs: ErrIPHost},
		{name: "CA key lost", hosts: []string{"qb"}, contains: "ca.key is missing",
			prepare: func(t *testing.T, dir string) {
				mustEnsure(t, dir, []string{"qb"}, t0)
				os.Remove(filepath.Join(dir, CAKeyFile))
			}},
		{name: "CA cert lost", hosts: []string{"qb"}, contains: "ca.crt is missing",
			prepare: func(t *testing.T, dir string) {
				mustEnsure(t, dir, []string{"qb"}, t0)
				os.Remove(filepath.Join(dir, CACertFile))
			}},
		{name: "CA key replaced", hosts: []string{"qb"}, contains: "does not belong",
			prepare: func(t *testing.T, dir string) {
				mustEnsure(t, dir, []string{"qb"}, t0)
				other := t.TempDir()
				mustEnsure(t, other, []string{"qb"}, t0)
				data, _ := os.ReadFile(filepath.Join(other, CAKeyFile))
				os.WriteFile(filepath.Join(dir, CAKeyFile), data, 0o600)
			}},
		{name: "CA file is a leaf", hosts: []string{"qb"}, contains: "not a CA",
			prepare: func(t *testing.T, dir string) {
				mustEnsure(t, dir, []string{"qb"}, t0)
				os.Rename(filepath.Join(dir, ServerCertFile), filepath.Join(dir, CACertFile))
				os.Rename(filepath.Join(dir, ServerKeyFile), filepath.Join(dir, CAKeyFile))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.prepare != nil {
				tt.prepare(t, dir)
			}
			before, _ := os.ReadFile(filepath.Join(dir, CACertFile))
			_, err := Ensure(context.Background(), dir, tt.hosts, t0)
			if err == nil {
				t.Fatal("Ensure succeeded")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v, want errors.Is %v", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not mention %q", err, tt.contains)
			}
			after, _ := os.ReadFile(filepath.Join(dir, CACertFile))
			if string(before) != string(after) {
				t.Error("a failed Ensure replaced the CA certificate")
			}
		})
	}
}

func TestValidateHost(t *testing.T) {
	tests := []struct {
		host   string
		wantOK bool
		isIP   bool
	}{
		{"qb-box", true, false},
		{"QB-Box.local", true, false},
		{"books.example.com.", true, false},
		{"my_pc", true, false},
		{"192.168.1.20", false, true},
		{"127.0.0.1", false, true},
		{"::1", false, true},
		{"[2001:db8::1]", false, true},
		{"[fe80::1%eth0]", false, true},
		{"10.1.2", false, true},
		{"3232235796", false, true},
		{"", false, false},
		{"bad..name", false, false},
		{"-x.example", false, false},
		{"a b", false, false},
		{"bücher.example", false, false},
		{"qb.example.com:8443", false, false},
		{strings.Repeat("a", 64) + ".example", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			err := ValidateHost(tt.host)
			if (err == nil) != tt.wantOK {
				t.Fatalf("ValidateHost(%q) = %v, want ok=%v", tt.host, err, tt.wantOK)
			}
			if errors.Is(err, ErrIPHost) != tt.isIP {
				t.Errorf("errors.Is(ErrIPHost) = %v, want %v (%v)", !tt.isIP, tt.isIP, err)
			}
		})
	}
}

func FuzzValidateHost(f *testing.F) {
	for _, s := range []string{"qb.local", "192.168.1.20", "[::1]", "a..b", "xn--bcher-kva.example", "1.2.3.4.", "%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		n, err := normalizeHost(host)
		if err != nil {
			return
		}
		if net.ParseIP(n) != nil || strings.ContainsAny(n, ":[]% /") || n != strings.ToLower(n) {
			t.Fatalf("normalizeHost(%q) accepted %q", host, n)
		}
	})
}

func TestCAHandler(t *testing.T) {
	dir := t.TempDir()
	a := mustEnsure(t, dir, []string{"qb"}, t0)
	srv := httptest.NewServer(a.CAHandler())
	t.Cleanup(srv.Close)

	resp, err := http.Get(srv.URL + "/ca.crt")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != string(a.CACertPEM()) {
		t.Errorf("GET: status %d, body equal to CA PEM: %v", resp.StatusCode, string(body) == string(a.CACertPEM()))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-x509-ca-cert" {
		t.Errorf("Content-Type %q", ct)
	}
	if disk, _ := os.ReadFile(filepath.Join(dir, CACertFile)); string(disk) != string(body) {
		t.Error("served CA differs from ca.crt on disk")
	}

	resp, err = http.Post(srv.URL+"/ca.crt", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", resp.StatusCode)
	}
}

// TestWindowsClientHandshakes offers only what Schannel offers with TLS 1.2
// on the Windows versions that run the Web Connector: ECDHE with RSA and
// AES-GCM on Windows 10/11, AES-CBC on Windows 7/8.1, on curve P-256.
func TestWindowsClientHandshakes(t *testing.T) {
	a := mustEnsure(t, t.TempDir(), []string{"qb-pc"}, time.Now())
	srv := startTLS(t, a.TLSConfig())
	tests := []struct {
		name  string
		suite uint16
	}{
		{"Windows 10/11 ECDHE-RSA-AES256-GCM-SHA384", tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384},
		{"Windows 10/11 ECDHE-RSA-AES128-GCM-SHA256", tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256},
		{"Windows 7/8.1 ECDHE-RSA-AES256-CBC-SHA", tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA},
		{"Windows 7/8.1 ECDHE-RSA-AES128-CBC-SHA", tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clientFor(t, a.CACertPEM(), srv, tls.VersionTLS12)
			cfg := c.Transport.(*http.Transport).TLSClientConfig
			cfg.CipherSuites = []uint16{tt.suite}
			cfg.CurvePreferences = []tls.CurveID{tls.CurveP256}
			_, state, err := getState(t, c, srv, "qb-pc")
			if err != nil {
				t.Fatalf("handshake: %v", err)
			}
			if state.Version != tls.VersionTLS12 || state.CipherSuite != tt.suite {
				t.Errorf("negotiated %s with %s", tls.VersionName(state.Version), tls.CipherSuiteName(state.CipherSuite))
			}
		})
	}
}
