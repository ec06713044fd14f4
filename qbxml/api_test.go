package qbxml

import (
	"strings"
	"testing"
	"time"
)

func TestNextPage(t *testing.T) {
	q := &CustomerQueryRq{ListFilter: ListFilter{MaxReturned: 2}}
	q.SetIterator(IteratorStart, "")
	if !NextPage(q, &RsHeader{IteratorID: "{it-1}", IteratorRemainingCount: 5}) || q.Iterator != IteratorContinue || q.IteratorID != "{it-1}" {
		t.Fatalf("continue: %+v", q.IterHeader)
	}
	if NextPage(q, &RsHeader{IteratorID: "{it-1}", IteratorRemainingCount: 0}) || NextPage(q, nil) {
		t.Fatal("NextPage after the last page")
	}
}

func TestUnanswered(t *testing.T) {
	sent := NewMessage(StopOnError).Add("a", &HostQueryRq{}).Add("b", &CompanyQueryRq{}).Add("c", &PreferencesQueryRq{})
	got := &ResponseMessage{Responses: []Response{&HostQueryRs{RsHeader: RsHeader{RequestID: "a"}}, &CompanyQueryRs{RsHeader: RsHeader{RequestID: "b", StatusCode: 3250}}}}
	un := got.Unanswered(sent)
	if len(un) != 1 || un[0].RequestID() != "c" {
		t.Fatalf("unanswered %v", un)
	}
}

func TestFileIDFor(t *testing.T) {
	_, h := loadHCP(t)
	for _, c := range []struct {
		owner string
		want  string
		ok    bool
	}{
		{"{57F3B9B6-86F1-4fcc-B1FF-967DE1813D20}", "{2F0C7E3A-5B1D-4C9E-9A61-3E8D2B7C1F40}", true},
		{"57f3b9b6-86f1-4fcc-b1ff-967de1813d20", "{2F0C7E3A-5B1D-4C9E-9A61-3E8D2B7C1F40}", true},
		{"{00000000-0000-0000-0000-000000000001}", "", false},
	} {
		got, ok := h.FileIDFor(c.owner)
		if got != c.want || ok != c.ok {
			t.Errorf("FileIDFor(%s) = %q %v", c.owner, got, ok)
		}
	}
	if v, ok := DataExtValue(h.Company.DataExtRets, "", "applock"); !ok || !strings.HasPrefix(v, "LOCKED:") {
		t.Errorf("AppLock %q %v", v, ok)
	}
}

// TestItemQueryRoundTrip: mixed item kinds marshal under their own element
// names inside ItemQueryRs and parse back.
func TestItemQueryRoundTrip(t *testing.T) {
	svc := NewItemRet("ItemService")
	svc.ListID, svc.Name, svc.IsActive = "80000001-1", "Engraving", true
	svc.SalesOrPurchase = &SalesOrPurchase{Price: PriceOf(dec("10.5"))}
	inv := NewItemRet("ItemInventory")
	inv.ListID, inv.Name, inv.QuantityOnHand = "80000002-1", "TSHIRT-RED-M", QuantityOf(dec("12.5"))
	rs := &ItemQueryRs{Items: []ItemRet{svc, inv}}
	rs.SetStatus(0, "")
	rs.IteratorID, rs.IteratorRemainingCount = "{it}", 3
	b, err := (&ResponseMessage{Responses: []Response{rs}}).Build()
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseResponse(b)
	if err != nil {
		t.Fatal(err)
	}
	got := m.Responses[0].(*ItemQueryRs)
	if len(got.Items) != 2 || got.Items[0].Kind() != "ItemService" || got.Items[1].Kind() != "ItemInventory" ||
		got.Items[0].SalesOrPurchase.Price.String() != "10.5" || got.Items[1].QuantityOnHand.String() != "12.5" || !got.More() {
		t.Fatalf("%s\n%+v", b, got)
	}
}

// TestFindQueries: the lookup builders used before re-posting are schema-valid.
func TestFindQueries(t *testing.T) {
	docs := map[string][]byte{}
	from := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	for _, typ := range []string{TxnTypeSalesReceipt, TxnTypeInvoice, TxnTypeCreditMemo, TxnTypeReceivePayment, TxnTypeARRefundCreditCard, TxnTypeCheck} {
		r, ok := FindByRefNumber(typ, "100042")
		if !ok {
			t.Fatalf("FindByRefNumber(%s)", typ)
		}
		m, ok := FindModified(typ, from, from.Add(time.Hour))
		if !ok {
			t.Fatalf("FindModified(%s)", typ)
		}
		b, err := NewMessage(ContinueOnError).Add("ref", r).Add("mod", m).Build(V13)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "<FromModifiedDate>2026-11-03T09:00:00</FromModifiedDate>") {
			t.Errorf("modified date not local form:\n%s", b)
		}
		if got := r.RqName(); got != typ+"QueryRq" {
			t.Errorf("FindByRefNumber(%s) built a %s", typ, got)
		}
		if got := m.RqName(); got != typ+"QueryRq" {
			t.Errorf("FindModified(%s) built a %s", typ, got)
		}
		docs[typ] = b
	}
	for _, typ := range []string{TxnTypeInventoryAdjustment, "Bill", ""} {
		if _, ok := FindByRefNumber(typ, "1"); ok {
			t.Errorf("FindByRefNumber accepted %q, which bcqb does not post", typ)
		}
		if _, ok := FindModified(typ, from, from); ok {
			t.Errorf("FindModified accepted %q", typ)
		}
	}
	ref := referenceDir(t)
	for name, why := range xmllint(t, xsdFor(ref, V13), docs) {
		t.Errorf("%s: %s\n%s", name, why, docs[name])
	}
}
