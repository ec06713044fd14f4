package qbxml

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Version is a qbXML spec level such as 13.0. It decides the <?qbxml?>
// processing instruction and which optional elements may be sent.
type Version struct {
	Major int
	Minor int
}

// Versions bcqb can speak, newest first. 14.0 and 15.0 use the 13.0 element
// set (qbXML only adds elements between versions); elements that first
// appeared in 16.0 are refused below 16.0.
var (
	V13 = Version{13, 0}
	V14 = Version{14, 0}
	V15 = Version{15, 0}
	V16 = Version{16, 0}
)

// SupportedVersions lists, newest first, the versions NegotiateVersion may pick.
var SupportedVersions = []Version{V16, V15, V14, V13}

// MinVersion is the oldest version bcqb will build; QuickBooks 2014 (US) and
// later all speak it.
var MinVersion = V13

// String renders "13.0".
func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// Less orders versions.
func (v Version) Less(o Version) bool {
	if v.Major != o.Major {
		return v.Major < o.Major
	}
	return v.Minor < o.Minor
}

// IsZero reports an unset version.
func (v Version) IsZero() bool { return v == Version{} }

// ErrUnsupportedCountry is returned for company files outside the US edition.
var ErrUnsupportedCountry = errors.New("qbxml: only US editions of QuickBooks are supported yet")

// ErrNoCommonVersion means QuickBooks and bcqb share no qbXML version.
var ErrNoCommonVersion = errors.New("qbxml: no qbXML version in common with this QuickBooks")

// ParseVersion reads "13.0" or "13". Country-prefixed versions such as
// "CA3.0" or "UK3.0" (older Canadian/UK schemas) return ErrUnsupportedCountry.
func ParseVersion(s string) (Version, error) {
	s = strings.TrimSpace(s)
	if s != "" && (s[0] < '0' || s[0] > '9') {
		return Version{}, fmt.Errorf("version %q: %w", s, ErrUnsupportedCountry)
	}
	maj, min, found := strings.Cut(s, ".")
	if !found {
		min = "0"
	}
	a, err := strconv.Atoi(maj)
	if err != nil || a < 0 || a > 1000 {
		return Version{}, fmt.Errorf("qbxml: bad version %q", s)
	}
	b, err := strconv.Atoi(min)
	if err != nil || b < 0 || b > 1000 {
		return Version{}, fmt.Errorf("qbxml: bad version %q", s)
	}
	return Version{a, b}, nil
}

// CheckCountry accepts the US edition and refuses CA and UK with a clear
// message, because their schemas differ (tax fields, GST/VAT) and a request
// built for the US would be rejected. An empty country is treated as US,
// which is what older Web Connectors send.
func CheckCountry(country string) error {
	switch strings.ToUpper(strings.TrimSpace(country)) {
	case "", "US":
		return nil
	case "CA":
		return fmt.Errorf("qbxml: Canadian QuickBooks is not supported yet: %w", ErrUnsupportedCountry)
	case "UK":
		return fmt.Errorf("qbxml: UK QuickBooks is not supported yet: %w", ErrUnsupportedCountry)
	default:
		return fmt.Errorf("qbxml: QuickBooks country %q is not supported: %w", country, ErrUnsupportedCountry)
	}
}

// NegotiateVersion picks the highest version that bcqb supports, that is not
// above the request processor's level reported by the Web Connector
// (qbXMLMajorVers/qbXMLMinorVers; 0/0 means unknown) and, when hostSupported
// is not empty, that appears in HostRet/SupportedQBXMLVersion. Entries of
// hostSupported that are not plain numbers (CA3.0, UK2.0) are ignored.
func NegotiateVersion(wcMajor, wcMinor int, hostSupported []string) (Version, error) {
	limit := Version{wcMajor, wcMinor}
	host := map[Version]bool{}
	for _, s := range hostSupported {
		if v, err := ParseVersion(s); err == nil {
			host[v] = true
		}
	}
	for _, v := range SupportedVersions {
		if !limit.IsZero() && limit.Less(v) {
			continue
		}
		if len(hostSupported) > 0 && !host[v] {
			continue
		}
		return v, nil
	}
	return Version{}, fmt.Errorf("QuickBooks reports qbXML %s (supported list %v) but bcqb needs %s or later: %w",
		limit, hostSupported, MinVersion, ErrNoCommonVersion)
}
