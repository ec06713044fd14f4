package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadSetup(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("acme.pw", "a long password\n")
	write("abc.token", "tok-abc\n")
	good := write("good.json", `{"companies": [
		{"qbwc_user": "acme", "qbwc_password_file": "acme.pw",
		 "stores": [{"store_hash": "abc123", "token_file": "abc.token", "backfill_from": "2025-01-31", "settings": {"mode": "invoice"}},
		            {"store_hash": "def456", "token": "tok-def"}]},
		{"qbwc_user": "beta", "qbwc_password": "another password", "stores": []}]}`)
	s, err := LoadSetup(good)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Companies) != 2 || s.Companies[0].QBWCPassword != "a long password" || s.Companies[0].Stores[0].Token != "tok-abc" ||
		s.Companies[0].Stores[0].BackfillDate.Format("2006-01-02") != "2025-01-31" || string(s.Companies[0].Stores[0].Settings) != `{"mode": "invoice"}` {
		t.Errorf("setup = %+v", s)
	}

	tests := []struct{ name, body, want string }{
		{"not json", `companies:`, "is not a setup file"},
		{"unknown field", `{"companies": [], "extra": 1}`, "unknown field"},
		{"empty", `{"companies": []}`, "no companies"},
		{"no user", `{"companies": [{"qbwc_password": "a long password"}]}`, "has no qbwc_user"},
		{"twice", `{"companies": [{"qbwc_user": "a", "qbwc_password": "a long password"}, {"qbwc_user": "A", "qbwc_password": "a long password"}]}`, "listed twice"},
		{"short password", `{"companies": [{"qbwc_user": "a", "qbwc_password": "short"}]}`, "shorter than 8"},
		{"both secrets", `{"companies": [{"qbwc_user": "a", "qbwc_password": "a long password", "qbwc_password_file": "acme.pw"}]}`, "not both"},
		{"missing file", `{"companies": [{"qbwc_user": "a", "qbwc_password_file": "nope.pw"}]}`, "nope.pw"},
		{"bad hash", `{"companies": [{"qbwc_user": "a", "qbwc_password": "a long password", "stores": [{"store_hash": "stores/abc", "token": "t"}]}]}`, "is not a store hash"},
		{"store twice", `{"companies": [{"qbwc_user": "a", "qbwc_password": "a long password", "stores": [{"store_hash": "abc", "token": "t"}]},
			{"qbwc_user": "b", "qbwc_password": "a long password", "stores": [{"store_hash": "abc", "token": "t"}]}]}`, "listed twice"},
		{"no token", `{"companies": [{"qbwc_user": "a", "qbwc_password": "a long password", "stores": [{"store_hash": "abc"}]}]}`, "has no token"},
		{"bad date", `{"companies": [{"qbwc_user": "a", "qbwc_password": "a long password", "stores": [{"store_hash": "abc", "token": "t", "backfill_from": "31/01/2025"}]}]}`, "not a date"},
		{"settings not object", `{"companies": [{"qbwc_user": "a", "qbwc_password": "a long password", "stores": [{"store_hash": "abc", "token": "t", "settings": [1]}]}]}`, "must be an object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadSetup(write(strings.ReplaceAll(tc.name, " ", "_")+".json", tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to say %q", err, tc.want)
			}
		})
	}
	t.Run("via BCQB_SETUP", func(t *testing.T) {
		env := map[string]string{"BCQB_SETUP": good, "BCQB_QBWC_USER": "acme", "BCQB_QBWC_PASSWORD": "whatever long"}
		if _, _, err := Parse("serve", nil, func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "in one place") {
			t.Errorf("a user both in the environment and the setup file: %v", err)
		}
		delete(env, "BCQB_QBWC_USER")
		delete(env, "BCQB_QBWC_PASSWORD")
		c, _, err := Parse("serve", nil, func(k string) string { return env[k] })
		if err != nil || c.Setup == nil || len(c.Setup.Companies) != 2 {
			t.Errorf("Parse with BCQB_SETUP: %v, %+v", err, c)
		}
	})
}
