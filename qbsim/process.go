package qbsim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// qbStatus is a per-request status QuickBooks reports in the ...Rs
// attributes.
type qbStatus struct {
	Code int
	Msg  string
}

func (s *qbStatus) Error() string { return fmt.Sprintf("status %d: %s", s.Code, s.Msg) }

func severity(code int) string {
	switch {
	case code < 500:
		return "Info"
	case code < 1000:
		return "Warn"
	}
	return "Error"
}

// Status messages as QuickBooks words them.
const (
	msgOK      = "Status OK"
	msgNoMatch = "A query request did not find a matching object in QuickBooks"
)

func statusNameInUse(name string) *qbStatus {
	return &qbStatus{3100, fmt.Sprintf("The name \"%s\" of the list element is already in use.", name)}
}

func statusInvalidRef(what, value, where string) *qbStatus {
	return &qbStatus{3140, fmt.Sprintf("There is an invalid reference to QuickBooks %s \"%s\" in the %s.  QuickBooks error message: Invalid argument.  The specified record does not exist in the list.", what, value, where)}
}

func statusNotFound(id string) *qbStatus {
	return &qbStatus{3120, fmt.Sprintf("Object \"%s\" specified in the request cannot be found.  QuickBooks error message: Invalid argument.  The specified record does not exist in the list.", id)}
}

func statusInvalidValue(msg string) *qbStatus { return &qbStatus{3210, msg} }

func statusLocked(code int, kind, name string) *qbStatus {
	switch code {
	case 3170:
		return &qbStatus{3170, fmt.Sprintf("There was an error when modifying a %s list, element \"%s\".  QuickBooks error message: This list has been modified by another user.", kind, name)}
	case 3175:
		return &qbStatus{3175, fmt.Sprintf("There was an error when saving a %s list, element \"%s\".  QuickBooks error message: Cannot lock the record; it is being used by another user.", kind, name)}
	default:
		return &qbStatus{code, fmt.Sprintf("There was an error when saving a %s.  QuickBooks error message: The record is in use by another user.", kind)}
	}
}

// parseErr is the refusal of a whole message; no request of it runs.
func parseErr(detail string) *HResultError {
	return &HResultError{HResultParseError, "QuickBooks found an error when parsing the provided XML text stream." +
		func() string {
			if detail == "" {
				return ""
			}
			return " (simulator: " + detail + ")"
		}()}
}

// process validates the whole message against the schema first (a message
// with any invalid request is refused with no partial work, as QuickBooks
// does), then runs the requests in order honouring onError.
func (c *Company) process(ctx context.Context, request string, delays bool) (string, error) {
	c.proc.Lock()
	defer c.proc.Unlock()
	root, version, err := parseDoc([]byte(request))
	if err != nil {
		return "", parseErr(err.Error())
	}
	if root.Name != "QBXML" {
		return "", parseErr("root element is " + root.Name)
	}
	c.mu.Lock()
	major, minor := c.d.QBXMLMajor, c.d.QBXMLMinor
	f := c.faults
	c.mu.Unlock()

	if err := checkVersion(version, major, minor); err != nil {
		return "", parseErr(err.Error())
	}
	msgs := root.Kid("QBXMLMsgsRq")
	if msgs == nil || len(root.Kids) != 1 {
		return "", parseErr("QBXML must hold exactly one QBXMLMsgsRq")
	}
	onError := msgs.Attr("onError")
	switch onError {
	case "stopOnError", "continueOnError", "rollbackOnError":
	default:
		return "", parseErr(fmt.Sprintf("onError %q", onError))
	}
	tooLong := map[*elem]*qbStatus{}
	for _, rq := range msgs.Kids {
		t, ok := schemaMessages[rq.Name]
		if !ok || !strings.HasSuffix(rq.Name, "Rq") {
			return "", parseErr("unknown request " + rq.Name)
		}
		st, err := validateRequest(rq, t)
		if err != nil {
			return "", parseErr(err.Error())
		}
		if st != nil {
			tooLong[rq] = st
		}
		if err := checkRqAttrs(rq); err != nil {
			return "", parseErr(err.Error())
		}
	}
	if delays {
		if err := c.clock.Sleep(ctx, f.MessageDelay+f.Speed.PerMessage); err != nil {
			return "", err
		}
	}
	out := el("QBXMLMsgsRs")
	newID, oldID := msgs.Attr("newMessageSetID"), msgs.Attr("oldMessageSetID")
	sum := messageChecksum(msgs)
	c.mu.Lock()
	saved := c.d.SavedSet
	c.mu.Unlock()
	if done, resp := recoverMessageSet(out, saved, newID, oldID, sum); done {
		return resp, nil
	}
	for _, rq := range msgs.Kids {
		if delays {
			if err := c.clock.Sleep(ctx, f.RequestDelay); err != nil {
				return "", err
			}
		}
		var rs *elem
		if st := tooLong[rq]; st != nil {
			rs = rsFor(rq, st)
		} else {
			rs, _ = c.handle(rq)
		}
		if delays {
			w := workOf(rq, rs)
			d := f.Speed.cost(w)
			if w.txnWrites > 0 {
				d += f.TxnDelay
			}
			if err := c.clock.Sleep(ctx, d); err != nil {
				return "", err
			}
		}
		out.Kids = append(out.Kids, rs)
		code, _ := strconv.Atoi(rs.Attr("statusCode"))
		if severity(code) == "Error" && onError != "continueOnError" {
			break
		}
	}
	if newID != "" {
		out.SetAttr("newMessageSetID", newID)
	}
	resp := renderResponse(out)
	c.mu.Lock()
	if newID != "" {
		c.d.SavedSet = &savedSet{ID: newID, Checksum: sum, Response: resp}
	}
	err = c.saveLocked(context.WithoutCancel(ctx))
	c.mu.Unlock()
	if err != nil {
		return "", &HResultError{HResultUnexpected, err.Error()}
	}
	return resp, nil
}

