package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bcqb/bcqb/store"
)

// TestBackupCommandWhileServing runs `bcqb backup` beside a running bcqb
// on the same data folder and opens the copy.
func TestBackupCommandWhileServing(t *testing.T) {
	dir := t.TempDir()
	startServer(t, dir)
	getenv := func(k string) string { return map[string]string{"BCQB_DATA": dir}[k] }
	ctx := context.Background()

	var out bytes.Buffer
	if err := Run(ctx, []string{"backup"}, getenv, nil, &out, &bytes.Buffer{}); err != nil {
		t.Fatalf("bcqb backup: %v", err)
	}
	m := regexp.MustCompile(`Wrote (\S+/backups/bcqb-[0-9]{8}-[0-9]{6}\.db) \(`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("bcqb backup printed %q", out.String())
	}
	copyDB, err := store.Open(ctx, m[1])
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if _, err := copyDB.Authenticate(ctx, testUser, testPassword); err != nil {
		t.Errorf("the copy has no Web Connector user: %v", err)
	}

	other := filepath.Join(t.TempDir(), "mine.db")
	if err := Run(ctx, []string{"backup", "-o", other}, getenv, nil, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatalf("bcqb backup -o: %v", err)
	}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"over an existing file", []string{"backup", "-o", other}, map[string]string{"BCQB_DATA": dir}, "already exists"},
		{"no database", []string{"backup"}, map[string]string{"BCQB_DATA": t.TempDir()}, "no database"},
		{"an argument", []string{"backup", "extra"}, map[string]string{"BCQB_DATA": dir}, "extra"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := os.Stat(other)
			err := Run(ctx, tc.args, func(k string) string { return tc.env[k] }, nil, &bytes.Buffer{}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Run(%q) = %v, want an error about %q", tc.args, err, tc.want)
			}
			if after, _ := os.Stat(other); after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
				t.Error("the existing file was touched")
			}
		})
	}
}
