package qbsim

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// QWC holds the settings of a Web Connector application file (.qwc), the file
// a user adds to QBWC; the simulated Web Connector reads the same file so a
// test exercises what a customer would install.
type QWC struct {
	AppName            string
	AppID              string
	AppURL             string
	AppDescription     string
	AppSupport         string
	UserName           string
	OwnerID            string
	FileID             string
	QBType             string
	Style              string
	AuthFlags          string
	IsReadOnly         string
	PersonalDataPref   string
	UnattendedModePref string
	// RunEvery is the scheduler interval (RunEveryNMinutes or
	// RunEveryNSeconds, whichever comes first); zero when there is no
	// Scheduler.
	RunEvery time.Duration
}

type qwcFile struct {
	XMLName            xml.Name `xml:"QBWCXML"`
	AppName            string   `xml:"AppName"`
	AppID              string   `xml:"AppID"`
	AppURL             string   `xml:"AppURL"`
	AppDescription     string   `xml:"AppDescription"`
	AppSupport         string   `xml:"AppSupport"`
	UserName           string   `xml:"UserName"`
	OwnerID            string   `xml:"OwnerID"`
	FileID             string   `xml:"FileID"`
	QBType             string   `xml:"QBType"`
	Style              string   `xml:"Style"`
	AuthFlags          string   `xml:"AuthFlags"`
	IsReadOnly         string   `xml:"IsReadOnly"`
	PersonalDataPref   string   `xml:"PersonalDataPref"`
	UnattendedModePref string   `xml:"UnattendedModePref"`
	Scheduler          *struct {
		Inner []byte `xml:",innerxml"`
	} `xml:"Scheduler"`
}

// ReadQWC reads and checks a .qwc file.
func ReadQWC(ctx context.Context, path string) (QWC, error) {
	if err := ctx.Err(); err != nil {
		return QWC{}, fmt.Errorf("read qwc: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return QWC{}, fmt.Errorf("read qwc: %w", err)
	}
	defer f.Close()
	q, err := ParseQWC(f)
	if err != nil {
		return QWC{}, fmt.Errorf("read qwc %s: %w", path, err)
	}
	return q, nil
}

// ParseQWC parses a .qwc document and checks the rules QBWC enforces when the
// file is added (required tags, https unless localhost, no IP-address hosts,
// AppURL and AppSupport on the same host).
func ParseQWC(r io.Reader) (QWC, error) {
	var f qwcFile
	if err := xml.NewDecoder(r).Decode(&f); err != nil {
		return QWC{}, fmt.Errorf("parse qwc: %w", err)
	}
	q := QWC{
		AppName: strings.TrimSpace(f.AppName), AppID: strings.TrimSpace(f.AppID),
		AppURL: strings.TrimSpace(f.AppURL), AppDescription: strings.TrimSpace(f.AppDescription),
		AppSupport: strings.TrimSpace(f.AppSupport), UserName: strings.TrimSpace(f.UserName),
		OwnerID: strings.TrimSpace(f.OwnerID), FileID: strings.TrimSpace(f.FileID),
		QBType: strings.TrimSpace(f.QBType), Style: strings.TrimSpace(f.Style),
		AuthFlags: strings.TrimSpace(f.AuthFlags), IsReadOnly: strings.TrimSpace(f.IsReadOnly),
		PersonalDataPref:   strings.TrimSpace(f.PersonalDataPref),
		UnattendedModePref: strings.TrimSpace(f.UnattendedModePref),
	}
	if f.Scheduler != nil {
		d, err := parseScheduler(f.Scheduler.Inner)
		if err != nil {
			return QWC{}, err
		}
		q.RunEvery = d
	}
	if err := q.Check(); err != nil {
		return QWC{}, err
	}
	return q, nil
}

// parseScheduler takes the first of RunEveryNMinutes / RunEveryNSeconds, as
// QBWC does.
func parseScheduler(inner []byte) (time.Duration, error) {
	d := xml.NewDecoder(strings.NewReader("<s>" + string(inner) + "</s>"))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("parse qwc Scheduler: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local == "s" {
			continue
		}
		var v string
		if err := d.DecodeElement(&v, &se); err != nil {
			return 0, fmt.Errorf("parse qwc Scheduler: %w", err)
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("qwc Scheduler %s %q is not a positive integer", se.Name.Local, v)
		}
		switch se.Name.Local {
		case "RunEveryNMinutes":
			return time.Duration(n) * time.Minute, nil
		case "RunEveryNSeconds":
			return time.Duration(n) * time.Second, nil
		}
	}
}

// Check applies QBWC's rules for adding an application (QBWC1000-1010 family).
func (q QWC) Check() error {
	missing := []string{}
	for _, f := range []struct{ name, v string }{
		{"AppName", q.AppName}, {"AppURL", q.AppURL}, {"UserName", q.UserName},
		{"OwnerID", q.OwnerID}, {"FileID", q.FileID}, {"QBType", q.QBType},
	} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("qwc: missing %s", strings.Join(missing, ", "))
	}
	if err := CheckAppURL(q.AppURL); err != nil {
		return err
	}
	if q.AppSupport != "" {
		a, _ := url.Parse(q.AppURL)
		s, err := url.Parse(q.AppSupport)
		if err != nil {
			return fmt.Errorf("QBWC1002: AppSupport %q: %w", q.AppSupport, err)
		}
		if !strings.EqualFold(a.Hostname(), s.Hostname()) {
			return fmt.Errorf("QBWC1000: AppURL host %q and AppSupport host %q differ", a.Hostname(), s.Hostname())
		}
	}
	return nil
}

// CheckAppURL applies QBWC's URL rules: https, or http for localhost only,
// and a symbolic host name rather than an IP address.
func CheckAppURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("QBWC1001: AppURL %q: %w", raw, err)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("QBWC1001: AppURL %q has no host", raw)
	}
	if net.ParseIP(host) != nil {
		return fmt.Errorf("QBWC1001: AppURL %q must contain a symbolic host name, not an IP address", raw)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !strings.EqualFold(host, "localhost") {
			return fmt.Errorf("QBWC1010: AppURL %q: http is allowed for localhost only", raw)
		}
	default:
		return fmt.Errorf("QBWC1001: AppURL %q: scheme must be https", raw)
	}
	return nil
}
