package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBigCommerceSettings(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("tok-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err := Parse("serve", nil, env(map[string]string{
		"BCQB_BIGCOMMERCE_STORE_HASH": "abc123", "BCQB_BIGCOMMERCE_TOKEN_FILE": tokenFile,
		"BCQB_BIGCOMMERCE_BACKFILL_FROM": "2025-02-01", "BCQB_SECRET_KEY": strings.Repeat("ab", 32),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.BigCommerceStoreHash != "abc123" || c.BigCommerceToken != "tok-from-file" ||
		!c.BackfillFrom.Equal(time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)) || c.SecretKey == "" || c.PullEvery != 5*time.Minute {
		t.Errorf("parsed %+v", c)
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"hash without token", map[string]string{"BCQB_BIGCOMMERCE_STORE_HASH": "abc123"}, "go together"},
		{"token without hash", map[string]string{"BCQB_BIGCOMMERCE_TOKEN": "t"}, "go together"},
		{"store URL instead of hash", map[string]string{"BCQB_BIGCOMMERCE_STORE_HASH": "stores/abc123", "BCQB_BIGCOMMERCE_TOKEN": "t"}, "not a store hash"},
		{"bad date", map[string]string{"BCQB_BIGCOMMERCE_BACKFILL_FROM": "01/02/2025"}, "not a date"},
		{"pull too often", map[string]string{"BCQB_PULL_EVERY": "5s"}, "under 30s"},
		{"pull every not a duration", map[string]string{"BCQB_PULL_EVERY": "often"}, "not a duration"},
		{"key and key file", map[string]string{"BCQB_SECRET_KEY": "x", "BCQB_SECRET_KEY_FILE": tokenFile}, "both set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse("serve", nil, env(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to say %q", err, tc.want)
			}
		})
	}
}
