package jobs

import (
	"encoding/json"
	"testing"

	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/qbxml"
)

// TestCompanyCurrency reads the multicurrency preference and home currency
// from company information encoded as recordCompanyInfo encodes it.
func TestCompanyCurrency(t *testing.T) {
	enc := func(p *qbxml.MultiCurrencyPreferences) string {
		raw, err := json.Marshal(&qbxml.HCP{Preferences: qbxml.PreferencesRet{MultiCurrencyPreferences: p}})
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	s := plan.DefaultSettings()
	for _, c := range []struct {
		info  string
		multi bool
		home  string
	}{
		{"", false, ""},
		{enc(nil), false, ""},
		{enc(&qbxml.MultiCurrencyPreferences{IsMultiCurrencyOn: false}), false, ""},
		{enc(&qbxml.MultiCurrencyPreferences{IsMultiCurrencyOn: true}), true, ""},
		{enc(&qbxml.MultiCurrencyPreferences{IsMultiCurrencyOn: true, HomeCurrencyRef: &qbxml.Ref{ListID: "1-1", FullName: "US Dollar"}}), true, "USD"},
		{enc(&qbxml.MultiCurrencyPreferences{IsMultiCurrencyOn: true, HomeCurrencyRef: &qbxml.Ref{FullName: "Canadian Dollar"}}), true, "CAD"},
		{enc(&qbxml.MultiCurrencyPreferences{IsMultiCurrencyOn: true, HomeCurrencyRef: &qbxml.Ref{FullName: "Klingon Darsek"}}), true, ""},
	} {
		if multi, home := companyCurrency(c.info, s); multi != c.multi || home != c.home {
			t.Errorf("%s: multi %v home %q, want %v %q", c.info, multi, home, c.multi, c.home)
		}
	}
}
