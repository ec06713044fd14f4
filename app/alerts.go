package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/bcqb/bcqb/alert"
	"github.com/bcqb/bcqb/jobs"
	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/store"
)

// Alert kinds: the conditions a bookkeeper is told about.
const (
	alertPosting   = "posting"
	alertConnector = "connector"
	alertMapping   = "mapping"
	alertTest      = "test"
)

// alertEvery is how often the conditions are looked at.
const alertEvery = time.Minute

// alertRetry is how long a channel that failed is left alone before its
// untold occurrences are tried again (a mail server down for a day is not
// told about every minute).
const alertRetry = 10 * time.Minute

// silenceFactor times the Web Connector's schedule is how long it may stay
// silent before the bookkeeper is told: a missed run or two is normal (the
// PC asleep over lunch), three is not.
const silenceFactor = 3

// alertLines is how many occurrences a message lists; the rest are counted.
const alertLines = 10

// alerter tells the bookkeeper, by e-mail and webhook, what needs them:
// documents that could not be posted, a Web Connector that stopped
// calling, new products with no QuickBooks item. Each occurrence is told
// once per channel: what was told is recorded in the store with the alert.
// It owns its loop (Start, Close); the cron never runs it, only Wake does.
type alerter struct {
	db       *store.DB
	sealer   *store.Sealer
	log      *slog.Logger
	baseURL  string
	runEvery time.Duration
	// channels builds the channels of the settings; tests keep the default.
	channels func(store.AlertSettings) []namedChannel

	mu      sync.Mutex
	retryAt map[string]time.Time

	wake chan struct{}
	stop context.CancelFunc
	done chan struct{}
}

// namedChannel is a channel with the stable name its occurrences are recorded under.
type namedChannel struct {
	key string
	alert.Channel
}

func newAlerter(db *store.DB, sealer *store.Sealer, log *slog.Logger, baseURL string, runEveryMinutes int) *alerter {
	return &alerter{db: db, sealer: sealer, log: log, baseURL: baseURL, runEvery: time.Duration(runEveryMinutes) * time.Minute,
		channels: channelsOf, retryAt: map[string]time.Time{}, wake: make(chan struct{}, 1)}
}

// channelsOf builds the channels the settings set up.
func channelsOf(s store.AlertSettings) []namedChannel {
	var out []namedChannel
	if s.Mail() {
		out = append(out, namedChannel{"email", alert.SMTP{Host: s.SMTPHost, Port: s.SMTPPort, User: s.SMTPUser,
			Password: s.SMTPPassword, From: s.From, To: s.To}})
	}
	if s.WebhookURL != "" {
		out = append(out, namedChannel{"webhook", alert.Webhook{URL: s.WebhookURL}})
	}
	return out
}

