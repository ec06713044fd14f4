package jobs

import (
	"testing"

	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/store"
)

func TestSKUResolver(t *testing.T) {
	lists := []store.ListEntry{
		{Type: "Item", ListID: "1", FullName: "Mugs:Blue Mug", SubType: "ItemInventory", Active: true},
		{Type: "Item", ListID: "2", FullName: "TEE-RED", SubType: "ItemNonInventory", Active: true},
		{Type: "Item", ListID: "3", FullName: "Old Hat", SubType: "ItemNonInventory", Active: false},
		{Type: "Account", ListID: "4", FullName: "MUG-1", SubType: "Income", Active: true},
	}
	ledger := []store.LedgerEntry{{Key: listKey("Item", "CAP-1"), QBType: "ItemNonInventory", Name: "CAP-1", JobID: 7}}
	s := plan.DefaultSettings()
	s.Items = plan.ItemsRequireMapping
	s.SKUs = map[string]string{"MUG-1": "Mugs:Blue Mug", "HAT": "Old Hat", "GONE": "Deleted Item"}
	s.CreateSKUs = map[string]string{"SCARF": plan.ItemsCreateInventory, "EBOOK": plan.ItemsCreateInventory}
	r := NewSKUResolver(store.Company{ID: 1}, s, lists, ledger)
	for _, tc := range []struct {
		key, kind string
		want      SKUPosting
	}{
		{"MUG-1", "physical", SKUPosting{How: SKUMapped, Item: "Mugs:Blue Mug", Kind: "ItemInventory", InQuickBooks: true, Active: true}},
		{"tee-red", "physical", SKUPosting{How: SKUMatched, Item: "TEE-RED", Kind: "ItemNonInventory", InQuickBooks: true, Active: true}},
		{"HAT", "physical", SKUPosting{How: SKUMapped, Item: "Old Hat", Kind: "ItemNonInventory", InQuickBooks: true}},
		{"GONE", "physical", SKUPosting{How: SKUMapped, Item: "Deleted Item"}},
		{"CAP-1", "physical", SKUPosting{How: SKUCreating, Item: "CAP-1"}},
		{"SCARF", "physical", SKUPosting{How: SKUCreate, Item: "SCARF", Kind: plan.ItemsCreateInventory, Marked: true}},
		{"EBOOK", "digital", SKUPosting{How: SKUCreate, Item: "EBOOK", Kind: plan.ItemsCreateNonInventory, Marked: true}},
		{"SOCK:L", "physical", SKUPosting{How: SKUNeedsMapping, Item: "SOCK-L"}},
	} {
		t.Run(tc.key, func(t *testing.T) {
			if got := r.Resolve(tc.key, tc.kind); got != tc.want {
				t.Errorf("Resolve(%q) = %+v, want %+v", tc.key, got, tc.want)
			}
		})
	}
	s.Items = plan.ItemsCreateNonInventory
	r = NewSKUResolver(store.Company{ID: 1}, s, lists, ledger)
	if got := r.Resolve("SOCK:L", "physical"); got != (SKUPosting{How: SKUCreate, Item: "SOCK-L", Kind: plan.ItemsCreateNonInventory}) {
		t.Errorf("under the create policy: %+v", got)
	}
}
