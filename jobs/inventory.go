package jobs

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/pull"
	"github.com/bcqb/bcqb/qbxml"
	"github.com/bcqb/bcqb/store"
)

// Inventory sync, direction per store (plan.Settings.Inventory):
//
//   - "quickbooks": QuickBooks is the master. A session reads every
//     inventory item's quantity on hand (KindInventoryRead); bcqb then sets
//     each BigCommerce product or variant whose SKU maps to one of them to
//     that quantity less what sits in orders BigCommerce sold and bcqb has
//     not posted yet, with absolute adjustments, only where the level changed.
//   - "bigcommerce": BigCommerce is the master. The same reading is compared
//     with BigCommerce's levels (the pulled product documents) and each
//     difference becomes one InventoryAdjustmentAdd (KindInventoryAdjust),
//     exactly once per item and reading. Orders not posted yet are counted
//     in, so that posting them later brings QuickBooks to BigCommerce's level.
//   - "off" (the default): nothing.
//
// A quantity is captured together with what was about to change it (orders
// not posted, bcqb's adjustments not applied) when QuickBooks' answer to the
// page arrives: the reading's requests lead their message (priority and
// continuing pages go first), so every stock-moving request answered
// earlier is in the quantity and every one in the same message or later is
// not. An item that a request with a lost answer may have moved is left to
// the next reading.
const (
	KindInventoryRead   = "inventory.read"
	KindInventoryAdjust = "inventory.adjust"

	InventoryOff         = "off"
	InventoryQuickBooks  = "quickbooks"
	InventoryBigCommerce = "bigcommerce"

	// PriorityInventoryRead puts the reading's first page ahead of every
	// stock-moving request of its message.
	PriorityInventoryRead = 1
	// PriorityInventoryAdjust runs adjustments after sales and refunds.
	PriorityInventoryAdjust = 90

	// InventoryPageSize is the items per page of the reading.
	InventoryPageSize = 500

	// InventoryAdjustmentAccount is the account adjustments post to
	// (created as a cost of goods sold account when missing).
	InventoryAdjustmentAccount = "Inventory Adjustments"
)

// InventoryStore is what the inventory sync needs from the store.
type InventoryStore interface {
	PlanStore
	Companies(ctx context.Context) ([]store.Company, error)
	UnpostedOrders(ctx context.Context, companyID int64) ([]store.UnpostedOrder, error)
	OpenAdjustments(ctx context.Context, companyID int64) ([]store.InventoryAdjustment, error)
	LastAdjustmentID(ctx context.Context) (int64, error)
	ReadingsToProcess(ctx context.Context) ([]store.InventoryReading, error)
	Quantities(ctx context.Context, readingID int64) ([]store.ItemQuantity, error)
	LatestDocuments(ctx context.Context, storeID int64, kind string) ([]store.Document, error)
	Pushes(ctx context.Context, storeID int64) (map[[2]int64]store.InventoryPush, error)
	RecordPushes(ctx context.Context, ps []store.InventoryPush) error
	EndReading(ctx context.Context, readingID int64, state, summary string) error
}

// InventoryMode is a store's inventory direction ("off" when unset or unknown).
func InventoryMode(s plan.Settings) string {
	switch s.Inventory {
	case InventoryQuickBooks, InventoryBigCommerce:
		return s.Inventory
	}
	return InventoryOff
}

// EnqueueInventoryReads queues a reading for every company with a store
// whose inventory sync is on (one live reading per company), and returns
// how many were queued. The cron calls it; sessions do the work.
func EnqueueInventoryReads(ctx context.Context, db InventoryStore) (int, error) {
	stores, err := db.BCStores(ctx)
	if err != nil {
		return 0, err
	}
	companies := map[int64]bool{}
	for _, st := range stores {
		if st.CompanyID == 0 {
			continue
		}
		s, err := StoreSettings(st, false)
		if err != nil {
			continue
		}
		if InventoryMode(s) != InventoryOff {
			companies[st.CompanyID] = true
		}
	}
	n := 0
	err = db.Update(ctx, func(tx *store.Tx) error {
		for id := range companies {
			_, created, err := tx.Enqueue(ctx, store.Job{CompanyID: id, Kind: KindInventoryRead, DedupeKey: "inventory",
				Priority: PriorityInventoryRead})
			if err != nil {
				return err
			}
			if created {
				n++
			}
		}
		return nil
	})
	return n, err
}