// Start runs the loop until Close.
func (a *alerter) Start(ctx context.Context) {
	ctx, a.stop = context.WithCancel(ctx)
	a.done = make(chan struct{})
	go func() {
		defer close(a.done)
		t := time.NewTicker(alertEvery)
		defer t.Stop()
		for {
			if err := a.Check(ctx); err != nil && ctx.Err() == nil {
				a.log.ErrorContext(ctx, "alerts", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-a.wake:
			}
		}
	}()
}

// Wake makes the loop look at once.
func (a *alerter) Wake() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// Close stops the loop and waits for it (a send in flight ends with ctx).
func (a *alerter) Close(ctx context.Context) error {
	if a.stop == nil {
		return nil
	}
	a.stop()
	select {
	case <-a.done:
		return nil
	case <-ctx.Done():
		return errors.New("the alert loop did not stop in time")
	}
}

// occurrence is one instance of a condition: its key (what makes it the
// same occurrence next time) and its line in the message.
type occurrence struct {
	key, line string
}

// condition is what one kind of alert would tell now.
type condition struct {
	kind string
	// subject names n occurrences.
	subject func(n int) string
	// intro and outro frame the lines.
	intro, outro string
	link         string
	items        []occurrence
}

// Check looks at every condition once and tells each channel the
// occurrences it was not told yet.
func (a *alerter) Check(ctx context.Context) error {
	s, err := a.db.AlertSettings(ctx, a.sealer)
	if err != nil {
		return err
	}
	chans := a.channels(s)
	if len(chans) == 0 {
		return nil
	}
	conds, err := a.conditions(ctx)
	if err != nil {
		return err
	}
	var errs []error
	now := a.db.Now()
	for _, ch := range chans {
		a.mu.Lock()
		wait := now.Before(a.retryAt[ch.key])
		a.mu.Unlock()
		if wait {
			continue
		}
		for _, c := range conds {
			if err := a.tell(ctx, ch, c); err != nil {
				errs = append(errs, err)
				a.mu.Lock()
				a.retryAt[ch.key] = now.Add(alertRetry)
				a.mu.Unlock()
				break
			}
		}
	}
	return errors.Join(errs...)
}

// tell sends a channel the condition's occurrences it was not told, in one
// message, and records them with it.
func (a *alerter) tell(ctx context.Context, ch namedChannel, c condition) error {
	if len(c.items) == 0 {
		return nil
	}
	keys := make([]string, len(c.items))
	for i, it := range c.items {
		keys[i] = it.key
	}
	told, err := a.db.Told(ctx, ch.key, c.kind, keys)
	if err != nil {
		return err
	}
	var fresh []occurrence
	for _, it := range c.items {
		if !told[it.key] {
			fresh = append(fresh, it)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	var b strings.Builder
	if c.intro != "" {
		b.WriteString(c.intro + "\n\n")
	}
	for i, it := range fresh {
		if i == alertLines {
			fmt.Fprintf(&b, "…and %d more.\n", len(fresh)-alertLines)
			break
		}
		b.WriteString("- " + it.line + "\n")
	}
	if c.outro != "" {
		b.WriteString("\n" + c.outro + "\n")
	}
	m := alert.Message{Kind: c.kind, Subject: c.subject(len(fresh)), Text: b.String(), Link: c.link, At: a.db.Now()}
	sendErr := ch.Send(ctx, m)
	rec := store.AlertRecord{Channel: ch.Name(), Kind: c.kind, Subject: m.Subject, Body: m.Text}
	if sendErr != nil {
		rec.Error = sendErr.Error()
	}
	fk := make([]string, len(fresh))
	for i, it := range fresh {
		fk[i] = it.key
	}
	if _, err := a.db.RecordAlert(ctx, ch.key, rec, fk); err != nil {
		return err
	}
	if sendErr != nil {
		return fmt.Errorf("alert by %s: %w", ch.Name(), sendErr)
	}
	a.log.InfoContext(ctx, "alert sent", "channel", ch.Name(), "kind", c.kind, "occurrences", len(fresh))
	return nil
}

// Test sends a test message on every channel set up, and records each.
func (a *alerter) Test(ctx context.Context) ([]store.AlertRecord, error) {
	s, err := a.db.AlertSettings(ctx, a.sealer)
	if err != nil {
		return nil, err
	}
	chans := a.channels(s)
	if len(chans) == 0 {
		return nil, errNoAlertChannel
	}
	var out []store.AlertRecord
	for _, ch := range chans {
		m := alert.Message{Kind: alertTest, Subject: "bcqb: test alert",
			Text: "This is a test from bcqb. Alerts about documents that need attention, a Web Connector that stopped " +
				"calling and new products without a QuickBooks item come to " + ch.Name() + ".",
			Link: a.baseURL + "/care", At: a.db.Now()}
		rec := store.AlertRecord{Channel: ch.Name(), Kind: alertTest, Subject: m.Subject, Body: m.Text}
		if err := ch.Send(ctx, m); err != nil {
			rec.Error = err.Error()
		} else {
			// A channel that works again is tried at once.
			a.mu.Lock()
			delete(a.retryAt, ch.key)
			a.mu.Unlock()
		}
		id, err := a.db.RecordAlert(ctx, ch.key, rec, nil)
		if err != nil {
			return nil, err
		}
		rec.ID = id
		out = append(out, rec)
	}
	return out, nil
}

var errNoAlertChannel = errors.New("no alert is set up yet: fill in the e-mail settings or a webhook URL and save them first")

// conditions gathers what would be told now.
func (a *alerter) conditions(ctx context.Context) ([]condition, error) {
	users, err := a.db.Users(ctx)
	if err != nil {
		return nil, err
	}
	stores, err := a.db.BCStores(ctx)
	if err != nil {
		return nil, err
	}
	hashes := map[int64]string{}
	for _, st := range stores {
		hashes[st.ID] = st.StoreHash
	}
	posting, err := a.postingCondition(ctx, users, hashes)
	if err != nil {
		return nil, err
	}
	connector, err := a.connectorCondition(ctx, users)
	if err != nil {
		return nil, err
	}
	mapping, err := a.mappingCondition(ctx, stores)
	if err != nil {
		return nil, err
	}
	return []condition{posting, connector, mapping}, nil
}

// maxAttention bounds the postings read for one company at one look.
const maxAttention = 5000

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:6])
}

