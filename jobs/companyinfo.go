package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/store"
)

// KindCompanyInfo is the company-info refresh: HostQuery, CompanyQuery and
// PreferencesQuery in one message, recorded on the company.
const KindCompanyInfo = "company.info"

// CompanyInfo refreshes what bcqb knows of a company file: its name, the
// QuickBooks product and the qbXML versions it speaks, and its preferences
// (sales tax, inventory, multicurrency), which the sync engine plans by.
type CompanyInfo struct {
	// OwnerID is bcqb's OwnerID, to read back the FileID data extension.
	OwnerID func(ctx context.Context) (string, error)
}

// Kind implements Handler.
func (CompanyInfo) Kind() string { return KindCompanyInfo }

// Noun implements Handler.
func (CompanyInfo) Noun() (string, string) { return "company info refresh", "company info refreshes" }

// Requests implements Handler.
func (c CompanyInfo) Requests(ctx context.Context, env Env, job store.Job) ([]qbxml.Request, error) {
	owner := ""
	if c.OwnerID != nil {
		var err error
		if owner, err = c.OwnerID(ctx); err != nil {
			return nil, err
		}
	}
	return qbxml.CompanyInfoRequests("", owner), nil
}

// Response implements Handler.
func (CompanyInfo) Response(ctx context.Context, env Env, job store.Job, rs []qbxml.Response) (store.Outcome, error) {
	var hcp qbxml.HCP
	for _, r := range rs {
		if err := r.Header().Err(); err != nil {
			return store.Outcome{State: store.JobFailed, LastError: fmt.Sprintf("%s: %v", r.RsName(), err)}, nil
		}
		switch v := r.(type) {
		case *qbxml.HostQueryRs:
			if v.Host != nil {
				hcp.Host = *v.Host
			}
		case *qbxml.CompanyQueryRs:
			if v.Company != nil {
				hcp.Company = *v.Company
			}
		case *qbxml.PreferencesQueryRs:
			if v.Preferences != nil {
				hcp.Preferences = *v.Preferences
			}
		}
	}
	if hcp.Host.ProductName == "" && len(hcp.Host.SupportedQBXMLVersion) == 0 {
		return store.Outcome{State: store.JobFailed, LastError: "QuickBooks' answer held no HostRet"}, nil
	}
	if err := recordCompanyInfo(ctx, env.Store, env.Session.CompanyID, &hcp); err != nil {
		return store.Outcome{}, err
	}
	return store.Outcome{State: store.JobDone}, nil
}

// recordCompanyInfo stores what HostQuery, CompanyQuery and PreferencesQuery said.
func recordCompanyInfo(ctx context.Context, st Store, companyID int64, hcp *qbxml.HCP) error {
	raw, err := json.Marshal(hcp)
	if err != nil {
		return fmt.Errorf("encode company info: %w", err)
	}
	return st.UpdateCompanyInfo(ctx, companyID, store.CompanyInfo{
		CompanyName:   hcp.Company.CompanyName,
		Country:       hcp.Country(),
		ProductName:   hcp.Host.ProductName,
		QBXMLVersions: strings.Join(hcp.Host.SupportedQBXMLVersion, ","),
		JSON:          string(raw),
	})
}

// InfoMaxAge is how old a company's information may grow before a refresh is queued.
const InfoMaxAge = 24 * time.Hour

// EnqueueCompanyInfo queues a refresh for every company whose information is
// missing or older than InfoMaxAge. The scheduler calls it; a queued refresh
// is never queued twice.
func EnqueueCompanyInfo(ctx context.Context, st Store) (int, error) {
	companies, err := st.Companies(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range companies {
		if !c.InfoRefreshedAt.IsZero() && st.Now().Sub(c.InfoRefreshedAt) < InfoMaxAge {
			continue
		}
		_, created, err := st.Enqueue(ctx, store.Job{CompanyID: c.ID, Kind: KindCompanyInfo, DedupeKey: "refresh", Priority: 10})
		if err != nil {
			return n, err
		}
		if created {
			n++
		}
	}
	return n, nil
}
