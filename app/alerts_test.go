package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bcqb/bcqb/alert/alerttest"
	"github.com/bcqb/bcqb/store"
)

// careFixture is a real store with one Web Connector user, one connected
// BigCommerce store whose company's lists were read, and a clock the test moves.
type careFixture struct {
	t       *testing.T
	db      *store.DB
	sealer  *store.Sealer
	user    store.User
	st      store.BCStore
	mu      sync.Mutex
	now     time.Time
	orderID int64
}

func newCareFixture(t *testing.T) *careFixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "bcqb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sealer, err := store.NewSealer([]byte(strings.Repeat("k", store.KeySize)))
	if err != nil {
		t.Fatal(err)
	}
	f := &careFixture{t: t, db: db, sealer: sealer, now: time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC), orderID: 100}
	db.SetClock(func() time.Time {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.now
	})
	if f.user, err = db.PutUser(ctx, "qb", "password"); err != nil {
		t.Fatal(err)
	}
	if f.st, err = db.PutBCStore(ctx, sealer, store.BCStoreInput{StoreHash: "abc123", Token: "tok", CompanyID: f.user.CompanyID}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetBCStoreSettings(ctx, f.st.ID, `{"items": "mapping", "skus": {"MAPPED": "Widget"}}`); err != nil {
		t.Fatal(err)
	}
	f.readLists(store.ListEntry{Type: "Item", ListID: "80000001-1", FullName: "Widget", SubType: "ItemInventory", Active: true},
		store.ListEntry{Type: "Item", ListID: "80000002-1", FullName: "BY-NAME", SubType: "ItemNonInventory", Active: true})
	return f
}

func (f *careFixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// readLists settles a job that read QuickBooks' lists, through a real
// session and message, so the company's lists count as read.
func (f *careFixture) readLists(items ...store.ListEntry) {
	f.t.Helper()
	ctx := context.Background()
	j, _, err := f.db.Enqueue(ctx, store.Job{CompanyID: f.user.CompanyID, Kind: "qb.lists"})
	if err != nil {
		f.t.Fatal(err)
	}
	sess := f.session()
	var req store.Request
	if err := f.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.Take(ctx, j.ID, sess.ID); err != nil {
			return err
		}
		req, err = tx.Record(ctx, sess.ID, "", "<QBXML/>", []store.RequestJob{{JobID: j.ID}})
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
	if err := f.db.SettleMessage(ctx, req, "<QBXML/>", "", "", map[int64]store.Outcome{j.ID: {State: store.JobDone, ListsRead: true, Lists: items}}); err != nil {
		f.t.Fatal(err)
	}
}

// session is a Web Connector call now.
func (f *careFixture) session() store.Session {
	f.t.Helper()
	_, sess, err := f.db.CreateSession(context.Background(), store.NewSession{UserID: f.user.ID, CompanyID: f.user.CompanyID,
		State: store.SessionOpen, TTL: 30 * time.Minute})
	if err != nil {
		f.t.Fatal(err)
	}
	return sess
}

// product stores a pulled product with a SKU and a variant SKU.
func (f *careFixture) product(id int64, sku, variantSKU string) {
	f.t.Helper()
	raw := fmt.Sprintf(`{"id": %d, "name": "Product %d", "sku": %q, "inventory_tracking": "variant",
		"variants": [{"id": %d, "product_id": %d, "sku": %q, "inventory_level": 4, "option_values": [{"label": "Blue"}]}]}`,
		id, id, sku, id*10, id, variantSKU)
	if _, err := f.db.PutDocuments(context.Background(), f.st.ID, []store.DocumentInput{{Kind: store.DocProduct, BCID: id, Raw: []byte(raw)}}); err != nil {
		f.t.Fatal(err)
	}
}

// attention stores an order whose posting needs attention for reason.
func (f *careFixture) attention(reason string) int64 {
	f.t.Helper()
	ctx := context.Background()
	f.orderID++
	res, err := f.db.PutDocuments(ctx, f.st.ID, []store.DocumentInput{{Kind: store.DocOrder, BCID: f.orderID,
		Raw: []byte(fmt.Sprintf(`{"order": {"id": %d}}`, f.orderID))}})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.PutPosting(ctx, store.PostingInput{StoreID: f.st.ID, CompanyID: f.user.CompanyID, DocKind: store.DocOrder,
			BCID: f.orderID, DocumentID: res[0].ID, Version: 1, State: store.PostingAttention, Reason: reason})
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
	return f.orderID
}

// hookReceiver is a webhook that records what it got and fails on demand.
type hookReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
	status int
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{status: http.StatusNoContent}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b map[string]any
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.status/100 == 2 {
			h.bodies = append(h.bodies, b)
		}
		w.WriteHeader(h.status)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookReceiver) got() []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]any(nil), h.bodies...)
}

