package pull

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/store"
)

// Result counts what a pull did.
type Result struct {
	// Since and Until bound the changes pulled (Until is BigCommerce's clock
	// when the pull started; zero for an order pull).
	Since, Until time.Time
	Orders       int // orders pulled
	Refunds      int
	Customers    int
	Products     int
	// NewVersions counts the documents stored because their content was new.
	NewVersions int
	// Calls is the number of API requests made while the pull ran (an order
	// pull running beside it on the same store is counted too).
	Calls int64
}

func (r Result) String() string {
	return fmt.Sprintf("%d orders, %d refunds, %d customers, %d products pulled; %d new versions stored",
		r.Orders, r.Refunds, r.Customers, r.Products, r.NewVersions)
}

// Refunded order statuses: an order in one has refunds to fetch.
const (
	statusRefunded          = 4
	statusPartiallyRefunded = 14
)

// Pull runs an incremental pull of the store: everything changed since its
// watermark less the overlap window (or, for the first pull, since the
// chosen backfill date, or since now less the overlap: bcqb never posts
// history it was not asked for).
func (p *Puller) Pull(ctx context.Context, storeID int64) (Result, error) {
	return p.pullSince(ctx, storeID, time.Time{})
}

// Backfill pulls everything changed since from. The watermark moves to the
// pull's end only if the backfill reaches back to it.
func (p *Puller) Backfill(ctx context.Context, storeID int64, from time.Time) (Result, error) {
	if from.IsZero() {
		return Result{}, fmt.Errorf("pull: backfill of store %d: no start date", storeID)
	}
	return p.pullSince(ctx, storeID, from)
}

func (p *Puller) pullSince(ctx context.Context, storeID int64, from time.Time) (res Result, err error) {
	st, err := p.db.BCStore(ctx, storeID)
	if err != nil {
		return Result{}, err
	}
	defer p.hold(st)()
	if err := p.db.StartBCPull(ctx, st.ID); err != nil {
		return Result{}, err
	}
	defer func() { err = p.finish(ctx, st, res, err, true) }()
	c, err := p.client(ctx, st)
	if err != nil {
		return Result{}, err
	}
	calls := c.Stats().Requests
	defer func() { res.Calls = c.Stats().Requests - calls }()

	// BigCommerce's clock, not ours: a skewed appliance clock must not skip orders.
	until, err := c.Time(ctx)
	if err != nil {
		return Result{}, err
	}
	since := from
	if since.IsZero() {
		switch {
		case !st.Watermark.IsZero():
			since = st.Watermark.Add(-st.Overlap)
		case !st.BackfillFrom.IsZero():
			since = st.BackfillFrom
		default:
			since = until.Add(-st.Overlap)
		}
	}
	r := p.newRun(c, st)
	r.res.Since, r.res.Until = since, until
	kind := store.PullIncremental
	if !from.IsZero() {
		kind = store.PullBackfill
	}
	progress := store.PullProgress{StoreID: st.ID, Kind: kind, Since: since, Until: until, Reached: since}
	p.progress(ctx, progress)

	// Refunds created since: they mark orders to fetch refunds for, even an
	// order BigCommerce would not list as modified.
	if err := c.ListRefunds(ctx, bigcommerce.RefundQuery{CreatedMin: since}, func(rf bigcommerce.Refund) error {
		r.refunded[rf.OrderID] = true
		return nil
	}); err != nil {
		return r.res, err
	}
	seen := map[int64]bool{}
	if err := c.ListOrderPagesModifiedSince(ctx, since, func(page []bigcommerce.Order) error {
		for _, o := range page {
			seen[o.ID] = true
		}
		if err := r.orders(ctx, page); err != nil {
			return err
		}
		progress.Orders = r.res.Orders
		if last := page[len(page)-1].DateModified; last.After(progress.Reached) {
			progress.Reached = last
		}
		p.progress(ctx, progress)
		return nil
	}); err != nil {
		return r.res, err
	}
	// Orders with a new refund that BigCommerce did not list as modified:
	// fetched one by one, stored a page at a time.
	var page []bigcommerce.Order
	for _, id := range sortedKeys(r.refunded) {
		if seen[id] {
			continue
		}
		o, err := c.Order(ctx, id)
		if err != nil {
			return r.res, err
		}
		if page = append(page, o); len(page) == bigcommerce.PageLimit {
			if err := r.orders(ctx, page); err != nil {
				return r.res, err
			}
			page = nil
		}
	}
	if err := r.orders(ctx, page); err != nil {
		return r.res, err
	}
	if err := r.customers(ctx); err != nil {
		return r.res, err
	}
	if err := r.products(ctx, since); err != nil {
		return r.res, err
	}
	return r.res, nil
}

