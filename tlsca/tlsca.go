// Package tlsca gives bcqb the HTTPS the QuickBooks Web Connector insists on.
//
// The Web Connector is a Windows .NET Framework program. It talks plain HTTP
// only to localhost; every other AppURL must be https:// with a symbolic host
// name (never an IP address: QBWC1001/QBWC1002), and the server certificate
// must chain to a root the Windows PC trusts. bcqb therefore does one of two
// things:
//
//   - serve a certificate and key the operator already has (Load), or
//   - run a tiny private CA of its own (Ensure): a root created once in the data
//     folder, which the user imports on the Windows PC a single time, and a
//     server (leaf) certificate for the host names of BCQB_BASE_URL, reissued
//     from the same root whenever the host changes or the leaf nears expiry, so
//     the Windows PC never needs a second import.
//
// Keys are RSA 2048 and signatures SHA-256, the combination every Windows and
// .NET Framework version that runs the Web Connector accepts. The TLS
// configurations require TLS 1.2 or newer, which the Web Connector negotiates.
//
// Trusting the CA on the Windows PC (for the README): download
// https://HOST:PORT/ca.crt (or copy data/tls/ca.crt), then either double-click
// it → Install Certificate → Local Machine → "Place all certificates in the
// following store" → Trusted Root Certification Authorities, or, in an
// elevated PowerShell:
//
//	Import-Certificate -FilePath .\ca.crt -CertStoreLocation Cert:\LocalMachine\Root
//
// Compare the thumbprint Windows shows with Authority.CAThumbprint.
//
// A root in the Windows store vouches for any name, so ca.key (mode 0600 in
// the data folder) is as sensitive as the Web Connector password: whoever
// holds it can impersonate any site to that PC. Sites that cannot protect the
// data folder should give bcqb a certificate from their own CA instead (Load).
package tlsca

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" // #nosec G505 -- thumbprint for display only; Windows shows SHA-1 thumbprints.
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// File names inside the directory given to Ensure. They are exported so the
// README and support pages can name them.
const (
	CACertFile     = "ca.crt"
	CAKeyFile      = "ca.key"
	ServerCertFile = "server.crt"
	ServerKeyFile  = "server.key"
)

// Lifetimes. The leaf stays under the 398 days that browsers accept, so the
// same certificate also works when the user opens bcqb's pages in a browser.
const (
	caValidity   = 10 * 365 * 24 * time.Hour
	leafValidity = 397 * 24 * time.Hour
	// RenewBefore is how long before expiry Ensure and Renew reissue the leaf.
	// Thirty days leaves room for a daily Renew to be missed for weeks.
	RenewBefore = 30 * 24 * time.Hour
	// backdate tolerates a Windows PC whose clock is behind bcqb's.
	backdate = time.Hour
	rsaBits  = 2048
)

// ErrIPHost is wrapped by the error for a host given as an IP address, so that
// callers (the .qwc builder, config validation) can recognise it.
var ErrIPHost = errors.New("the QuickBooks Web Connector refuses URLs whose host is an IP address (QBWC1001)")

// Authority is bcqb's own CA plus the current server certificate it issued.
// It is safe for concurrent use: Renew swaps the certificate that TLSConfig
// serves without restarting the listener.
type Authority struct {
	dir    string
	hosts  []string
	caCert *x509.Certificate
	caKey  crypto.Signer
	caPEM  []byte

	mu   sync.Mutex // serialises Renew
	leaf atomic.Pointer[tls.Certificate]
}

