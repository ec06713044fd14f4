package qbsim

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// refTargets says which kinds a reference element may point at, and how
// QuickBooks names that list in a 3140 message.
var refTargets = map[string]struct {
	kinds []string
	what  string
}{
	"CustomerRef":             {[]string{"Customer"}, "Customer"},
	"ClassRef":                {[]string{"Class"}, "Class"},
	"AccountRef":              {[]string{"Account"}, "Account"},
	"IncomeAccountRef":        {[]string{"Account"}, "Account"},
	"COGSAccountRef":          {[]string{"Account"}, "Account"},
	"AssetAccountRef":         {[]string{"Account"}, "Account"},
	"ExpenseAccountRef":       {[]string{"Account"}, "Account"},
	"ARAccountRef":            {[]string{"Account"}, "Account"},
	"DepositToAccountRef":     {[]string{"Account"}, "Account"},
	"RefundFromAccountRef":    {[]string{"Account"}, "Account"},
	"OverrideItemAccountRef":  {[]string{"Account"}, "Account"},
	"ItemRef":                 {itemKinds, "Item"},
	"ItemSalesTaxRef":         {[]string{"ItemSalesTax"}, "Item Sales Tax"},
	"SalesTaxCodeRef":         {[]string{"SalesTaxCode"}, "Sales Tax Code"},
	"CustomerSalesTaxCodeRef": {[]string{"SalesTaxCode"}, "Sales Tax Code"},
	"PaymentMethodRef":        {[]string{"PaymentMethod"}, "Payment Method"},
	"CurrencyRef":             {[]string{"Currency"}, "Currency"},
	"TaxVendorRef":            {[]string{"Vendor"}, "Vendor"},
	"PreferredVendorRef":      {[]string{"Vendor"}, "Vendor"},
	"VendorRef":               {[]string{"Vendor"}, "Vendor"},
	"PayeeEntityRef":          {nameKinds, "Entity"},
	"EntityRef":               {nameKinds, "Entity"},
}

// resolveRefs checks every ...Ref under n (recursively, except the names in
// skip) and rewrites it to ListID + FullName as QuickBooks returns it.
// where is the "in the X" of a 3140 message.
func (c *Company) resolveRefs(n *elem, where string, skip ...string) *qbStatus {
	for _, k := range n.Kids {
		if slicesContains(skip, k.Name) {
			continue
		}
		if strings.HasSuffix(k.Name, "Ref") && (k.Kid("ListID") != nil || k.Kid("FullName") != nil) {
			if _, st := c.resolveRef(k, where); st != nil {
				return st
			}
			continue
		}
		if strings.HasSuffix(k.Name, "LineAdd") || strings.HasSuffix(k.Name, "LineMod") || strings.HasSuffix(k.Name, "LineRet") {
			continue // lines are resolved with their own "line" wording
		}
		if len(k.Kids) > 0 {
			if st := c.resolveRefs(k, where); st != nil {
				return st
			}
		}
	}
	return nil
}

// resolveRef finds the record a Ref names and rewrites the Ref.
func (c *Company) resolveRef(ref *elem, where string) (*record, *qbStatus) {
	t, ok := refTargets[ref.Name]
	what := strings.TrimSuffix(ref.Name, "Ref")
	if ok {
		what = t.what
	}
	id, full := ref.Get("ListID"), ref.Get("FullName")
	shown := full
	if shown == "" {
		shown = id
	}
	if !ok {
		return nil, statusInvalidRef(what, shown, where)
	}
	var r *record
	if id != "" {
		r = c.byID[id]
		if r != nil && !slicesContains(t.kinds, r.Kind) {
			r = nil
		}
	} else {
		r = c.findByName(t.kinds, full)
	}
	if r == nil {
		return nil, statusInvalidRef(what, shown, where)
	}
	ref.Kids = []*elem{leaf("ListID", r.ID), leaf("FullName", r.fullName())}
	return r, nil
}

// refRecord returns the record an already-resolved Ref child points at.
func (c *Company) refRecord(n *elem, name string) *record {
	ref := n.Kid(name)
	if ref == nil {
		return nil
	}
	return c.byID[ref.Get("ListID")]
}

func refNode(name string, r *record) *elem {
	return el(name, leaf("ListID", r.ID), leaf("FullName", r.fullName()))
}

