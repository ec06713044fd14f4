package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/store"
	"github.com/bcqb/bcqb/web"
)

// backupDeps writes real backups of the test's store into a temporary folder.
func backupDeps(dir string) func(db *store.DB) web.CareDeps {
	return func(db *store.DB) web.CareDeps {
		return web.CareDeps{
			BackupDir: dir,
			Backup: func(ctx context.Context) (string, error) {
				path := filepath.Join(dir, "bcqb-"+time.Now().UTC().Format("20060102-150405")+".db")
				return path, db.Backup(ctx, path)
			},
		}
	}
}

var backupLink = regexp.MustCompile(`href="/care/backups/(bcqb-[0-9]{8}-[0-9]{6}\.db)"`)

func TestBackupFromThePage(t *testing.T) {
	dir := t.TempDir()
	ts := newServer(t, options{care: backupDeps(dir)}, "qb")
	b := ts.browser(t)

	t.Run("needs the login", func(t *testing.T) {
		for _, p := range []string{"/care", "/care/backups/bcqb-20250101-000000.db"} {
			if a := b.get(p); a.StatusCode != http.StatusSeeOther || !strings.HasPrefix(a.Header.Get("Location"), "/setup") {
				t.Errorf("GET %s before logging in = %d %s", p, a.StatusCode, a.Header.Get("Location"))
			}
		}
		if a := b.post("/care/backup", url.Values{}); a.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST /care/backup before logging in = %d", a.StatusCode)
		}
	})
	b.setup(adminPassword)
	page := b.get("/care")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.body, "No backup yet") {
		t.Fatalf("GET /care = %d\n%s", page.StatusCode, page.body)
	}
	if a := b.post("/care/backup", url.Values{"csrf": {"wrong"}}); a.StatusCode != http.StatusForbidden {
		t.Errorf("POST /care/backup with a wrong token = %d", a.StatusCode)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a refused form wrote %d files", len(entries))
	}

	a := b.post("/care/backup", url.Values{"csrf": {b.csrf(page)}})
	loc := a.Header.Get("Location")
	if a.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/care?") {
		t.Fatalf("POST /care/backup = %d %q %s", a.StatusCode, loc, a.body)
	}
	page = b.get(loc)
	m := backupLink.FindStringSubmatch(page.body)
	if m == nil || !strings.Contains(page.body, "The backup is written") {
		t.Fatalf("the page after the backup offers no download:\n%s", page.body)
	}
	dl := b.get("/care/backups/" + m[1])
	if dl.StatusCode != http.StatusOK || !strings.HasPrefix(dl.body, "SQLite format 3\x00") ||
		!strings.Contains(dl.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download = %d %q, %d bytes", dl.StatusCode, dl.Header.Get("Content-Disposition"), len(dl.body))
	}
	// The download is the database: the Web Connector user is in it.
	copyPath := filepath.Join(t.TempDir(), "downloaded.db")
	if err := os.WriteFile(copyPath, []byte(dl.body), 0o600); err != nil {
		t.Fatal(err)
	}
	copyDB, err := store.Open(context.Background(), copyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if _, err := copyDB.UserByName(context.Background(), "qb"); err != nil {
		t.Errorf("the downloaded copy has no Web Connector user: %v", err)
	}

	t.Run("only backups are served", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(dir, "secret.key"), []byte("key"), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/care/backups/secret.key", "/care/backups/bcqb-20990101-000000.db",
			"/care/backups/..%2Fbcqb.db", "/care/backups/bcqb-20250101-000000.db%00"} {
			if a := b.get(p); a.StatusCode == http.StatusOK || a.body == "key" {
				t.Errorf("GET %s = %d %q", p, a.StatusCode, a.body)
			}
		}
	})
}