// Ensure loads the CA from dir, creating it on first use, and makes sure the
// server certificate in dir covers hosts (plus "localhost") and is not near
// expiry at now, issuing a new one from the same CA when needed. dir is created
// with mode 0700 if missing; bcqb passes filepath.Join(dataDir, "tls"). Hosts
// are host names without scheme or port (url.URL.Hostname()); IP addresses are
// rejected with ErrIPHost because the Web Connector would refuse the URL.
//
// A CA certificate without its key (or the reverse) is an error rather than a
// reason to make a new CA: the user has already trusted the old root on the
// Windows PC, and a silent new root would break the Web Connector.
func Ensure(ctx context.Context, dir string, hosts []string, now time.Time) (*Authority, error) {
	names, err := normalizeHosts(hosts)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("tlsca: create %s: %w", dir, err)
	}
	a := &Authority{dir: dir, hosts: names}
	if err := a.loadOrCreateCA(ctx, now); err != nil {
		return nil, err
	}
	if _, err := a.Renew(ctx, now); err != nil {
		return nil, err
	}
	return a, nil
}

// Renew reissues the server certificate if it is missing, unreadable, not
// signed by this CA, not for the Authority's hosts, not yet valid at now, or
// within RenewBefore of expiry. It reports whether it issued a new one. A
// long-running bcqb calls it daily so the certificate never lapses.
func (a *Authority) Renew(ctx context.Context, now time.Time) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("tlsca: renew: %w", err)
	}
	certPath := filepath.Join(a.dir, ServerCertFile)
	keyPath := filepath.Join(a.dir, ServerKeyFile)

	current, reason := a.loadLeaf(certPath, keyPath, now)
	if reason == "" {
		a.leaf.Store(current)
		return false, nil
	}
	if a.caCert.NotAfter.Before(now.Add(RenewBefore)) {
		return false, fmt.Errorf("tlsca: the local CA in %s expires on %s; delete %s and %s to create a new one, then import the new ca.crt on the Windows PC",
			a.dir, a.caCert.NotAfter.Format(time.DateOnly), CACertFile, CAKeyFile)
	}
	leaf, err := a.issueLeaf(now)
	if err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("tlsca: renew: %w", err)
	}
	if err := writeKeyPair(certPath, keyPath, leaf); err != nil {
		return false, err
	}
	a.leaf.Store(leaf)
	slog.InfoContext(ctx, "tlsca: issued server certificate", "reason", reason,
		"hosts", a.hosts, "not_after", leaf.Leaf.NotAfter, "file", certPath)
	return true, nil
}

// TLSConfig is the server configuration for the issued certificate: TLS 1.2
// minimum (what the Web Connector on .NET Framework negotiates) and the
// current leaf on every handshake, so Renew takes effect without a restart.
func (a *Authority) TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return a.leaf.Load(), nil
		},
	}
}

// CACertPEM is the root certificate in PEM form, served as GET /ca.crt so the
// user can import it on the Windows PC. The caller must not modify it.
func (a *Authority) CACertPEM() []byte { return a.caPEM }

// CACert is the parsed root certificate (for pages that show its details).
func (a *Authority) CACert() *x509.Certificate { return a.caCert }

// Leaf is the server certificate currently served.
func (a *Authority) Leaf() *x509.Certificate { return a.leaf.Load().Leaf }

// Hosts are the DNS names the server certificate covers, "localhost" included.
func (a *Authority) Hosts() []string { return slices.Clone(a.hosts) }

// CAThumbprint is the root's SHA-1 thumbprint in upper-case hex, exactly as
// Windows certmgr and PowerShell's Cert: drive show it, so the user can check
// they imported the right root. It identifies, it does not secure.
func (a *Authority) CAThumbprint() string {
	sum := sha1.Sum(a.caCert.Raw) // #nosec G401 -- display only, see above.
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// CAHandler serves the root for GET /ca.crt with the MIME type Windows opens
// in its certificate import wizard.
func (a *Authority) CAHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/x-x509-ca-cert")
		w.Header().Set("Content-Disposition", `attachment; filename="bcqb-ca.crt"`)
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, "bcqb-ca.crt", a.caCert.NotBefore, bytes.NewReader(a.caPEM))
	})
}

