package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/store"
)

// bcqb's settings file: one store's posting settings, SKU mappings
// included, marked with a format name and version so that import can tell
// it from any other file.
const (
	settingsFormat      = "bcqb-settings"
	settingsFileVersion = 1
	// maxSettingsFile bounds an imported file (a catalogue of mappings).
	maxSettingsFile = 2 << 20
)

type settingsFile struct {
	Format     string          `json:"format"`
	Version    int             `json:"version"`
	ExportedAt time.Time       `json:"exported_at"`
	StoreHash  string          `json:"store_hash"`
	Settings   json.RawMessage `json:"settings"`
}

// mappingExport downloads the store's settings file.
func (s *server) mappingExport(w http.ResponseWriter, r *http.Request) {
	m := s.storeFor(w, r, "Posting settings")
	if m == nil {
		return
	}
	settings, err := json.MarshalIndent(m.settings, "  ", "  ")
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: settings of store %s: %w", m.st.StoreHash, err))
		return
	}
	now := s.Store.Now().UTC()
	body, err := json.MarshalIndent(settingsFile{Format: settingsFormat, Version: settingsFileVersion, ExportedAt: now.Truncate(time.Second),
		StoreHash: m.st.StoreHash, Settings: settings}, "", "  ")
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: settings file of store %s: %w", m.st.StoreHash, err))
		return
	}
	name := "bcqb-settings-" + safeFileName(m.st.StoreHash) + "-" + now.Format(time.DateOnly) + ".json"
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(append(body, '\n'))
}

// notOurs is the end of every message refusing a file.
const notOurs = ` Import takes the .json file that "Export settings" downloads. Nothing was changed.`

// readSettingsFile reads a settings file over the defaults, or says in
// words why data is not one.
func readSettingsFile(data []byte) (plan.Settings, string) {
	s := plan.DefaultSettings()
	data = bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(data) == 0 {
		return s, "The file is empty." + notOurs
	}
	if !json.Valid(data) {
		first, _, _ := bytes.Cut(data, []byte("\n"))
		if data[0] != '{' && data[0] != '[' && bytes.ContainsAny(first, ",;\t") {
			return s, "This looks like a CSV (spreadsheet) file, not a bcqb settings file." + notOurs
		}
		return s, "This file is not a bcqb settings file: it is not JSON." + notOurs
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return s, "This JSON file is not a bcqb settings file: it is not an object with \"format\": \"" + settingsFormat + "\"." + notOurs
	}
	var format string
	if err := json.Unmarshal(top["format"], &format); err != nil || format != settingsFormat {
		return s, "This JSON file is not a bcqb settings file: it has no \"format\": \"" + settingsFormat + "\"." + notOurs
	}
	var version int
	if err := json.Unmarshal(top["version"], &version); err != nil || version < 1 {
		return s, "This bcqb settings file has no valid format version." + notOurs
	}
	if version > settingsFileVersion {
		return s, fmt.Sprintf("This settings file was written by a newer bcqb (format version %d); this one reads version %d. Update bcqb, then import it. Nothing was changed.", version, settingsFileVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f settingsFile
	if err := dec.Decode(&f); err != nil {
		return s, "This bcqb settings file cannot be read: " + jsonProblem(err) + "." + notOurs
	}
	if len(f.Settings) == 0 || string(f.Settings) == "null" {
		return s, "This bcqb settings file holds no settings." + notOurs
	}
	dec = json.NewDecoder(bytes.NewReader(f.Settings))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, "The file's settings cannot be read: " + jsonProblem(err) + "." + notOurs
	}
	return s, ""
}

// jsonProblem says a decoding error in words.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%q should be %s, not a JSON %s", te.Field, jsonType(te.Type.Kind().String()), te.Value)
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return "it has the setting " + f + ", which this bcqb does not know"
	}
	return strings.TrimPrefix(msg, "json: ")
}

func jsonType(kind string) string {
	switch {
	case kind == "string":
		return "text"
	case kind == "bool":
		return "true or false"
	case strings.HasPrefix(kind, "int") || strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "map" || kind == "struct":
		return "an object"
	}
	return kind
}

// mappingImport applies a settings file: all of it after every value is
// checked, or nothing.
func (s *server) mappingImport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	m := s.storeFor(w, r, "")
	if m == nil {
		return
	}
	create := r.PostForm.Get(fieldCreate) != ""
	refuse := func(msg string, problems []string) {
		v, err := s.storedValues(ctx, m)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d := s.buildSettingsPage(r, m, v, nil)
		d.ImportError, d.ImportProblems = msg, problems
		s.render(w, r, http.StatusBadRequest, "mapping_settings.html", d)
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		refuse("Choose the settings file to import (the .json file \"Export settings\" downloads).", nil)
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxSettingsFile+1))
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: read the imported file: %w", err))
		return
	}
	if len(data) > maxSettingsFile {
		refuse(fmt.Sprintf("The file is larger than %d MB: it is not a bcqb settings file.%s", maxSettingsFile>>20, notOurs), nil)
		return
	}
	in, msg := readSettingsFile(data)
	if msg != "" {
		refuse(msg, nil)
		return
	}
	// Every value is checked as the form checks it, against this company
	// file and this store's catalogue.
	c := newCheck(m, create)
	v := settingsValues(in, m.st, rowNames(nil, in.PaymentMethods, in.PaymentDeposits), rowNames(nil, in.TaxItems))
	next, _ := parseSettings(c, v, in, s.Store.Now())
	known, err := s.knownSKUs(ctx, m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c.rest(&next, known)
	if !c.ok() {
		refuse("The settings file was not imported: nothing was changed. Correct these in the file (or in the company file), then import it again:", c.messages())
		return
	}
	if err := s.saveSettings(ctx, m, next, nil); errors.Is(err, store.ErrConflict) {
		refuse("The settings were changed while importing, so nothing was imported: import the file again.", nil)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.Log.InfoContext(ctx, "store settings imported on the page", "store", m.st.StoreHash, "skus", len(next.SKUs), "new_names", len(c.creates))
	q := url.Values{"store": {strconv.FormatInt(m.st.ID, 10)}, "done": {"imported"}}
	if len(c.creates) > 0 {
		q.Set("new", strconv.Itoa(len(c.creates)))
	}
	s.replanAndRedirect(w, r, m, "/mapping/settings", q)
}
