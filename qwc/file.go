package qwc

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// SettingOwnerID is the store setting that holds the appliance's OwnerID:
// one GUID per bcqb installation, created once, the owner of the FileID
// data extension the Web Connector stamps into each company file.
const SettingOwnerID = "qwc.owner_id"

// File is the content of a .qwc file: what the Web Connector needs to add bcqb.
type File struct {
	AppName        string
	AppID          string
	AppURL         string
	AppDescription string
	AppSupport     string
	UserName       string
	OwnerID        string
	FileID         string
	// RunEveryNMinutes is the default schedule (0 leaves scheduling to the user).
	RunEveryNMinutes int
	IsReadOnly       bool
	// AuthFlags selects the QuickBooks editions: 0xF is all desktop editions.
	AuthFlags string
	// PersonalDataPref is pdpNotNeeded, pdpOptional or pdpRequired.
	PersonalDataPref string
	// UnattendedModePref is umpRequired or umpOptional.
	UnattendedModePref string
	AppUniqueName      string
	AppDisplayName     string
}

// ValidationError explains why the Web Connector would refuse a .qwc file.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Reason }

// Validate refuses, with the reason, what the Web Connector would refuse
// when the file is added (QBWC1000-1004, QBWC1010, QBWC1039).
func (f File) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(f.AppName) == "" {
		bad("AppName", "is empty")
	}
	if strings.TrimSpace(f.UserName) == "" {
		bad("UserName", "is empty: give the Web Connector user (--user)")
	}
	app, err := checkURL(f.AppURL)
	if err != nil {
		bad("AppURL", "%v", err)
	}
	support, err := checkURL(f.AppSupport)
	if err != nil {
		bad("AppSupport", "%v", err)
	}
	if app != nil && support != nil && !strings.EqualFold(app.Hostname(), support.Hostname()) {
		bad("AppSupport", "is on host %q but AppURL is on %q; the Web Connector requires both on the same host (QBWC1000)",
			support.Hostname(), app.Hostname())
	}
	if !isGUID(f.OwnerID) {
		bad("OwnerID", "%q is not a GUID in braces like {57F3B9B1-86F1-4FCC-B1EE-566DE1813D20}", f.OwnerID)
	}
	if !isGUID(f.FileID) {
		bad("FileID", "%q is not a GUID in braces like {57F3B9B1-86F1-4FCC-B1EE-566DE1813D20}", f.FileID)
	}
	if f.RunEveryNMinutes < 0 {
		bad("RunEveryNMinutes", "is negative")
	}
	switch f.PersonalDataPref {
	case "", "pdpNotNeeded", "pdpOptional", "pdpRequired":
	default:
		bad("PersonalDataPref", "%q is not pdpNotNeeded, pdpOptional or pdpRequired", f.PersonalDataPref)
	}
	switch f.UnattendedModePref {
	case "", "umpRequired", "umpOptional":
	default:
		bad("UnattendedModePref", "%q is not umpRequired or umpOptional", f.UnattendedModePref)
	}
	return errors.Join(errs...)
}

// checkURL applies the Web Connector's URL rules: https, or http on
// localhost only (QBWC1010), and a host name, never an IP address
// (QBWC1001/QBWC1002), even on a LAN.
func checkURL(raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, errors.New("is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("%q has no host", raw)
	}
	if ip := net.ParseIP(host); ip != nil {
		return nil, fmt.Errorf("%q uses the IP address %s; the Web Connector only accepts a host name "+
			"(QBWC1001), even on a LAN: use the machine's name or a DNS/hosts entry for it", raw, host)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !strings.EqualFold(host, "localhost") {
			return nil, fmt.Errorf("%q is http on %s; the Web Connector allows http only for localhost (QBWC1010): "+
				"use https (bcqb can issue its own certificate)", raw, host)
		}
	default:
		return nil, fmt.Errorf("%q must be an https URL", raw)
	}
	return u, nil
}

