package app

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/jobs"
	"github.com/bcqb/bcqb/qbsim"
	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/store"
)

// qbStock reads the simulated company's inventory items: quantity on hand
// and ListID by lower-case name.
func (r *syncRig) qbStock() map[string]qbxml.ItemRet {
	r.t.Helper()
	items := map[string]qbxml.ItemRet{}
	for _, x := range r.qbQuery(&qbxml.ItemInventoryQueryRq{}) {
		if q, ok := x.(*qbxml.ItemInventoryQueryRs); ok {
			for _, it := range q.Items {
				items[strings.ToLower(it.FullName)] = it
			}
		}
	}
	return items
}

// setStock sets every inventory item's quantity on hand in the simulated
// company (an adjustment made by hand, not by bcqb).
func (r *syncRig) setStock(qty int64) {
	r.t.Helper()
	m := qbxml.NewMessage(qbxml.StopOnError)
	for _, it := range r.qbStock() {
		m.Add("s"+it.ListID, &qbxml.InventoryAdjustmentAddRq{InventoryAdjustmentAdd: qbxml.InventoryAdjustmentAdd{
			AccountRef: qbxml.RefName("Inventory Adjustments"), Memo: "stock count",
			Lines: []qbxml.InventoryAdjustmentLineAdd{{ItemRef: &qbxml.Ref{ListID: it.ListID},
				QuantityAdjustment: &qbxml.QuantityAdjustment{NewQuantity: qbxml.QuantityInt(qty)}}}}})
	}
	b, err := m.Build(qbxml.V13)
	if err != nil {
		r.t.Fatal(err)
	}
	out, err := r.company.ProcessRequest(context.Background(), string(b))
	if err != nil || strings.Contains(out, `statusSeverity="Error"`) {
		r.t.Fatalf("set stock: %v %s", err, out)
	}
}

func (r *syncRig) store() store.BCStore {
	r.t.Helper()
	st, err := r.db.BCStores(context.Background())
	if err != nil || len(st) != 1 {
		r.t.Fatalf("stores: %v", err)
	}
	return st[0]
}

// readInventory queues a reading, runs sessions until bcqb is idle, and
// waits for the reading to be acted on.
func (r *syncRig) readInventory(after int64) store.InventoryReading {
	r.t.Helper()
	ctx := context.Background()
	if _, err := jobs.EnqueueInventoryReads(ctx, r.db); err != nil {
		r.t.Fatal(err)
	}
	r.settle()
	var rd store.InventoryReading
	waitFor(r.t, "the inventory reading to be acted on", func() bool {
		x, err := r.db.LatestReading(ctx, r.companyID(), store.ReadingProcessed)
		if errors.Is(err, store.ErrNotFound) {
			return false
		}
		if err != nil {
			r.t.Fatal(err)
		}
		rd = x
		return x.ID > after
	})
	return rd
}

// targets lists the offline store's tracked products and variants whose
// SKU is a QuickBooks inventory item (bcqb names items after SKUs).
func (r *syncRig) targets(stock map[string]qbxml.ItemRet) []jobs.StockTarget {
	r.t.Helper()
	docs, err := r.db.LatestDocuments(context.Background(), r.store().ID, store.DocProduct)
	if err != nil {
		r.t.Fatal(err)
	}
	return jobs.Targets(r.store().ID, docs, func(sku string) (string, bool) {
		it, ok := stock[strings.ToLower(sku)]
		return it.FullName, ok
	})
}

func (r *syncRig) readItems(readingID int64) map[string]store.ItemQuantity {
	r.t.Helper()
	qs, err := r.db.Quantities(context.Background(), readingID)
	if err != nil {
		r.t.Fatal(err)
	}
	out := map[string]store.ItemQuantity{}
	for _, q := range qs {
		out[strings.ToLower(q.FullName)] = q
	}
	return out
}

// unpostedSeen counts the items a reading saw in orders not posted yet.
func unpostedSeen(items map[string]store.ItemQuantity) int {
	n := 0
	for _, q := range items {
		if q.Unposted != "0" {
			n++
		}
	}
	return n
}