func renderResponse(msgsRs *elem) string {
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\" ?>\n")
	el("QBXML", msgsRs).writeLines(&b)
	return b.String()
}

// savedSet is the last message set sent with a newMessageSetID: QuickBooks
// keeps its response in the company file for the SDK's error recovery.
type savedSet struct {
	ID       string `json:"id"`
	Checksum string `json:"checksum"`
	Response string `json:"response"`
}

func messageChecksum(msgs *elem) string {
	h := sha256.New()
	for _, rq := range msgs.Kids {
		io.WriteString(h, rq.String())
	}
	return hex.EncodeToString(h.Sum(nil))
}

// recoverMessageSet applies the SDK's error recovery attributes (status
// codes as Intuit's samples list them). It reports done with the whole
// answer when the message must not be processed: the same message set sent
// again (its saved response, nothing done twice), a different message under
// a saved ID (9001), an ID over 24 characters (9004), or an unknown
// oldMessageSetID without a new one (600). For a matching oldMessageSetID
// the saved responses are put first in out and any new requests follow.
func recoverMessageSet(out *elem, saved *savedSet, newID, oldID, sum string) (bool, string) {
	status := func(code string) (bool, string) {
		out.SetAttr("messageSetStatusCode", code)
		return true, renderResponse(out)
	}
	if len(newID) > 24 || len(oldID) > 24 {
		return status("9004")
	}
	if newID != "" && saved != nil && saved.ID == newID && oldID == "" {
		if saved.Checksum != sum {
			return status("9001")
		}
		return true, saved.Response
	}
	if oldID == "" {
		return false, ""
	}
	switch {
	case saved == nil:
		out.SetAttr("messageSetStatusCode", "9002")
		if newID == "" {
			return true, renderResponse(out)
		}
	case saved.ID == oldID:
		out.SetAttr("messageSetStatusCode", "0")
		if root, _, err := parseDoc([]byte(saved.Response)); err == nil {
			out.Kids = append(out.Kids, root.Kid("QBXMLMsgsRs").Kids...)
		}
	case newID == "":
		return status("600")
	}
	return false, ""
}

// writeLines renders like QuickBooks: one element per line, no indentation.
func (n *elem) writeLines(b *bytes.Buffer) {
	if len(n.Kids) == 0 {
		n.write(b)
		b.WriteString("\n")
		return
	}
	var head bytes.Buffer
	(&elem{Name: n.Name, Attrs: n.Attrs, Text: "x"}).write(&head)
	s := head.String()
	b.WriteString(s[:strings.Index(s, ">")+1] + "\n")
	for _, k := range n.Kids {
		k.writeLines(b)
	}
	b.WriteString("</" + n.Name + ">\n")
}

