package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAdminPassword(t *testing.T) {
	file := filepath.Join(t.TempDir(), "admin")
	if err := os.WriteFile(file, []byte("from a file, long enough\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string // the password read, or the error's words
		ok   bool
	}{
		{"unset", nil, nil, "", true},
		{"env", map[string]string{"BCQB_ADMIN_PASSWORD": "ten chars!"}, nil, "ten chars!", true},
		{"file", map[string]string{"BCQB_ADMIN_PASSWORD_FILE": file}, nil, "from a file, long enough", true},
		{"flag beats env", map[string]string{"BCQB_ADMIN_PASSWORD": "ten chars!"}, []string{"-admin-password", "the flag's password"}, "the flag's password", true},
		{"short", map[string]string{"BCQB_ADMIN_PASSWORD": "123456789"}, nil, "shorter than 10 characters", false},
		{"too long", map[string]string{"BCQB_ADMIN_PASSWORD": strings.Repeat("x", 73)}, nil, "longer than 72 bytes", false},
		{"both", map[string]string{"BCQB_ADMIN_PASSWORD": "ten chars!", "BCQB_ADMIN_PASSWORD_FILE": file}, nil, "both set", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := Parse("serve", tc.args, env(tc.env))
			if !tc.ok {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("err = %v; want it to mention %q", err, tc.want)
				}
				if err != nil && strings.Contains(err.Error(), tc.env["BCQB_ADMIN_PASSWORD"]) {
					t.Errorf("the error shows the password: %v", err)
				}
				return
			}
			if err != nil || c.AdminPassword != tc.want {
				t.Errorf("AdminPassword = %q, %v; want %q", c.AdminPassword, err, tc.want)
			}
		})
	}
}

// TestHelpHidesSecrets: -h prints every flag's default, and a secret read
// from the environment must not be one.
func TestHelpHidesSecrets(t *testing.T) {
	_, fs, err := Parse("serve", []string{"-h"}, env(map[string]string{"BCQB_ADMIN_PASSWORD": "admin secret 1",
		"BCQB_QBWC_USER": "qb", "BCQB_QBWC_PASSWORD": "qbwc secret 2", "BCQB_BIGCOMMERCE_STORE_HASH": "abc",
		"BCQB_BIGCOMMERCE_TOKEN": "bc token 3"}))
	if err == nil {
		t.Fatal("-h did not stop the parse")
	}
	var b strings.Builder
	fs.SetOutput(&b)
	fs.PrintDefaults()
	for _, secret := range []string{"admin secret 1", "qbwc secret 2", "bc token 3"} {
		if strings.Contains(b.String(), secret) {
			t.Errorf("-h shows %q:\n%s", secret, b.String())
		}
	}
	if !strings.Contains(b.String(), "BCQB_ADMIN_PASSWORD_FILE") {
		t.Errorf("-h does not name BCQB_ADMIN_PASSWORD_FILE:\n%s", b.String())
	}
}
