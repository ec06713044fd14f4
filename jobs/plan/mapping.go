package plan

import "github.com/bcqb/bcqb/bigcommerce"

// The mapping page shows each SKU beside what an order line of it posts
// to; these are the resolver's own rules, so the page and the planner can
// never disagree.

// ItemKey is what identifies the item of an order line (or of a catalogue
// product or variant given as one): its SKU, or for a product without SKU
// its name and product id. Settings.SKUs and CreateSKUs are keyed by it.
func ItemKey(p bigcommerce.OrderProduct) string { return itemKey(p) }

// ItemName is the name bcqb gives the QuickBooks item it creates for a key.
func ItemName(key string) string { return itemName(key) }

// LookupItem is the QuickBooks item an order line of key posts to, as the
// planner finds it: the user's mapping first (mapped is then true), then an
// item of that name that QuickBooks holds or bcqb creates. ok is false when
// there is none: the line's item is created or the order needs mapping, as
// ItemPolicy says.
func LookupItem(s Settings, l Lists, key string) (name string, mapped, ok bool) {
	return lookupItem(s, l, key)
}

func lookupItem(s Settings, l Lists, key string) (string, bool, bool) {
	if n, ok := s.SKUs[key]; ok && n != "" {
		return n, true, true
	}
	if n, ok := l.Item(key); ok {
		return n, false, true
	}
	if qn := itemName(key); qn != key {
		if n, ok := s.SKUs[qn]; ok && n != "" {
			return n, true, true
		}
		if n, ok := l.Item(qn); ok {
			return n, false, true
		}
	}
	return "", false, false
}

// ItemPolicy is what becomes of an order line of key whose item LookupItem
// does not find: ItemsCreateNonInventory, ItemsCreateInventory (physical
// products only: there is no stock of a download to count) or
// ItemsRequireMapping. The SKU's own mark (CreateSKUs) wins over the store's
// policy (Items). productType is BigCommerce's "physical" or "digital".
func ItemPolicy(s Settings, key, productType string) string { return itemPolicy(s, key, productType) }

func itemPolicy(s Settings, key, productType string) string {
	policy := s.Items
	if k := s.CreateSKUs[key]; k == ItemsCreateNonInventory || k == ItemsCreateInventory {
		policy = k
	}
	if policy == ItemsCreateInventory && productType != "physical" {
		return ItemsCreateNonInventory
	}
	if policy != ItemsRequireMapping && policy != ItemsCreateInventory {
		return ItemsCreateNonInventory
	}
	return policy
}
