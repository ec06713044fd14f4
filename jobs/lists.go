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

// KindLists reads a company's lists (accounts, sales tax codes, payment
// methods, classes, items of every kind, customers with their emails) into
// the store, so that the planner maps and matches without asking QuickBooks.
const KindLists = "company.lists"

// ListPage is how many items or customers one query returns: list records
// are cheap (NOTES-qb-performance: 100 to 500 a request).
const ListPage = 500

// Lists is the lists-reading job. Step 0 reads the small lists in one
// message; steps 1 and 2 page through items and customers with iterators,
// which live only in one session: a job interrupted between sessions starts
// its step again.
type Lists struct{}

// Kind implements Handler.
func (Lists) Kind() string { return KindLists }

// Noun implements Handler.
func (Lists) Noun() (string, string) { return "list reading", "list readings" }

type iterState struct {
	Session  int64  `json:"s"`
	Iterator string `json:"it,omitempty"`
}

// Requests implements Handler.
func (Lists) Requests(ctx context.Context, env Env, job store.Job) ([]qbxml.Request, error) {
	all := qbxml.ActiveAll
	switch job.Step {
	case 0:
		return []qbxml.Request{
			&qbxml.AccountQueryRq{ListFilter: qbxml.ListFilter{ActiveStatus: all}},
			&qbxml.SalesTaxCodeQueryRq{ListFilter: qbxml.ListFilter{ActiveStatus: all}},
			&qbxml.PaymentMethodQueryRq{ListFilter: qbxml.ListFilter{ActiveStatus: all}},
			&qbxml.ClassQueryRq{ListFilter: qbxml.ListFilter{ActiveStatus: all}},
		}, nil
	case 1, 2:
		var st iterState
		_ = json.Unmarshal([]byte(job.StepState), &st)
		mode, id := qbxml.IteratorStart, ""
		if st.Session == job.SessionID && st.Iterator != "" {
			mode, id = qbxml.IteratorContinue, st.Iterator
		}
		if job.Step == 1 {
			rq := &qbxml.ItemQueryRq{ListFilter: qbxml.ListFilter{MaxReturned: ListPage, ActiveStatus: all},
				IncludeRetElement: []string{"ListID", "Name", "FullName", "IsActive"}}
			rq.SetIterator(mode, id)
			return []qbxml.Request{rq}, nil
		}
		rq := &qbxml.CustomerQueryRq{ListFilter: qbxml.ListFilter{MaxReturned: ListPage, ActiveStatus: all},
			IncludeRetElement: []string{"ListID", "Name", "FullName", "IsActive", "Email"}}
		rq.SetIterator(mode, id)
		return []qbxml.Request{rq}, nil
	}
	return nil, fmt.Errorf("list reading has no step %d", job.Step)
}

// Response implements Handler.
func (Lists) Response(ctx context.Context, env Env, job store.Job, rs []qbxml.Response) (store.Outcome, error) {
	var o store.Outcome
	more, iterator := false, ""
	for _, r := range rs {
		h := r.Header()
		if err := h.Err(); err != nil && h.Outcome().Action != qbxml.ActionNotFound {
			oc := h.Outcome()
			if oc.Action == qbxml.ActionRetryLater {
				return store.Outcome{State: store.JobQueued, Step: job.Step, NotBefore: env.Store.Now().Add(time.Minute),
					LastError: oc.Message}, nil
			}
			return store.Outcome{State: store.JobFailed, Step: job.Step, LastError: fmt.Sprintf("reading %s: %s",
				strings.TrimSuffix(r.RsName(), "QueryRs"), oc.Message)}, nil
		}
		if h.More() {
			more, iterator = true, h.IteratorID
		}
		o.Lists = append(o.Lists, listEntries(r)...)
	}
	switch {
	case more:
		st, _ := json.Marshal(iterState{Session: job.SessionID, Iterator: iterator})
		o.State, o.Step, o.StepState = store.JobSent, job.Step, string(st)
	case job.Step < 2:
		st, _ := json.Marshal(iterState{Session: job.SessionID})
		o.State, o.Step, o.StepState = store.JobSent, job.Step+1, string(st)
	default:
		o.State, o.Step, o.ListsRead = store.JobDone, job.Step, true
	}
	return o, nil
}

// listEntries turns a list query's answer into the store's list entries.
func listEntries(r qbxml.Response) []store.ListEntry {
	var out []store.ListEntry
	switch v := r.(type) {
	case *qbxml.AccountQueryRs:
		for _, a := range v.Accounts {
			out = append(out, store.ListEntry{Type: "Account", ListID: a.ListID, FullName: a.FullName, SubType: a.AccountType, Active: a.IsActive})
		}
	case *qbxml.SalesTaxCodeQueryRs:
		for _, c := range v.SalesTaxCodes {
			sub := "Non"
			if c.IsTaxable {
				sub = "Taxable"
			}
			out = append(out, store.ListEntry{Type: "SalesTaxCode", ListID: c.ListID, FullName: c.Name, SubType: sub, Active: c.IsActive})
		}
	case *qbxml.PaymentMethodQueryRs:
		for _, p := range v.PaymentMethods {
			out = append(out, store.ListEntry{Type: "PaymentMethod", ListID: p.ListID, FullName: p.Name, SubType: p.PaymentMethodType, Active: p.IsActive})
		}
	case *qbxml.ClassQueryRs:
		for _, c := range v.Classes {
			out = append(out, store.ListEntry{Type: "Class", ListID: c.ListID, FullName: c.FullName, Active: c.IsActive})
		}
	case *qbxml.ItemQueryRs:
		for i := range v.Items {
			it := &v.Items[i]
			name := it.FullName
			if name == "" {
				name = it.Name
			}
			out = append(out, store.ListEntry{Type: "Item", ListID: it.ListID, FullName: name, SubType: it.Kind(), Active: it.IsActive})
		}
	case *qbxml.CustomerQueryRs:
		for _, c := range v.Customers {
			out = append(out, store.ListEntry{Type: "Customer", ListID: c.ListID, FullName: c.FullName, Email: strings.ToLower(strings.TrimSpace(c.Email)), Active: c.IsActive})
		}
	}
	return out
}
