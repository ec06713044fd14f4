package jobs

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/store"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestAvailable(t *testing.T) {
	for _, c := range []struct {
		onHand, unposted string
		want             int64
	}{
		{"100", "0", 100}, {"100", "7", 93}, {"3", "5", 0}, {"10.5", "0", 10}, {"-4", "0", 0}, {"0", "0", 0},
	} {
		if got := (ItemStock{OnHand: d(c.onHand), Unposted: d(c.unposted)}).Available(); got != c.want {
			t.Errorf("on hand %s less %s: %d, want %d", c.onHand, c.unposted, got, c.want)
		}
	}
}

func TestPushLevels(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	items := map[string]ItemStock{
		"widget": {ListID: "W", Name: "Widget", OnHand: d("100"), Unposted: d("3")},
		"gadget": {ListID: "G", Name: "Gadget", OnHand: d("25")},
		"lost":   {ListID: "L", Name: "Lost", OnHand: d("9"), Uncertain: "its sale's answer was lost"},
	}
	tg := func(pid, vid int64, item string, level int64, seen time.Time) StockTarget {
		return StockTarget{StoreID: 1, ProductID: pid, VariantID: vid, SKU: item, Item: item, Level: level, Seen: seen}
	}
	push := func(pid, vid, qty int64, at time.Time) store.InventoryPush {
		return store.InventoryPush{StoreID: 1, ProductID: pid, VariantID: vid, Quantity: qty, PushedAt: at}
	}
	for _, c := range []struct {
		name   string
		target StockTarget
		last   []store.InventoryPush
		want   int64 // -1: no push
	}{
		{"never pushed, BigCommerce differs", tg(1, 0, "Widget", 80, t0), nil, 97},
		{"never pushed, BigCommerce equal", tg(1, 0, "Widget", 97, t0), nil, -1},
		{"pushed the same, not pulled since", tg(1, 0, "Widget", 80, t0), []store.InventoryPush{push(1, 0, 97, t0.Add(time.Hour))}, -1},
		{"pushed the same, pulled since and equal", tg(1, 0, "Widget", 97, t0.Add(2*time.Hour)), []store.InventoryPush{push(1, 0, 97, t0)}, -1},
		{"pushed the same, pulled since and changed in BigCommerce", tg(1, 0, "Widget", 90, t0.Add(2*time.Hour)), []store.InventoryPush{push(1, 0, 97, t0)}, 97},
		{"pushed another level", tg(1, 0, "Widget", 97, t0), []store.InventoryPush{push(1, 0, 90, t0)}, 97},
		{"variant", tg(2, 7, "Gadget", 0, t0), nil, 25},
		{"variant pushed by product id is another target", tg(2, 7, "Gadget", 0, t0), []store.InventoryPush{push(2, 0, 25, t0)}, 25},
		{"uncertain item", tg(3, 0, "Lost", 0, t0), nil, -1},
		{"item not read", tg(4, 0, "Nowhere", 0, t0), nil, -1},
		{"item name case", tg(5, 0, "WIDGET", 0, t0), nil, 97},
	} {
		last := map[[2]int64]store.InventoryPush{}
		for _, p := range c.last {
			last[[2]int64{p.ProductID, p.VariantID}] = p
		}
		got := PushLevels([]StockTarget{c.target}, items, last)
		switch {
		case c.want < 0 && len(got) != 0:
			t.Errorf("%s: pushed %+v, want nothing", c.name, got)
		case c.want >= 0 && (len(got) != 1 || got[0].Level != c.want):
			t.Errorf("%s: pushed %+v, want %d", c.name, got, c.want)
		}
	}
}

