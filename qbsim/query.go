package qbsim

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// iterator is a paged query inside one QuickBooks session.
type iterator struct {
	ids  []string
	opts renderOpts
}

// queryKinds maps a ...Query request to the kinds it returns.
func queryKinds(q string) []string {
	switch q {
	case "Item":
		return itemKinds
	case "Entity":
		return nameKinds
	}
	return []string{q}
}

// query answers list and transaction queries, with filters and iterators.
func (c *Company) query(rq *elem, q string) *elem {
	kinds := queryKinds(q)
	opts := renderOpts{lines: rq.Get("IncludeLineItems") == "true", linked: rq.Get("IncludeLinkedTxns") == "true"}
	for _, o := range rq.All("OwnerID") {
		opts.owners = append(opts.owners, strings.TrimSpace(o.Text))
	}
	if !txnKinds[kinds[0]] {
		opts.lines, opts.linked = true, true // list objects have no line filter
	}
	switch rq.Attr("iterator") {
	case "Continue":
		it, ok := c.iterators[rq.Attr("iteratorID")]
		if !ok {
			return rsFor(rq, &qbStatus{3000, fmt.Sprintf("The given object ID \"%s\" in the field \"iteratorID\" is invalid.", rq.Attr("iteratorID"))})
		}
		return c.page(rq, rq.Attr("iteratorID"), it, maxReturned(rq))
	case "Stop":
		delete(c.iterators, rq.Attr("iteratorID"))
		rs := rsFor(rq, nil)
		rs.SetAttr("iteratorRemainingCount", "0")
		rs.SetAttr("iteratorID", rq.Attr("iteratorID"))
		return rs
	}
	found, missing := c.match(rq, kinds)
	ids := make([]string, len(found))
	for i, r := range found {
		ids[i] = r.ID
	}
	if rq.Attr("iterator") == "Start" {
		c.iterSeq++
		id := fmt.Sprintf("{%08X-0000-4000-8000-%012X}", c.iterSeq, c.clock.Now().UnixNano()&0xffffffffffff)
		it := &iterator{ids: ids, opts: opts}
		c.iterators[id] = it
		return c.page(rq, id, it, maxReturned(rq))
	}
	if n := maxReturned(rq); n > 0 && len(found) > n {
		found = found[:n]
	}
	var st *qbStatus
	switch {
	case missing != "":
		st = &qbStatus{500, fmt.Sprintf("The query request has not been fully completed. There was a required element (\"%s\") that could not be found in QuickBooks.", missing)}
	case len(found) == 0:
		st = &qbStatus{1, msgNoMatch}
	}
	rs := rsFor(rq, st)
	for _, r := range found {
		rs.Kids = append(rs.Kids, includeOnly(c.render(r, opts), rq))
	}
	return rs
}

