// Package config reads bcqb's settings from flags and BCQB_* environment
// variables (with _FILE variants for secrets) and validates them at start,
// so that a mistake is reported in words before anything listens.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Config is bcqb's configuration.
type Config struct {
	// Addr is the address to listen on.
	Addr string
	// Data is the folder for the database, the local CA and other state.
	Data string
	// BaseURL is the URL the Web Connector and the user's browser reach bcqb at.
	// Empty means http://localhost:<port of Addr>.
	BaseURL string
	// QBWCUser and QBWCPassword create or update that Web Connector user at
	// start, for unattended installs.
	QBWCUser     string
	QBWCPassword string
	// AdminPassword sets (or changes) the page's administrator password at
	// start; without it the first visit to the page asks for one.
	AdminPassword string
	// TLSCert and TLSKey serve HTTPS with the given pair; without them an
	// https BaseURL is served with a certificate from bcqb's own local CA.
	TLSCert string
	TLSKey  string
	// RunEveryMinutes is the schedule written into the .qwc file.
	RunEveryMinutes int
	// BigCommerceAPIURL overrides BigCommerce's API base (the offline store in tests and the demo).
	BigCommerceAPIURL string
	// BigCommerceStoreHash and BigCommerceToken connect that store at start
	// (created or updated), linked to the company of QBWCUser.
	BigCommerceStoreHash string
	BigCommerceToken     string
	// BigCommerceBackfillFrom (YYYY-MM-DD) is the date history is pulled
	// from; empty pulls only what changes from the first pull on.
	// BackfillFrom is it parsed (UTC midnight).
	BigCommerceBackfillFrom string
	BackfillFrom            time.Time
	// SecretKey is the key that seals BigCommerce tokens in the database
	// (64 hex digits or base64 of 32 bytes); empty uses <data>/secret.key,
	// created once.
	SecretKey string
	// PullEvery is how often each store is pulled.
	PullEvery time.Duration
	// LogLevel is debug, info, warn or error; LogFormat is text or json.
	LogLevel  string
	LogFormat string
	// ShutdownTimeout bounds a graceful stop.
	ShutdownTimeout time.Duration
	// SetupFile names a setup file of several company files and stores
	// (see Setup); Setup is it read and checked.
	SetupFile string
	Setup     *Setup
}

// setting describes one configuration value: its flag, its environment
// variable, and whether it is a secret (which also reads NAME_FILE).
type setting struct {
	flag, env, def, usage string
	secret                bool
	str                   *string
	num                   *int
	dur                   *time.Duration
}

func (c *Config) settings() []setting {
	return []setting{
		{flag: "addr", env: "BCQB_ADDR", def: ":8080", usage: "address to listen on", str: &c.Addr},
		{flag: "data", env: "BCQB_DATA", def: "./data", usage: "data folder (database, certificates)", str: &c.Data},
		{flag: "base-url", env: "BCQB_BASE_URL", usage: "URL the Web Connector uses to reach bcqb (default http://localhost:<port>)", str: &c.BaseURL},
		{flag: "qbwc-user", env: "BCQB_QBWC_USER", usage: "Web Connector user to create or update at start", str: &c.QBWCUser},
		{flag: "qbwc-password", env: "BCQB_QBWC_PASSWORD", usage: "password of that user (prefer BCQB_QBWC_PASSWORD_FILE)", secret: true, str: &c.QBWCPassword},
		{flag: "admin-password", env: "BCQB_ADMIN_PASSWORD", usage: "the page's administrator password, set or changed at start (prefer BCQB_ADMIN_PASSWORD_FILE)", secret: true, str: &c.AdminPassword},
		{flag: "tls-cert", env: "BCQB_TLS_CERT", usage: "TLS certificate file (PEM); default: bcqb's own CA for an https base URL", str: &c.TLSCert},
		{flag: "tls-key", env: "BCQB_TLS_KEY", usage: "TLS private key file (PEM)", str: &c.TLSKey},
		{flag: "run-every", env: "BCQB_RUN_EVERY_MINUTES", def: "15", usage: "Web Connector schedule written into the .qwc file, in minutes", num: &c.RunEveryMinutes},
		{flag: "bigcommerce-api-url", env: "BCQB_BIGCOMMERCE_API_URL", usage: "BigCommerce API base URL (for the offline store)", str: &c.BigCommerceAPIURL},
		{flag: "bigcommerce-store-hash", env: "BCQB_BIGCOMMERCE_STORE_HASH", usage: "BigCommerce store hash to connect at start (the abc123 in stores/abc123)", str: &c.BigCommerceStoreHash},
		{flag: "bigcommerce-token", env: "BCQB_BIGCOMMERCE_TOKEN", usage: "that store's API account access token (prefer BCQB_BIGCOMMERCE_TOKEN_FILE)", secret: true, str: &c.BigCommerceToken},
		{flag: "bigcommerce-backfill-from", env: "BCQB_BIGCOMMERCE_BACKFILL_FROM", usage: "pull the store's orders changed since this date (YYYY-MM-DD); default: only changes from now on", str: &c.BigCommerceBackfillFrom},
		{flag: "secret-key", env: "BCQB_SECRET_KEY", usage: "key sealing tokens in the database, 64 hex digits or base64 of 32 bytes (default: <data>/secret.key, created once)", secret: true, str: &c.SecretKey},
		{flag: "pull-every", env: "BCQB_PULL_EVERY", def: "5m", usage: "how often each BigCommerce store is pulled", dur: &c.PullEvery},
		{flag: "log-level", env: "BCQB_LOG_LEVEL", def: "info", usage: "debug, info, warn or error", str: &c.LogLevel},
		{flag: "log-format", env: "BCQB_LOG_FORMAT", def: "text", usage: "text or json", str: &c.LogFormat},
		{flag: "setup", env: "BCQB_SETUP", usage: "setup file (JSON) of company files, their Web Connector users and BigCommerce stores", str: &c.SetupFile},
		{flag: "shutdown-timeout", env: "BCQB_SHUTDOWN_TIMEOUT", def: "15s", usage: "how long a graceful stop may take", dur: &c.ShutdownTimeout},
	}
}