// listAdd adds a list object (Customer, Account, Item..., Class, ...).
func (c *Company) listAdd(kind string, add *elem) (*record, *qbStatus) {
	now := c.now()
	ret := add.Clone()
	ret.Name = kind + "Ret"
	name := add.Get("Name")
	full, sublevel := name, 0
	if p := ret.Kid("ParentRef"); p != nil {
		kinds := []string{kind}
		if namespace(kind) == "Item" {
			kinds = itemKinds
		}
		parent := c.byID[p.Get("ListID")]
		if parent == nil || !slicesContains(kinds, parent.Kind) {
			parent = c.findByName(kinds, p.Get("FullName"))
		}
		if parent == nil {
			return nil, statusInvalidRef(strings.TrimPrefix(kind, "Item"), p.Get("FullName")+p.Get("ListID"), kind)
		}
		p.Kids = []*elem{leaf("ListID", parent.ID), leaf("FullName", parent.fullName())}
		full = parent.fullName() + ":" + name
		sublevel, _ = strconv.Atoi(parent.Ret.Get("Sublevel"))
		sublevel++
	}
	if c.nameTaken(kind, full, "") {
		return nil, statusNameInUse(full)
	}
	if st := c.resolveRefs(ret, kind, "ParentRef"); st != nil {
		return nil, st
	}
	if st := c.listCurrency(kind, ret); st != nil {
		return nil, st
	}
	if kind == "ItemSalesTax" {
		if st := taxAgencyRequired(ret); st != nil {
			return nil, st
		}
	}
	r := &record{Kind: kind, Created: now, Modified: now, EditSeq: now.Unix()}
	r.ID = c.newListID(now)
	if kind == "SalesTaxCode" && !ret.Has("IsTaxable") {
		ret.Set("IsTaxable", "false")
	}
	switch kind {
	case "ItemInventory":
		// The opening quantity is an effect of the item itself.
		if q, ok := ret.Dec("QuantityOnHand"); ok {
			r.Stock = []stockMove{{Item: r.ID, Qty: q}}
		}
		if !ret.Has("SalesTaxCodeRef") && c.d.Defaults.TaxableCode != "" {
			ret.Put(refNode("SalesTaxCodeRef", c.byID[c.d.Defaults.TaxableCode]))
		}
	case "ItemNonInventory", "ItemService", "ItemOtherCharge":
		if !ret.Has("SalesTaxCodeRef") && c.d.Defaults.NonTaxableCode != "" {
			ret.Put(refNode("SalesTaxCodeRef", c.byID[c.d.Defaults.NonTaxableCode]))
		}
	case "Account":
		if _, ok := ret.Dec("OpenBalance"); ok {
			ret.Remove("OpenBalance")
		}
	}
	ret.Kids = append([]*elem{leaf("ListID", r.ID), leaf("TimeCreated", qbTime(now)), leaf("TimeModified", qbTime(now)),
		leaf("EditSequence", strconv.FormatInt(r.EditSeq, 10))}, ret.Kids...)
	ret.Put(leaf("FullName", full))
	if !ret.Has("IsActive") {
		ret.Set("IsActive", "true")
	}
	ret.Put(leaf("Sublevel", strconv.Itoa(sublevel)))
	r.Ret = ret
	c.insert(r)
	return r, nil
}

// taxAgencyRequired is QuickBooks' rule that a sales tax item with a
// nonzero TaxRate names the agency the tax is paid to (TaxVendorRef; the
// SDK reference: "If a nonzero TaxRate is specified, then TaxVendorRef is
// required"). The schema has TaxVendorRef optional, so this is not a parse
// error, and Intuit documents no status code for it. The simulator answers
// 3210, Intuit's "The field has an invalid value" for a value QuickBooks'
// own rules refuse: it is permanent and names the field, so a connector
// shows it for a person to fix. 3180 ("There was an error when saving"),
// which QuickBooks also uses to wrap refusals, was not chosen because
// connectors (bcqb and the PHP DevKit among them) read 3180 as a transient
// lock and would retry the add forever.
func taxAgencyRequired(ret *elem) *qbStatus {
	rate, ok := ret.Dec("TaxRate")
	if !ok || rate.IsZero() || ret.Has("TaxVendorRef") {
		return nil
	}
	return statusInvalidValue(fmt.Sprintf("The \"TaxVendorRef\" field has an invalid value \"\".  QuickBooks error message: "+
		"The sales tax item \"%s\" has a tax rate of %s%%; choose the tax agency (TaxVendorRef) it is paid to.", ret.Get("Name"), rate))
}

