package qbsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"
)

// Do answers one qbXML request message read from r and writes the
// response message to w, the way QuickBooks' request processor does: it is
// `bcqb qb do --company FILE`. A message QuickBooks would refuse as a whole
// is reported as an error carrying the HRESULT.
func Do(ctx context.Context, company *Company, r io.Reader, w io.Writer) error {
	req, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return fmt.Errorf("qb do: read request: %w", err)
	}
	resp, err := company.ProcessRequest(ctx, string(req))
	if err != nil {
		return fmt.Errorf("qb do: %w", err)
	}
	if _, err := io.WriteString(w, resp); err != nil {
		return fmt.Errorf("qb do: write response: %w", err)
	}
	return nil
}

// Show writes what the company holds: list counts, each transaction and
// totals per transaction type. It is `bcqb qb show --company FILE`.
func Show(w io.Writer, company *Company) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Company:\t%s\n\n", company.FilePath())
	fmt.Fprintln(tw, "TYPE\tTXNID\tREF\tDATE\tCUSTOMER\tTOTAL\t")
	for _, t := range company.Transactions() {
		total := t.Total.StringFixed(2)
		if t.Voided {
			total = "VOID"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", t.Kind, t.TxnID, t.RefNumber, t.TxnDate, t.Customer, total)
	}
	fmt.Fprintln(tw)
	writeSummary(tw, company.Summary())
	return tw.Flush()
}

func writeSummary(tw *tabwriter.Writer, s Summary) {
	fmt.Fprintln(tw, "LIST\tCOUNT\t")
	for _, k := range sortedKeys(s.Lists) {
		fmt.Fprintf(tw, "%s\t%d\t\n", k, s.Lists[k])
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "TRANSACTIONS\tCOUNT\tVOIDED\tTOTAL\t")
	grand := decimal.Zero
	for _, k := range sortedKeys(s.Txns) {
		t := s.Txns[k]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t\n", k, t.Count, t.Voided, t.Total.StringFixed(2))
		grand = grand.Add(t.Total)
	}
	fmt.Fprintf(tw, "All\t\t\t%s\t\n", grand.StringFixed(2))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// WebConnectorRun configures RunWebConnector (`bcqb webconnector`).
type WebConnectorRun struct {
	QWCPath     string // --qwc
	Password    string // --password
	CompanyPath string // --company (JSON; created as a sample company if missing)
	Sessions    int    // --sessions: how many sessions to run (default 1; <0 until ctx is done)
	// Every overrides the .qwc schedule between sessions (0: use the .qwc).
	Every      time.Duration
	HTTPClient *http.Client // e.g. one trusting the appliance's private CA
	Faults     ConnectorFaults
	// QBFaults are QuickBooks-side faults and modeled speed for the run.
	QBFaults CompanyFaults
	// Timeout is the per-call limit (default 2 minutes, like QBWC).
	Timeout time.Duration
}

// RunWebConnector runs Web Connector sessions from a .qwc file against the
// server it names, with a persisted company as QuickBooks, and prints each
// session's outcome and then what QuickBooks holds (counts and totals).
func RunWebConnector(ctx context.Context, o WebConnectorRun, stdout io.Writer) error {
	q, err := ReadQWC(ctx, o.QWCPath)
	if err != nil {
		return err
	}
	if o.Every > 0 {
		q.RunEvery = o.Every
	}
	company, err := OpenOrCreateCompany(ctx, o.CompanyPath, CompanyOptions{})
	if err != nil {
		return err
	}
	company.SetFaults(o.QBFaults)
	wc, err := NewWebConnector(WebConnectorOptions{QWC: q, Password: o.Password, QuickBooks: company, HTTPClient: o.HTTPClient,
		Faults: o.Faults, Timeout: o.Timeout})
	if err != nil {
		return err
	}
	n := o.Sessions
	if n == 0 {
		n = 1
	}
	if n < 0 {
		n = 0
	}
	results, runErr := wc.Run(ctx, n)
	for i, res := range results {
		fmt.Fprintf(stdout, "session %d: %s, %d request(s)", i+1, res.Outcome, res.Requests)
		if res.LastError != "" {
			fmt.Fprintf(stdout, ", last error: %s", res.LastError)
		}
		if res.Err != nil {
			fmt.Fprintf(stdout, ", error: %v", res.Err)
		}
		if res.CloseMessage != "" {
			fmt.Fprintf(stdout, ", closed: %s", strings.TrimSpace(res.CloseMessage))
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintln(stdout)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	writeSummary(tw, company.Summary())
	if err := tw.Flush(); err != nil {
		return err
	}
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		return runErr
	}
	return nil
}
