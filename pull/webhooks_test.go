package pull_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/pull"
	"github.com/bcqb/bcqb/store"
)

// webhookServer serves the puller's webhook handler at its path, as bcqb does.
func (f *fixture) webhookServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(pull.WebhookPath, f.p.WebhookHandler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func (f *fixture) hooks(t *testing.T) []bigcommerce.Webhook {
	t.Helper()
	c, err := bigcommerce.New(bigcommerce.Config{StoreHash: "abc123", Token: token, BaseURL: f.srv.URL + "/stores/abc123/", Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	hs, err := c.Webhooks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return hs
}

func post(t *testing.T, url, secret, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if secret != "" {
		req.Header.Set(pull.WebhookHeader, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestWebhookTriggersAnOrderPullOnceAndRefusesBadSecrets(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, setup{backfillFrom: longAgo, dupHooks: true})
	if _, err := f.p.Pull(ctx, f.st.ID); err != nil {
		t.Fatal(err)
	}
	srv := f.webhookServer(t)
	dest := srv.URL + pull.WebhookPath
	if err := f.p.EnableWebhooks(ctx, f.st.ID, dest); err != nil {
		t.Fatal(err)
	}
	// Turning them on again replaces the hook instead of adding a second one.
	if err := f.p.EnableWebhooks(ctx, f.st.ID, dest); err != nil {
		t.Fatal(err)
	}
	hs := f.hooks(t)
	if len(hs) != 1 || hs[0].Scope != pull.WebhookScope || hs[0].Headers[pull.WebhookHeader] == "" {
		t.Fatalf("registered hooks = %+v", hs)
	}
	secret := hs[0].Headers[pull.WebhookHeader]
	if st := f.store(t); len(st.WebhookSecretHash) == 0 || strings.Contains(string(st.WebhookSecretHash), secret) {
		t.Errorf("the store must keep the secret's hash only")
	}

	t.Run("bad or missing secret", func(t *testing.T) {
		body := `{"scope":"store/order/updated","store_id":"1","data":{"type":"order","id":101},"hash":"x","created_at":1,"producer":"stores/abc123"}`
		for name, tc := range map[string]struct {
			secret, body string
		}{
			"missing":       {"", body},
			"wrong":         {strings.Repeat("0", len(secret)), body},
			"other store":   {secret, strings.Replace(body, "stores/abc123", "stores/other", 1)},
			"prefix of it":  {secret[:10], body},
			"no producer":   {secret, strings.Replace(body, `"producer":"stores/abc123"`, `"producer":""`, 1)},
			"missing, junk": {"", "not json"},
		} {
			t.Run(name, func(t *testing.T) {
				if code := post(t, dest, tc.secret, tc.body); code != http.StatusUnauthorized {
					t.Errorf("status %d, want 401", code)
				}
			})
		}
		if n, _ := f.db.CountWebhookEvents(ctx, f.st.ID); n != 0 {
			t.Errorf("%d refused callbacks were recorded", n)
		}
	})

	// Take payment of an unpaid order: BigCommerce posts updated and
	// statusUpdated, each delivered twice.
	id := f.fake.OrderIDs(7)[0]
	f.clock.Add(time.Minute)
	if err := f.fake.MarkPaid(id); err != nil {
		t.Fatal(err)
	}
	f.fake.WaitWebhooks()
	if n, _ := f.db.CountWebhookEvents(ctx, f.st.ID); n != 2 {
		t.Errorf("recorded %d events, want 2 (duplicates dropped)", n)
	}
	tasks, err := f.db.PullTasks(ctx, f.st.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	queued := 0
	for _, task := range tasks {
		if task.State == store.TaskQueued {
			queued++
			if task.Kind != store.PullOneOrder || task.OrderID != id {
				t.Errorf("queued %+v", task)
			}
		}
	}
	if queued != 1 {
		t.Errorf("%d queued pulls, want one pull of order %d", queued, id)
	}

	// The workers pull it at once.
	if err := f.p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer f.p.Close(ctx)
	deadline := time.Now().Add(10 * time.Second)
	for len(f.versions(t, store.DocOrder, id)) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("order %d was not pulled after its webhook", id)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st := f.store(t); !st.Watermark.Equal(epoch) {
		t.Errorf("an order pull moved the watermark to %v", st.Watermark)
	}

	if err := f.p.DisableWebhooks(ctx, f.st.ID); err != nil {
		t.Fatal(err)
	}
	if hs := f.hooks(t); len(hs) != 0 {
		t.Errorf("hooks left after turning webhooks off: %+v", hs)
	}
	body := fmt.Sprintf(`{"scope":"store/order/updated","store_id":"1","data":{"type":"order","id":%d},"hash":"y","created_at":2,"producer":"stores/abc123"}`, id)
	if code := post(t, dest, secret, body); code != http.StatusUnauthorized {
		t.Errorf("callback after turning webhooks off: %d, want 401", code)
	}
}

// FuzzWebhookHandler posts arbitrary bodies, with and without the right
// secret: no input may panic, and nothing but the right secret on a
// well-formed callback is accepted.
func FuzzWebhookHandler(f *testing.F) {
	fx := newFixture(f, setup{orders: 5})
	secret := strings.Repeat("5e", 32)
	sum := sha256.Sum256([]byte(secret))
	if err := fx.db.SetBCWebhooks(context.Background(), fx.st.ID, sum[:], []int64{1}, "https://bcqb.example/webhooks/bigcommerce"); err != nil {
		f.Fatal(err)
	}
	h := fx.p.WebhookHandler()
	f.Add([]byte(`{"scope":"store/order/updated","store_id":"1","data":{"type":"order","id":101},"hash":"h","created_at":1,"producer":"stores/abc123"}`), true)
	f.Add([]byte(`{"scope":"store/order/transaction/created","data":{"type":"transaction","id":9,"order_id":"101"},"hash":"h2","producer":"stores/abc123"}`), true)
	f.Add([]byte(`{"scope":"store/product/updated","data":{"type":"product","id":3},"hash":"h3","producer":"stores/abc123"}`), false)
	f.Add([]byte(`{`), true)
	f.Fuzz(func(t *testing.T, body []byte, right bool) {
		req := httptest.NewRequest(http.MethodPost, pull.WebhookPath, bytes.NewReader(body))
		if right {
			req.Header.Set(pull.WebhookHeader, secret)
		} else {
			req.Header.Set(pull.WebhookHeader, secret[:len(secret)-1]+"0")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch {
		case !right && rec.Code != http.StatusUnauthorized && rec.Code != http.StatusBadRequest && rec.Code != http.StatusRequestEntityTooLarge:
			t.Fatalf("wrong secret answered %d", rec.Code)
		case rec.Code == http.StatusOK:
			if _, err := bigcommerce.ParseWebhook(body); err != nil {
				t.Fatalf("accepted a body ParseWebhook refuses: %v", err)
			}
		}
	})
}