func (h *hookReceiver) setStatus(s int) {
	h.mu.Lock()
	h.status = s
	h.mu.Unlock()
}

// bodyOf returns a mail's subject and decoded text.
func bodyOf(t *testing.T, m alerttest.Mail) (string, string) {
	t.Helper()
	pm, err := m.Message()
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(pm.Body))
	if err != nil {
		t.Fatal(err)
	}
	return pm.Header.Get("Subject"), string(b)
}

func TestAlertsTellEachOccurrenceOnce(t *testing.T) {
	ctx := context.Background()
	f := newCareFixture(t)
	smtpSrv, err := alerttest.NewSMTPServer("bcqb@example.com", "app-password")
	if err != nil {
		t.Fatal(err)
	}
	defer smtpSrv.Close()
	hook := newHookReceiver(t)
	if err := f.db.SetAlertSettings(ctx, f.sealer, store.AlertSettings{SMTPHost: smtpSrv.Host(), SMTPPort: smtpSrv.Port(),
		SMTPUser: "bcqb@example.com", SMTPPassword: "app-password", From: "bcqb@example.com", To: []string{"books@example.com"},
		WebhookURL: hook.URL + "/hook/secret"}); err != nil {
		t.Fatal(err)
	}
	a := newAlerter(f.db, f.sealer, slog.New(slog.DiscardHandler), "https://bcqb.example", 15)

	f.product(1, "MAPPED", "BY-NAME")
	f.product(2, "NEW-1", "")
	order := f.attention("needs mapping: map SKU NEW-1 on the mapping page or create item NEW-1 in QuickBooks (Product 2)")
	f.advance(time.Minute)

	check := func(wantMails, wantHooks int) ([]alerttest.Mail, []map[string]any) {
		t.Helper()
		before, hooksBefore := len(smtpSrv.Mails()), len(hook.got())
		if err := a.Check(ctx); err != nil {
			t.Fatalf("Check: %v", err)
		}
		mails, hooks := smtpSrv.Mails()[before:], hook.got()[hooksBefore:]
		if len(mails) != wantMails || len(hooks) != wantHooks {
			var subjects []string
			for _, m := range mails {
				s, _ := bodyOf(t, m)
				subjects = append(subjects, s)
			}
			t.Fatalf("Check sent %d mails %q and %d webhooks; want %d and %d", len(mails), subjects, len(hooks), wantMails, wantHooks)
		}
		return mails, hooks
	}

	// First look: the posting and the unmapped SKU, once by each channel.
	mails, hooks := check(2, 2)
	var all string
	for _, m := range mails {
		s, b := bodyOf(t, m)
		all += s + "\n" + b
	}
	for _, want := range []string{fmt.Sprintf("BigCommerce order %d (store abc123): needs mapping", order), "SKU NEW-1, Product 2",
		"orders selling it wait until it is mapped", "Open https://bcqb.example/attention",
		fmt.Sprintf("Open https://bcqb.example/mapping?store=%d", f.st.ID)} {
		if !strings.Contains(all, want) {
			t.Errorf("the mails lack %q:\n%s", want, all)
		}
	}
	for _, notWant := range []string{"MAPPED", "BY-NAME"} {
		if strings.Contains(all, notWant) {
			t.Errorf("the mails name %s, which maps to an item:\n%s", notWant, all)
		}
	}
	if k := hooks[0]["kind"].(string) + "," + hooks[1]["kind"].(string); k != "posting,mapping" {
		t.Errorf("webhook kinds = %s", k)
	}

	// Looking again tells nothing: each occurrence is told once.
	check(0, 0)
	// Nor does a restarted bcqb (a new alerter on the same store).
	a = newAlerter(f.db, f.sealer, slog.New(slog.DiscardHandler), "https://bcqb.example", 15)
	check(0, 0)

	// New occurrences are told alone.
	f.product(3, "NEW-2", "")
	f.attention("QuickBooks refused the customer: the name is in use")
	mails, _ = check(2, 2)
	for _, m := range mails {
		_, b := bodyOf(t, m)
		if strings.Contains(b, "NEW-1") || strings.Contains(b, fmt.Sprintf("order %d ", order)) {
			t.Errorf("a later alert repeats an earlier occurrence:\n%s", b)
		}
	}

	// The Web Connector last called when the lists were read: after three
	// times its schedule it is silent, and told once.
	f.advance(44 * time.Minute)
	check(0, 0)
	f.advance(2 * time.Minute)
	mails, _ = check(1, 1)
	if s, b := bodyOf(t, mails[0]); !strings.Contains(s, "stopped calling") || !strings.Contains(b, "Web Connector user qb last called") {
		t.Errorf("silence alert = %q\n%s", s, b)
	}
	check(0, 0)
	// It calls again, then stops again: a new silence.
	f.session()
	f.advance(46 * time.Minute)
	check(1, 1)

	// The webhook fails: the mail goes, the webhook is tried again later
	// (not at every look) and then told what it missed, the mail not again.
	hook.setStatus(http.StatusInternalServerError)
	f.attention("QuickBooks refused the sale: the account is inactive")
	if err := a.Check(ctx); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("Check with a failing webhook = %v", err)
	}
	if n := len(smtpSrv.Mails()); n != 7 {
		t.Errorf("%d mails after the failing webhook, want 7 (the 6 before and its own)", n)
	}
	hook.setStatus(http.StatusOK)
	check(0, 0) // within the retry delay
	f.advance(alertRetry + time.Second)
	_, hooks = check(0, 1)
	if !strings.Contains(hooks[0]["text"].(string), "the account is inactive") {
		t.Errorf("the retried webhook = %v", hooks[0])
	}
	// The silence since the last call is still the same occurrence.
	check(0, 0)

	recs, err := f.db.RecentAlerts(ctx, 20)
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, r := range recs {
		if r.Error != "" {
			failed++
			if !strings.Contains(r.Error, "500") || strings.Contains(r.Error, "secret") || strings.Contains(r.Channel, "secret") {
				t.Errorf("failed record = %+v", r)
			}
		}
	}
	if failed != 1 {
		t.Errorf("%d failed records, want 1", failed)
	}

	t.Run("test alert", func(t *testing.T) {
		recs, err := a.Test(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 || recs[0].Error != "" || recs[1].Error != "" || recs[0].ID == 0 {
			t.Errorf("Test = %+v", recs)
		}
		if s, _ := bodyOf(t, smtpSrv.Mails()[len(smtpSrv.Mails())-1]); s != "bcqb: test alert" {
			t.Errorf("last mail = %q", s)
		}
		smtpSrv.SetRefuse(true)
		recs, err = a.Test(ctx)
		if err != nil || !strings.Contains(recs[0].Error, "550") || recs[1].Error != "" {
			t.Errorf("Test with a refusing server = %+v, %v", recs, err)
		}
	})
}

func TestAlertsWithoutChannelsSendNothing(t *testing.T) {
	f := newCareFixture(t)
	f.attention("something")
	a := newAlerter(f.db, f.sealer, slog.New(slog.DiscardHandler), "https://bcqb.example", 15)
	if err := a.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Test(context.Background()); err != errNoAlertChannel {
		t.Errorf("Test with nothing set up = %v", err)
	}
	if recs, _ := f.db.RecentAlerts(context.Background(), 10); len(recs) != 0 {
		t.Errorf("records without channels: %+v", recs)
	}
}