func checkVersion(v string, major, minor int) error {
	if v == "" {
		return fmt.Errorf("no <?qbxml version?> instruction")
	}
	maj, min, _ := strings.Cut(v, ".")
	a, err1 := strconv.Atoi(maj)
	b := 0
	var err2 error
	if min != "" {
		b, err2 = strconv.Atoi(min)
	}
	if err1 != nil || err2 != nil {
		return fmt.Errorf("qbxml version %q", v)
	}
	if a > major || (a == major && b > minor) {
		return fmt.Errorf("qbxml version %s is newer than this QuickBooks supports (%d.%d)", v, major, minor)
	}
	return nil
}

func checkRqAttrs(rq *elem) error {
	for _, a := range rq.Attrs {
		switch a.Name.Local {
		case "requestID":
		case "iterator":
			if a.Value != "Start" && a.Value != "Continue" && a.Value != "Stop" {
				return fmt.Errorf("%s iterator=%q", rq.Name, a.Value)
			}
		case "iteratorID", "metaData":
		default:
			return fmt.Errorf("%s: attribute %s is not allowed", rq.Name, a.Name.Local)
		}
	}
	return nil
}

// rsFor starts the ...Rs element for a request, copying its requestID.
func rsFor(rq *elem, st *qbStatus) *elem {
	name := strings.TrimSuffix(rq.Name, "Rq") + "Rs"
	rs := &elem{Name: name}
	if id := rq.Attr("requestID"); id != "" {
		rs.SetAttr("requestID", id)
	}
	if st == nil {
		st = &qbStatus{0, msgOK}
	}
	rs.SetAttr("statusCode", strconv.Itoa(st.Code))
	rs.SetAttr("statusSeverity", severity(st.Code))
	rs.SetAttr("statusMessage", st.Msg)
	return rs
}

// handle runs one validated request under the company lock.
func (c *Company) handle(rq *elem) (rs *elem, wroteTxn bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	op := strings.TrimSuffix(rq.Name, "Rq")
	if len(rq.Attr("requestID")) > 50 {
		return rsFor(rq, &qbStatus{1060, fmt.Sprintf("The requestID \"%s\" is longer than 50 characters.", rq.Attr("requestID"))}), false
	}
	write := isWrite(op)
	kind := strings.TrimSuffix(strings.TrimSuffix(op, "Add"), "Mod")
	if write && c.faults.Locked != 0 && (c.faults.LockedWrites == 0 || c.lockedN < c.faults.LockedWrites) {
		c.lockedN++
		return rsFor(rq, statusLocked(c.faults.Locked, kind, firstText(rq))), false
	}
	if write && c.faults.LockRate > 0 && c.rng != nil && c.rng.Float64() < c.faults.LockRate {
		code := []int{3170, 3175, 3180}[c.rng.IntN(3)]
		return rsFor(rq, statusLocked(code, kind, firstText(rq))), false
	}
	if write {
		if st := c.salesTaxOffRefusal(kind, rq.Kid(op)); st != nil {
			return rsFor(rq, st), false
		}
	}
	var kids []*elem
	var st *qbStatus
	switch {
	case op == "HostQuery":
		kids = []*elem{c.hostRet()}
	case op == "CompanyQuery":
		kids = []*elem{c.companyRet(rq)}
	case op == "PreferencesQuery":
		kids = []*elem{c.preferencesRet()}
	case op == "TxnVoid" || op == "TxnDel":
		kids, st = c.voidOrDelete(op, rq)
		wroteTxn = st == nil
	case op == "DataExtDefAdd":
		kids, st = c.dataExtDefAdd(rq.Kid("DataExtDefAdd"))
	case op == "DataExtAdd":
		kids, st = c.dataExtAdd(rq.Kid("DataExtAdd"))
	case strings.HasSuffix(op, "Query"):
		return c.query(rq, strings.TrimSuffix(op, "Query")), false
	case strings.HasSuffix(op, "Add"):
		kind := strings.TrimSuffix(op, "Add")
		var r *record
		if txnKinds[kind] {
			r, st = c.txnAdd(kind, rq.Kid(op))
			wroteTxn = st == nil
		} else {
			r, st = c.listAdd(kind, rq.Kid(op))
		}
		if st == nil {
			kids = []*elem{includeOnly(c.render(r, renderOpts{lines: true, linked: true}), rq)}
		}
	case strings.HasSuffix(op, "Mod"):
		kind := strings.TrimSuffix(op, "Mod")
		var r *record
		r, st = c.listMod(kind, rq.Kid(op))
		if st == nil {
			kids = []*elem{includeOnly(c.render(r, renderOpts{lines: true, linked: true}), rq)}
		}
	default:
		st = &qbStatus{3250, fmt.Sprintf("This feature is not enabled or not available in this version of QuickBooks (simulator has no %s).", op)}
	}
	rs = rsFor(rq, st)
	if st == nil {
		rs.Kids = kids
		orderNode(rs, schemaMessages[rs.Name])
	}
	return rs, wroteTxn
}

