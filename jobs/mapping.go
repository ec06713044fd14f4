package jobs

import (
	"context"
	"strings"

	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/store"
)

// How the order lines of a SKU post, as the planner would plan them now.
const (
	// SKUMapped: the user's mapping (Settings.SKUs) names the item.
	SKUMapped = "mapped"
	// SKUMatched: QuickBooks has an item of the SKU's name.
	SKUMatched = "matched"
	// SKUCreating: a bcqb job is creating the item of the SKU's name.
	SKUCreating = "creating"
	// SKUCreate: the first order of the SKU creates its item.
	SKUCreate = "create"
	// SKUNeedsMapping: orders of the SKU wait until it is mapped.
	SKUNeedsMapping = "needs_mapping"
)

// SKUPosting is how the order lines of one SKU post.
type SKUPosting struct {
	How string
	// Item is the QuickBooks item's full name; for SKUCreate and
	// SKUNeedsMapping, the name bcqb gives the item it would create.
	Item string
	// Kind is the item's kind in QuickBooks (ItemInventory...), "" when the
	// company's lists do not hold it; for SKUCreate, the kind bcqb creates
	// (plan.ItemsCreateNonInventory or plan.ItemsCreateInventory).
	Kind string
	// InQuickBooks says the company's lists hold the item; Active, that it
	// is active there.
	InQuickBooks, Active bool
	// Marked says the user marked the SKU "create in QuickBooks".
	Marked bool
}

// SKUResolver tells how SKUs post under a store's settings, the company's
// lists and bcqb's ledger, by the planner's own rules (plan.LookupItem and
// plan.ItemPolicy over the planner's snapshot), for the mapping page.
type SKUResolver struct {
	s    plan.Settings
	snap *snapshot
}

// NewSKUResolver indexes the lists and the ledger as read from the store.
func NewSKUResolver(c store.Company, s plan.Settings, lists []store.ListEntry, ledger []store.LedgerEntry) *SKUResolver {
	return &SKUResolver{s: s, snap: buildSnapshot(c, s, lists, ledger)}
}

// Resolve says how an order line of key (plan.ItemKey) posts;
// productType is BigCommerce's "physical" or "digital".
func (r *SKUResolver) Resolve(key, productType string) SKUPosting {
	if name, mapped, ok := plan.LookupItem(r.s, r.snap, key); ok {
		p := SKUPosting{How: SKUMatched, Item: name}
		if mapped {
			p.How = SKUMapped
		}
		if l, ok := r.snap.lists["Item"][strings.ToLower(name)]; ok {
			p.InQuickBooks, p.Active, p.Kind = true, l.Active, l.SubType
		} else if e, ok := r.snap.ledger[listKey("Item", name)]; ok && e.QBID == "" && !mapped {
			p.How = SKUCreating
		}
		return p
	}
	policy := plan.ItemPolicy(r.s, key, productType)
	p := SKUPosting{How: SKUCreate, Item: plan.ItemName(key), Kind: policy}
	switch r.s.CreateSKUs[key] {
	case plan.ItemsCreateNonInventory, plan.ItemsCreateInventory:
		p.Marked = true
	}
	if policy == plan.ItemsRequireMapping {
		p.How, p.Kind = SKUNeedsMapping, ""
	}
	return p
}

// ListsEnqueuer is what EnqueueListsRead needs from the store.
type ListsEnqueuer interface {
	Enqueue(ctx context.Context, j store.Job) (store.Job, bool, error)
}

// EnqueueListsRead queues a new reading of a company's lists, for the
// next Web Connector session: the user added or renamed items and accounts
// in QuickBooks to map to. A reading already queued is kept (queued false).
func EnqueueListsRead(ctx context.Context, db ListsEnqueuer, companyID int64) (queued bool, err error) {
	_, queued, err = db.Enqueue(ctx, store.Job{CompanyID: companyID, Kind: KindLists, DedupeKey: "lists", Priority: PriorityLists})
	return queued, err
}

// UnsettledDefaults is what the planner stores for a store whose settings
// were never chosen, once the company's lists are read (the company file's
// own shipping item, discount item, deposit account and tax codes where it
// has them, bcqb's names for the rest): the page shows and saves these,
// not the bare defaults, so that a first change on the page does not lose
// what the planner would have picked.
func UnsettledDefaults(c store.Company, s plan.Settings, lists []store.ListEntry) plan.Settings {
	s, _ = resolveDefaults(s, buildSnapshot(c, s, lists, nil))
	return s
}
