package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/bcqb/bcqb/store"
)

// backupUsage is the line for the command list.
const backupUsage = "  bcqb backup       write a consistent copy of the database, also while bcqb runs (bcqb backup -o FILE)\n"

// BackupFolder is the folder under the data folder that backups go to by default.
const BackupFolder = "backups"

// backupName names a backup by the UTC time it was taken, so that names sort by age.
func backupName(t time.Time) string {
	return "bcqb-" + t.UTC().Format("20060102-150405") + ".db"
}

// writeBackup writes a copy of the database into dir (created 0700) under
// the name of the time it is taken, and returns its path.
func writeBackup(ctx context.Context, db *store.DB, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("backup folder: %w", err)
	}
	path := filepath.Join(dir, backupName(db.Now()))
	err := db.Backup(ctx, path)
	if errors.Is(err, store.ErrExists) {
		return "", fmt.Errorf("a backup named %s was taken this very second; wait a second and try again", filepath.Base(path))
	}
	if err != nil {
		return "", err
	}
	return path, nil
}

// runBackup is `bcqb backup`: an online copy of the database, safe while
// bcqb serve runs on the same data folder (SQLite's WAL lets it read a
// snapshot beside the running writer).
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var out string
	var flags *flag.FlagSet
	cfg, err := parseConfig("backup", args, getenv, stdout, func(fs *flag.FlagSet) {
		flags = fs
		fs.StringVar(&out, "o", "", "file to write the copy to; it must not exist (default: <data>/backups/bcqb-YYYYMMDD-HHMMSS.db)")
	})
	if err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("backup: unexpected argument %q (the file goes after -o)", flags.Arg(0))
	}
	if _, err := os.Stat(cfg.DBPath()); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup: there is no database at %s: give the data folder with --data or BCQB_DATA", cfg.DBPath())
	}
	db, err := store.Open(ctx, cfg.DBPath())
	if err != nil {
		return err
	}
	defer db.Close()
	path := out
	if path == "" {
		path, err = writeBackup(ctx, db, filepath.Join(cfg.Data, BackupFolder))
	} else {
		err = db.Backup(ctx, path)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "Wrote %s (%d bytes), a copy of %s.\n", path, fi.Size(), cfg.DBPath())
	fmt.Fprintf(stdout, "The BigCommerce tokens in it are sealed with the secret key (%s or BCQB_SECRET_KEY): keep a copy of the key apart from the backup.\n",
		filepath.Join(cfg.Data, store.KeyFile))
	return nil
}

// backupDir is where the page's backups go.
func (s *Server) backupDir() string { return filepath.Join(s.cfg.Data, BackupFolder) }
