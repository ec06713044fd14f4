package web

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/bcqb/bcqb/alert"
	"github.com/bcqb/bcqb/store"
)

// Care is what the care pages read and write in the store.
type Care interface {
	AlertSettings(ctx context.Context, sealer *store.Sealer) (store.AlertSettings, error)
	SetAlertSettings(ctx context.Context, sealer *store.Sealer, s store.AlertSettings) error
	RecentAlerts(ctx context.Context, limit int) ([]store.AlertRecord, error)
	InteractiveUsers(ctx context.Context) (map[int64]bool, error)
	SetUserInteractive(ctx context.Context, userID int64, on bool) error
	OpenInteractiveVisit(ctx context.Context, token string) (store.InteractiveVisit, error)
	InteractiveVisit(ctx context.Context, id int64) (store.InteractiveVisit, error)
	FinishInteractiveVisit(ctx context.Context, id int64) error
}

// CareDeps are what the care pages (alerts, the inventory audit, backups,
// interactive mode) are built from besides the store.
type CareDeps struct {
	// Backup writes a consistent copy of the database into BackupDir and
	// returns its path; nil hides the button.
	Backup func(ctx context.Context) (string, error)
	// BackupDir is the folder backups are listed and downloaded from.
	BackupDir string
	// Sealer seals the SMTP password and the webhook URL; nil leaves the
	// alert settings read-only.
	Sealer *store.Sealer
	// TestAlert sends a test message on every channel set up and returns
	// what became of each (recorded with the alerts).
	TestAlert func(ctx context.Context) ([]store.AlertRecord, error)
	// Inventory builds the inventory audit.
	Inventory func(ctx context.Context) ([]InventoryStore, error)
	// ReadInventory queues a reading of QuickBooks' quantities for the next
	// update, returning how many company files will be read.
	ReadInventory func(ctx context.Context) (int, error)
	// MappingNeeds lists what of a company waits for a mapping, for the
	// page the Web Connector opens in interactive mode.
	MappingNeeds func(ctx context.Context, companyID int64) ([]MappingNeed, error)
}

// backupFile is the name every backup bcqb writes has; only such files
// are listed and downloaded, so a crafted name never reaches the disk.
var backupFile = regexp.MustCompile(`^bcqb-[0-9]{8}-[0-9]{6}\.db$`)

func (s *server) careRoutes(r *mux.Router) {
	r.HandleFunc("/care", s.requireLogin(s.carePage)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/care/alerts", s.requireLogin(s.saveAlerts)).Methods(http.MethodPost)
	r.HandleFunc("/care/alerts/test", s.requireLogin(s.testAlert)).Methods(http.MethodPost)
	r.HandleFunc("/care/backup", s.requireLogin(s.backupNow)).Methods(http.MethodPost)
	r.HandleFunc("/care/backups/{name}", s.requireLogin(s.backupDownload)).Methods(http.MethodGet, http.MethodHead)
	s.inventoryRoutes(r)
	s.interactiveRoutes(r)
}

type carePage struct {
	pageData
	// Notice and Error are the flash of the last action.
	Notice, Error string
	Alerts        alertForm
	// Tested is what became of the test alert just sent.
	Tested []store.AlertRecord
	Recent []store.AlertRecord
	// Users are the Web Connector users, with their interactive mode.
	Users []interactiveUser
	// NewBackup is the backup just written, offered for download.
	NewBackup string
	CanBackup bool
	Backups   []backupRow
}

// alertForm is the alert settings as the form shows them: no password, and
// the webhook URL masked.
type alertForm struct {
	Host, Port, User, From, To string
	HasPassword                bool
	Webhook                    string
	// Editable is false when bcqb has no secret key to seal them with.
	Editable bool
	// Problem names the field the error is about, for aria-invalid.
	Problem string
}

func formOf(a store.AlertSettings) alertForm {
	f := alertForm{Host: a.SMTPHost, Port: strconv.Itoa(a.SMTPPort), User: a.SMTPUser, From: a.From,
		To: strings.Join(a.To, ", "), HasPassword: a.SMTPPassword != ""}
	if a.WebhookURL != "" {
		f.Webhook = alert.MaskURL(a.WebhookURL)
	}
	return f
}

type interactiveUser struct {
	ID          int64
	Name        string
	Interactive bool
}

// recentAlerts is how many sent alerts the page lists.
const recentAlerts = 10

type backupRow struct {
	Name  string
	Size  string
	Taken time.Time
}

// flash reads the words an action left for the page it redirected to.
var careFlash = map[string]string{
	"backup":      "The backup is written.",
	"alerts":      "The alert settings are saved.",
	"interactive": "Interactive mode is changed; the Web Connector's next update follows it.",
}

func (s *server) carePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.renderCare(w, r, http.StatusOK, func(d *carePage) {
		d.Notice = careFlash[q.Get("done")]
		if name := q.Get("file"); backupFile.MatchString(name) {
			d.NewBackup = name
		}
		tested := map[string]bool{}
		for _, id := range strings.Split(q.Get("tested"), ",") {
			tested[id] = true
		}
		for _, a := range d.Recent {
			if tested[strconv.FormatInt(a.ID, 10)] {
				d.Tested = append(d.Tested, a)
			}
		}
	})
}

