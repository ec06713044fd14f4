package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/bcqb/bcqb/jobs"
	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/pull"
	"github.com/bcqb/bcqb/qwc"
	"github.com/bcqb/bcqb/store"
	"github.com/bcqb/bcqb/web"
)

// interactiveTTL is how long the Web Connector waits for the page: then
// bcqb stops waiting and the session goes on with what was fixed.
const interactiveTTL = 30 * time.Minute

// interactiveKind names, in the store, the occurrences interactive mode offers.
const interactiveKind = "mapping"

// interactive is bcqb's interactive mode: a session of a Web Connector
// user who turned it on, that meets documents needing a mapping nobody
// was offered yet, opens the page that lists them. When the user is done
// the store is planned again, so the session posts what they mapped.
type interactive struct {
	db      *store.DB
	planner *jobs.Planner
	log     *slog.Logger
	baseURL string
}

var _ qwc.Interactive = (*interactive)(nil)

// fresh returns the keys of the company's mapping needs not offered yet,
// and all of them, for a user with interactive mode on.
func (i *interactive) fresh(ctx context.Context, userID, companyID int64) (fresh, all []string, err error) {
	on, err := i.db.InteractiveUsers(ctx)
	if err != nil || !on[userID] {
		return nil, nil, err
	}
	needs, err := mappingNeeds(ctx, i.db, companyID)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range needs {
		all = append(all, n.key)
	}
	told, err := i.db.Told(ctx, store.ChannelInteractive, interactiveKind, all)
	if err != nil {
		return nil, nil, err
	}
	for _, k := range all {
		if !told[k] {
			fresh = append(fresh, k)
		}
	}
	return fresh, all, nil
}

// Wanted implements qwc.Interactive.
func (i *interactive) Wanted(ctx context.Context, userID, companyID int64) (bool, error) {
	fresh, _, err := i.fresh(ctx, userID, companyID)
	return len(fresh) > 0, err
}

// Offer implements qwc.Interactive: everything listed on the page counts as offered.
func (i *interactive) Offer(ctx context.Context, s qwc.Session) (bool, error) {
	fresh, all, err := i.fresh(ctx, s.UserID, s.CompanyID)
	if err != nil || len(fresh) == 0 {
		return false, err
	}
	_, err = i.db.OfferInteractive(ctx, s.ID, s.CompanyID, interactiveKind, all, interactiveTTL)
	if errors.Is(err, store.ErrConflict) {
		return false, nil // offered once in this session already
	}
	if err != nil {
		return false, err
	}
	i.log.InfoContext(ctx, "interactive mode offered", "session", s.PublicID, "needs", len(all), "new", len(fresh))
	return true, nil
}

// URL implements qwc.Interactive.
func (i *interactive) URL(ctx context.Context, s qwc.Session) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("interactive token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	err := i.db.SetInteractiveToken(ctx, s.ID, token)
	if errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("session %s: %w", s.PublicID, qwc.ErrNotInteractive)
	}
	if err != nil {
		return "", err
	}
	return i.baseURL + "/care/interactive?" + url.Values{"token": {token}}.Encode(), nil
}

// Done implements qwc.Interactive.
func (i *interactive) Done(ctx context.Context, s qwc.Session) (qwc.InteractiveState, error) {
	v, err := i.db.InteractiveVisitOfSession(ctx, s.ID)
	if errors.Is(err, store.ErrNotFound) {
		return qwc.InteractiveFinished, nil
	}
	if err != nil {
		return 0, err
	}
	why := "the user finished the page"
	switch v.State {
	case store.VisitOffered, store.VisitOpened:
		if i.db.Now().Before(v.ExpiresAt) {
			return qwc.InteractiveWaiting, nil
		}
		why = fmt.Sprintf("the page was not finished within %s", inWords(interactiveTTL))
	case store.VisitDone:
	default:
		return qwc.InteractiveFinished, nil
	}
	// What the user mapped is planned now, so that this session posts it.
	stores, err := i.db.BCStores(ctx)
	if err != nil {
		return 0, err
	}
	planned := 0
	for _, st := range stores {
		if st.CompanyID != s.CompanyID {
			continue
		}
		n, err := i.planner.Replan(ctx, st.ID)
		if err != nil {
			return 0, err
		}
		planned += n
	}
	if err := i.db.EndInteractiveVisit(ctx, s.ID, store.VisitEnded, why); err != nil {
		return 0, err
	}
	c, err := i.db.CountJobs(ctx, s.CompanyID)
	if err != nil {
		return 0, err
	}
	i.log.InfoContext(ctx, "interactive mode over", "session", s.PublicID, "why", why, "replanned", planned, "due", c.Due)
	if c.Due > 0 {
		return qwc.InteractiveContinue, nil
	}
	return qwc.InteractiveFinished, nil
}