// TestInventoryQuickBooksMaster: QuickBooks is the master. Orders BigCommerce
// took after the last sync are pulled but not posted when QuickBooks' stock
// is read; the levels bcqb pushes are quantity on hand less those orders,
// so once they are posted BigCommerce's levels equal QuickBooks' quantities.
// A run with nothing changed pushes nothing.
func TestInventoryQuickBooksMaster(t *testing.T) {
	r := newSyncRig(t, 40, 7)
	ctx := context.Background()
	r.pulled()
	st := r.store()
	if err := r.db.SetBCStoreSettings(ctx, st.ID, `{"items":"inventory","inventory":"quickbooks"}`); err != nil {
		t.Fatal(err)
	}
	r.settle()
	r.setStock(500)
	r.fake.AddOrders(12)
	if _, err := r.ts.pull.puller.Pull(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	rd := r.readInventory(0)
	read := r.readItems(rd.ID)
	if n := unpostedSeen(read); n == 0 {
		t.Fatal("the reading saw no item in orders not posted yet; pick another seed")
	}
	stock := r.qbStock()
	checked := 0
	for _, tg := range r.targets(stock) {
		if _, ok := read[strings.ToLower(tg.Item)]; !ok {
			continue // created after the reading (a SKU first sold since)
		}
		level, err := r.fake.InventoryLevel(tg.ProductID, tg.VariantID)
		if err != nil {
			t.Fatal(err)
		}
		want := stock[strings.ToLower(tg.Item)].QuantityOnHand.Decimal().IntPart()
		if level != max(want, 0) {
			t.Errorf("SKU %s: BigCommerce level %d, QuickBooks quantity on hand %d", tg.SKU, level, want)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no BigCommerce product maps to a QuickBooks inventory item")
	}
	t.Logf("reading %d: %d levels checked, %d items in unposted orders", rd.ID, checked, unpostedSeen(read))

	// The items the new orders created are pushed by the next run; after
	// it, a run pushes nothing.
	rd2 := r.readInventory(rd.ID)
	pushes, err := r.db.Pushes(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pushes {
		if _, inFirst := read[strings.ToLower(p.Item)]; p.ReadingID == rd2.ID && inFirst {
			t.Errorf("reading %d pushed %s (%d) again", rd2.ID, p.SKU, p.Quantity)
		}
	}
	rd3 := r.readInventory(rd2.ID)
	pushes, err = r.db.Pushes(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pushes {
		if p.ReadingID == rd3.ID {
			t.Errorf("a run with nothing changed pushed %s (%d)", p.SKU, p.Quantity)
		}
	}
}

// TestInventoryBigCommerceMaster: BigCommerce is the master. Its levels are
// brought into QuickBooks with one adjustment per item, counting the orders
// not posted yet when the stock was read, so that once they post QuickBooks'
// quantity on hand equals BigCommerce's level; a run with nothing changed
// adds no adjustment.
func TestInventoryBigCommerceMaster(t *testing.T) {
	r := newSyncRig(t, 40, 7)
	ctx := context.Background()
	r.pulled()
	st := r.store()
	if err := r.db.SetBCStoreSettings(ctx, st.ID, `{"items":"inventory","inventory":"bigcommerce"}`); err != nil {
		t.Fatal(err)
	}
	r.settle()
	r.fake.AddOrders(12)
	if _, err := r.ts.pull.puller.Pull(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	rd := r.readInventory(0)
	r.settle() // the adjustments
	read := r.readItems(rd.ID)
	if n := unpostedSeen(read); n == 0 {
		t.Fatal("the reading saw no item in orders not posted yet; pick another seed")
	}
	check := func(only map[string]store.ItemQuantity) int {
		t.Helper()
		stock := r.qbStock()
		levels := map[string]int64{}
		for _, tg := range r.targets(stock) {
			level, err := r.fake.InventoryLevel(tg.ProductID, tg.VariantID)
			if err != nil {
				t.Fatal(err)
			}
			levels[strings.ToLower(tg.Item)] += level
		}
		n := 0
		for k, level := range levels {
			if _, ok := only[k]; !ok && only != nil {
				continue
			}
			if got := stock[k].QuantityOnHand.Decimal(); !got.Equal(decimal.NewFromInt(level)) {
				t.Errorf("item %s: QuickBooks quantity on hand %s, BigCommerce level %d", stock[k].FullName, got, level)
			}
			n++
		}
		return n
	}
	if n := check(read); n == 0 {
		t.Fatal("no BigCommerce product maps to a QuickBooks inventory item")
	}
	adjs, err := r.db.Adjustments(ctx, r.companyID(), 0)
	if err != nil {
		t.Fatal(err)
	}
	first := len(adjs)
	if first == 0 {
		t.Fatal("no adjustment was made")
	}

	// The next run adjusts only the items the new orders created; after it,
	// every item matches and a run adds no adjustment.
	rd2 := r.readInventory(rd.ID)
	r.settle()
	adjs, err = r.db.Adjustments(ctx, r.companyID(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range adjs {
		if _, inFirst := read[strings.ToLower(a.FullName)]; a.ReadingID == rd2.ID && inFirst {
			t.Errorf("reading %d adjusted %s (%s) again", rd2.ID, a.FullName, a.Difference)
		}
	}
	t.Logf("adjustments: %d at reading %d, %d at reading %d", first, rd.ID, len(adjs)-first, rd2.ID)
	check(nil)
	before := countKind(r.company, "InventoryAdjustment")
	rd3 := r.readInventory(rd2.ID)
	r.settle()
	adjs3, err := r.db.Adjustments(ctx, r.companyID(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(adjs3) != len(adjs) || countKind(r.company, "InventoryAdjustment") != before {
		t.Errorf("a run with nothing changed (reading %d) added %d adjustments", rd3.ID, len(adjs3)-len(adjs))
	}
	for _, a := range adjs3 {
		if a.JobState != store.JobDone {
			t.Errorf("adjustment of %s at reading %d: job %s", a.FullName, a.ReadingID, a.JobState)
		}
	}
}

func countKind(c *qbsim.Company, kind string) int {
	n := 0
	for _, x := range c.Transactions() {
		if x.Kind == kind {
			n++
		}
	}
	return n
}