// renderCare renders /care with what is stored, then what change says (the
// flash of an action, or a refused form with its values).
func (s *server) renderCare(w http.ResponseWriter, r *http.Request, status int, change func(*carePage)) {
	ctx := r.Context()
	d := carePage{pageData: s.pageData(r, "Alerts & backup"), CanBackup: s.Care.Backup != nil}
	settings, err := s.Store.AlertSettings(ctx, s.Care.Sealer)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Alerts = formOf(settings)
	d.Alerts.Editable = s.Care.Sealer != nil
	if d.Recent, err = s.Store.RecentAlerts(ctx, recentAlerts); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Backups, err = s.backups(); err != nil {
		s.fail(w, r, err)
		return
	}
	users, err := s.Store.Users(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	on, err := s.Store.InteractiveUsers(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, u := range users {
		d.Users = append(d.Users, interactiveUser{ID: u.ID, Name: u.Username, Interactive: on[u.ID]})
	}
	if change != nil {
		change(&d)
	}
	s.render(w, r, status, "care.html", d)
}

// Bounds of the alert form's fields.
const (
	maxHost    = 253
	maxField   = 320
	maxTo      = 2000
	maxWebhook = 2048
)

// saveAlerts validates the whole form before anything is stored. An empty
// password or webhook field keeps the stored one (never sent back to the
// browser); its "remove" box clears it.
func (s *server) saveAlerts(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if s.Care.Sealer == nil {
		s.fail(w, r, &httpError{status: http.StatusServiceUnavailable, msg: "bcqb has no secret key to keep the alert settings with."})
		return
	}
	cur, err := s.Store.AlertSettings(ctx, s.Care.Sealer)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	field := func(name string) string { return strings.TrimSpace(f.Get(name)) }
	form := alertForm{Host: field("smtp_host"), Port: field("smtp_port"), User: field("smtp_user"), From: field("mail_from"),
		To: field("mail_to"), HasPassword: cur.SMTPPassword != "", Editable: true}
	if cur.WebhookURL != "" {
		form.Webhook = alert.MaskURL(cur.WebhookURL)
	}
	refuse := func(problem, msg string) {
		form.Problem = problem
		s.renderCare(w, r, http.StatusBadRequest, func(d *carePage) { d.Alerts, d.Error = form, msg })
	}
	next := store.AlertSettings{SMTPHost: form.Host, SMTPUser: form.User, From: form.From,
		SMTPPassword: cur.SMTPPassword, WebhookURL: cur.WebhookURL}
	switch pw := f.Get("smtp_password"); {
	case len(pw) > maxField:
		refuse("smtp_password", fmt.Sprintf("The password is longer than %d characters.", maxField))
		return
	case pw != "":
		next.SMTPPassword = pw
	case f.Get("smtp_password_clear") != "":
		next.SMTPPassword = ""
	}
	switch hook := field("webhook_url"); {
	case len(hook) > maxWebhook:
		refuse("webhook_url", fmt.Sprintf("The webhook URL is longer than %d characters.", maxWebhook))
		return
	case hook != "":
		if err := alert.CheckWebhookURL(hook); err != nil {
			refuse("webhook_url", upper(err.Error())+".")
			return
		}
		next.WebhookURL = hook
	case f.Get("webhook_clear") != "":
		next.WebhookURL = ""
	}
	if len(form.Host) > maxHost || len(form.User) > maxField || len(form.From) > maxField || len(form.To) > maxTo {
		refuse("smtp_host", "A field is too long: the server at most 253 characters, the user and sender 320, the recipients 2000.")
		return
	}
	next.SMTPPort = store.DefaultSMTPPort
	if form.Port != "" {
		p, err := strconv.Atoi(form.Port)
		if err != nil {
			refuse("smtp_port", "The port must be a number (587 for STARTTLS, 465 for TLS).")
			return
		}
		next.SMTPPort = p
	}
	if next.To, err = recipients(form.To); err != nil {
		refuse("mail_to", "The recipients must be e-mail addresses separated by commas, such as books@example.com, owner@example.com.")
		return
	}
	if next.SMTPHost == "" {
		if next.From != "" || len(next.To) > 0 || next.SMTPUser != "" {
			refuse("smtp_host", "Give the SMTP server that sends the e-mail (smtp.example.com), or empty the e-mail fields to send none.")
			return
		}
	} else {
		c := alert.SMTP{Host: next.SMTPHost, Port: next.SMTPPort, User: next.SMTPUser, From: next.From, To: next.To}
		if err := c.Check(); err != nil {
			refuse(problemField(err.Error()), upper(err.Error())+".")
			return
		}
	}
	if err := s.Store.SetAlertSettings(ctx, s.Care.Sealer, next); err != nil {
		s.fail(w, r, err)
		return
	}
	s.Log.InfoContext(ctx, "alert settings saved", "mail", next.Mail(), "webhook", next.WebhookURL != "")
	http.Redirect(w, r, "/care?done=alerts#alerts", http.StatusSeeOther)
}

// recipients reads the recipients field: addresses separated by commas,
// semicolons or line breaks ("Books <books@example.com>" too).
func recipients(s string) ([]string, error) {
	s = strings.NewReplacer(";", ",", "\r\n", ",", "\n", ",").Replace(s)
	if strings.Trim(s, ", ") == "" {
		return nil, nil
	}
	var parts []string
	for _, p := range strings.Split(s, ",") {
		if strings.TrimSpace(p) != "" {
			parts = append(parts, p)
		}
	}
	list, err := mail.ParseAddressList(strings.Join(parts, ","))
	if err != nil {
		return nil, err
	}
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Address
		if a.Name != "" {
			out[i] = a.String()
		}
	}
	return out, nil
}

// problemField guesses the field a check's words are about.
func problemField(msg string) string {
	switch {
	case strings.Contains(msg, "port"):
		return "smtp_port"
	case strings.Contains(msg, "sender"):
		return "mail_from"
	case strings.Contains(msg, "recipient"):
		return "mail_to"
	}
	return "smtp_host"
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (s *server) testAlert(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	settings, err := s.Store.AlertSettings(ctx, s.Care.Sealer)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if s.Care.TestAlert == nil || !settings.Mail() && settings.WebhookURL == "" {
		s.renderCare(w, r, http.StatusBadRequest, func(d *carePage) {
			d.Error = "No alert is set up yet: fill in the e-mail settings or a webhook URL, save them, then send the test."
		})
		return
	}
	recs, err := s.Care.TestAlert(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ids := make([]string, len(recs))
	for i, rec := range recs {
		ids[i] = strconv.FormatInt(rec.ID, 10)
	}
	http.Redirect(w, r, "/care?"+url.Values{"tested": {strings.Join(ids, ",")}}.Encode()+"#alerts", http.StatusSeeOther)
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