// ---- the reading ----

// InventoryRead is the handler of KindInventoryRead: it pages through
// ItemInventoryQuery in one session and records each page's quantities
// with what was about to change them.
type InventoryRead struct {
	DB InventoryStore
	// OnRead, when set, is told of a reading that finished (it wakes the
	// loop that pushes or adjusts).
	OnRead func(companyID, readingID int64)
}

// Kind implements Handler.
func (InventoryRead) Kind() string { return KindInventoryRead }

// Noun implements Handler.
func (InventoryRead) Noun() (string, string) { return "inventory reading", "inventory readings" }

const stepInventoryPage = 1

// Requests implements Handler.
func (h InventoryRead) Requests(ctx context.Context, env Env, job store.Job) ([]qbxml.Request, error) {
	q := &qbxml.ItemInventoryQueryRq{ListFilter: qbxml.ListFilter{MaxReturned: InventoryPageSize},
		IncludeRetElement: []string{"ListID", "FullName", "QuantityOnHand"}}
	q.SetIterator(qbxml.IteratorStart, "")
	if job.Step == stepInventoryPage && !job.Recovering {
		if _, iter, ok := readingState(job.StepState); ok {
			q.SetIterator(qbxml.IteratorContinue, iter)
		}
	}
	return []qbxml.Request{q}, nil
}

func readingState(s string) (int64, string, bool) {
	id, iter, ok := strings.Cut(s, "|")
	if !ok {
		return 0, "", false
	}
	n, err := strconv.ParseInt(id, 10, 64)
	return n, iter, err == nil && iter != ""
}

// Response implements Handler.
func (h InventoryRead) Response(ctx context.Context, env Env, job store.Job, rs []qbxml.Response) (store.Outcome, error) {
	r := rs[0]
	oc := r.Header().Outcome()
	paging := job.Step == stepInventoryPage && !job.Recovering
	if oc.Failed() {
		switch {
		case paging:
			// The iterator is gone (a new session): start the reading again.
			return store.Outcome{State: store.JobQueued, LastError: oc.Message}, nil
		case oc.Action == qbxml.ActionRetryLater:
			return store.Outcome{State: store.JobQueued, NotBefore: env.Store.Now().Add(backoff(job.Attempts)), LastError: oc.Message}, nil
		}
		return store.Outcome{State: store.JobFailed, LastError: "reading QuickBooks' inventory: " + oc.Message}, nil
	}
	page, _ := r.(*qbxml.ItemInventoryQueryRs)
	var items []qbxml.ItemRet
	if page != nil {
		items = page.Items
	}
	quantities, err := h.capture(ctx, env, job.CompanyID, items)
	if err != nil {
		return store.Outcome{}, err
	}
	reading, _, _ := readingState(job.StepState)
	more := r.Header().More()
	err = h.DB.Update(ctx, func(tx *store.Tx) error {
		if !paging || reading == 0 {
			id, err := tx.StartReading(ctx, job.CompanyID, job.ID)
			if err != nil {
				return err
			}
			reading = id
		}
		if err := tx.PutQuantities(ctx, reading, quantities); err != nil {
			return err
		}
		if !more {
			return tx.FinishReading(ctx, reading)
		}
		return nil
	})
	if err != nil {
		return store.Outcome{}, err
	}
	if more {
		return store.Outcome{State: store.JobSent, Step: stepInventoryPage,
			StepState: fmt.Sprintf("%d|%s", reading, r.Header().IteratorID)}, nil
	}
	if h.OnRead != nil {
		h.OnRead(job.CompanyID, reading)
	}
	return store.Outcome{State: store.JobDone}, nil
}

// capture pairs a page's quantities with what is about to change them:
// orders not posted (their sale's request has not reached QuickBooks, or is
// in this very message, after the reading's page) and adjustments not
// applied. A stock-moving request whose answer was lost makes its items
// uncertain.
func (h InventoryRead) capture(ctx context.Context, env Env, companyID int64, items []qbxml.ItemRet) ([]store.ItemQuantity, error) {
	through, err := h.DB.LastAdjustmentID(ctx)
	if err != nil {
		return nil, err
	}
	pending, err := PendingStock(ctx, h.DB, companyID, env.Session.ID)
	if err != nil {
		return nil, err
	}
	out := make([]store.ItemQuantity, 0, len(items))
	for _, it := range items {
		name := it.FullName
		if name == "" {
			name = it.Name
		}
		q := store.ItemQuantity{ListID: it.ListID, FullName: name, OnHand: it.QuantityOnHand.Decimal().String(),
			AdjustmentsThrough: through}
		p := pending.Items[strings.ToLower(name)]
		if a, ok := pending.Adjusting[it.ListID]; ok {
			p.Adjusting = a
		}
		if u, ok := pending.Uncertain[it.ListID]; ok && p.Uncertain == "" {
			p.Uncertain = u
		}
		q.Unposted, q.Adjusting, q.Uncertain = p.Unposted.String(), p.Adjusting.String(), p.Uncertain
		out = append(out, q)
	}
	return out, nil
}