// Parse reads the configuration of a command: defaults, then environment
// variables (getenv), then flags in args. It validates the result.
func Parse(name string, args []string, getenv func(string) string) (*Config, *flag.FlagSet, error) {
	return parse(name, args, getenv, nil)
}

func parse(name string, args []string, getenv func(string) string, extra func(*flag.FlagSet)) (*Config, *flag.FlagSet, error) {
	c := &Config{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(new(strings.Builder))
	var errs []error
	var secrets []secretDefault
	for _, s := range c.settings() {
		def := s.def
		if v, err := lookup(s, getenv); err != nil {
			errs = append(errs, err)
		} else if v != "" {
			def = v
		}
		usage := fmt.Sprintf("%s (env %s)", s.usage, s.env)
		if s.secret {
			usage = fmt.Sprintf("%s (env %s or %s_FILE)", s.usage, s.env, s.env)
		}
		switch {
		case s.str != nil && s.secret:
			// A secret is not the flag's default: -h prints defaults, and
			// would print the password read from the environment.
			fs.StringVar(s.str, s.flag, "", usage)
			secrets = append(secrets, secretDefault{s.flag, s.str, def})
		case s.str != nil:
			fs.StringVar(s.str, s.flag, def, usage)
		case s.num != nil:
			n, err := strconv.Atoi(orZero(def))
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a whole number", s.env, def))
			}
			fs.IntVar(s.num, s.flag, n, usage)
		case s.dur != nil:
			d, err := time.ParseDuration(orZero(def))
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a duration like 15s", s.env, def))
			}
			fs.DurationVar(s.dur, s.flag, d, usage)
		}
	}
	if extra != nil {
		extra(fs)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fs, err
	}
	if err := fs.Parse(args); err != nil {
		return nil, fs, err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, s := range secrets {
		if !given[s.flag] {
			*s.str = s.value
		}
	}
	if err := c.Validate(); err != nil {
		return nil, fs, err
	}
	return c, fs, nil
}

