package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/store"
)

type stateOption struct {
	State, Words string
	Selected     bool
}

type orderRow struct {
	What      string
	Store     string
	Date      string
	State     string
	StateKey  string
	Reason    string
	BCTotal   string
	Posted    string
	TxnType   string
	RefNumber string
	TxnID     string
	Skipped   string
}

type ordersPage struct {
	pageData
	Stores  []storeOption
	States  []stateOption
	StoreID int64
	State   string
	Number  string
	Day     string
	Rows    []orderRow
	Pager   pager
}

// maxSearch bounds the order number or RefNumber searched for.
const maxSearch = 40

// orders lists each BigCommerce order and refund with its QuickBooks
// transaction, filtered by state, store, order number and day.
func (s *server) orders(r *http.Request) (any, error) {
	q := r.URL.Query()
	d := ordersPage{pageData: s.pageData(r, "Orders")}
	n, storeID, page, err := s.listParams(r)
	if err != nil {
		return nil, err
	}
	d.StoreID = storeID
	d.State = strings.TrimSpace(q.Get("state"))
	if _, ok := stateWords[d.State]; d.State != "" && !ok {
		return nil, badInput("%q is not a state a document can be in; choose one from the list.", d.State)
	}
	d.Number = strings.TrimSpace(q.Get("q"))
	if len(d.Number) > maxSearch {
		return nil, badInput("Search for an order number or a RefNumber of at most %d characters.", maxSearch)
	}
	query := store.PostingQuery{StoreID: d.StoreID, Number: d.Number, Limit: perPage, Offset: (page - 1) * perPage}
	if d.State != "" {
		query.States = []string{d.State}
	}
	day, err := parseDay("day", q.Get("day"))
	if err != nil {
		return nil, err
	}
	if !day.IsZero() {
		d.Day = day.Format(dayLayout)
		query.From, query.To = day, day.AddDate(0, 0, 1)
	}
	d.Stores = n.storeOptions(d.StoreID)
	for _, st := range postingStates {
		d.States = append(d.States, stateOption{State: st, Words: stateWord(st), Selected: st == d.State})
	}
	rows, total, err := s.Store.PostingRows(r.Context(), query)
	if err != nil {
		return nil, err
	}
	d.Pager = newPager(r, page, perPage, total)
	for _, p := range rows {
		row := orderRow{What: documentName(p.Posting), Store: p.StoreHash, State: stateWord(p.State), StateKey: p.State,
			Reason: p.Reason, BCTotal: p.BCTotal, TxnType: p.TxnType, RefNumber: p.RefNumber, TxnID: p.TxnID, Skipped: p.SkippedBy}
		if !p.DocDate.IsZero() {
			row.Date = p.DocDate.UTC().Format(dayLayout)
		}
		if p.PostedAmount != "" {
			row.Posted = postedTotal(p).StringFixed(2)
		}
		d.Rows = append(d.Rows, row)
	}
	return d, nil
}

// money reads a stored amount; "" and unreadable amounts are zero (the
// reconciliation flags a document whose amount it cannot read).
func money(s string) (decimal.Decimal, bool) {
	if s == "" {
		return decimal.Zero, true
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, false
	}
	return d, true
}

// postedTotal is what the document's transactions hold in QuickBooks, net
// of a credit memo that undid a cancelled order.
func postedTotal(p store.PostingRow) decimal.Decimal {
	a, _ := money(p.PostedAmount)
	c, _ := money(p.CancelAmount)
	return a.Sub(c)
}

// reconcileMaxDays bounds the days one reconciliation covers.
const reconcileMaxDays = 366

type reconcileDay struct {
	Day       string
	OrdersURL string
	Orders    int
	Refunds   int
	BC        string
	QB        string
	Diff      string
	Unposted  int
	// UnpostedAmount is BigCommerce's net of the documents not posted.
	UnpostedAmount string
	Status         string
	// Flag marks a difference that documents not yet posted do not explain.
	Flag bool
	// Pending marks a day whose difference is all documents not yet posted.
	Pending bool
	// Empty marks a day without documents.
	Empty bool
}

type reconcilePage struct {
	pageData
	Stores  []storeOption
	StoreID int64
	Store   string
	From    string
	To      string
	Days    []reconcileDay
	Total   reconcileDay
	Flagged int
}

// reconcileSum adds up one day.
type reconcileSum struct {
	orders, refunds, unposted int
	bc, qb, unpostedAmount    decimal.Decimal
	unreadable                int
}

