package web

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"

	"github.com/gorilla/mux"
)

// CareDeps are what the care pages (alerts, the inventory audit, backups,
// interactive mode) are built from besides the store.
type CareDeps struct {
	// Backup writes a consistent copy of the database into BackupDir and
	// returns its path; nil hides the button.
	Backup func(ctx context.Context) (string, error)
	// BackupDir is the folder backups are listed and downloaded from.
	BackupDir string
}

// backupFile is the name every backup bcqb writes has; only such files
// are listed and downloaded, so a crafted name never reaches the disk.
var backupFile = regexp.MustCompile(`^bcqb-[0-9]{8}-[0-9]{6}\.db$`)

func (s *server) careRoutes(r *mux.Router) {
	r.HandleFunc("/care", s.requireLogin(s.carePage)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/care/backup", s.requireLogin(s.backupNow)).Methods(http.MethodPost)
	r.HandleFunc("/care/backups/{name}", s.requireLogin(s.backupDownload)).Methods(http.MethodGet, http.MethodHead)
}

type carePage struct {
	pageData
	// Notice and Error are the flash of the last action.
	Notice, Error string
	// NewBackup is the backup just written, offered for download.
	NewBackup string
	CanBackup bool
	Backups   []backupRow
}

type backupRow struct {
	Name  string
	Size  string
	Taken time.Time
}

// flash reads the words an action left for the page it redirected to.
var careFlash = map[string]string{
	"backup": "The backup is written.",
}

func (s *server) carePage(w http.ResponseWriter, r *http.Request) {
	d := carePage{pageData: s.pageData(r, "Alerts & backup"), CanBackup: s.Care.Backup != nil}
	q := r.URL.Query()
	d.Notice = careFlash[q.Get("done")]
	if name := q.Get("file"); backupFile.MatchString(name) {
		d.NewBackup = name
	}
	var err error
	if d.Backups, err = s.backups(); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "care.html", d)
}

// backups lists the backups in the folder, newest first.
func (s *server) backups() ([]backupRow, error) {
	if s.Care.BackupDir == "" {
		return nil, nil
	}
	entries, err := os.ReadDir(s.Care.BackupDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("web: list backups: %w", err)
	}
	var out []backupRow
	for _, e := range entries {
		if !e.Type().IsRegular() || !backupFile.MatchString(e.Name()) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		out = append(out, backupRow{Name: e.Name(), Size: byteSize(fi.Size()), Taken: fi.ModTime()})
	}
	// The names hold the UTC time they were taken at.
	sort.Slice(out, func(i, j int) bool { return out[i].Name > out[j].Name })
	return out, nil
}

// byteSize says a file's size the way a file manager does.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func (s *server) backupNow(w http.ResponseWriter, r *http.Request) {
	if s.Care.Backup == nil {
		s.fail(w, r, &httpError{status: http.StatusNotFound, msg: "This bcqb does not write backups from the page; run bcqb backup on its machine."})
		return
	}
	path, err := s.Care.Backup(r.Context())
	if err != nil {
		s.Log.ErrorContext(r.Context(), "backup failed", "err", err)
		s.fail(w, r, &httpError{status: http.StatusInternalServerError, msg: "bcqb could not write the backup: " + err.Error()})
		return
	}
	s.Log.InfoContext(r.Context(), "backup written from the page", "path", path)
	http.Redirect(w, r, "/care?"+url.Values{"done": {"backup"}, "file": {filepath.Base(path)}}.Encode()+"#backup", http.StatusSeeOther)
}

func (s *server) backupDownload(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["name"]
	if s.Care.BackupDir == "" || !backupFile.MatchString(name) {
		s.fail(w, r, &httpError{status: http.StatusNotFound, msg: "There is no backup named " + name + "."})
		return
	}
	f, err := os.Open(filepath.Join(s.Care.BackupDir, name))
	if errors.Is(err, fs.ErrNotExist) {
		s.fail(w, r, &httpError{status: http.StatusNotFound, msg: "There is no backup named " + name + " (it was deleted from " + s.Care.BackupDir + "?)."})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.sqlite3")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.Header().Set("Cache-Control", "no-store")
	http.ServeContent(w, r, name, fi.ModTime(), f)
}