// secretDefault is a secret read from the environment, applied after the
// flags unless its flag was given.
type secretDefault struct {
	flag  string
	str   *string
	value string
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// lookup reads NAME, or for a secret NAME_FILE (the file's content, trailing
// newline trimmed), refusing both at once.
func lookup(s setting, getenv func(string) string) (string, error) {
	v := getenv(s.env)
	if !s.secret {
		return v, nil
	}
	file := getenv(s.env + "_FILE")
	if file == "" {
		return v, nil
	}
	if v != "" {
		return "", fmt.Errorf("%s and %s_FILE are both set; set one", s.env, s.env)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: %w", s.env, err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// Validate checks the configuration and fills in what derives from it.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	_, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		bad("BCQB_ADDR %q is not host:port (for example :8080): %v", c.Addr, err)
	}
	if c.Data == "" {
		bad("BCQB_DATA is empty")
	} else if abs, err := filepath.Abs(c.Data); err == nil {
		c.Data = abs
	}
	if c.BaseURL == "" && port != "" {
		c.BaseURL = "http://localhost:" + port
	}
	if c.BaseURL != "" {
		if err := checkBaseURL(c.BaseURL); err != nil {
			bad("BCQB_BASE_URL: %v", err)
		}
		c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("BCQB_TLS_CERT and BCQB_TLS_KEY go together: set both or neither")
	}
	if (c.QBWCUser == "") != (c.QBWCPassword == "") {
		bad("BCQB_QBWC_USER and BCQB_QBWC_PASSWORD go together: set both (or BCQB_QBWC_PASSWORD_FILE) or neither")
	}
	if c.QBWCPassword != "" && len(c.QBWCPassword) < 8 {
		bad("BCQB_QBWC_PASSWORD is shorter than 8 characters")
	}
	if len(c.QBWCPassword) > 72 {
		bad("BCQB_QBWC_PASSWORD is longer than 72 bytes, which bcrypt cannot hash")
	}
	// The same rules as store.CheckAdminPassword, repeated here so that a
	// mistake is told before the store is opened.
	if c.AdminPassword != "" && utf8.RuneCountInString(c.AdminPassword) < 10 {
		bad("BCQB_ADMIN_PASSWORD is shorter than 10 characters")
	}
	if len(c.AdminPassword) > 72 {
		bad("BCQB_ADMIN_PASSWORD is longer than 72 bytes, which bcrypt cannot hash")
	}
	if c.RunEveryMinutes < 0 {
		bad("BCQB_RUN_EVERY_MINUTES must not be negative")
	}
	if c.BigCommerceAPIURL != "" {
		if u, err := url.Parse(c.BigCommerceAPIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("BCQB_BIGCOMMERCE_API_URL %q is not an http(s) URL", c.BigCommerceAPIURL)
		}
	}
	if (c.BigCommerceStoreHash == "") != (c.BigCommerceToken == "") {
		bad("BCQB_BIGCOMMERCE_STORE_HASH and BCQB_BIGCOMMERCE_TOKEN go together: set both (or BCQB_BIGCOMMERCE_TOKEN_FILE) or neither")
	}
	if h := c.BigCommerceStoreHash; h != "" && strings.Trim(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		bad("BCQB_BIGCOMMERCE_STORE_HASH %q is not a store hash: take the letters and digits after /stores/ in the API path", h)
	}
	c.BackfillFrom = time.Time{}
	if c.BigCommerceBackfillFrom != "" {
		if t, err := time.Parse(time.DateOnly, c.BigCommerceBackfillFrom); err != nil {
			bad("BCQB_BIGCOMMERCE_BACKFILL_FROM %q is not a date like 2025-01-31", c.BigCommerceBackfillFrom)
		} else {
			c.BackfillFrom = t
		}
	}
	if c.PullEvery == 0 { // a Config built in code, not parsed
		c.PullEvery = 5 * time.Minute
	}
	if c.PullEvery < 30*time.Second {
		bad("BCQB_PULL_EVERY %s is under 30s: the store's API quota is shared with its other apps", c.PullEvery)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("BCQB_LOG_LEVEL %q is not debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		bad("BCQB_LOG_FORMAT %q is not text or json", c.LogFormat)
	}
	c.Setup = nil
	if c.SetupFile != "" {
		s, err := LoadSetup(c.SetupFile)
		if err != nil {
			errs = append(errs, err)
		}
		c.Setup = s
		for _, co := range c.setupCompanies() {
			if strings.EqualFold(co.QBWCUser, c.QBWCUser) {
				bad("BCQB_QBWC_USER %q is also in BCQB_SETUP: describe it in one place", c.QBWCUser)
			}
		}
	}
	return errors.Join(errs...)
}

// checkBaseURL applies the Web Connector's rules to the base URL: https, or
// http on localhost, and a host name rather than an IP address.
func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	if u.Host == "" {
		return fmt.Errorf("%q has no host; write it like https://bcqb.example.lan:8443", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must not have a query or fragment", raw)
	}
	host := u.Hostname()
	if net.ParseIP(host) != nil {
		return fmt.Errorf("%q uses an IP address; the Web Connector refuses those even on a LAN (QBWC1001). "+
			"Use the machine's name (for example https://%s) or add a DNS/hosts entry", raw, suggestName())
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !strings.EqualFold(host, "localhost") {
			return fmt.Errorf("%q is plain http; the Web Connector allows http only on localhost (QBWC1010). Use https://%s%s; "+
				"bcqb issues its own certificate", raw, u.Host, u.Path)
		}
	default:
		return fmt.Errorf("%q must start with https:// (or http://localhost)", raw)
	}
	return nil
}

func suggestName() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return strings.ToLower(h)
	}
	return "bcqb.local"
}

func (c *Config) setupCompanies() []SetupCompany {
	if c.Setup == nil {
		return nil
	}
	return c.Setup.Companies
}

// TLS reports whether the base URL asks for HTTPS.
func (c *Config) TLS() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Host is the base URL's host name (for the certificate's names).
func (c *Config) Host() string {
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// DBPath is the SQLite database file in the data folder.
func (c *Config) DBPath() string { return filepath.Join(c.Data, "bcqb.db") }

// ParseWith is Parse with extra, command-specific flags declared by extra.
func ParseWith(name string, args []string, getenv func(string) string, extra func(*flag.FlagSet)) (*Config, *flag.FlagSet, error) {
	return parse(name, args, getenv, extra)
}