// listMod changes a list object, checking the EditSequence (3200).
func (c *Company) listMod(kind string, mod *elem) (*record, *qbStatus) {
	id := mod.Get("ListID")
	r := c.byID[id]
	if r == nil || r.Kind != kind {
		return nil, statusNotFound(id)
	}
	if es := mod.Get("EditSequence"); es != strconv.FormatInt(r.EditSeq, 10) {
		return nil, &qbStatus{3200, fmt.Sprintf("The provided edit sequence \"%s\" is out-of-date. ", es)}
	}
	upd := mod.Clone()
	upd.Remove("ListID")
	upd.Remove("EditSequence")
	if st := c.resolveRefs(upd, kind); st != nil {
		return nil, st
	}
	if name := upd.Get("Name"); name != "" {
		full := name
		if i := strings.LastIndex(r.fullName(), ":"); i >= 0 {
			full = r.fullName()[:i+1] + name
		}
		if c.nameTaken(kind, full, r.ID) {
			return nil, statusNameInUse(full)
		}
		c.rename(r, full)
	}
	for _, k := range upd.Kids {
		r.Ret.Put(k)
	}
	now := c.now()
	r.Modified = now
	r.EditSeq = max(now.Unix(), r.EditSeq+1)
	r.Ret.Set("TimeModified", qbTime(now))
	r.Ret.Set("EditSequence", strconv.FormatInt(r.EditSeq, 10))
	return r, nil
}

// ---- data extensions ----

func (c *Company) dataExtDefAdd(add *elem) ([]*elem, *qbStatus) {
	owner, name := add.Get("OwnerID"), add.Get("DataExtName")
	for _, d := range c.d.DataExtDefs {
		if d.OwnerID == owner && strings.EqualFold(d.Name, name) {
			return nil, statusNameInUse(name)
		}
	}
	c.d.DataExtDefs = append(c.d.DataExtDefs, dataExtDef{OwnerID: owner, Name: name, Type: add.Get("DataExtType")})
	ret := add.Clone()
	ret.Name = "DataExtDefRet"
	ret.Kids = append([]*elem{leaf("DataExtID", strconv.Itoa(len(c.d.DataExtDefs)))}, ret.Kids...)
	for _, k := range []string{"DataExtListRequire", "DataExtTxnRequire"} {
		if !ret.Has(k) {
			ret.Set(k, "false")
		}
	}
	if !ret.Has("DataExtFormatString") {
		ret.Set("DataExtFormatString", "")
	}
	if t, ok := childType(schemaMessages["DataExtDefAddRs"], "DataExtDefRet"); ok {
		orderNode(ret, t)
	}
	return []*elem{ret}, nil
}

func (c *Company) dataExtAdd(add *elem) ([]*elem, *qbStatus) {
	owner, name := add.Get("OwnerID"), add.Get("DataExtName")
	var def *dataExtDef
	for i, d := range c.d.DataExtDefs {
		if d.OwnerID == owner && strings.EqualFold(d.Name, name) {
			def = &c.d.DataExtDefs[i]
		}
	}
	if def == nil {
		return nil, statusNotFound(name)
	}
	de := dataExt{OwnerID: owner, Name: def.Name, Value: add.Get("DataExtValue")}
	ret := el("DataExtRet", leaf("OwnerID", owner), leaf("DataExtName", def.Name), leaf("DataExtType", def.Type), leaf("DataExtValue", de.Value))
	switch {
	case add.Has("ListDataExtType"):
		ref := add.Kid("ListObjRef")
		kinds := []string{add.Get("ListDataExtType")}
		if kinds[0] == "Item" {
			kinds = itemKinds
		}
		r := c.byID[ref.Get("ListID")]
		if r == nil {
			r = c.findByName(kinds, ref.Get("FullName"))
		}
		if r == nil || !slicesContains(kinds, r.Kind) {
			return nil, statusInvalidRef(add.Get("ListDataExtType"), ref.Get("FullName")+ref.Get("ListID"), "DataExt")
		}
		de.ObjKind, de.ObjID = r.Kind, r.ID
	case add.Has("TxnID"):
		r := c.byID[add.Get("TxnID")]
		if r == nil || isListKind(r.Kind) {
			return nil, statusNotFound(add.Get("TxnID"))
		}
		de.ObjKind, de.ObjID = "Txn", r.ID
	default:
		de.ObjKind = "Company"
	}
	for i, d := range c.d.DataExts {
		if d.OwnerID == de.OwnerID && d.Name == de.Name && d.ObjKind == de.ObjKind && d.ObjID == de.ObjID {
			c.d.DataExts[i] = de
			return []*elem{ret}, nil
		}
	}
	c.d.DataExts = append(c.d.DataExts, de)
	return []*elem{ret}, nil
}

