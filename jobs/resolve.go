package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/store"
)

// Names a bookkeeper's company file already uses for the things bcqb
// needs, tried in order (case-insensitive) before bcqb creates its own.
var knownNames = struct {
	shipping, discount, deposit, taxable, nonTaxable []string
}{
	shipping:   []string{"Shipping", "Shipping and Handling", "Shipping & Handling", "Shipping Charges", "Freight"},
	discount:   []string{"Discount", "Discounts", "Coupon", "Coupons"},
	deposit:    []string{"Undeposited Funds"},
	taxable:    []string{"Tax", "TAX"},
	nonTaxable: []string{"Non", "NON"},
}

// resolveDefaults picks, for a store whose settings were never chosen, what
// the company file already has by name and type (its shipping item, its
// discount item, Undeposited Funds, its taxable and non-taxable codes, the
// payment methods named like BigCommerce's), leaving bcqb's own names for
// the rest; the result is stored, so the page shows and changes it.
func resolveDefaults(s plan.Settings, snap *snapshot) (plan.Settings, []string) {
	var picked []string
	pick := func(field *string, list string, kind func(store.ListEntry) bool, names []string) {
		for _, n := range names {
			if l, ok := snap.lists[list][strings.ToLower(n)]; ok && l.Active && kind(l) {
				if *field != l.FullName {
					picked = append(picked, fmt.Sprintf("%s %q", strings.ToLower(list), l.FullName))
				}
				*field = l.FullName
				return
			}
		}
	}
	sub := func(types ...string) func(store.ListEntry) bool {
		return func(l store.ListEntry) bool {
			for _, t := range types {
				if l.SubType == t {
					return true
				}
			}
			return false
		}
	}
	pick(&s.ShippingItem, "Item", sub("ItemOtherCharge", "ItemService", "ItemNonInventory"), knownNames.shipping)
	pick(&s.DiscountItem, "Item", sub("ItemDiscount"), knownNames.discount)
	pick(&s.DepositAccount, "Account", sub("OtherCurrentAsset", "Bank"), knownNames.deposit)
	pick(&s.TaxCode, "SalesTaxCode", sub("Taxable"), knownNames.taxable)
	pick(&s.NonTaxCode, "SalesTaxCode", sub("Non"), knownNames.nonTaxable)
	return s, picked
}

// settleDefaults stores the resolved settings of a store that has none yet.
func (p *Planner) settleDefaults(ctx context.Context, st store.BCStore, s plan.Settings, snap *snapshot) (plan.Settings, error) {
	if st.SettingsJSON != "" && st.SettingsJSON != "{}" {
		return s, nil
	}
	s, picked := resolveDefaults(s, snap)
	raw, err := json.Marshal(s)
	if err != nil {
		return s, fmt.Errorf("jobs: settings of store %s: %w", st.StoreHash, err)
	}
	if err := p.db.SetBCStoreSettings(ctx, st.ID, string(raw)); err != nil {
		return s, err
	}
	p.log.InfoContext(ctx, "store settings chosen from the company file", "store", st.StoreHash, "uses", strings.Join(picked, ", "))
	return s, nil
}