func TestAdjustments(t *testing.T) {
	for _, c := range []struct {
		name    string
		targets []StockTarget
		item    ItemStock
		newest  int64
		want    string // "": none
	}{
		{"BigCommerce has more", []StockTarget{{Item: "Widget", Level: 120}}, ItemStock{OnHand: d("100")}, 0, "20"},
		{"BigCommerce has less", []StockTarget{{Item: "Widget", Level: 60}}, ItemStock{OnHand: d("100")}, 0, "-40"},
		{"equal", []StockTarget{{Item: "Widget", Level: 100}}, ItemStock{OnHand: d("100")}, 0, ""},
		// BigCommerce took 5 already; QuickBooks loses them when the order posts.
		{"orders not posted", []StockTarget{{Item: "Widget", Level: 95}}, ItemStock{OnHand: d("100"), Unposted: d("5")}, 0, ""},
		{"orders not posted and a difference", []StockTarget{{Item: "Widget", Level: 90}}, ItemStock{OnHand: d("100"), Unposted: d("5")}, 0, "-5"},
		// An adjustment of +20 queued before the reading is not in the quantity yet.
		{"adjustment not applied", []StockTarget{{Item: "Widget", Level: 120}}, ItemStock{OnHand: d("100"), Adjusting: d("20")}, 0, ""},
		{"adjustment made after the reading", []StockTarget{{Item: "Widget", Level: 120}}, ItemStock{OnHand: d("100"), Through: 4}, 5, ""},
		{"adjustment made before the reading", []StockTarget{{Item: "Widget", Level: 120}}, ItemStock{OnHand: d("120"), Through: 5}, 5, ""},
		{"uncertain", []StockTarget{{Item: "Widget", Level: 120}}, ItemStock{OnHand: d("100"), Uncertain: "lost"}, 0, ""},
		{"two SKUs, one item", []StockTarget{{Item: "Widget", Level: 30}, {Item: "widget", Level: 40}}, ItemStock{OnHand: d("50")}, 0, "20"},
		{"fractional quantity on hand", []StockTarget{{Item: "Widget", Level: 10}}, ItemStock{OnHand: d("10.25")}, 0, "-0.25"},
	} {
		c.item.ListID, c.item.Name = "W", "Widget"
		got := Adjustments(c.targets, map[string]ItemStock{"widget": c.item}, map[string]int64{"W": c.newest})
		switch {
		case c.want == "" && len(got) != 0:
			t.Errorf("%s: %+v, want none", c.name, got)
		case c.want != "" && (len(got) != 1 || !got[0].Difference.Equal(d(c.want))):
			t.Errorf("%s: %+v, want %s", c.name, got, c.want)
		}
	}
}

func TestTargets(t *testing.T) {
	docs := []store.Document{
		{Raw: `{"id":100,"sku":"SKU-100","inventory_tracking":"product","inventory_level":7,"variants":[{"id":1,"sku":"SKU-100","inventory_level":7}]}`},
		{Raw: `{"id":101,"sku":"SKU-101","inventory_tracking":"variant","inventory_level":5,"variants":[{"id":2,"sku":"SKU-101-S","inventory_level":2},{"id":3,"sku":"SKU-101-M","inventory_level":3},{"id":4,"sku":"","inventory_level":9}]}`},
		{Raw: `{"id":102,"sku":"SKU-102","inventory_tracking":"none","inventory_level":0}`},
		{Raw: `{"id":103,"sku":"UNMAPPED","inventory_tracking":"product","inventory_level":1}`},
		{Raw: `not json`},
	}
	got := Targets(1, docs, func(sku string) (string, bool) { return "Item " + sku, sku != "UNMAPPED" })
	want := []StockTarget{{1, 100, 0, "SKU-100", "Item SKU-100", 7, time.Time{}}, {1, 101, 2, "SKU-101-S", "Item SKU-101-S", 2, time.Time{}},
		{1, 101, 3, "SKU-101-M", "Item SKU-101-M", 3, time.Time{}}}
	if len(got) != len(want) {
		t.Fatalf("targets %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("target %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestReadingState(t *testing.T) {
	if id, it, ok := readingState("12|{ABC}"); !ok || id != 12 || it != "{ABC}" {
		t.Errorf("readingState: %d %q %v", id, it, ok)
	}
	for _, s := range []string{"", "12", "x|y", "12|"} {
		if _, _, ok := readingState(s); ok {
			t.Errorf("readingState(%q) ok", s)
		}
	}
}