func isWrite(op string) bool {
	return strings.HasSuffix(op, "Add") || strings.HasSuffix(op, "Mod") || op == "TxnVoid" || op == "TxnDel"
}

// work is what one request made QuickBooks do, for the speed model.
type work struct {
	txnWrites, listWrites, lines, listRecords, txnRecords int
}

func workOf(rq, rs *elem) work {
	var w work
	op := strings.TrimSuffix(rq.Name, "Rq")
	if code, _ := strconv.Atoi(rs.Attr("statusCode")); code >= 1000 {
		return w
	}
	switch {
	case strings.HasSuffix(op, "Query"):
		n := len(rs.Kids)
		if txnKinds[strings.TrimSuffix(op, "Query")] {
			w.txnRecords = n
		} else {
			w.listRecords = n
		}
	case isWrite(op):
		kind := strings.TrimSuffix(strings.TrimSuffix(op, "Add"), "Mod")
		if txnKinds[kind] || op == "TxnVoid" || op == "TxnDel" {
			w.txnWrites = 1
			for _, ret := range rs.Kids {
				for _, k := range ret.Kids {
					if strings.HasSuffix(k.Name, "LineRet") {
						w.lines++
					}
				}
			}
		} else {
			w.listWrites = 1
		}
	}
	return w
}

// firstText finds a name for a locked-record message.
func firstText(rq *elem) string {
	for _, k := range rq.Kids {
		if n := k.Get("Name"); n != "" {
			return n
		}
		if n := k.Get("RefNumber"); n != "" {
			return n
		}
	}
	return ""
}

// includeOnly applies IncludeRetElement.
func includeOnly(ret *elem, rq *elem) *elem {
	inc := rq.All("IncludeRetElement")
	if len(inc) == 0 {
		return ret
	}
	keep := map[string]bool{}
	for _, i := range inc {
		keep[strings.TrimSpace(i.Text)] = true
	}
	kept := ret.Kids[:0]
	for _, k := range ret.Kids {
		if keep[k.Name] {
			kept = append(kept, k)
		}
	}
	ret.Kids = kept
	return ret
}

// salesTaxOffRefusal refuses, in a company that does not track sales tax,
// what QuickBooks then refuses: adding a sales tax item or code, and any
// request naming one (a line's or a header's tax code or item).
func (c *Company) salesTaxOffRefusal(kind string, n *elem) *qbStatus {
	if !c.d.SalesTaxOff || n == nil {
		return nil
	}
	const off = "This feature is not enabled or not available in this version of QuickBooks: sales tax is turned off in this company file (Edit > Preferences > Sales Tax)"
	if kind == "ItemSalesTax" || kind == "ItemSalesTaxGroup" || kind == "SalesTaxCode" {
		return &qbStatus{3250, off + ", so there is no " + kind + " list."}
	}
	var found string
	var walk func(e *elem)
	walk = func(e *elem) {
		for _, k := range e.Kids {
			if found != "" {
				return
			}
			switch k.Name {
			case "SalesTaxCodeRef", "ItemSalesTaxRef", "CustomerSalesTaxCodeRef", "SalesTaxLineAdd":
				found = k.Name
				return
			}
			walk(k)
		}
	}
	walk(n)
	if found != "" {
		return &qbStatus{3250, off + ", so a " + kind + " cannot name " + found + "."}
	}
	return nil
}