// Pending is what is about to move QuickBooks' stock: by lower-case item
// name, the quantities of orders not posted; by ListID, adjustments not
// applied; and why an item cannot be trusted.
type Pending struct {
	Items     map[string]PendingItem
	Adjusting map[string]decimal.Decimal
	Uncertain map[string]string
}

// PendingItem is one item's share of Pending.
type PendingItem struct {
	Unposted  decimal.Decimal
	Adjusting decimal.Decimal
	Uncertain string
}

// PendingStock computes Pending for a company at this instant. sessionID
// is the session whose message is being answered: its jobs still marked
// sent are in that message, after the reading's page.
func PendingStock(ctx context.Context, db InventoryStore, companyID, sessionID int64) (Pending, error) {
	p := Pending{Items: map[string]PendingItem{}, Adjusting: map[string]decimal.Decimal{}, Uncertain: map[string]string{}}
	orders, err := db.UnpostedOrders(ctx, companyID)
	if err != nil {
		return p, err
	}
	if len(orders) > 0 {
		if err := pendingOrders(ctx, db, companyID, sessionID, orders, p); err != nil {
			return p, err
		}
	}
	adjs, err := db.OpenAdjustments(ctx, companyID)
	if err != nil {
		return p, err
	}
	for _, a := range adjs {
		if why := lostRequest(a.JobState, a.Recovering, a.SessionID, sessionID); why != "" {
			p.Uncertain[a.ListID] = fmt.Sprintf("bcqb's adjustment of %s %s", a.FullName, why)
			continue
		}
		if a.JobState != store.JobQueued && a.JobState != store.JobSent {
			continue // failed: it did not apply (a later reading supersedes it)
		}
		d, err := decimal.NewFromString(a.Difference)
		if err != nil {
			return p, fmt.Errorf("adjustment %d: %w", a.ID, err)
		}
		p.Adjusting[a.ListID] = p.Adjusting[a.ListID].Add(d)
	}
	return p, nil
}

// lostRequest says why a job's request may or may not have reached
// QuickBooks ("" when it surely has not, or is in this session's message).
func lostRequest(state string, recovering bool, jobSession, session int64) string {
	switch {
	case state == store.JobUnknown || recovering:
		return "was sent and its answer was lost"
	case state == store.JobSent && jobSession != session:
		return "is out in another session"
	}
	return ""
}

func pendingOrders(ctx context.Context, db InventoryStore, companyID, sessionID int64, orders []store.UnpostedOrder, p Pending) error {
	c, err := db.Company(ctx, companyID)
	if err != nil {
		return err
	}
	stores, err := db.BCStores(ctx)
	if err != nil {
		return err
	}
	perCompany := map[int64]int{}
	byID := map[int64]store.BCStore{}
	for _, st := range stores {
		perCompany[st.CompanyID]++
		byID[st.ID] = st
	}
	snaps := map[int64]*snapshot{}
	settings := map[int64]plan.Settings{}
	for _, u := range orders {
		st, ok := byID[u.Posting.StoreID]
		if !ok {
			continue
		}
		snap, ok := snaps[st.ID]
		if !ok {
			s, err := StoreSettings(st, perCompany[st.CompanyID] > 1)
			if err != nil {
				return err
			}
			if snap, err = newSnapshot(ctx, db, c, s); err != nil {
				return err
			}
			snaps[st.ID], settings[st.ID] = snap, s
		}
		lines, err := OrderStock(plan.Store{ID: st.ID, Hash: st.StoreHash}, u.Raw, settings[st.ID], snap)
		if err != nil || len(lines) == 0 {
			continue
		}
		why := lostRequest(u.JobState, u.Recovering, u.SessionID, sessionID)
		for name, q := range lines {
			it := p.Items[name]
			it.Unposted = it.Unposted.Add(q)
			if why != "" && it.Uncertain == "" {
				it.Uncertain = fmt.Sprintf("the sale of BigCommerce order %d %s", u.Posting.BCID, why)
			}
			p.Items[name] = it
		}
	}
	return nil
}

