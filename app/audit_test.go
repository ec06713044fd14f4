package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/jobs"
	"github.com/bcqb/bcqb/store"
	"github.com/bcqb/bcqb/web"
)

func TestInventoryAudit(t *testing.T) {
	ctx := context.Background()
	f := newCareFixture(t)
	if err := f.db.SetBCStoreSettings(ctx, f.st.ID, `{"skus": {"W-1": "Widget", "W-2": "Widget"}}`); err != nil {
		t.Fatal(err)
	}
	f.readLists(store.ListEntry{Type: "Item", ListID: "3", FullName: "Gadget", SubType: "ItemInventory", Active: true},
		store.ListEntry{Type: "Item", ListID: "4", FullName: "SVC", SubType: "ItemService", Active: true},
		store.ListEntry{Type: "Item", ListID: "5", FullName: "Unsure", SubType: "ItemInventory", Active: true})
	for i, p := range []struct {
		sku, tracking string
		level         int
	}{{"W-1", "product", 10}, {"W-2", "product", 3}, {"GADGET", "product", 5}, {"SVC", "none", 0}, {"NOPE", "product", 1}, {"UNSURE", "product", 2}} {
		raw := fmt.Sprintf(`{"id": %d, "name": "Product %s", "sku": %q, "inventory_tracking": %q, "inventory_level": %d}`,
			i+1, p.sku, p.sku, p.tracking, p.level)
		if _, err := f.db.PutDocuments(ctx, f.st.ID, []store.DocumentInput{{Kind: store.DocProduct, BCID: int64(i + 1), Raw: []byte(raw)}}); err != nil {
			t.Fatal(err)
		}
	}
	rows := func() (web.InventoryStore, map[string]web.InventoryRow) {
		t.Helper()
		audit, err := inventoryAudit(ctx, f.db)
		if err != nil {
			t.Fatal(err)
		}
		if len(audit) != 1 {
			t.Fatalf("audit of %d stores", len(audit))
		}
		m := map[string]web.InventoryRow{}
		for _, r := range audit[0].Rows {
			m[r.SKU] = r
		}
		return audit[0], m
	}

	a, m := rows()
	if !a.ReadAt.IsZero() || a.Differences != 0 || !strings.Contains(m["W-1"].Note, "not been read") || m["NOPE"].Note == "" {
		t.Errorf("before any reading: %+v", a)
	}

	// A reading: Widget holds 15 with 1 in an order not posted, so
	// BigCommerce should show 14 across W-1 and W-2, which show 13.
	f.advance(5 * time.Minute)
	if err := f.db.Update(ctx, func(tx *store.Tx) error {
		id, err := tx.StartReading(ctx, f.user.CompanyID, 0)
		if err != nil {
			return err
		}
		if err := tx.PutQuantities(ctx, id, []store.ItemQuantity{
			{ListID: "1", FullName: "Widget", OnHand: "15", Unposted: "1"},
			{ListID: "3", FullName: "Gadget", OnHand: "5"},
			{ListID: "5", FullName: "Unsure", OnHand: "7", Uncertain: "a request whose answer was lost may have moved it"},
		}); err != nil {
			return err
		}
		return tx.FinishReading(ctx, id)
	}); err != nil {
		t.Fatal(err)
	}
	a, m = rows()
	if !a.ReadAt.Equal(f.db.Now()) || a.Sync != jobs.InventoryOff || a.StoreHash != "abc123" || a.User != "qb" {
		t.Errorf("audit header = %+v", a)
	}
	for _, tc := range []struct {
		sku, bc, onHand, expected, difference string
		differs                               bool
		note                                  string
	}{
		{"W-1", "10", "15", "14", "-1", true, ""},
		{"W-2", "3", "15", "14", "-1", true, ""},
		{"GADGET", "5", "5", "5", "", false, ""},
		{"SVC", "", "", "", "", false, "Not an inventory item"},
		{"NOPE", "1", "", "", "", false, "No QuickBooks item"},
		{"UNSURE", "2", "7", "7", "", false, "Not compared: a request whose answer was lost"},
	} {
		r := m[tc.sku]
		if r.BigCommerce != tc.bc || r.OnHand != tc.onHand || r.Expected != tc.expected || r.Difference != tc.difference ||
			r.Differs != tc.differs || !strings.HasPrefix(r.Note, tc.note) || (tc.note == "" && r.Note != "") {
			t.Errorf("%s = %+v", tc.sku, r)
		}
	}
	if w := m["W-1"]; strings.Join(w.SharedWith, ",") != "W-2" || w.Item != "Widget" || w.Unposted != "1" {
		t.Errorf("W-1 = %+v", w)
	}
	if a.Differences != 2 || a.Rows[0].SKU != "W-1" || a.Rows[1].SKU != "W-2" {
		t.Errorf("differences = %d, first rows %s, %s: what differs comes first", a.Differences, a.Rows[0].SKU, a.Rows[1].SKU)
	}

	n, err := readInventorySoon(ctx, f.db)
	if err != nil || n != 1 {
		t.Fatalf("readInventorySoon = %d, %v", n, err)
	}
	if c, err := f.db.CountJobs(ctx, f.user.CompanyID); err != nil || c.Due != 1 {
		t.Errorf("jobs due after asking for a reading = %+v, %v", c, err)
	}
	// Asking twice queues one reading.
	if _, err := readInventorySoon(ctx, f.db); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.db.CountJobs(ctx, f.user.CompanyID); c.Due != 1 {
		t.Errorf("jobs due after asking twice = %+v", c)
	}
}
