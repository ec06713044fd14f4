package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeyFile is the name of the secret key bcqb creates in its data folder when
// none is given (BCQB_SECRET_KEY or BCQB_SECRET_KEY_FILE).
const KeyFile = "secret.key"

// KeySize is the AES-256 key length.
const KeySize = 32

// ErrSealed is returned, wrapped, when a sealed value cannot be opened: the
// key is not the one it was sealed with, or the value was tampered with.
var ErrSealed = errors.New("cannot decrypt: wrong secret key or damaged value")

// Sealer encrypts the secrets bcqb must keep in the database (BigCommerce
// access tokens) with AES-256-GCM, so that a copy of bcqb.db alone (a backup,
// a support bundle) does not give API access to the store. The key lives
// outside the database.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns a Sealer for a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("store: secret key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("store: secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("store: secret key: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext under a fresh random nonce. context binds the
// value to where it is stored (for example "bc_stores.token:abc123"), so a
// sealed value copied into another row does not open there.
func (s *Sealer) Seal(plaintext []byte, context string) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("store: seal: %w", err)
	}
	return s.aead.Seal(nonce, nonce, plaintext, []byte(context)), nil
}

// Open decrypts a value made by Seal with the same context.
func (s *Sealer) Open(sealed []byte, context string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, fmt.Errorf("store: open: %w", ErrSealed)
	}
	out, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(context))
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", ErrSealed)
	}
	return out, nil
}

// ParseKey reads a key written as 64 hex digits or as standard base64 of 32
// bytes (what LoadOrCreateKey writes and `openssl rand -base64 32` prints).
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	if k, err := base64.StdEncoding.DecodeString(s); err == nil && len(k) == KeySize {
		return k, nil
	}
	return nil, fmt.Errorf("store: the secret key must be %d bytes written as 64 hex digits or base64 "+
		"(make one with: openssl rand -base64 32)", KeySize)
}

// LoadOrCreateKey returns the key given (as text, see ParseKey) or, when
// given is empty, the one in dir/secret.key, creating that file once with 32
// random bytes and mode 0600. Losing the file means reconnecting the stores.
func LoadOrCreateKey(dir, given string) ([]byte, error) {
	if given != "" {
		return ParseKey(given)
	}
	path := filepath.Join(dir, KeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := ParseKey(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return k, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("store: read secret key: %w", err)
	}
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("store: create secret key: %w", err)
	}
	// O_EXCL: if another process created it meanwhile, use theirs.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadOrCreateKey(dir, "")
	}
	if err != nil {
		return nil, fmt.Errorf("store: create secret key: %w", err)
	}
	_, werr := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n")
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("store: write secret key: %w", err)
	}
	return k, nil
}