func maxReturned(rq *elem) int {
	n, err := strconv.Atoi(rq.Get("MaxReturned"))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// page returns the next page of an iterator.
func (c *Company) page(rq *elem, id string, it *iterator, n int) *elem {
	if n <= 0 || n > len(it.ids) {
		n = len(it.ids)
	}
	take := it.ids[:n]
	it.ids = it.ids[n:]
	var st *qbStatus
	if len(take) == 0 {
		st = &qbStatus{1, msgNoMatch}
	}
	rs := rsFor(rq, st)
	rs.SetAttr("iteratorRemainingCount", strconv.Itoa(len(it.ids)))
	rs.SetAttr("iteratorID", id)
	for _, tid := range take {
		if r := c.byID[tid]; r != nil { // deleted since the iterator started
			rs.Kids = append(rs.Kids, includeOnly(c.render(r, it.opts), rq))
		}
	}
	if len(it.ids) == 0 {
		delete(c.iterators, id)
	}
	return rs
}

// match applies the query's selection and filters.
func (c *Company) match(rq *elem, kinds []string) (found []*record, missing string) {
	cands := c.recordsOf(kinds...)
	byList := func(tag string, key func(*record) string, fold bool) bool {
		vals := rq.All(tag)
		if len(vals) == 0 {
			return false
		}
		for _, v := range vals {
			want := strings.TrimSpace(v.Text)
			var hit *record
			for _, r := range cands {
				k := key(r)
				if k == want || (fold && strings.EqualFold(k, want)) {
					hit = r
					found = append(found, r)
				}
			}
			if hit == nil && missing == "" {
				missing = want
			}
		}
		return true
	}
	isTxn := txnKinds[kinds[0]]
	if !isTxn {
		if byList("ListID", func(r *record) string { return r.ID }, false) ||
			byList("FullName", func(r *record) string { return r.fullName() }, true) {
			return found, missing
		}
	} else {
		if byList("TxnID", func(r *record) string { return r.ID }, false) {
			return found, missing
		}
		if byList("RefNumber", func(r *record) string { return r.Ret.Get("RefNumber") }, true) ||
			byList("RefNumberCaseSensitive", func(r *record) string { return r.Ret.Get("RefNumber") }, false) {
			// RefNumber lookups report "no match" (1), not a missing element (500).
			return found, ""
		}
	}
	active := rq.Get("ActiveStatus")
	if active == "" {
		active = "ActiveOnly"
	}
	from := parseQBTime(first(rq.Get("FromModifiedDate"), rq.Get("ModifiedDateRangeFilter/FromModifiedDate")))
	to := parseQBTime(first(rq.Get("ToModifiedDate"), rq.Get("ModifiedDateRangeFilter/ToModifiedDate")))
	fromTxn, toTxn := rq.Get("TxnDateRangeFilter/FromTxnDate"), rq.Get("TxnDateRangeFilter/ToTxnDate")
	nf := rq.Kid("NameFilter")
	rf := rq.Kid("RefNumberFilter")
	ef := rq.Kid("EntityFilter")
	for _, r := range cands {
		if !isTxn {
			if (active == "ActiveOnly" && !r.active()) || (active == "InactiveOnly" && r.active()) {
				continue
			}
		}
		if !from.IsZero() && r.Modified.Before(from) {
			continue
		}
		if !to.IsZero() && r.Modified.After(to) {
			continue
		}
		if nf != nil && !matchText(nf.Get("MatchCriterion"), r.fullName(), nf.Get("Name")) {
			continue
		}
		if rng := rq.Kid("NameRangeFilter"); rng != nil {
			n := strings.ToLower(r.fullName())
			if f := strings.ToLower(rng.Get("FromName")); f != "" && n < f {
				continue
			}
			if t := strings.ToLower(rng.Get("ToName")); t != "" && n > t {
				continue
			}
		}
		if isTxn {
			d := r.Ret.Get("TxnDate")
			if (fromTxn != "" && d < fromTxn) || (toTxn != "" && d > toTxn) {
				continue
			}
			if rf != nil && !matchText(rf.Get("MatchCriterion"), r.Ret.Get("RefNumber"), rf.Get("RefNumber")) {
				continue
			}
			if ef != nil && !c.entityMatches(ef, r) {
				continue
			}
			if ps := rq.Get("PaidStatus"); ps != "" && ps != "All" && r.Kind == "Invoice" {
				paid, _ := c.applied(r.ID)
				isPaid := !r.Total.Sub(paid).IsPositive()
				if (ps == "PaidOnly") != isPaid {
					continue
				}
			}
		}
		found = append(found, r)
	}
	if isTxn {
		sort.SliceStable(found, func(i, j int) bool {
			di, dj := found[i].Ret.Get("TxnDate"), found[j].Ret.Get("TxnDate")
			if di != dj {
				return di < dj
			}
			return found[i].TxnNum < found[j].TxnNum
		})
	} else {
		sort.SliceStable(found, func(i, j int) bool {
			return strings.ToLower(found[i].fullName()) < strings.ToLower(found[j].fullName())
		})
	}
	return found, ""
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func matchText(crit, have, want string) bool {
	h, w := strings.ToLower(have), strings.ToLower(want)
	switch crit {
	case "StartsWith":
		return strings.HasPrefix(h, w)
	case "EndsWith":
		return strings.HasSuffix(h, w)
	default:
		return strings.Contains(h, w)
	}
}

// entityMatches applies an EntityFilter: the customer of a sale, payment or
// refund; the payee of a check (a vendor, a tax agency or a customer being
// refunded).
func (c *Company) entityMatches(ef *elem, r *record) bool {
	cust := c.byID[r.Customer]
	if payee := c.refRecord(r.Ret, "PayeeEntityRef"); payee != nil {
		cust = payee
	}
	if cust == nil {
		return false
	}
	for _, id := range ef.All("ListID") {
		if strings.TrimSpace(id.Text) == cust.ID {
			return true
		}
	}
	for _, fn := range ef.All("FullName") {
		if strings.EqualFold(strings.TrimSpace(fn.Text), cust.fullName()) {
			return true
		}
	}
	if id := ef.Get("ListIDWithChildren"); id != "" {
		p := c.byID[id]
		return p != nil && (cust.ID == id || strings.HasPrefix(strings.ToLower(cust.fullName()), strings.ToLower(p.fullName())+":"))
	}
	if fn := ef.Get("FullNameWithChildren"); fn != "" {
		n := strings.ToLower(cust.fullName())
		return n == strings.ToLower(fn) || strings.HasPrefix(n, strings.ToLower(fn)+":")
	}
	return false
}
