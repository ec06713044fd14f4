package tlsca

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Source is what bcqb serve needs from either kind of certificate: the server
// configuration and the certificate it presents (for start-up checks and the
// status page). *Authority and *Pair implement it.
type Source interface {
	TLSConfig() *tls.Config
	Leaf() *x509.Certificate
}

var (
	_ Source = (*Authority)(nil)
	_ Source = (*Pair)(nil)
)

// Pair is a certificate and key the operator supplied (BCQB_TLS_CERT and
// BCQB_TLS_KEY). The files are read again on the next handshake after either
// one changes, so a certificate renewed on disk (certbot, a corporate PKI
// script) is served without restarting bcqb; a half-written renewal keeps
// the previous certificate in service and is logged.
type Pair struct {
	certFile, keyFile string

	mu                  sync.Mutex
	cert                *tls.Certificate
	certStamp, keyStamp fileStamp
}

type fileStamp struct {
	mod  time.Time
	size int64
}

// Load reads a certificate (optionally followed by its intermediates, as in a
// fullchain.pem) and its private key, PEM encoded. A missing file, a file
// without the expected PEM block, or a key that does not belong to the
// certificate is reported with both file names so the operator knows which
// setting to fix.
func Load(certFile, keyFile string) (*Pair, error) {
	p := &Pair{certFile: certFile, keyFile: keyFile}
	cs, ks, err := p.stamps()
	if err != nil {
		return nil, err
	}
	cert, err := readKeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	p.cert, p.certStamp, p.keyStamp = cert, cs, ks
	return p, nil
}

// TLSConfig is the server configuration for the pair: TLS 1.2 minimum, and
// the files re-read when they change.
func (p *Pair) TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			return p.current(hello.Context()), nil
		},
	}
}

// Leaf is the certificate currently served.
func (p *Pair) Leaf() *x509.Certificate {
	return p.current(context.Background()).Leaf
}

// Check reports what would make the Web Connector refuse this certificate for
// hosts at now: not yet valid, expired, or not naming one of the hosts. bcqb
// serve calls it at start with the host of BCQB_BASE_URL, because the Web
// Connector's own message for these cases is a bare "could not establish
// trust relationship".
func (p *Pair) Check(hosts []string, now time.Time) error {
	leaf := p.Leaf()
	if now.Before(leaf.NotBefore) {
		return fmt.Errorf("tlsca: certificate %s is not valid before %s", p.certFile, leaf.NotBefore.Format(time.RFC3339))
	}
	if now.After(leaf.NotAfter) {
		return fmt.Errorf("tlsca: certificate %s expired on %s", p.certFile, leaf.NotAfter.Format(time.RFC3339))
	}
	for _, h := range hosts {
		if err := leaf.VerifyHostname(h); err != nil {
			return fmt.Errorf("tlsca: certificate %s does not cover host %q (it names %v): %w", p.certFile, h, leaf.DNSNames, err)
		}
	}
	return nil
}

// current returns the pair to serve, re-reading the files if their size or
// modification time changed since the last read.
func (p *Pair) current(ctx context.Context) *tls.Certificate {
	p.mu.Lock()
	defer p.mu.Unlock()
	cs, ks, err := p.stamps()
	if err != nil || (cs == p.certStamp && ks == p.keyStamp) {
		if err != nil {
			slog.WarnContext(ctx, "tlsca: cannot check certificate files; serving the loaded one", "err", err)
		}
		return p.cert
	}
	cert, err := readKeyPair(p.certFile, p.keyFile)
	if err != nil {
		// Most likely a renewal caught between writing the two files: keep
		// the old pair and try again on the next handshake.
		slog.WarnContext(ctx, "tlsca: certificate files changed but do not load; serving the previous certificate", "err", err)
		return p.cert
	}
	p.cert, p.certStamp, p.keyStamp = cert, cs, ks
	slog.InfoContext(ctx, "tlsca: reloaded certificate", "file", p.certFile, "not_after", cert.Leaf.NotAfter)
	return p.cert
}

func (p *Pair) stamps() (fileStamp, fileStamp, error) {
	cs, err := stampOf(p.certFile, "certificate")
	if err != nil {
		return fileStamp{}, fileStamp{}, err
	}
	ks, err := stampOf(p.keyFile, "private key")
	if err != nil {
		return fileStamp{}, fileStamp{}, err
	}
	return cs, ks, nil
}