// PullOrder pulls one order now (a webhook said it changed), with its
// customer and products. It leaves the watermark alone: the next
// incremental pull still covers the order.
func (p *Puller) PullOrder(ctx context.Context, storeID, orderID int64) (res Result, err error) {
	st, err := p.db.BCStore(ctx, storeID)
	if err != nil {
		return Result{}, err
	}
	defer p.hold(st)()
	defer func() {
		if err != nil {
			err = p.finish(ctx, st, res, err, false)
		}
	}()
	c, err := p.client(ctx, st)
	if err != nil {
		return Result{}, err
	}
	calls := c.Stats().Requests
	defer func() { res.Calls = c.Stats().Requests - calls }()
	o, err := c.Order(ctx, orderID)
	if err != nil {
		return Result{}, err
	}
	r := p.newRun(c, st)
	if err := r.orders(ctx, []bigcommerce.Order{o}); err != nil {
		return r.res, err
	}
	if err := r.customers(ctx); err != nil {
		return r.res, err
	}
	return r.res, r.products(ctx, time.Time{})
}

// progress records how far a pull got, for the page; a failure to record
// it does not stop the pull.
func (p *Puller) progress(ctx context.Context, pr store.PullProgress) {
	if err := p.db.SetBCPullProgress(ctx, pr); err != nil && ctx.Err() == nil {
		p.log.WarnContext(ctx, "pull: record progress", "store", pr.StoreID, "err", err)
	}
}

// hold marks the store's company busy until the returned func is called.
func (p *Puller) hold(st store.BCStore) func() {
	if p.opts.Hold == nil || st.CompanyID == 0 {
		return func() {}
	}
	return p.opts.Hold(st.CompanyID)
}