// OrderStock returns the quantities, by lower-case QuickBooks item name,
// that posting an order version would take out of QuickBooks' stock (the
// lines of the sale the plan builds for it; none when it would post no sale).
func OrderStock(st plan.Store, raw string, s plan.Settings, l plan.Lists) (map[string]decimal.Decimal, error) {
	det, err := pull.DecodeOrder([]byte(raw))
	if err != nil {
		return nil, err
	}
	o, err := plan.BuildOrder(st, det, s, l, plan.Posted{})
	if err != nil {
		return nil, err
	}
	var lines []qbxml.SalesLineAdd
	switch {
	case o.SalesReceipt != nil:
		lines = o.SalesReceipt.Lines
	case o.Invoice != nil:
		lines = o.Invoice.Lines
	default:
		return nil, nil
	}
	out := map[string]decimal.Decimal{}
	for _, ln := range lines {
		if ln.ItemRef == nil || ln.ItemRef.FullName == "" || !ln.Quantity.IsSet() {
			continue
		}
		k := strings.ToLower(ln.ItemRef.FullName)
		out[k] = out[k].Add(ln.Quantity.Decimal())
	}
	return out, nil
}

// ---- the computation ----

// StockTarget is one BigCommerce product (VariantID 0) or variant whose
// stock is tracked, with its level as last pulled and the QuickBooks item
// its SKU maps to.
type StockTarget struct {
	StoreID   int64
	ProductID int64
	VariantID int64
	SKU       string
	Item      string
	Level     int64
	// Seen is when the level was pulled.
	Seen time.Time
}

// ItemStock is a QuickBooks inventory item at a reading.
type ItemStock struct {
	ListID    string
	Name      string
	OnHand    decimal.Decimal
	Unposted  decimal.Decimal
	Adjusting decimal.Decimal
	Uncertain string
	Through   int64
}

// Available is what BigCommerce may sell of the item: quantity on hand
// less the orders not posted, in whole units, never below zero.
func (it ItemStock) Available() int64 {
	n := it.OnHand.Sub(it.Unposted).Floor()
	if n.IsNegative() {
		return 0
	}
	return n.IntPart()
}

// Push is one level to set in BigCommerce.
type Push struct {
	Target StockTarget
	Level  int64
}

// PushLevels decides which BigCommerce levels to set (QuickBooks master):
// each target's level is its item's Available; it is pushed when it
// differs from the level last pushed, or, when none was or BigCommerce's
// level was pulled since, from BigCommerce's level. Items read uncertain
// and targets whose item was not read are left alone.
func PushLevels(targets []StockTarget, items map[string]ItemStock, last map[[2]int64]store.InventoryPush) []Push {
	var out []Push
	for _, t := range targets {
		it, ok := items[strings.ToLower(t.Item)]
		if !ok || it.Uncertain != "" {
			continue
		}
		level := it.Available()
		prev, pushed := last[[2]int64{t.ProductID, t.VariantID}]
		switch {
		case !pushed && level == t.Level:
			continue
		case pushed && level == prev.Quantity && (!t.Seen.After(prev.PushedAt) || level == t.Level):
			continue
		}
		out = append(out, Push{Target: t, Level: level})
	}
	return out
}

// Adjustment is one quantity difference to post to an item (BigCommerce master).
type Adjustment struct {
	ListID     string
	Name       string
	Difference decimal.Decimal
	// Level is BigCommerce's level the adjustment brings QuickBooks to,
	// once the orders not posted are.
	Level int64
}

