package qbxml

import (
	"errors"
	"fmt"
	"strings"
)

// HCP is the Web Connector's strHCPResponse, sent with the first
// sendRequestXML of a session: the answers to HostQuery, CompanyQuery and
// PreferencesQuery. bcqb uses it to pick the qbXML version, refuse non-US
// files and check the company FileID.
type HCP struct {
	Host        HostRet
	Company     CompanyRet
	Preferences PreferencesRet
	// FileID is the Web Connector's FileID data extension on the company, if any.
	FileID string
	// Responses are the parsed responses, for their status codes.
	Responses []Response
}

// ErrNoHostRet means the HCP response carried no HostRet.
var ErrNoHostRet = errors.New("qbxml: HCP response has no HostRet")

// ParseHCPResponse parses strHCPResponse. It needs HostRet; CompanyRet and
// PreferencesRet are filled when present. It never panics.
func ParseHCPResponse(data []byte) (HCP, error) {
	var h HCP
	m, err := ParseResponse(data)
	if err != nil {
		return h, fmt.Errorf("qbxml: HCP response: %w", err)
	}
	h.Responses = m.Responses
	found := false
	for _, r := range m.Responses {
		switch x := r.(type) {
		case *HostQueryRs:
			if x.Host != nil {
				h.Host, found = *x.Host, true
			}
		case *CompanyQueryRs:
			if x.Company != nil {
				h.Company = *x.Company
			}
		case *PreferencesQueryRs:
			if x.Preferences != nil {
				h.Preferences = *x.Preferences
			}
		}
	}
	if !found {
		return h, ErrNoHostRet
	}
	h.FileID, _ = h.Company.DataExt("FileID")
	return h, nil
}

// Country is the company file's edition country ("US", "CA", "UK").
func (h HCP) Country() string { return strings.ToUpper(strings.TrimSpace(h.Host.Country)) }

// Negotiate checks the country and picks the version to use with the Web
// Connector's reported qbXMLMajorVers/qbXMLMinorVers.
func (h HCP) Negotiate(wcMajor, wcMinor int) (Version, error) {
	if err := CheckCountry(h.Host.Country); err != nil {
		return Version{}, err
	}
	return NegotiateVersion(wcMajor, wcMinor, h.Host.SupportedQBXMLVersion)
}
