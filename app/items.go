package app

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/store"
)

// itemFinder finds the QuickBooks item a BigCommerce SKU posts to, the way
// the planner does: the store's mapping first, then an item of that name
// (or of the name bcqb gives an item it creates), then an item bcqb is
// creating. The care pages and alerts ask it outside any planning pass.
type itemFinder struct {
	skus  map[string]string
	items map[string]string // lower-case name -> full name
}

func newItemFinder(ctx context.Context, db *store.DB, companyID int64, s plan.Settings) (*itemFinder, error) {
	lists, err := db.Lists(ctx, companyID)
	if err != nil {
		return nil, err
	}
	ledger, err := db.LedgerEntries(ctx, companyID)
	if err != nil {
		return nil, err
	}
	f := &itemFinder{skus: s.SKUs, items: map[string]string{}}
	for _, l := range lists {
		if l.Type == "Item" {
			f.items[strings.ToLower(l.FullName)] = l.FullName
		}
	}
	for _, e := range ledger {
		if name, ok := strings.CutPrefix(e.Key, "item:"); ok && e.Name != "" {
			if _, known := f.items[name]; !known {
				f.items[name] = e.Name
			}
		}
	}
	return f, nil
}

func (f *itemFinder) item(sku string) (string, bool) {
	if n := f.skus[sku]; n != "" {
		return n, true
	}
	for _, n := range []string{sku, qbxml.Fit(qbxml.Clean(sku), qbxml.MaxItemName)} {
		if full, ok := f.items[strings.ToLower(n)]; ok {
			return full, true
		}
	}
	return "", false
}

// productSKU is one SKU a product sells under: the product's own, or a
// variant's (VariantID 0 for the product).
type productSKU struct {
	ProductID, VariantID int64
	SKU, Name            string
	// Tracked is set when BigCommerce counts stock at this level; Level is that stock.
	Tracked bool
	Level   int64
}

// productSKUs lists the SKUs of a pulled product document, each once: the
// product's, then its variants'. A product's base variant repeats its SKU;
// the one of the two whose stock BigCommerce counts is kept.
func productSKUs(raw string) ([]productSKU, error) {
	var p bigcommerce.Product
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return nil, err
	}
	seen := map[string]int{}
	var out []productSKU
	add := func(x productSKU) {
		x.SKU = strings.TrimSpace(x.SKU)
		if x.SKU == "" {
			return
		}
		if i, dup := seen[x.SKU]; dup {
			if x.Tracked && !out[i].Tracked {
				out[i] = x
			}
			return
		}
		seen[x.SKU] = len(out)
		out = append(out, x)
	}
	add(productSKU{ProductID: p.ID, SKU: p.SKU, Name: p.Name, Tracked: p.InventoryTracking == "product", Level: p.InventoryLevel})
	for _, v := range p.Variants {
		add(productSKU{ProductID: p.ID, VariantID: v.ID, SKU: v.SKU, Name: p.Name + variantLabel(v),
			Tracked: p.InventoryTracking == "variant", Level: v.InventoryLevel})
	}
	return out, nil
}

// variantLabel names a variant by its option values: " (Blue, L)".
func variantLabel(v bigcommerce.Variant) string {
	var vals []string
	for _, o := range v.OptionValues {
		if o.Label != "" {
			vals = append(vals, o.Label)
		}
	}
	if len(vals) == 0 {
		return ""
	}
	return " (" + strings.Join(vals, ", ") + ")"
}
