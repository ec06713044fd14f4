package qwc

import (
	"context"
	"encoding/xml"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/store"
)

func validFile() File {
	return File{
		AppName: "bcqb", AppURL: "https://qb-box.local:8443/qbwc", AppSupport: "https://qb-box.local:8443/support",
		UserName: "qb", OwnerID: "{57F3B9B1-86F1-4FCC-B1EE-566DE1813D20}", FileID: "{90A44FB5-33D9-4815-AC85-BC87A7E7D1EB}",
		RunEveryNMinutes: 15, AuthFlags: "0xF", PersonalDataPref: "pdpOptional", UnattendedModePref: "umpOptional",
	}
}

func TestFileValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*File)
		field  string // "" means valid
	}{
		{"valid", func(*File) {}, ""},
		{"http on localhost", func(f *File) {
			f.AppURL, f.AppSupport = "http://localhost:8080/qbwc", "http://localhost:8080/support"
		}, ""},
		{"machine name", func(f *File) { f.AppURL, f.AppSupport = "https://QBPC/qbwc", "https://qbpc/support" }, ""},
		{"http on a LAN host", func(f *File) { f.AppURL = "http://qb-box.local:8080/qbwc" }, "AppURL"},
		{"IPv4 host", func(f *File) { f.AppURL = "https://192.168.1.20/qbwc" }, "AppURL"},
		{"IPv6 host", func(f *File) { f.AppURL = "https://[::1]/qbwc" }, "AppURL"},
		{"IP even on localhost", func(f *File) { f.AppURL, f.AppSupport = "http://127.0.0.1/qbwc", "http://127.0.0.1/support" }, "AppURL"},
		{"support on another host", func(f *File) { f.AppSupport = "https://help.example.com/bcqb" }, "AppSupport"},
		{"ftp", func(f *File) { f.AppURL = "ftp://qb-box.local/qbwc" }, "AppURL"},
		{"no user", func(f *File) { f.UserName = "" }, "UserName"},
		{"owner not a GUID", func(f *File) { f.OwnerID = "57F3B9B1-86F1-4FCC-B1EE-566DE1813D20" }, "OwnerID"},
		{"file id not a GUID", func(f *File) { f.FileID = "{nope}" }, "FileID"},
		{"bad pref", func(f *File) { f.PersonalDataPref = "pdpMaybe" }, "PersonalDataPref"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := validFile()
			tc.change(&f)
			err := f.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field {
				t.Fatalf("Validate = %v, want a ValidationError on %s", err, tc.field)
			}
			if _, err := f.Marshal(); err == nil {
				t.Error("Marshal accepted a file the Web Connector would refuse")
			}
		})
	}
}

func TestFileMarshal(t *testing.T) {
	f := validFile()
	f.AppDescription = `Orders <& "refunds">`
	b, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		XMLName            xml.Name `xml:"QBWCXML"`
		AppName            string
		AppID              *string
		AppURL             string
		AppDescription     string
		AppSupport         string
		UserName           string
		OwnerID            string
		FileID             string
		QBType             string
		RunEveryNMinutes   int `xml:"Scheduler>RunEveryNMinutes"`
		IsReadOnly         string
		AuthFlags          string
		PersonalDataPref   string
		UnattendedModePref string
	}
	if err := xml.Unmarshal(b, &got); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b)
	}
	if got.AppDescription != f.AppDescription || got.QBType != "QBFS" || got.RunEveryNMinutes != 15 ||
		got.IsReadOnly != "false" || got.OwnerID != f.OwnerID || got.FileID != f.FileID || got.AppID == nil ||
		got.AuthFlags != "0xF" || got.PersonalDataPref != "pdpOptional" || got.UnattendedModePref != "umpOptional" {
		t.Errorf("parsed back = %+v\n%s", got, b)
	}
}

// TestBuildFileIsStable: downloading the .qwc file again gives the same
// OwnerID and FileID, so the Web Connector never sees a new application.
func TestBuildFileIsStable(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "bcqb.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.PutUser(ctx, "qb", "password1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutUser(ctx, "qb2", "password2"); err != nil {
		t.Fatal(err)
	}
	opts := FileOptions{BaseURL: "https://qb-box.local:8443/", UserName: "qb", RunEveryNMinutes: 5}
	a, err := BuildFile(ctx, db, store.NewGUID, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := BuildFile(ctx, db, store.NewGUID, opts)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("second build differs:\n%+v\n%+v", a, b)
	}
	if a.AppURL != "https://qb-box.local:8443/qbwc" || a.AppSupport != "https://qb-box.local:8443/support" {
		t.Errorf("URLs = %s, %s", a.AppURL, a.AppSupport)
	}
	other, err := BuildFile(ctx, db, store.NewGUID, FileOptions{BaseURL: opts.BaseURL, UserName: "qb2"})
	if err != nil {
		t.Fatal(err)
	}
	if other.OwnerID != a.OwnerID || other.FileID == a.FileID {
		t.Errorf("two users: OwnerID must be shared (%s, %s) and FileID not (%s, %s)", a.OwnerID, other.OwnerID, a.FileID, other.FileID)
	}
	if _, err := BuildFile(ctx, db, store.NewGUID, FileOptions{BaseURL: opts.BaseURL, UserName: "ghost"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown user: err = %v, want ErrNotFound", err)
	}
	if !strings.HasPrefix(a.AppUniqueName, "bcqb-") {
		t.Errorf("AppUniqueName = %q", a.AppUniqueName)
	}
}

func TestPercent(t *testing.T) {
	for _, tc := range []struct{ done, remaining, want int }{
		{0, 0, 100}, {0, 3, 0}, {1, 3, 25}, {3, 1, 75}, {999, 1, 99}, {5, 0, 100},
	} {
		if got := percent(tc.done, tc.remaining); got != tc.want {
			t.Errorf("percent(%d, %d) = %d, want %d", tc.done, tc.remaining, got, tc.want)
		}
	}
}

func TestSlots(t *testing.T) {
	for _, tc := range []struct {
		postpone, minRun int
		want             string
	}{
		{0, 0, "t|busy"}, {90, 0, "t|busy|90"}, {0, 600, "t|busy||600"}, {90, 600, "t|busy|90|600"},
	} {
		got := strings.Join(slots("t", "busy", secs(tc.postpone), secs(tc.minRun)), "|")
		if got != tc.want {
			t.Errorf("slots(%d, %d) = %q, want %q: the slots are positional", tc.postpone, tc.minRun, got, tc.want)
		}
	}
}

func secs(n int) time.Duration { return time.Duration(n) * time.Second }