// postingCondition: documents that need attention (each posting with its
// reason: the same posting failing for another reason is a new
// occurrence), and failed jobs that carry no such posting (a customer or
// an inventory adjustment QuickBooks refused).
func (a *alerter) postingCondition(ctx context.Context, users []store.User, hashes map[int64]string) (condition, error) {
	c := condition{kind: alertPosting, link: a.baseURL + "/attention",
		subject: func(n int) string {
			return fmt.Sprintf("bcqb: %d %s attention", n, oneOrMany(n, "posting to QuickBooks needs", "postings to QuickBooks need"))
		},
		intro: "bcqb could not post these to QuickBooks. Each is listed on the page with its cause and a Retry button."}
	for _, u := range users {
		ps, err := a.db.Postings(ctx, u.CompanyID, store.PostingAttention, maxAttention)
		if err != nil {
			return c, err
		}
		carried := map[int64]bool{}
		for _, p := range ps {
			carried[p.JobID] = true
			what := fmt.Sprintf("BigCommerce %s %d", p.DocKind, p.BCID)
			if p.DocKind == store.DocRefund && p.ParentBCID != 0 {
				what += fmt.Sprintf(" of order %d", p.ParentBCID)
			}
			c.items = append(c.items, occurrence{key: fmt.Sprintf("posting:%d:%s", p.ID, shortHash(p.Reason)),
				line: fmt.Sprintf("%s (store %s): %s", what, hashes[p.StoreID], clip(p.Reason, 300))})
		}
		failed, err := a.db.FailedJobs(ctx, u.CompanyID, maxAttention)
		if err != nil {
			return c, err
		}
		for _, j := range failed {
			if carried[j.ID] {
				continue
			}
			c.items = append(c.items, occurrence{key: fmt.Sprintf("job:%d:%s", j.ID, j.FinishedAt.Format(time.RFC3339Nano)),
				line: fmt.Sprintf("A %s job for Web Connector user %s failed: %s", strings.ReplaceAll(j.Kind, ".", " "), u.Username, clip(j.LastError, 300))})
		}
	}
	return c, nil
}

