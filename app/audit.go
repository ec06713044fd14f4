package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/jobs"
	"github.com/bcqb/bcqb/store"
	"github.com/bcqb/bcqb/web"
)

// inventoryAudit sets BigCommerce's stock beside QuickBooks' for every SKU
// of every connected store: BigCommerce's level as last pulled, and
// QuickBooks' quantity on hand at the company's newest finished reading
// less what orders not posted yet will take (QuickBooks' stock drops when
// they post; BigCommerce's dropped when they sold). Where several SKUs
// post to one item, their levels are added up against it.
func inventoryAudit(ctx context.Context, db *store.DB) ([]web.InventoryStore, error) {
	stores, err := db.BCStores(ctx)
	if err != nil {
		return nil, err
	}
	users, err := db.Users(ctx)
	if err != nil {
		return nil, err
	}
	userOf := map[int64]string{}
	for _, u := range users {
		userOf[u.CompanyID] = u.Username
	}
	perCompany := map[int64]int{}
	for _, st := range stores {
		perCompany[st.CompanyID]++
	}
	var out []web.InventoryStore
	for _, st := range stores {
		if st.CompanyID == 0 {
			continue
		}
		a, err := auditStore(ctx, db, st, perCompany[st.CompanyID] > 1)
		if err != nil {
			return nil, fmt.Errorf("inventory audit of store %s: %w", st.StoreHash, err)
		}
		a.User = userOf[st.CompanyID]
		out = append(out, a)
	}
	return out, nil
}

// newestReading is the company's newest reading that finished ("" none).
func newestReading(ctx context.Context, db *store.DB, companyID int64) (store.InventoryReading, bool, error) {
	var best store.InventoryReading
	for _, state := range []string{store.ReadingRead, store.ReadingProcessed} {
		r, err := db.LatestReading(ctx, companyID, state)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return best, false, err
		}
		if r.ID > best.ID {
			best = r
		}
	}
	return best, best.ID != 0, nil
}

// auditRow is a row being built, with its numbers.
type auditRow struct {
	web.InventoryRow
	level   int64
	itemKey string
}

func auditStore(ctx context.Context, db *store.DB, st store.BCStore, shared bool) (web.InventoryStore, error) {
	a := web.InventoryStore{StoreID: st.ID, StoreHash: st.StoreHash, PulledAt: st.LastPullOKAt}
	s, err := jobs.StoreSettings(st, shared)
	if err != nil {
		return a, err
	}
	a.Sync = jobs.InventoryMode(s)
	f, err := newItemFinder(ctx, db, st.CompanyID, s)
	if err != nil {
		return a, err
	}
	reading, read, err := newestReading(ctx, db, st.CompanyID)
	if err != nil {
		return a, err
	}
	items := map[string]store.ItemQuantity{}
	if read {
		a.ReadAt = reading.FinishedAt
		qs, err := db.Quantities(ctx, reading.ID)
		if err != nil {
			return a, err
		}
		for _, q := range qs {
			items[strings.ToLower(q.FullName)] = q
		}
	}
	docs, err := db.LatestDocuments(ctx, st.ID, store.DocProduct)
	if err != nil {
		return a, err
	}
	var rows []*auditRow
	byItem := map[string][]*auditRow{}
	for _, d := range docs {
		skus, err := productSKUs(d.Raw)
		if err != nil {
			continue
		}
		for _, p := range skus {
			r := &auditRow{InventoryRow: web.InventoryRow{SKU: p.SKU, Product: p.Name, Tracked: p.Tracked}, level: p.Level}
			if p.Tracked {
				r.BigCommerce = fmt.Sprint(p.Level)
			}
			rows = append(rows, r)
			name, ok := f.item(p.SKU)
			if !ok {
				r.Note = "No QuickBooks item: map this SKU on the mapping page."
				continue
			}
			r.Item = name
			r.itemKey = strings.ToLower(name)
			byItem[r.itemKey] = append(byItem[r.itemKey], r)
		}
	}
	for key, group := range byItem {
		q, ok := items[key]
		var total int64
		tracked := 0
		for _, r := range group {
			if r.Tracked {
				total += r.level
				tracked++
			}
		}
		for _, r := range group {
			if len(group) > 1 {
				for _, o := range group {
					if o != r {
						r.SharedWith = append(r.SharedWith, o.SKU)
					}
				}
			}
			switch {
			case !read:
				r.Note = "QuickBooks' quantities have not been read yet."
				continue
			case !ok:
				r.Note = "Not an inventory item in QuickBooks, so it has no quantity on hand."
				continue
			}
			onHand, e1 := decimal.NewFromString(q.OnHand)
			unposted, e2 := decimal.NewFromString(q.Unposted)
			if err := errors.Join(e1, e2); err != nil {
				return a, fmt.Errorf("quantity of %s: %w", q.FullName, err)
			}
			avail := onHand.Sub(unposted)
			r.OnHand, r.Unposted, r.Expected = onHand.String(), unposted.String(), avail.String()
			switch {
			case q.Uncertain != "":
				r.Note = "Not compared: " + q.Uncertain
			case tracked == 0:
				r.Note = "BigCommerce does not count this product's stock."
			default:
				d := decimal.NewFromInt(total).Sub(avail)
				if !d.IsZero() {
					r.Differs = true
					r.Difference = d.String()
					if d.IsPositive() {
						r.Difference = "+" + r.Difference
					}
					a.Differences++
				}
			}
		}
	}
	// What differs first, then what cannot be compared, then the rest, each by SKU.
	rank := func(r *auditRow) int {
		switch {
		case r.Differs:
			return 0
		case r.Note != "":
			return 1
		}
		return 2
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if ri, rj := rank(rows[i]), rank(rows[j]); ri != rj {
			return ri < rj
		}
		return rows[i].SKU < rows[j].SKU
	})
	for _, r := range rows {
		a.Rows = append(a.Rows, r.InventoryRow)
	}
	return a, nil
}

// readInventorySoon queues a reading of QuickBooks' inventory for every
// company with a connected store, for the Web Connector's next update. It
// is the reading the inventory sync makes every half hour; with the sync
// off it only measures.
func readInventorySoon(ctx context.Context, db *store.DB) (int, error) {
	stores, err := db.BCStores(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	err = db.Update(ctx, func(tx *store.Tx) error {
		seen := map[int64]bool{}
		for _, st := range stores {
			if st.CompanyID == 0 || seen[st.CompanyID] {
				continue
			}
			seen[st.CompanyID] = true
			if _, _, err := tx.Enqueue(ctx, store.Job{CompanyID: st.CompanyID, Kind: jobs.KindInventoryRead, DedupeKey: "inventory",
				Priority: jobs.PriorityInventoryRead}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