// Adjustments decides the differences to post (BigCommerce master): for each
// item some target maps to, BigCommerce's level (the targets' levels added
// up) plus the orders not posted, less quantity on hand and bcqb's
// adjustments not applied yet. Items read uncertain, and those with an
// adjustment made after they were read (in later, by its id: newest), are left alone.
func Adjustments(targets []StockTarget, items map[string]ItemStock, newest map[string]int64) []Adjustment {
	levels := map[string]int64{}
	var order []string
	for _, t := range targets {
		k := strings.ToLower(t.Item)
		if _, ok := levels[k]; !ok {
			order = append(order, k)
		}
		levels[k] += t.Level
	}
	var out []Adjustment
	for _, k := range order {
		it, ok := items[k]
		if !ok || it.Uncertain != "" || newest[it.ListID] > it.Through {
			continue
		}
		d := decimal.NewFromInt(levels[k]).Add(it.Unposted).Sub(it.OnHand).Sub(it.Adjusting)
		if d.IsZero() {
			continue
		}
		out = append(out, Adjustment{ListID: it.ListID, Name: it.Name, Difference: d, Level: levels[k]})
	}
	return out
}

// Targets lists the tracked products and variants of pulled product
// documents whose SKU maps to a QuickBooks item (item(sku) as orders map it).
func Targets(storeID int64, docs []store.Document, item func(sku string) (string, bool)) []StockTarget {
	var out []StockTarget
	for _, d := range docs {
		var p bigcommerce.Product
		if err := json.Unmarshal([]byte(d.Raw), &p); err != nil {
			continue
		}
		add := func(variantID int64, sku string, level int64) {
			sku = strings.TrimSpace(sku)
			if sku == "" {
				return
			}
			name, ok := item(sku)
			if !ok {
				return
			}
			out = append(out, StockTarget{StoreID: storeID, ProductID: p.ID, VariantID: variantID, SKU: sku, Item: name,
				Level: level, Seen: d.PulledAt})
		}
		switch p.InventoryTracking {
		case "product":
			add(0, p.SKU, p.InventoryLevel)
		case "variant":
			for _, v := range p.Variants {
				add(v.ID, v.SKU, v.InventoryLevel)
			}
		}
	}
	sortTargets(out)
	return out
}

// ---- after the reading: push or adjust ----

// StockPusher sets absolute stock levels in a BigCommerce store.
type StockPusher interface {
	SetInventoryAbsolute(ctx context.Context, st store.BCStore, reason string, items []bigcommerce.InventoryItem) ([]string, error)
}

// Inventory acts on finished readings, outside any session: it pushes
// levels to BigCommerce (QuickBooks master) and queues adjustments
// (BigCommerce master). Its owner runs Process (a loop with Start and
// Close in the app).
type Inventory struct {
	db   InventoryStore
	push StockPusher
	log  *slog.Logger
	mu   sync.Mutex
}

// NewInventory returns the inventory sync over db, pushing with push.
func NewInventory(db InventoryStore, push StockPusher, log *slog.Logger) *Inventory {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Inventory{db: db, push: push, log: log}
}