// finish records the pull's outcome on the store's row (the watermark moves
// only for a complete pull) and returns the pull's error.
func (p *Puller) finish(ctx context.Context, st store.BCStore, res Result, pullErr error, moveWatermark bool) error {
	rec := store.BCPullResult{Summary: res.String()}
	if pullErr != nil && ctx.Err() != nil && !errors.Is(pullErr, context.Canceled) {
		// Stopped mid-write: the database reports the rolled-back
		// transaction, not the stop that caused it.
		pullErr = fmt.Errorf("%w: %w", context.Canceled, pullErr)
	}
	if pullErr != nil {
		rec.Err = Describe(pullErr)
		p.log.WarnContext(ctx, "pull: failed", "store", st.StoreHash, "err", pullErr, "stored", res.String())
	} else if moveWatermark {
		rec.Since, rec.Until = res.Since, res.Until
		p.log.InfoContext(ctx, "pull: done", "store", st.StoreHash, "since", res.Since, "until", res.Until,
			"result", res.String(), "calls", res.Calls)
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := p.db.FinishBCPull(fctx, st.ID, rec); err != nil {
		return fmt.Errorf("%w (and recording it: %w)", pullErr, err)
	}
	return pullErr
}

// run is one pull's working state.
type run struct {
	p   *Puller
	c   *bigcommerce.Client
	st  store.BCStore
	res Result
	// refunded marks orders with refunds created in the pulled period.
	refunded map[int64]bool
	// The customers and products the pulled orders name.
	emails      map[string]bool
	customerIDs map[int64]bool
	productIDs  map[int64]bool
	// needs is what the store's posting settings read beyond the defaults.
	needs needs
}

func (p *Puller) newRun(c *bigcommerce.Client, st store.BCStore) *run {
	n, err := needsOf(st.SettingsJSON)
	if err != nil {
		p.log.Warn("pull: the store's settings cannot be read: fetching every order's taxes and transactions",
			"store", st.StoreHash, "err", err)
	}
	return &run{p: p, c: c, st: st, refunded: map[int64]bool{}, emails: map[string]bool{},
		customerIDs: map[int64]bool{}, productIDs: map[int64]bool{}, needs: n}
}

// needs is what a store's posting settings (bc_stores.settings_json, as
// jobs/plan.Settings reads them) ask the pull to fetch beyond what every
// posting reads; see bigcommerce.OrderDetails for the rules and their
// evidence. Only the fields that decide it are decoded, so this package
// stays independent of the jobs side.
type needs struct {
	// taxRows: tax_detail, or tax_items mapping BigCommerce's rates to
	// QuickBooks tax items: the plan posts one tax line per rate.
	taxRows bool
	// invoicePayments: mode "invoice": every paid order becomes an invoice
	// and a payment whose amount and date come from the transactions.
	invoicePayments bool
}

// needsOf reads the settings; settings it cannot read ask for everything
// (the planner refuses them too, and the user may fix them to either).
func needsOf(settingsJSON string) (needs, error) {
	if strings.TrimSpace(settingsJSON) == "" {
		return needs{}, nil
	}
	var s struct {
		Mode      string            `json:"mode"`
		TaxDetail bool              `json:"tax_detail"`
		TaxItems  map[string]string `json:"tax_items"`
	}
	if err := json.Unmarshal([]byte(settingsJSON), &s); err != nil {
		return needs{taxRows: true, invoicePayments: true}, err
	}
	mapped := false
	for _, v := range s.TaxItems {
		mapped = mapped || strings.TrimSpace(v) != ""
	}
	return needs{taxRows: s.TaxDetail || mapped, invoicePayments: s.Mode == "invoice"}, nil
}

// paidStatus is the set of statuses whose orders jobs/plan posts with their
// payment (plan.paidStatus): BigCommerce's paid set (NOTES §4) and the
// refunded and disputed orders, which were paid first.
func paidStatus(id int) bool {
	switch id {
	case 2, 3, 4, 8, 9, 10, 11, 13, 14:
		return true
	}
	return false
}

// detailOptions decides what to fetch for an order besides what every
// posting reads (bigcommerce.OrderDetails): tax rows when the settings post
// per rate; transactions when the order's payment may be posted against an
// invoice, that is in mode "invoice", or when the order is paid and its
// stored version was not (an order stored while Awaiting Payment was posted
// as an invoice and its payment follows now; on hold, Manual Verification,
// in between leaves that invoice as it was). Whatever the latest stored
// version holds is fetched again, so a re-pulled order keeps its document:
// a version that only lost its rows would be a new version for nothing,
// and an invoice's payment would lose its date.
func (r *run) detailOptions(ctx context.Context, o bigcommerce.Order) (bigcommerce.DetailOptions, error) {
	opt := bigcommerce.DetailOptions{Taxes: r.needs.taxRows, Transactions: r.needs.invoicePayments && paidStatus(o.StatusID)}
	if opt.Taxes && opt.Transactions {
		return opt, nil
	}
	prev, err := r.p.db.LatestDocument(ctx, r.st.ID, store.DocOrder, o.ID)
	if errors.Is(err, store.ErrNotFound) {
		return opt, nil
	}
	if err != nil {
		return opt, err
	}
	var doc struct {
		Order struct {
			StatusID int `json:"status_id"`
		} `json:"order"`
		Taxes        []json.RawMessage `json:"taxes"`
		Transactions []json.RawMessage `json:"transactions"`
	}
	if err := json.Unmarshal([]byte(prev.Raw), &doc); err != nil {
		return bigcommerce.DetailOptions{Taxes: true, Transactions: true}, nil // unreadable: fetch all
	}
	opt.Taxes = opt.Taxes || len(doc.Taxes) > 0
	opt.Transactions = opt.Transactions || len(doc.Transactions) > 0 ||
		(!paidStatus(doc.Order.StatusID) && paidStatus(o.StatusID))
	return opt, nil
}

// OrderDocument is the JSON stored for a version of an order: the order and
// everything hanging off it, each part as BigCommerce sent it.
type OrderDocument struct {
	Order             json.RawMessage   `json:"order"`
	Products          []json.RawMessage `json:"products"`
	ShippingAddresses []json.RawMessage `json:"shipping_addresses"`
	Coupons           []json.RawMessage `json:"coupons"`
	Taxes             []json.RawMessage `json:"taxes"`
	Transactions      []json.RawMessage `json:"transactions"`
	Refunds           []json.RawMessage `json:"refunds"`
}

// DecodeOrder reads a stored order version back into the client's types,
// for the sync engine.
func DecodeOrder(raw []byte) (bigcommerce.OrderDetails, error) {
	var d struct {
		Order             bigcommerce.Order             `json:"order"`
		Products          []bigcommerce.OrderProduct    `json:"products"`
		ShippingAddresses []bigcommerce.ShippingAddress `json:"shipping_addresses"`
		Coupons           []bigcommerce.Coupon          `json:"coupons"`
		Taxes             []bigcommerce.Tax             `json:"taxes"`
		Transactions      []bigcommerce.Transaction     `json:"transactions"`
		Refunds           []bigcommerce.Refund          `json:"refunds"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return bigcommerce.OrderDetails{}, fmt.Errorf("pull: stored order: %w", err)
	}
	return bigcommerce.OrderDetails{Order: d.Order, Products: d.Products, ShippingAddresses: d.ShippingAddresses,
		Coupons: d.Coupons, Taxes: d.Taxes, Transactions: d.Transactions, Refunds: d.Refunds}, nil
}

func raws[T any](items []T, raw func(T) json.RawMessage) []json.RawMessage {
	out := make([]json.RawMessage, 0, len(items))
	for _, it := range items {
		out = append(out, raw(it))
	}
	return out
}

// orders stores a page of orders, each with its details and refunds. The
// refunds of the page's orders that have any come in one call per 100 orders
// (RefundsByOrder) instead of one per order; then each order's details are
// fetched and the order and its refunds stored in one transaction, so no
// half order is ever written.
func (r *run) orders(ctx context.Context, page []bigcommerce.Order) error {
	if len(page) == 0 {
		return nil
	}
	want := map[int64]bool{}
	var ids []int64
	for _, o := range page {
		// Ask only for orders that have refunds: a refunded status, a refund
		// just listed, or refunds stored before.
		w := r.refunded[o.ID] || o.StatusID == statusRefunded || o.StatusID == statusPartiallyRefunded
		if !w {
			known, err := r.p.db.LatestChildren(ctx, r.st.ID, store.DocRefund, o.ID)
			if err != nil {
				return err
			}
			w = len(known) > 0
		}
		if w && !want[o.ID] {
			want[o.ID] = true
			ids = append(ids, o.ID)
		}
	}
	var refunds map[int64][]bigcommerce.Refund
	if len(ids) > 0 {
		var err error
		if refunds, err = r.c.RefundsByOrder(ctx, ids); err != nil {
			return err
		}
	}
	for _, o := range page {
		if err := r.order(ctx, o, want[o.ID], refunds[o.ID]); err != nil {
			return err
		}
	}
	return nil
}

// storedOrder is the order as the document keeps it: what BigCommerce
// answers without include=consignments (its recorded responses then have no
// "consignments" field, fixtures/.../orders_v2__218__get.json), that is the
// order it sent less the consignments it embedded at our asking. Its lines
// are stored under products and its shipping under shipping_addresses as
// their own endpoints give them, so keeping the copy would double the
// document and make every order stored before this change a new version.
// An order without the expansion is kept byte for byte.
func storedOrder(o bigcommerce.Order) (json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(o.Raw, &fields); err != nil {
		return nil, err
	}
	var c map[string]json.RawMessage
	if json.Unmarshal(fields["consignments"], &c) != nil || c == nil || c["resource"] != nil {
		return o.Raw, nil // absent, a link, or not the object structure
	}
	delete(fields, "consignments")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(fields); err != nil {
		return nil, err
	}
	return json.RawMessage(bytes.TrimSpace(buf.Bytes())), nil
}

// order fetches an order's details and stores the order with its refunds
// (those of refunds when wantRefunds) in one transaction.
func (r *run) order(ctx context.Context, o bigcommerce.Order, wantRefunds bool, refunds []bigcommerce.Refund) error {
	opt, err := r.detailOptions(ctx, o)
	if err != nil {
		return err
	}
	d, err := r.c.OrderDetails(ctx, o, opt)
	if err != nil {
		return err
	}
	if wantRefunds {
		d.Refunds = slices.Clone(refunds)
		slices.SortFunc(d.Refunds, func(a, b bigcommerce.Refund) int { return cmp.Compare(a.ID, b.ID) })
	}
	orderRaw, err := storedOrder(o)
	if err != nil {
		return fmt.Errorf("pull: order %d: %w", o.ID, err)
	}
	doc, err := json.Marshal(OrderDocument{
		Order:             orderRaw,
		Products:          raws(d.Products, func(v bigcommerce.OrderProduct) json.RawMessage { return v.Raw }),
		ShippingAddresses: raws(d.ShippingAddresses, func(v bigcommerce.ShippingAddress) json.RawMessage { return v.Raw }),
		Coupons:           raws(d.Coupons, func(v bigcommerce.Coupon) json.RawMessage { return v.Raw }),
		Taxes:             raws(d.Taxes, func(v bigcommerce.Tax) json.RawMessage { return v.Raw }),
		Transactions:      raws(d.Transactions, func(v bigcommerce.Transaction) json.RawMessage { return v.Raw }),
		Refunds:           raws(d.Refunds, func(v bigcommerce.Refund) json.RawMessage { return v.Raw }),
	})
	if err != nil {
		return fmt.Errorf("pull: order %d: %w", o.ID, err)
	}
	docs := []store.DocumentInput{{Kind: store.DocOrder, BCID: o.ID, Raw: doc, DateModified: o.DateModified}}
	for _, rf := range d.Refunds {
		docs = append(docs, store.DocumentInput{Kind: store.DocRefund, BCID: rf.ID, ParentID: o.ID, Raw: rf.Raw,
			DateModified: rf.Created})
	}
	put, err := r.p.db.PutDocuments(ctx, r.st.ID, docs)
	if err != nil {
		return err
	}
	r.count(put)
	r.res.Orders++
	r.res.Refunds += len(d.Refunds)
	if email := strings.ToLower(strings.TrimSpace(o.BillingAddress.Email)); email != "" {
		r.emails[email] = true
	}
	if o.CustomerID != 0 {
		r.customerIDs[o.CustomerID] = true
	}
	for _, line := range d.Products {
		if line.ProductID != 0 {
			r.productIDs[line.ProductID] = true
		}
	}
	return nil
}

func (r *run) count(put []store.PutResult) {
	for _, p := range put {
		if p.Created {
			r.res.NewVersions++
		}
	}
}

// batch gathers documents of one kind, each once.
type batch struct {
	kind string
	got  map[int64]bool
	docs []store.DocumentInput
}

func newBatch(kind string) *batch { return &batch{kind: kind, got: map[int64]bool{}} }

func (b *batch) add(id int64, raw json.RawMessage, modified time.Time) {
	if !b.got[id] {
		b.got[id] = true
		b.docs = append(b.docs, store.DocumentInput{Kind: b.kind, BCID: id, Raw: raw, DateModified: modified})
	}
}

// missing returns the ids not gathered yet.
func (b *batch) missing(ids map[int64]bool) []int64 {
	var out []int64
	for _, id := range sortedKeys(ids) {
		if !b.got[id] {
			out = append(out, id)
		}
	}
	return out
}

// save stores the batch in one transaction and returns how many documents it held.
func (r *run) save(ctx context.Context, b *batch) (int, error) {
	if len(b.docs) == 0 {
		return 0, nil
	}
	put, err := r.p.db.PutDocuments(ctx, r.st.ID, b.docs)
	if err != nil {
		return 0, err
	}
	r.count(put)
	return len(b.docs), nil
}

// customers pulls the customers of the pulled orders: by billing email (a
// guest may have an account), then by id for those whose account email
// differs from the order's.
func (r *run) customers(ctx context.Context) error {
	b := newBatch(store.DocCustomer)
	add := func(cu bigcommerce.Customer) error { b.add(cu.ID, cu.Raw, cu.DateModified); return nil }
	if emails := sortedKeys(r.emails); len(emails) > 0 {
		if err := r.c.ListCustomers(ctx, bigcommerce.CustomerQuery{Emails: emails}, add); err != nil {
			return err
		}
	}
	if missing := b.missing(r.customerIDs); len(missing) > 0 {
		if err := r.c.ListCustomers(ctx, bigcommerce.CustomerQuery{IDs: missing}, add); err != nil {
			return err
		}
	}
	n, err := r.save(ctx, b)
	r.res.Customers += n
	return err
}

// productBatch keeps id:in lists (and so URLs) short.
const productBatch = 50

// products pulls the catalog products changed since since (none when zero)
// and those the pulled orders sold, with their variants: their stock
// levels move with every sale without moving their date_modified.
func (r *run) products(ctx context.Context, since time.Time) error {
	b := newBatch(store.DocProduct)
	add := func(pr bigcommerce.Product) error { b.add(pr.ID, pr.Raw, pr.DateModified); return nil }
	if !since.IsZero() {
		if err := r.c.ListProducts(ctx, bigcommerce.ProductQuery{DateModifiedMin: since, IncludeVariants: true}, add); err != nil {
			return err
		}
	}
	ids := b.missing(r.productIDs)
	for i := 0; i < len(ids); i += productBatch {
		q := bigcommerce.ProductQuery{IDs: ids[i:min(i+productBatch, len(ids))], IncludeVariants: true}
		if err := r.c.ListProducts(ctx, q, add); err != nil {
			return err
		}
	}
	n, err := r.save(ctx, b)
	r.res.Products += n
	return err
}

func sortedKeys[K int64 | string](m map[K]bool) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