// Rejected implements qwc.Interactive.
func (i *interactive) Rejected(ctx context.Context, s qwc.Session, reason string) error {
	reason = clip(reason, 500)
	if reason == "" {
		reason = "the Web Connector gave no reason"
	}
	i.log.WarnContext(ctx, "interactive mode rejected", "session", s.PublicID, "reason", reason)
	return i.db.EndInteractiveVisit(ctx, s.ID, store.VisitRejected, reason)
}

// mappingNeed is a document of a company waiting for a mapping, with the
// key that makes it the same occurrence next time.
type mappingNeed struct {
	web.MappingNeed
	key string
}

// mappingNeeds lists the company's documents that need a mapping (the
// planner's plan.ErrNeedsMapping), each with the SKUs of it that nothing
// maps to a QuickBooks item.
func mappingNeeds(ctx context.Context, db *store.DB, companyID int64) ([]mappingNeed, error) {
	stores, err := db.BCStores(ctx)
	if err != nil {
		return nil, err
	}
	postings, err := db.Postings(ctx, companyID, store.PostingAttention, maxAttention)
	if err != nil {
		return nil, err
	}
	perCompany := map[int64]int{}
	for _, st := range stores {
		perCompany[st.CompanyID]++
	}
	marker := plan.ErrNeedsMapping.Error()
	var out []mappingNeed
	for _, st := range stores {
		if st.CompanyID != companyID {
			continue
		}
		var finder *itemFinder
		for _, p := range postings {
			if p.StoreID != st.ID || !strings.Contains(p.Reason, marker) {
				continue
			}
			n := mappingNeed{MappingNeed: web.MappingNeed{StoreID: st.ID, StoreHash: st.StoreHash, DocKind: p.DocKind,
				BCID: p.BCID, Reason: p.Reason}, key: fmt.Sprintf("%d:%s", p.ID, shortHash(p.Reason))}
			if p.DocKind == store.DocOrder {
				if finder == nil {
					s, err := jobs.StoreSettings(st, perCompany[companyID] > 1)
					if err != nil {
						return nil, err
					}
					if finder, err = newItemFinder(ctx, db, companyID, s); err != nil {
						return nil, err
					}
				}
				if n.SKUs, err = unmappedSKUs(ctx, db, finder, st.ID, p.BCID); err != nil {
					return nil, err
				}
			}
			out = append(out, n)
		}
	}
	return out, nil
}

// unmappedSKUs lists an order's SKUs that no mapping and no item answer.
func unmappedSKUs(ctx context.Context, db *store.DB, f *itemFinder, storeID, orderID int64) ([]string, error) {
	d, err := db.LatestDocument(ctx, storeID, store.DocOrder, orderID)
	if err != nil {
		return nil, err
	}
	det, err := pull.DecodeOrder([]byte(d.Raw))
	if err != nil {
		return nil, nil // the reason on the page says the order cannot be read
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range det.Products {
		sku := strings.TrimSpace(p.SKU)
		if sku == "" || seen[sku] {
			continue
		}
		seen[sku] = true
		if _, ok := f.item(sku); !ok {
			out = append(out, sku)
		}
	}
	return out, nil
}
