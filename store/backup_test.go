package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/bcqb/bcqb/store"
)

func TestBackup(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := db.PutUser(ctx, "qb", "secret"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSetting(ctx, "note", "before the backup"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := db.Backup(ctx, path); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	// Written after the backup: not in the copy.
	if err := db.SetSetting(ctx, "note", "after the backup"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil {
		t.Fatal(err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600: it holds the page's sessions and sealed tokens", fi.Mode().Perm())
	}

	copyDB, err := store.Open(ctx, path)
	if err != nil {
		t.Fatalf("open the copy: %v", err)
	}
	defer copyDB.Close()
	if _, err := copyDB.Authenticate(ctx, "qb", "secret"); err != nil {
		t.Errorf("the copy lost the Web Connector user: %v", err)
	}
	if v, err := copyDB.Setting(ctx, "note"); err != nil || v != "before the backup" {
		t.Errorf("the copy's setting = %q, %v; want the value at the backup", v, err)
	}

	t.Run("refuses to overwrite", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(filepath.Dir(path), "other.db"), []byte("keep me"), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{path, filepath.Join(filepath.Dir(path), "other.db"), db.Path()} {
			err := db.Backup(ctx, p)
			if !errors.Is(err, store.ErrExists) {
				t.Errorf("Backup(%s) = %v, want ErrExists", p, err)
			}
		}
		if b, _ := os.ReadFile(filepath.Join(filepath.Dir(path), "other.db")); string(b) != "keep me" {
			t.Errorf("the existing file was changed: %q", b)
		}
		if _, err := copyDB.Authenticate(ctx, "qb", "secret"); err != nil {
			t.Errorf("the first copy was damaged: %v", err)
		}
	})
	t.Run("a missing folder is an error, not a half file", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "no", "such", "copy.db")
		if err := db.Backup(ctx, p); err == nil {
			t.Error("Backup into a missing folder succeeded")
		}
	})
}