// Process acts on every company's newest finished reading.
func (inv *Inventory) Process(ctx context.Context) error {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	readings, err := inv.db.ReadingsToProcess(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range readings {
		if err := inv.process(ctx, r); err != nil {
			errs = append(errs, fmt.Errorf("inventory reading %d: %w", r.ID, err))
		}
	}
	return errors.Join(errs...)
}

func (inv *Inventory) process(ctx context.Context, r store.InventoryReading) error {
	qs, err := inv.db.Quantities(ctx, r.ID)
	if err != nil {
		return err
	}
	items := map[string]ItemStock{}
	for _, q := range qs {
		it := ItemStock{ListID: q.ListID, Name: q.FullName, Uncertain: q.Uncertain, Through: q.AdjustmentsThrough}
		var e1, e2, e3 error
		it.OnHand, e1 = decimalOf(q.OnHand)
		it.Unposted, e2 = decimalOf(q.Unposted)
		it.Adjusting, e3 = decimalOf(q.Adjusting)
		if err := errors.Join(e1, e2, e3); err != nil {
			return fmt.Errorf("quantity of %s: %w", q.FullName, err)
		}
		items[strings.ToLower(q.FullName)] = it
	}
	c, err := inv.db.Company(ctx, r.CompanyID)
	if err != nil {
		return err
	}
	stores, err := inv.db.BCStores(ctx)
	if err != nil {
		return err
	}
	perCompany := map[int64]int{}
	for _, st := range stores {
		perCompany[st.CompanyID]++
	}
	var adjustTargets []StockTarget
	var adjustSettings *plan.Settings
	var summary []string
	var errs []error
	for _, st := range stores {
		if st.CompanyID != r.CompanyID {
			continue
		}
		s, err := StoreSettings(st, perCompany[st.CompanyID] > 1)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		mode := InventoryMode(s)
		if mode == InventoryOff {
			continue
		}
		snap, err := newSnapshot(ctx, inv.db, c, s)
		if err != nil {
			return err
		}
		docs, err := inv.db.LatestDocuments(ctx, st.ID, store.DocProduct)
		if err != nil {
			return err
		}
		targets := Targets(st.ID, docs, func(sku string) (string, bool) {
			name, ok := snap.Item(sku)
			if !ok {
				return "", false
			}
			_, read := items[strings.ToLower(name)]
			return name, read
		})
		switch mode {
		case InventoryQuickBooks:
			n, err := inv.pushStore(ctx, st, r, targets, items)
			if err != nil {
				errs = append(errs, fmt.Errorf("store %s: %w", st.StoreHash, err))
				continue
			}
			summary = append(summary, fmt.Sprintf("store %s: %d levels pushed", st.StoreHash, n))
		case InventoryBigCommerce:
			adjustTargets = append(adjustTargets, targets...)
			if adjustSettings == nil {
				adjustSettings = &s
			}
		}
	}
	if len(errs) > 0 {
		// The reading stays to be processed again (absolute pushes repeat safely).
		return errors.Join(errs...)
	}
	if adjustSettings == nil {
		return inv.db.EndReading(ctx, r.ID, store.ReadingProcessed, strings.Join(summary, "; "))
	}
	n, err := inv.adjust(ctx, c, *adjustSettings, r, adjustTargets, items)
	if err != nil {
		return err
	}
	inv.log.InfoContext(ctx, "inventory adjustments queued", "company", c.ID, "reading", r.ID, "adjustments", n)
	return nil
}

// pushStore pushes a store's levels that changed and records them.
func (inv *Inventory) pushStore(ctx context.Context, st store.BCStore, r store.InventoryReading, targets []StockTarget, items map[string]ItemStock) (int, error) {
	last, err := inv.db.Pushes(ctx, st.ID)
	if err != nil {
		return 0, err
	}
	ps := PushLevels(targets, items, last)
	if len(ps) == 0 {
		return 0, nil
	}
	if inv.push == nil {
		return 0, errors.New("bcqb cannot reach BigCommerce to push stock levels")
	}
	req := make([]bigcommerce.InventoryItem, len(ps))
	for i, p := range ps {
		req[i] = bigcommerce.InventoryItem{LocationID: 1, Quantity: p.Level}
		if p.Target.VariantID != 0 {
			req[i].VariantID = p.Target.VariantID
		} else {
			req[i].ProductID = p.Target.ProductID
		}
	}
	ids, err := inv.push.SetInventoryAbsolute(ctx, st, fmt.Sprintf("bcqb: QuickBooks quantity on hand (reading %d)", r.ID), req)
	// Calls of up to MaxInventoryItems: those that went through are recorded.
	done := min(len(ids)*bigcommerce.MaxInventoryItems, len(ps))
	rec := make([]store.InventoryPush, 0, done)
	for i, p := range ps[:done] {
		tx := ""
		if k := i / bigcommerce.MaxInventoryItems; k < len(ids) {
			tx = ids[k]
		}
		rec = append(rec, store.InventoryPush{StoreID: st.ID, ProductID: p.Target.ProductID, VariantID: p.Target.VariantID,
			SKU: p.Target.SKU, Item: p.Target.Item, Quantity: p.Level, ReadingID: r.ID, TransactionID: tx})
	}
	if len(rec) > 0 {
		if rerr := inv.db.RecordPushes(ctx, rec); rerr != nil {
			return 0, errors.Join(err, rerr)
		}
	}
	if err != nil {
		return done, err
	}
	inv.log.InfoContext(ctx, "inventory levels pushed to BigCommerce", "store", st.StoreHash, "reading", r.ID, "levels", len(ps))
	return len(ps), nil
}

// adjustKey is the ledger key of the adjustment of an item at a reading.
func adjustKey(companyID int64, listID string, readingID int64) string {
	return fmt.Sprintf("invadj:%d:%s:%d", companyID, listID, readingID)
}

// adjust queues the adjustments of a reading (and the account they post to,
// when QuickBooks lacks it) and ends the reading, in one transaction.
func (inv *Inventory) adjust(ctx context.Context, c store.Company, s plan.Settings, r store.InventoryReading, targets []StockTarget, items map[string]ItemStock) (int, error) {
	open, err := inv.db.OpenAdjustments(ctx, c.ID)
	if err != nil {
		return 0, err
	}
	all := map[string]int64{}
	for _, a := range open {
		all[a.ListID] = max(all[a.ListID], a.ID)
	}
	adjs := Adjustments(targets, items, all)
	snap, err := newSnapshot(ctx, inv.db, c, s)
	if err != nil {
		return 0, err
	}
	n := 0
	err = inv.db.Update(ctx, func(tx *store.Tx) error {
		// Adjustments of the same items that failed are superseded: this
		// reading decides afresh, so they must never be retried.
		touched := map[string]bool{}
		for _, a := range adjs {
			touched[a.ListID] = true
		}
		for _, a := range open {
			if touched[a.ListID] && a.JobState == store.JobFailed && a.JobID != 0 {
				if err := tx.EndJob(ctx, a.JobID, store.JobDone, fmt.Sprintf("superseded by inventory reading %d", r.ID)); err != nil {
					return err
				}
			}
		}
		var deps []int64
		if len(adjs) > 0 {
			pl := &planning{tx: tx, db: inv.db, company: c, s: snap.settings(s), snap: snap, log: inv.log}
			id, err := pl.ensureAccount(ctx, InventoryAdjustmentAccount, qbxml.AccountTypeCostOfGoodsSold)
			if err != nil {
				return err
			}
			if id != 0 {
				deps = append(deps, id)
			}
		}
		for _, a := range adjs {
			id, created, err := tx.AddAdjustment(ctx, store.InventoryAdjustment{CompanyID: c.ID, ListID: a.ListID,
				FullName: a.Name, ReadingID: r.ID, Difference: a.Difference.String()})
			if err != nil {
				return err
			}
			if !created {
				continue
			}
			payload, err := adjustPayload(c.ID, r.ID, a)
			if err != nil {
				return err
			}
			j, _, err := tx.Enqueue(ctx, store.Job{CompanyID: c.ID, Kind: KindInventoryAdjust,
				DedupeKey: adjustKey(c.ID, a.ListID, r.ID), Priority: PriorityInventoryAdjust, Payload: payload}, deps...)
			if err != nil {
				return err
			}
			if err := tx.SetAdjustmentJob(ctx, id, j.ID); err != nil {
				return err
			}
			n++
		}
		return tx.EndReading(ctx, r.ID, store.ReadingProcessed, fmt.Sprintf("%d adjustments queued", n))
	})
	return n, err
}

// ensureAccount makes sure an account exists in QuickBooks (a qb.add job
// creates it when neither the lists read nor the ledger know it) and
// returns the job to wait for (0: none).
func (pl *planning) ensureAccount(ctx context.Context, name, typ string) (int64, error) {
	key := listKey("Account", name)
	if e, ok := pl.snap.ledger[key]; ok {
		if e.QBID == "" {
			return e.JobID, nil
		}
		return 0, nil
	}
	if pl.snap.has("Account", name) {
		return 0, nil
	}
	return pl.addJob(ctx, AddPayload{Key: key, Type: "Account", ListType: "Account", Name: name,
		What: fmt.Sprintf("account %q", name)},
		&qbxml.AccountAddRq{AccountAdd: qbxml.AccountAdd{Name: name, AccountType: typ, Desc: "Created by bcqb for BigCommerce stock"}},
		PriorityAccount, nil)
}

// adjustPayload builds the qb.add-style payload of an adjustment: a
// RefNumber and a memo naming the item and reading, for the recovery query.
func adjustPayload(companyID, readingID int64, a Adjustment) (string, error) {
	key := adjustKey(companyID, a.ListID, readingID)
	ref := qbxml.Fit("INV"+strconv.FormatInt(readingID, 10), qbxml.MaxRefNumber)
	memo := qbxml.Fit(qbxml.Clean(fmt.Sprintf("bcqb: BigCommerce stock of %s is %d (%s)", a.Name, a.Level, key)), 4095)
	rq := &qbxml.InventoryAdjustmentAddRq{InventoryAdjustmentAdd: qbxml.InventoryAdjustmentAdd{
		AccountRef: qbxml.RefName(InventoryAdjustmentAccount), RefNumber: ref, Memo: memo,
		Lines: []qbxml.InventoryAdjustmentLineAdd{{ItemRef: &qbxml.Ref{ListID: a.ListID},
			QuantityAdjustment: &qbxml.QuantityAdjustment{QuantityDifference: qbxml.QuantityOf(a.Difference)}}},
	}}
	return NewAddPayload(AddPayload{Key: key, Type: qbxml.TxnTypeInventoryAdjustment, Name: ref, Memo: memo,
		What: fmt.Sprintf("the inventory adjustment of %s by %s", a.Name, a.Difference)}, rq)
}

// ---- the adjustment job ----

// InventoryAdjust is the handler of KindInventoryAdjust: qb.add for an
// InventoryAdjustmentAdd, whose lost answer is recovered by asking
// QuickBooks for adjustments of its RefNumber and memo.
type InventoryAdjust struct{}

// Kind implements Handler.
func (InventoryAdjust) Kind() string { return KindInventoryAdjust }

// Noun implements Handler.
func (InventoryAdjust) Noun() (string, string) {
	return "inventory adjustment", "inventory adjustments"
}

func adjustRecovering(job store.Job) bool {
	return job.Step == stepRecover || (job.Recovering && job.StepState != "checked")
}

// Requests implements Handler.
func (InventoryAdjust) Requests(ctx context.Context, env Env, job store.Job) ([]qbxml.Request, error) {
	p, rq, err := decodeAdd(job)
	if err != nil {
		return nil, err
	}
	if adjustRecovering(job) {
		yes := true
		return []qbxml.Request{&inventoryAdjustmentQueryRq{RefNumbers: []string{p.Name}, IncludeLineItems: &yes}}, nil
	}
	return []qbxml.Request{rq}, nil
}

// Response implements Handler.
func (InventoryAdjust) Response(ctx context.Context, env Env, job store.Job, rs []qbxml.Response) (store.Outcome, error) {
	if !adjustRecovering(job) {
		return Add{}.Response(ctx, env, job, rs)
	}
	p, _, err := decodeAdd(job)
	if err != nil {
		return store.Outcome{State: store.JobFailed, LastError: err.Error()}, nil
	}
	r := rs[0]
	if id, ok := foundAdjustment(r, p); ok {
		return adopted(p, id), nil
	}
	if oc := r.Header().Outcome(); oc.Failed() && oc.Action != qbxml.ActionNotFound {
		return retryOrFail(env, job, p, oc), nil
	}
	return store.Outcome{State: store.JobQueued, Step: stepAdd, StepState: "checked"}, nil
}

// foundAdjustment finds the adjustment a job posts in a query's answer, by
// RefNumber and memo. qbxml has no InventoryAdjustmentQueryRs type yet, so
// the answer arrives as an UnknownRs; a typed one is read like qb.add's.
func foundAdjustment(r qbxml.Response, p AddPayload) (ident, bool) {
	u, ok := r.(*qbxml.UnknownRs)
	if !ok {
		return found(r, p)
	}
	var body struct {
		Rets []qbxml.InventoryAdjustmentRet `xml:"InventoryAdjustmentRet"`
	}
	if err := xml.Unmarshal([]byte("<x>"+u.InnerXML+"</x>"), &body); err != nil {
		return ident{}, false
	}
	for _, ret := range body.Rets {
		if ret.RefNumber == p.Name && (p.Memo == "" || ret.Memo == p.Memo) && ret.TxnID != "" {
			return ident{ID: ret.TxnID, EditSequence: ret.EditSequence, Name: ret.RefNumber}, true
		}
	}
	return ident{}, false
}

// inventoryAdjustmentQueryRq asks for inventory adjustments by RefNumber
// (qbxml has no type for it yet).
type inventoryAdjustmentQueryRq struct {
	qbxml.RqHeader
	RefNumbers       []string `xml:"RefNumber,omitempty" qb:"max=11"`
	IncludeLineItems *bool    `xml:"IncludeLineItems,omitempty"`
}

// RqName returns "InventoryAdjustmentQueryRq".
func (*inventoryAdjustmentQueryRq) RqName() string { return "InventoryAdjustmentQueryRq" }

// sortTargets orders targets for stable output (tests, logs).
func sortTargets(ts []StockTarget) {
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].StoreID != ts[j].StoreID {
			return ts[i].StoreID < ts[j].StoreID
		}
		if ts[i].ProductID != ts[j].ProductID {
			return ts[i].ProductID < ts[j].ProductID
		}
		return ts[i].VariantID < ts[j].VariantID
	})
}