func stampOf(path, what string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, fmt.Errorf("tlsca: TLS %s file: %w", what, err)
	}
	return fileStamp{mod: fi.ModTime(), size: fi.Size()}, nil
}

// readKeyPair loads a PEM certificate chain and key and explains failures in
// terms of the two files. The returned certificate has Leaf set.
func readKeyPair(certFile, keyFile string) (*tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("tlsca: read TLS certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("tlsca: read TLS private key: %w", err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err == nil {
		if pair.Leaf == nil {
			if pair.Leaf, err = x509.ParseCertificate(pair.Certificate[0]); err != nil {
				return nil, fmt.Errorf("tlsca: parse certificate %s: %w", certFile, err)
			}
		}
		return &pair, nil
	}
	return nil, explainPairError(certFile, certPEM, keyFile, keyPEM, err)
}

// explainPairError turns tls.X509KeyPair's terse error into one that names
// the file at fault.
func explainPairError(certFile string, certPEM []byte, keyFile string, keyPEM []byte, err error) error {
	leaf, certErr := firstCertificate(certPEM)
	if certErr != nil {
		return fmt.Errorf("tlsca: certificate file %s: %w", certFile, certErr)
	}
	key, keyErr := firstPrivateKey(keyPEM)
	if keyErr != nil {
		return fmt.Errorf("tlsca: private key file %s: %w", keyFile, keyErr)
	}
	if pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); ok && !pub.Equal(leaf.PublicKey) {
		return fmt.Errorf("tlsca: the private key in %s does not belong to the certificate in %s (subject %q); give the key that was made with this certificate: %w",
			keyFile, certFile, leaf.Subject.CommonName, err)
	}
	return fmt.Errorf("tlsca: certificate %s with key %s: %w", certFile, keyFile, err)
}

func firstCertificate(data []byte) (*x509.Certificate, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, errors.New("no PEM \"CERTIFICATE\" block found (is it DER, or the key file?)")
		}
		if block.Type == "CERTIFICATE" {
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("parse certificate: %w", err)
			}
			return cert, nil
		}
	}
}

func firstPrivateKey(data []byte) (crypto.Signer, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, errors.New("no PEM private key block found (is it the certificate file?)")
		}
		if !strings.HasSuffix(block.Type, "PRIVATE KEY") {
			continue
		}
		if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
			if s, ok := k.(crypto.Signer); ok {
				return s, nil
			}
			return nil, fmt.Errorf("unsupported private key type %T", k)
		}
		if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
			return k, nil
		}
		if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
			return k, nil
		}
		return nil, fmt.Errorf("cannot parse %q block (encrypted keys are not supported)", block.Type)
	}
}

// writeKeyPair stores the first certificate of pair (0644) and its key as
// PKCS#8 (0600), each through a temporary file and a rename so that a crash
// never leaves a truncated file behind.
func writeKeyPair(certFile, keyFile string, pair *tls.Certificate) error {
	keyDER, err := x509.MarshalPKCS8PrivateKey(pair.PrivateKey)
	if err != nil {
		return fmt.Errorf("tlsca: encode private key: %w", err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if err := writeFileAtomic(keyFile, keyPEM, 0o600); err != nil {
		return err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pair.Certificate[0]})
	return writeFileAtomic(certFile, certPEM, 0o644)
}

func writeFileAtomic(path string, data []byte, mode fs.FileMode) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("tlsca: write %s: %w", path, err)
		}
	}()
	// CreateTemp makes the file 0600, so a key is never readable by others,
	// not even for a moment.
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// tightenKeyMode makes a key file readable by its owner only, in case it was
// copied in with a looser mode; the CA key can mint certificates the Windows
// PC trusts.
func tightenKeyMode(ctx context.Context, path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("tlsca: %w", err)
	}
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("tlsca: restrict %s to mode 0600: %w", path, err)
	}
	slog.WarnContext(ctx, "tlsca: key file was readable by others; set it to mode 0600", "file", path, "was", fi.Mode().Perm().String())
	return nil
}