// connectorCondition: a Web Connector silent for longer than its schedule
// allows. An occurrence is a silence since a session (or since the user
// was made, when it never called): the next call ends it.
func (a *alerter) connectorCondition(ctx context.Context, users []store.User) (condition, error) {
	limit := silenceFactor * a.runEvery
	c := condition{kind: alertConnector, link: a.baseURL + "/connect",
		subject: func(n int) string {
			if n == 1 {
				return "bcqb: the QuickBooks Web Connector has stopped calling"
			}
			return fmt.Sprintf("bcqb: %d QuickBooks Web Connectors have stopped calling", n)
		},
		outro: fmt.Sprintf("It is scheduled every %s. Check that the Windows PC is on and awake, that the QuickBooks Web Connector is running "+
			"with Auto-Run ticked for bcqb, and that QuickBooks can open the company file. Orders wait in bcqb meanwhile; nothing is lost.",
			inWords(a.runEvery))}
	if a.runEvery <= 0 {
		return c, nil // run by hand: no schedule to miss
	}
	now := a.db.Now()
	for _, u := range users {
		since, id := u.CreatedAt, int64(0)
		last, err := a.db.LastSession(ctx, u.CompanyID)
		switch {
		case err == nil:
			since, id = last.LastSeenAt, last.ID
		case !errors.Is(err, store.ErrNotFound):
			return c, err
		}
		if now.Sub(since) <= limit {
			continue
		}
		line := fmt.Sprintf("Web Connector user %s last called %s (%s ago).", u.Username, since.UTC().Format("2006-01-02 15:04 UTC"), inWords(now.Sub(since)))
		if id == 0 {
			line = fmt.Sprintf("Web Connector user %s was set up %s ago and has never called: add its .qwc file to the Web Connector.", u.Username, inWords(now.Sub(since)))
		}
		c.items = append(c.items, occurrence{key: fmt.Sprintf("%d:%d", u.CompanyID, id), line: line})
	}
	return c, nil
}

// mappingCondition: SKUs of pulled products that no mapping and no
// QuickBooks item answer. Only stores whose company's lists were read are
// looked at: before that every SKU would look unmapped.
func (a *alerter) mappingCondition(ctx context.Context, stores []store.BCStore) (condition, error) {
	c := condition{kind: alertMapping, link: a.baseURL + "/mapping",
		subject: func(n int) string {
			return fmt.Sprintf("bcqb: %d new BigCommerce %s no QuickBooks item", n, oneOrMany(n, "SKU has", "SKUs have"))
		},
		intro: "These products have no mapping on bcqb's mapping page and no QuickBooks item of the same name."}
	perCompany := map[int64]int{}
	for _, st := range stores {
		perCompany[st.CompanyID]++
	}
	var linked []int64
	for _, st := range stores {
		if st.CompanyID == 0 {
			continue
		}
		company, err := a.db.Company(ctx, st.CompanyID)
		if err != nil {
			return c, err
		}
		if company.ListsReadAt.IsZero() {
			continue
		}
		s, err := jobs.StoreSettings(st, perCompany[st.CompanyID] > 1)
		if err != nil {
			a.log.WarnContext(ctx, "alerts: store settings", "store", st.StoreHash, "err", err)
			continue
		}
		f, err := newItemFinder(ctx, a.db, st.CompanyID, s)
		if err != nil {
			return c, err
		}
		docs, err := a.db.LatestDocuments(ctx, st.ID, store.DocProduct)
		if err != nil {
			return c, err
		}
		then := "bcqb will create a QuickBooks item for it when an order first sells it"
		if s.Items == plan.ItemsRequireMapping {
			then = "orders selling it wait until it is mapped"
		}
		before := len(c.items)
		for _, d := range docs {
			skus, err := productSKUs(d.Raw)
			if err != nil {
				continue
			}
			for _, p := range skus {
				if _, ok := f.item(p.SKU); ok {
					continue
				}
				c.items = append(c.items, occurrence{key: fmt.Sprintf("%d:%s", st.ID, p.SKU),
					line: fmt.Sprintf("SKU %s, %s (store %s): %s.", p.SKU, clip(p.Name, 100), st.StoreHash, then)})
			}
		}
		if len(c.items) > before {
			linked = append(linked, st.ID)
		}
	}
	if len(linked) == 1 {
		c.link = fmt.Sprintf("%s/mapping?store=%d", a.baseURL, linked[0])
	}
	return c, nil
}

func oneOrMany(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// clip shortens s to n runes for a line of a message.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// inWords says a span the way a person does: "45 minutes", "3 hours", "2 days".
func inWords(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	case d >= 2*time.Minute:
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	}
	return fmt.Sprintf("%d seconds", int(d/time.Second))
}
