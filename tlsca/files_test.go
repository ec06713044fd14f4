package tlsca

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// issued makes a CA-signed pair in its own folder, standing in for a
// certificate the operator obtained elsewhere.
func issued(t *testing.T, hosts []string, now time.Time) (a *Authority, certFile, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	a = mustEnsure(t, dir, hosts, now)
	return a, filepath.Join(dir, ServerCertFile), filepath.Join(dir, ServerKeyFile)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestLoadServesGivenPair(t *testing.T) {
	a, certFile, keyFile := issued(t, []string{"books.example.test"}, time.Now())
	p, err := Load(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	srv := startTLS(t, p.TLSConfig())
	c := clientFor(t, a.CACertPEM(), srv, 0)
	body, leaf, err := get(t, c, srv, "books.example.test")
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	if body != "hello" || leaf.SerialNumber.Cmp(a.Leaf().SerialNumber) != 0 {
		t.Errorf("body %q, serial %v; want hello, %v", body, leaf.SerialNumber, a.Leaf().SerialNumber)
	}
}

func TestLoadReloadsChangedFiles(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	first, c1, k1 := issued(t, []string{"books.example.test"}, time.Now())
	copyFile(t, c1, certFile)
	copyFile(t, k1, keyFile)
	p, err := Load(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	srv := startTLS(t, p.TLSConfig())

	// A renewal from another CA for the same name, as certbot would write it,
	// with modification times that certainly differ from the first files.
	second, c2, k2 := issued(t, []string{"books.example.test"}, time.Now())
	steps := []struct {
		name string
		copy func()
		want *Authority
	}{
		{"only the certificate written: old pair kept", func() { copyFile(t, c2, certFile) }, first},
		{"key written too: new pair served", func() { copyFile(t, k2, keyFile) }, second},
	}
	for i, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.copy()
			stamp := time.Now().Add(time.Duration(i+1) * time.Hour)
			for _, f := range []string{certFile, keyFile} {
				if err := os.Chtimes(f, stamp, stamp); err != nil {
					t.Fatal(err)
				}
			}
			_, leaf, err := get(t, clientFor(t, s.want.CACertPEM(), srv, 0), srv, "books.example.test")
			if err != nil {
				t.Fatalf("GET: %v", err)
			}
			if leaf.SerialNumber.Cmp(s.want.Leaf().SerialNumber) != 0 {
				t.Errorf("served serial %v, want %v", leaf.SerialNumber, s.want.Leaf().SerialNumber)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	_, certA, keyA := issued(t, []string{"a.example.test"}, t0)
	_, _, keyB := issued(t, []string{"b.example.test"}, t0)
	missing := filepath.Join(t.TempDir(), "nope.pem")
	garbage := filepath.Join(t.TempDir(), "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not pem at all"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name      string
		cert, key string
		wantIs    error
		contains  []string
	}{
		{"mismatched pair", certA, keyB, nil, []string{"does not belong", keyB, certA}},
		{"files swapped", keyA, certA, nil, []string{"certificate file " + keyA, "CERTIFICATE"}},
		{"key file holds no key", certA, garbage, nil, []string{"private key file " + garbage}},
		{"certificate missing", missing, keyA, fs.ErrNotExist, []string{"certificate", missing}},
		{"key missing", certA, missing, fs.ErrNotExist, []string{"private key", missing}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Load(tt.cert, tt.key)
			if err == nil {
				t.Fatalf("Load succeeded: %v", p.Leaf().Subject)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v, want errors.Is %v", err, tt.wantIs)
			}
			for _, c := range tt.contains {
				if !strings.Contains(err.Error(), c) {
					t.Errorf("error %q does not mention %q", err, c)
				}
			}
		})
	}
}

func TestPairCheck(t *testing.T) {
	_, certFile, keyFile := issued(t, []string{"books.example.test"}, t0)
	p, err := Load(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		hosts    []string
		now      time.Time
		contains string
	}{
		{"covered", []string{"books.example.test", "localhost"}, t0.Add(time.Hour), ""},
		{"other host", []string{"qb.example.test"}, t0.Add(time.Hour), `does not cover host "qb.example.test"`},
		{"expired", []string{"books.example.test"}, t0.Add(leafValidity + time.Hour), "expired"},
		{"not yet valid", []string{"books.example.test"}, t0.Add(-24 * time.Hour), "not valid before"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Check(tt.hosts, tt.now)
			if tt.contains == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("Check = %v, want mention of %q", err, tt.contains)
			}
		})
	}
}
