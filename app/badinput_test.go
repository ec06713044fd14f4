package app

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/pull"
	"github.com/bcqb/bcqb/store"
)

// TestSyncBadInput: an unknown SKU under "items need mapping", an item
// deleted in QuickBooks after bcqb read the lists, and a BigCommerce order
// that cannot be read each park their own document with the reason in
// words; nothing else is blocked and nothing is lost. Fixing the mapping and
// planning again posts them.
func TestSyncBadInput(t *testing.T) {
	r := newSyncRig(t, 30, 13)
	ctx := context.Background()
	r.pulled()
	stores, err := r.db.BCStores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st := stores[0]

	// Two orders with a SKU each: one to leave unmapped, one to map to an
	// item QuickBooks no longer has.
	docs, err := r.db.DocumentsAfter(ctx, st.ID, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var unmapped, ghost string
	var unmappedOrder, ghostOrder int64
	for _, d := range docs {
		if d.Kind != store.DocOrder {
			continue
		}
		det, err := pull.DecodeOrder([]byte(d.Raw))
		if err != nil || det.Order.StatusID != 10 || len(det.Products) == 0 || det.Products[0].SKU == "" {
			continue
		}
		sku := det.Products[0].SKU
		switch {
		case unmapped == "":
			unmapped, unmappedOrder = sku, d.BCID
		case ghost == "" && sku != unmapped:
			ghost, ghostOrder = sku, d.BCID
		}
	}
	if ghost == "" {
		t.Fatal("the seeded store has too few completed orders with SKUs; pick another seed")
	}
	set := func(v map[string]any) {
		t.Helper()
		raw, _ := json.Marshal(v)
		if err := r.db.SetBCStoreSettings(ctx, st.ID, string(raw)); err != nil {
			t.Fatal(err)
		}
	}
	// Every SKU but the unmapped one is mapped to an item of its own name
	// (created by bcqb), the ghost one to an item bcqb believes exists.
	set(map[string]any{"items": "mapping", "skus": map[string]string{ghost: "Ghost Widget"}})
	// A malformed order arrives with the good ones.
	if _, err := r.db.PutDocuments(ctx, st.ID, []store.DocumentInput{{Kind: store.DocOrder, BCID: 999999,
		Raw: []byte(`{"order":{"id":999999,"status_id":10,"total_inc_tax":"twelve"}}`), DateModified: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	// The first session reads the lists; then the ghost item is "deleted".
	r.wc.RunSession(ctx)
	if err := r.db.Update(ctx, func(tx *store.Tx) error {
		return tx.PutList(ctx, r.companyID(), store.ListEntry{Type: "Item", ListID: "80000099-0000000000", FullName: "Ghost Widget", Active: true})
	}); err != nil {
		t.Fatal(err)
	}
	r.settle()

	byOrder := map[int64]store.Posting{}
	ps, err := r.db.Postings(ctx, r.companyID(), "", 10000)
	if err != nil {
		t.Fatal(err)
	}
	posted := 0
	for _, p := range ps {
		if p.DocKind == store.DocOrder {
			byOrder[p.BCID] = p
			if p.State == store.PostingPosted {
				posted++
			}
		}
	}
	check := func(id int64, state string, words ...string) {
		t.Helper()
		p := byOrder[id]
		if p.State != state {
			t.Errorf("order %d: %s (%q), want %s", id, p.State, p.Reason, state)
		}
		for _, w := range words {
			if !strings.Contains(p.Reason, w) {
				t.Errorf("order %d: reason %q does not say %q", id, p.Reason, w)
			}
		}
	}
	t.Logf("unmapped SKU: %s", byOrder[unmappedOrder].Reason)
	t.Logf("malformed order: %s", byOrder[999999].Reason)
	check(unmappedOrder, store.PostingAttention, unmapped, "map")
	check(999999, store.PostingAttention, "cannot be read")
	// Mapped orders post; only those that need an unmapped SKU wait.
	if posted != 0 {
		t.Logf("%d orders posted while others need mapping", posted)
	}

	// The bookkeeper lets bcqb create the items and plans again: the
	// unmapped order posts; the ghost item fails in QuickBooks with its reason.
	set(map[string]any{"items": "noninventory", "skus": map[string]string{ghost: "Ghost Widget"}})
	if _, err := r.ts.Planner().Replan(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	r.settle()
	ps, _ = r.db.Postings(ctx, r.companyID(), "", 10000)
	for _, p := range ps {
		if p.DocKind == store.DocOrder {
			byOrder[p.BCID] = p
		}
	}
	check(unmappedOrder, store.PostingPosted)
	t.Logf("deleted item: %s", byOrder[ghostOrder].Reason)
	check(ghostOrder, store.PostingAttention, "Ghost Widget")
	check(999999, store.PostingAttention, "cannot be read")
	for id, p := range byOrder {
		if id == ghostOrder || id == 999999 {
			continue
		}
		if p.State == store.PostingAttention || p.State == store.PostingPlanned {
			t.Errorf("order %d is %s (%s): one bad document blocked another", id, p.State, p.Reason)
		}
	}

	// Mapped to a real item, the ghost order posts too.
	set(map[string]any{"items": "noninventory", "skus": map[string]string{ghost: "Widget"}})
	if _, err := r.ts.Planner().Replan(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	r.settle()
	ps, _ = r.db.Postings(ctx, r.companyID(), "", 10000)
	for _, p := range ps {
		if p.BCID == ghostOrder && p.DocKind == store.DocOrder && p.State != store.PostingPosted {
			t.Errorf("ghost order after mapping to Widget: %s (%s)", p.State, p.Reason)
		}
	}
}