// dataExtRets returns the DataExtRet elements of an object for the owners
// asked for.
func (c *Company) dataExtRets(objKind, objID string, owners []string) []*elem {
	var out []*elem
	for _, d := range c.d.DataExts {
		if d.ObjKind != objKind || d.ObjID != objID || !slicesContains(owners, d.OwnerID) {
			continue
		}
		typ := "STR255TYPE"
		for _, def := range c.d.DataExtDefs {
			if def.OwnerID == d.OwnerID && def.Name == d.Name {
				typ = def.Type
			}
		}
		out = append(out, el("DataExtRet", leaf("OwnerID", d.OwnerID), leaf("DataExtName", d.Name), leaf("DataExtType", typ), leaf("DataExtValue", d.Value)))
	}
	return out
}

// ---- derived values ----

func money(d decimal.Decimal) string { return d.StringFixed(2) }

type renderOpts struct {
	lines, linked bool
	owners        []string
}

// render returns the Ret of r as QuickBooks would answer it now, with the
// derived fields filled in and in schema order.
func (c *Company) render(r *record, o renderOpts) *elem {
	ret := r.Ret.Clone()
	switch r.Kind {
	case "Customer":
		b := c.customerBalance(r.ID)
		ret.Set("Balance", money(b))
		ret.Set("TotalBalance", money(b))
	case "ItemInventory":
		ret.Set("QuantityOnHand", c.quantityOnHand(r.ID).String())
	case "Invoice":
		paid, by := c.applied(r.ID)
		bal := r.Total.Sub(paid)
		if r.Voided {
			paid, bal = decimal.Zero, decimal.Zero
		}
		ret.Set("AppliedAmount", money(paid.Neg()))
		ret.Set("BalanceRemaining", money(bal))
		ret.Set("IsPaid", strconv.FormatBool(bal.IsZero()))
		if o.linked {
			for _, p := range by {
				ret.Kids = append(ret.Kids, c.linkedTxn(p, r.ID, true))
			}
		}
	case "CreditMemo":
		used, by := c.applied(r.ID)
		ret.Set("CreditRemaining", money(r.Total.Sub(used)))
		if o.linked {
			for _, p := range by {
				ret.Kids = append(ret.Kids, c.linkedTxn(p, r.ID, false))
			}
		}
	case "Check":
		// A check keeps the credit memos it paid out as LinkedTxn; a query
		// returns them only with IncludeLinkedTxns.
		if !o.linked {
			ret.Remove("LinkedTxn")
		}
	}
	if !o.lines {
		kept := ret.Kids[:0]
		for _, k := range ret.Kids {
			if !strings.Contains(k.Name, "LineRet") || k.Name == "DiscountLineRet" || k.Name == "SalesTaxLineRet" || k.Name == "ShippingLineRet" {
				kept = append(kept, k)
			}
		}
		ret.Kids = kept
	}
	if len(o.owners) > 0 {
		objKind := r.Kind
		if !isListKind(r.Kind) {
			objKind = "Txn"
		}
		ret.Kids = append(ret.Kids, c.dataExtRets(objKind, r.ID, o.owners)...)
	}
	if t, ok := retType(r.Kind); ok {
		orderNode(ret, t)
	}
	return ret
}

// linkedTxn describes transaction p applied to txnID (seen from txnID).
func (c *Company) linkedTxn(p *record, txnID string, negate bool) *elem {
	amt := decimal.Zero
	for _, a := range p.Applied {
		if a.TxnID == txnID {
			amt = amt.Add(a.Amount)
		}
	}
	if negate {
		amt = amt.Neg()
	}
	n := el("LinkedTxn", leaf("TxnID", p.ID), leaf("TxnType", p.Kind), leaf("TxnDate", p.Ret.Get("TxnDate")))
	if ref := p.Ret.Get("RefNumber"); ref != "" {
		n.Kids = append(n.Kids, leaf("RefNumber", ref))
	}
	n.Kids = append(n.Kids, leaf("LinkType", "AMTTYPE"), leaf("Amount", money(amt)))
	return n
}

// retType finds the schema type of a kind's Ret element.
func retType(kind string) (int, bool) {
	for _, op := range []string{"QueryRs", "AddRs"} {
		if t, ok := schemaMessages[kind+op]; ok {
			if ct, ok := childType(t, kind+"Ret"); ok {
				return ct, true
			}
		}
	}
	return 0, false
}