func (a *Authority) loadOrCreateCA(ctx context.Context, now time.Time) error {
	certPath := filepath.Join(a.dir, CACertFile)
	keyPath := filepath.Join(a.dir, CAKeyFile)
	_, certErr := os.Stat(certPath)
	_, keyErr := os.Stat(keyPath)
	switch {
	case errors.Is(certErr, fs.ErrNotExist) && errors.Is(keyErr, fs.ErrNotExist):
		return a.createCA(ctx, certPath, keyPath, now)
	case errors.Is(certErr, fs.ErrNotExist):
		return fmt.Errorf("tlsca: %s exists but %s is missing; restore it, or delete %s too to create a new CA (then import it again on the Windows PC)", keyPath, certPath, keyPath)
	case errors.Is(keyErr, fs.ErrNotExist):
		return fmt.Errorf("tlsca: %s exists but %s is missing; restore it, or delete %s too to create a new CA (then import it again on the Windows PC)", certPath, keyPath, certPath)
	}
	pair, err := readKeyPair(certPath, keyPath)
	if err != nil {
		return fmt.Errorf("tlsca: load local CA: %w", err)
	}
	if !pair.Leaf.IsCA {
		return fmt.Errorf("tlsca: %s is not a CA certificate", certPath)
	}
	signer, ok := pair.PrivateKey.(crypto.Signer)
	if !ok {
		return fmt.Errorf("tlsca: %s: key type %T cannot sign", keyPath, pair.PrivateKey)
	}
	if err := tightenKeyMode(ctx, keyPath); err != nil {
		return err
	}
	a.caCert, a.caKey = pair.Leaf, signer
	a.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pair.Leaf.Raw})
	return nil
}

func (a *Authority) createCA(ctx context.Context, certPath, keyPath string, now time.Time) error {
	key, err := rsa.GenerateKey(rand.Reader, rsaBits)
	if err != nil {
		return fmt.Errorf("tlsca: generate CA key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return err
	}
	// The serial's prefix in the name tells two bcqb roots apart in the
	// Windows certificate store.
	name := fmt.Sprintf("bcqb local CA %s (%s)", now.UTC().Format(time.DateOnly), serial.Text(16)[:8])
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name, Organization: []string{"bcqb"}},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		SignatureAlgorithm:    x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("tlsca: create CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("tlsca: parse new CA certificate: %w", err)
	}
	pair := &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}
	if err := writeKeyPair(certPath, keyPath, pair); err != nil {
		return err
	}
	a.caCert, a.caKey = cert, key
	a.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	slog.InfoContext(ctx, "tlsca: created local CA; import it on the Windows PC", "file", certPath,
		"subject", name, "thumbprint", a.CAThumbprint(), "not_after", cert.NotAfter)
	return nil
}

// loadLeaf returns the stored leaf when it can be served as is, or the reason
// it must be reissued.
func (a *Authority) loadLeaf(certPath, keyPath string, now time.Time) (*tls.Certificate, string) {
	pair, err := readKeyPair(certPath, keyPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, "no server certificate yet"
	case err != nil:
		return nil, "unusable server certificate: " + err.Error()
	}
	leaf := pair.Leaf
	if err := leaf.CheckSignatureFrom(a.caCert); err != nil {
		return nil, "server certificate not signed by the current CA"
	}
	if !slices.Equal(sortedNames(leaf.DNSNames), a.hosts) {
		return nil, fmt.Sprintf("host names changed from %v", leaf.DNSNames)
	}
	if now.Before(leaf.NotBefore) {
		return nil, "server certificate not valid yet (clock moved back)"
	}
	if now.Add(RenewBefore).After(leaf.NotAfter) {
		return nil, "server certificate expires on " + leaf.NotAfter.Format(time.DateOnly)
	}
	// Chain the root so clients that lack it in their store still see the
	// whole path in the handshake (they must trust the root regardless).
	pair.Certificate = append(pair.Certificate[:1:1], a.caCert.Raw)
	return pair, ""
}