func isGUID(s string) bool {
	if len(s) != 38 || s[0] != '{' || s[37] != '}' {
		return false
	}
	for i, c := range s[1:37] {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}

// Marshal validates the file and writes it as a QBWCXML document, every
// value XML-escaped.
func (f File) Marshal() ([]byte, error) {
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("the Web Connector would refuse this .qwc file: %w", err)
	}
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\"?>\n<QBWCXML>\n")
	tag := func(name, value string) {
		b.WriteString("  <" + name + ">")
		xml.EscapeText(&b, []byte(value)) //nolint:errcheck // bytes.Buffer cannot fail
		b.WriteString("</" + name + ">\n")
	}
	tag("AppName", f.AppName)
	tag("AppID", f.AppID)
	tag("AppURL", f.AppURL)
	tag("AppDescription", f.AppDescription)
	tag("AppSupport", f.AppSupport)
	tag("UserName", f.UserName)
	tag("OwnerID", f.OwnerID)
	tag("FileID", f.FileID)
	tag("QBType", "QBFS")
	if f.AppDisplayName != "" {
		tag("AppDisplayName", f.AppDisplayName)
	}
	if f.AppUniqueName != "" {
		tag("AppUniqueName", f.AppUniqueName)
	}
	if f.RunEveryNMinutes > 0 {
		fmt.Fprintf(&b, "  <Scheduler>\n    <RunEveryNMinutes>%d</RunEveryNMinutes>\n  </Scheduler>\n", f.RunEveryNMinutes)
	}
	tag("IsReadOnly", fmt.Sprint(f.IsReadOnly))
	if f.AuthFlags != "" {
		tag("AuthFlags", f.AuthFlags)
	}
	if f.PersonalDataPref != "" {
		tag("PersonalDataPref", f.PersonalDataPref)
	}
	if f.UnattendedModePref != "" {
		tag("UnattendedModePref", f.UnattendedModePref)
	}
	b.WriteString("</QBWCXML>\n")
	return b.Bytes(), nil
}

// FileStore is what building a .qwc file needs from the store.
type FileStore interface {
	SettingOrCreate(ctx context.Context, key string, create func() (string, error)) (string, error)
	UserCompanyFileID(ctx context.Context, username string) (string, error)
}

// FileOptions are the parts of a .qwc file that come from configuration.
type FileOptions struct {
	// BaseURL is the URL the Web Connector reaches bcqb at; the endpoint is BaseURL/qbwc.
	BaseURL          string
	UserName         string
	RunEveryNMinutes int
}

// BuildFile assembles the .qwc file for a Web Connector user. OwnerID and
// FileID are created once and stored, so downloading the file again never
// makes a new application in QuickBooks.
func BuildFile(ctx context.Context, st FileStore, newGUID func() (string, error), o FileOptions) (File, error) {
	owner, err := st.SettingOrCreate(ctx, SettingOwnerID, newGUID)
	if err != nil {
		return File{}, err
	}
	fileID, err := st.UserCompanyFileID(ctx, o.UserName)
	if err != nil {
		return File{}, fmt.Errorf("the Web Connector user %q: %w", o.UserName, err)
	}
	base := strings.TrimRight(o.BaseURL, "/")
	return File{
		AppName:            "bcqb",
		AppURL:             base + "/qbwc",
		AppDescription:     "bcqb: BigCommerce orders, refunds, customers and inventory into QuickBooks",
		AppSupport:         base + "/support",
		UserName:           o.UserName,
		OwnerID:            owner,
		FileID:             fileID,
		RunEveryNMinutes:   o.RunEveryNMinutes,
		AuthFlags:          "0xF",
		PersonalDataPref:   "pdpOptional",
		UnattendedModePref: "umpOptional",
		// A stable unique name lets the Web Connector replace the application on re-import instead of cloning it.
		AppUniqueName:  "bcqb-" + strings.Trim(strings.ToLower(owner), "{}") + "-" + o.UserName,
		AppDisplayName: "bcqb (" + o.UserName + ")",
	}, nil
}
