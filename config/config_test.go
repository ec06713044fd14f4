package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, _, err := Parse("serve", nil, env(nil))
	if err != nil {
		t.Fatalf("bcqb serve with nothing set must start: %v", err)
	}
	if c.Addr != ":8080" || c.BaseURL != "http://localhost:8080" || !filepath.IsAbs(c.Data) ||
		filepath.Base(c.Data) != "data" || c.TLS() || c.RunEveryMinutes != 15 || c.ShutdownTimeout != 15*time.Second {
		t.Errorf("defaults = %+v", c)
	}
}

func TestPrecedence(t *testing.T) {
	c, _, err := Parse("serve", []string{"-addr", ":9000"}, env(map[string]string{"BCQB_ADDR": ":7000", "BCQB_DATA": "/tmp/x"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9000" || c.Data != "/tmp/x" || c.BaseURL != "http://localhost:9000" {
		t.Errorf("flags must beat env, env must beat defaults: %+v", c)
	}
}

func TestSecretFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pw")
	if err := os.WriteFile(file, []byte("s3cret-password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err := Parse("serve", nil, env(map[string]string{"BCQB_QBWC_USER": "qb", "BCQB_QBWC_PASSWORD_FILE": file}))
	if err != nil {
		t.Fatal(err)
	}
	if c.QBWCPassword != "s3cret-password" {
		t.Errorf("password from file = %q", c.QBWCPassword)
	}
	_, _, err = Parse("serve", nil, env(map[string]string{"BCQB_QBWC_USER": "qb", "BCQB_QBWC_PASSWORD": "x",
		"BCQB_QBWC_PASSWORD_FILE": file}))
	if err == nil || !strings.Contains(err.Error(), "both set") {
		t.Errorf("both set: err = %v", err)
	}
	_, _, err = Parse("serve", nil, env(map[string]string{"BCQB_QBWC_USER": "qb", "BCQB_QBWC_PASSWORD_FILE": filepath.Join(dir, "missing")}))
	if err == nil || !strings.Contains(err.Error(), "BCQB_QBWC_PASSWORD_FILE") {
		t.Errorf("missing file: err = %v", err)
	}
}

func TestValidation(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // "" = valid
	}{
		{"https host name", map[string]string{"BCQB_BASE_URL": "https://qb-box.local:8443"}, ""},
		{"http localhost", map[string]string{"BCQB_BASE_URL": "http://localhost:8080/"}, ""},
		{"IP address", map[string]string{"BCQB_BASE_URL": "https://192.168.1.20:8443"}, "IP address"},
		{"plain http on LAN", map[string]string{"BCQB_BASE_URL": "http://qb-box.local:8080"}, "plain http"},
		{"no scheme", map[string]string{"BCQB_BASE_URL": "qb-box.local"}, "no host"},
		{"bad addr", map[string]string{"BCQB_ADDR": "8080"}, "BCQB_ADDR"},
		{"cert without key", map[string]string{"BCQB_TLS_CERT": "/x.pem"}, "go together"},
		{"user without password", map[string]string{"BCQB_QBWC_USER": "qb"}, "go together"},
		{"short password", map[string]string{"BCQB_QBWC_USER": "qb", "BCQB_QBWC_PASSWORD": "short"}, "shorter than 8"},
		{"bad level", map[string]string{"BCQB_LOG_LEVEL": "loud"}, "BCQB_LOG_LEVEL"},
		{"bad number", map[string]string{"BCQB_RUN_EVERY_MINUTES": "often"}, "whole number"},
		{"bad bigcommerce url", map[string]string{"BCQB_BIGCOMMERCE_API_URL": "api.bigcommerce.com"}, "BCQB_BIGCOMMERCE_API_URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse("serve", nil, env(tc.env))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}
