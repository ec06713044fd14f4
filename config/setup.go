package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Setup is a file (BCQB_SETUP) describing several QuickBooks company files,
// each reached by its own Web Connector user, and the BigCommerce stores
// posting to each: what a bookkeeping firm runs until the page can do it.
// It is read at start; users and stores are created or updated from it.
//
//	{"companies": [
//	  {"qbwc_user": "acme", "qbwc_password_file": "/run/secrets/acme",
//	   "stores": [{"store_hash": "abc123", "token_file": "/run/secrets/abc123",
//	               "backfill_from": "2025-01-01", "settings": {"mode": "invoice"}}]}]}
type Setup struct {
	Companies []SetupCompany `json:"companies"`
}

// SetupCompany is one company file: its Web Connector user and its stores.
type SetupCompany struct {
	QBWCUser         string       `json:"qbwc_user"`
	QBWCPassword     string       `json:"qbwc_password,omitempty"`
	QBWCPasswordFile string       `json:"qbwc_password_file,omitempty"`
	Stores           []SetupStore `json:"stores"`
}

// SetupStore is one BigCommerce store posting to the company.
type SetupStore struct {
	StoreHash    string `json:"store_hash"`
	Token        string `json:"token,omitempty"`
	TokenFile    string `json:"token_file,omitempty"`
	BackfillFrom string `json:"backfill_from,omitempty"`
	// Settings are the store's posting settings (the jobs/plan Settings
	// JSON); absent ones keep their defaults. Kept raw: config does not
	// know the sync engine's types.
	Settings json.RawMessage `json:"settings,omitempty"`
	// BackfillDate is BackfillFrom parsed (zero: none).
	BackfillDate time.Time `json:"-"`
}

// LoadSetup reads and checks a setup file, reading the secrets it names
// from their files (relative paths are relative to the setup file). Every
// problem is reported in words, with where it is.
func LoadSetup(path string) (*Setup, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("BCQB_SETUP: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var s Setup
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("BCQB_SETUP %s is not a setup file: %w", path, err)
	}
	dir := filepath.Dir(path)
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("BCQB_SETUP: "+format, args...)) }
	secret := func(where, inline, file string) string {
		switch {
		case inline != "" && file != "":
			bad("%s: give the secret or its file, not both", where)
		case file != "":
			if !filepath.IsAbs(file) {
				file = filepath.Join(dir, file)
			}
			b, err := os.ReadFile(file)
			if err != nil {
				bad("%s: %v", where, err)
				return ""
			}
			return strings.TrimRight(string(b), "\r\n")
		}
		return inline
	}
	if len(s.Companies) == 0 {
		bad("no companies: list at least one company with its qbwc_user")
	}
	users, hashes := map[string]bool{}, map[string]bool{}
	for i := range s.Companies {
		c := &s.Companies[i]
		where := fmt.Sprintf("company %d", i+1)
		if c.QBWCUser == "" {
			bad("%s has no qbwc_user", where)
		} else {
			where = fmt.Sprintf("company %q", c.QBWCUser)
		}
		if users[strings.ToLower(c.QBWCUser)] {
			bad("%s is listed twice: each company file has its own Web Connector user", where)
		}
		users[strings.ToLower(c.QBWCUser)] = true
		c.QBWCPassword = secret(where+" password", c.QBWCPassword, c.QBWCPasswordFile)
		switch {
		case c.QBWCPassword == "":
			bad("%s has no qbwc_password or qbwc_password_file", where)
		case len(c.QBWCPassword) < 8:
			bad("%s: the password is shorter than 8 characters", where)
		case len(c.QBWCPassword) > 72:
			bad("%s: the password is longer than 72 bytes, which bcrypt cannot hash", where)
		}
		for j := range c.Stores {
			st := &c.Stores[j]
			sw := fmt.Sprintf("%s store %d", where, j+1)
			if st.StoreHash != "" {
				sw = fmt.Sprintf("%s store %q", where, st.StoreHash)
			}
			if st.StoreHash == "" || strings.Trim(st.StoreHash, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
				bad("%s: store_hash %q is not a store hash (the letters and digits after /stores/)", sw, st.StoreHash)
			}
			if hashes[st.StoreHash] {
				bad("%s is listed twice: a store posts to one company file", sw)
			}
			hashes[st.StoreHash] = true
			st.Token = secret(sw+" token", st.Token, st.TokenFile)
			if st.Token == "" {
				bad("%s has no token or token_file", sw)
			}
			if st.BackfillFrom != "" {
				t, err := time.Parse(time.DateOnly, st.BackfillFrom)
				if err != nil {
					bad("%s: backfill_from %q is not a date like 2025-01-31", sw, st.BackfillFrom)
				}
				st.BackfillDate = t
			}
			if len(st.Settings) > 0 {
				var obj map[string]json.RawMessage
				if err := json.Unmarshal(st.Settings, &obj); err != nil {
					bad("%s: settings must be an object: %v", sw, err)
				}
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &s, nil
}