func (t *reconcileSum) add(p store.PostingRow) {
	sign := decimal.NewFromInt(1)
	switch p.DocKind {
	case store.DocOrder:
		t.orders++
	case store.DocRefund:
		t.refunds++
		sign = sign.Neg()
	default:
		return
	}
	bc, ok := money(p.BCTotal)
	if !ok {
		t.unreadable++
	}
	if p.CancelAmount != "" {
		// Cancelled after it was posted, and credited: neither side counts it.
		bc = decimal.Zero
	}
	t.bc = t.bc.Add(bc.Mul(sign))
	if p.PostedAmount != "" && p.State != store.PostingVoided {
		a, ok := money(p.PostedAmount)
		c, ok2 := money(p.CancelAmount)
		if !ok || !ok2 {
			t.unreadable++
		}
		t.qb = t.qb.Add(a.Sub(c).Mul(sign))
		return
	}
	t.unposted++
	t.unpostedAmount = t.unpostedAmount.Add(bc.Mul(sign))
}

func (t reconcileSum) row(day string) reconcileDay {
	diff := t.bc.Sub(t.qb)
	d := reconcileDay{Day: day, Orders: t.orders, Refunds: t.refunds, BC: t.bc.StringFixed(2), QB: t.qb.StringFixed(2),
		Diff: diff.StringFixed(2), Unposted: t.unposted, UnpostedAmount: t.unpostedAmount.StringFixed(2)}
	notYet := ""
	if t.unposted > 0 {
		notYet = countOf(t.unposted, "document", "documents") + " not posted yet (" + d.UnpostedAmount + ")"
	}
	switch {
	case t.orders+t.refunds == 0:
		d.Status, d.Empty = "no documents", true
	case t.unreadable > 0:
		d.Flag = true
		d.Status = countOf(t.unreadable, "amount", "amounts") + " cannot be read"
	case diff.IsZero() && t.unposted == 0:
		d.Status = "matches"
	case diff.Equal(t.unpostedAmount):
		d.Pending = true
		d.Status = notYet
	default:
		d.Flag = true
		d.Status = "differs by " + diff.Sub(t.unpostedAmount).StringFixed(2)
		if notYet != "" {
			d.Status += " beyond the " + notYet
		}
	}
	return d
}

// reconcile compares, per day, BigCommerce's totals (orders less refunds)
// with what bcqb posted to QuickBooks for them.
func (s *server) reconcile(r *http.Request) (any, error) {
	ctx := r.Context()
	q := r.URL.Query()
	d := reconcilePage{pageData: s.pageData(r, "Reconciliation")}
	n, storeID, _, err := s.listParams(r)
	if err != nil {
		return nil, err
	}
	d.StoreID = storeID
	if d.StoreID == 0 && len(n.stores) > 0 {
		d.StoreID = n.stores[0].ID
	}
	d.Stores = n.storeOptions(d.StoreID)
	d.Store = n.store(d.StoreID)
	today := utcDay(s.Store.Now())
	from, err := parseDay("from", q.Get("from"))
	if err != nil {
		return nil, err
	}
	to, err := parseDay("to", q.Get("to"))
	if err != nil {
		return nil, err
	}
	if to.IsZero() {
		to = today
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -29)
	}
	switch {
	case from.After(to):
		return nil, badInput("The first day (%s) is after the last (%s).", from.Format(dayLayout), to.Format(dayLayout))
	case to.Sub(from) >= reconcileMaxDays*24*time.Hour:
		return nil, badInput("Reconcile at most %d days at once.", reconcileMaxDays)
	}
	d.From, d.To = from.Format(dayLayout), to.Format(dayLayout)
	if d.StoreID == 0 {
		return d, nil
	}
	sums := map[string]*reconcileSum{}
	var total reconcileSum
	const batch = 5000
	for offset := 0; ; offset += batch {
		rows, _, err := s.Store.PostingRows(ctx, store.PostingQuery{StoreID: d.StoreID, From: from, To: to.AddDate(0, 0, 1),
			Limit: batch, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, p := range rows {
			// Not a sale: skipped by bcqb's rules (incomplete, declined,
			// cancelled before posting), or voided. A skip of the user's
			// is a sale left out of QuickBooks, so it counts.
			if (p.State == store.PostingSkipped && p.SkippedBy == "") || p.State == store.PostingVoided {
				continue
			}
			day := p.DocDate.UTC().Format(dayLayout)
			if sums[day] == nil {
				sums[day] = &reconcileSum{}
			}
			sums[day].add(p)
			total.add(p)
		}
		if len(rows) < batch {
			break
		}
	}
	for t := to; !t.Before(from); t = t.AddDate(0, 0, -1) {
		day := t.Format(dayLayout)
		sum := sums[day]
		if sum == nil {
			sum = &reconcileSum{}
		}
		row := sum.row(day)
		row.OrdersURL = "/orders?" + url.Values{"store": {strconv.FormatInt(d.StoreID, 10)}, "day": {day}}.Encode()
		if row.Flag {
			d.Flagged++
		}
		d.Days = append(d.Days, row)
	}
	d.Total = total.row(fmt.Sprintf("%s to %s", d.From, d.To))
	return d, nil
}