func (a *Authority) issueLeaf(now time.Time) (*tls.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, rsaBits)
	if err != nil {
		return nil, fmt.Errorf("tlsca: generate server key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	notAfter := now.Add(leafValidity)
	if notAfter.After(a.caCert.NotAfter) {
		notAfter = a.caCert.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: a.hosts[0], Organization: []string{"bcqb"}},
		DNSNames:              a.hosts,
		NotBefore:             now.Add(-backdate),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		SignatureAlgorithm:    x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.caCert, &key.PublicKey, a.caKey)
	if err != nil {
		return nil, fmt.Errorf("tlsca: create server certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("tlsca: parse new server certificate: %w", err)
	}
	return &tls.Certificate{Certificate: [][]byte{der, a.caCert.Raw}, PrivateKey: key, Leaf: cert}, nil
}

// ValidateHost says whether host can appear in a Web Connector AppURL and in
// the certificate: a DNS or machine name (".local" and single-label names
// included), never an IP address.
func ValidateHost(host string) error {
	_, err := normalizeHost(host)
	return err
}

func normalizeHost(host string) (string, error) {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	bare := strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	if i := strings.IndexByte(bare, '%'); i >= 0 {
		bare = bare[:i] // IPv6 zone
	}
	if net.ParseIP(bare) != nil {
		return "", fmt.Errorf("tlsca: host %q: %w; give bcqb a host name (a DNS name, the machine name, or a .local name) and use it in BCQB_BASE_URL", host, ErrIPHost)
	}
	if h == "" {
		return "", errors.New("tlsca: empty host name")
	}
	if len(h) > 253 {
		return "", fmt.Errorf("tlsca: host %q is longer than 253 characters", host)
	}
	labels := strings.Split(h, ".")
	for _, label := range labels {
		if err := checkLabel(label); err != nil {
			return "", fmt.Errorf("tlsca: host %q: %w", host, err)
		}
	}
	if last := labels[len(labels)-1]; strings.Trim(last, "0123456789") == "" {
		// "10.1.2" or "3232235796": Windows parses these as IPv4 addresses.
		return "", fmt.Errorf("tlsca: host %q looks like an IP address: %w", host, ErrIPHost)
	}
	return h, nil
}

func checkLabel(label string) error {
	if label == "" {
		return errors.New("empty label (two dots in a row?)")
	}
	if len(label) > 63 {
		return fmt.Errorf("label %q is longer than 63 characters", label)
	}
	if label[0] == '-' || label[len(label)-1] == '-' {
		return fmt.Errorf("label %q starts or ends with '-'", label)
	}
	for _, c := range label {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-':
		case c == '_': // Windows machine names may carry one; .NET's Uri accepts it.
		case c > 0x7f:
			return fmt.Errorf("label %q is not ASCII; use its xn-- (punycode) form", label)
		default:
			return fmt.Errorf("label %q contains %q; only letters, digits, '-' and '_' are allowed", label, c)
		}
	}
	return nil
}

// normalizeHosts lowercases, validates and de-duplicates hosts, adds
// "localhost", and keeps the first given host first (it becomes the
// certificate's common name) with the rest sorted.
func normalizeHosts(hosts []string) ([]string, error) {
	var out []string
	for _, h := range hosts {
		n, err := normalizeHost(h)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	out = append(out, "localhost")
	return sortedNames(out), nil
}

// sortedNames puts names in the canonical order used to compare a stored
// certificate with the wanted hosts: first name kept first, the rest sorted,
// duplicates dropped.
func sortedNames(names []string) []string {
	if len(names) == 0 {
		return nil
	}
	first := strings.ToLower(names[0])
	var rest []string
	for _, n := range names[1:] {
		if n = strings.ToLower(n); n != first {
			rest = append(rest, n)
		}
	}
	slices.Sort(rest)
	return append([]string{first}, slices.Compact(rest)...)
}

func randomSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("tlsca: serial number: %w", err)
	}
	// Force the top bit so the hex prefix used in the CA name has 8 digits.
	return n.SetBit(n, 126, 1), nil
}
