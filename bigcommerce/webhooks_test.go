package bigcommerce_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/bigcommerce/bcfake"
)

// receiver is a webhook destination that keeps what it was sent.
type receiver struct {
	mu      sync.Mutex
	events  []bigcommerce.WebhookEvent
	secrets []string
}

func newReceiver(t *testing.T) (*receiver, *httptest.Server) {
	rc := &receiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev, err := bigcommerce.ParseWebhook(body)
		if err != nil {
			t.Errorf("callback %s: %v", body, err)
		}
		rc.mu.Lock()
		rc.events = append(rc.events, ev)
		rc.secrets = append(rc.secrets, r.Header.Get("X-Bcqb-Secret"))
		rc.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return rc, srv
}

func TestWebhooksRoundTrip(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 30, Orders: 100, WebhookDuplicates: true}, bigcommerce.Config{})
	ctx := context.Background()
	rc, dest := newReceiver(t)
	hook, err := f.client.CreateWebhook(ctx, bigcommerce.WebhookSpec{
		Scope: "store/order/*", Destination: dest.URL + "/webhooks/bigcommerce",
		Headers: map[string]string{"X-Bcqb-Secret": "s3cret"}, IsActive: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if hook.ID == 0 || hook.Scope != "store/order/*" || hook.CreatedAt.IsZero() {
		t.Fatalf("created %+v", hook)
	}
	_, err = f.client.CreateWebhook(ctx, bigcommerce.WebhookSpec{Scope: "store/order/*", Destination: dest.URL + "/webhooks/bigcommerce", IsActive: true})
	var apiErr *bigcommerce.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 422 {
		t.Errorf("second hook for the same scope and destination: %v", err)
	}

	awaiting := f.store.OrderIDs(7)[0]
	if err := f.store.MarkPaid(awaiting); err != nil {
		t.Fatal(err)
	}
	paid := f.store.OrderIDs(10)[0]
	refundID, err := f.store.Refund(paid, bcfake.RefundRequest{Kind: bcfake.RefundShipping})
	if err != nil {
		t.Fatal(err)
	}
	f.store.WaitWebhooks()

	rc.mu.Lock()
	defer rc.mu.Unlock()
	byHash := map[string]int{}
	scopes := map[string]bigcommerce.WebhookEvent{}
	for i, ev := range rc.events {
		byHash[ev.Hash]++
		scopes[ev.Scope+"#"+itoa(ev.Data.ID)] = ev
		if rc.secrets[i] != "s3cret" {
			t.Errorf("callback %d without the registered secret header", i)
		}
		if ev.CreatedAt.IsZero() || ev.StoreID == "" {
			t.Errorf("callback %+v", ev)
		}
	}
	for h, n := range byHash {
		if n != 2 {
			t.Errorf("hash %s delivered %d times, want 2 (duplicates on)", h, n)
		}
	}
	st, ok := scopes["store/order/statusUpdated#"+itoa(awaiting)]
	if !ok || st.Data.Status == nil || st.Data.Status.PreviousStatusID != 7 || st.Data.Status.NewStatusID != 11 {
		t.Errorf("statusUpdated for %d: %+v", awaiting, st)
	}
	rf, ok := scopes["store/order/refund/created#"+itoa(paid)]
	if !ok || rf.Data.Refund == nil || rf.Data.Refund.RefundID != refundID {
		t.Errorf("refund/created for %d: %+v", paid, rf)
	}
	if _, ok := scopes["store/order/updated#"+itoa(paid)]; !ok {
		t.Errorf("no store/order/updated for %d", paid)
	}

	hooks, err := f.client.Webhooks(ctx)
	if err != nil || len(hooks) != 1 || hooks[0].Headers["X-Bcqb-Secret"] != "s3cret" {
		t.Fatalf("Webhooks = %+v, %v", hooks, err)
	}
	if err := f.client.DeleteWebhook(ctx, hook.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.client.DeleteWebhook(ctx, hook.ID); !errors.Is(err, bigcommerce.ErrNotFound) {
		t.Errorf("deleting twice: %v", err)
	}
}

func TestCreateWebhookNotRetriedOn5xx(t *testing.T) {
	f := newFixture(t, bcfake.Options{Seed: 31, Orders: 5}, bigcommerce.Config{})
	f.store.InjectFaults(bcfake.Fault500)
	_, err := f.client.CreateWebhook(context.Background(), bigcommerce.WebhookSpec{Scope: "store/order/*", Destination: "https://example.test/hook", IsActive: true})
	if !errors.Is(err, bigcommerce.ErrServer) || f.client.Stats().Requests != 1 {
		t.Errorf("POST after a 500: err %v after %d requests, want ErrServer after 1", err, f.client.Stats().Requests)
	}
	f.store.InjectFaults(bcfake.Fault429)
	if _, err := f.client.CreateWebhook(context.Background(), bigcommerce.WebhookSpec{Scope: "store/order/*", Destination: "https://example.test/hook", IsActive: true}); err != nil {
		t.Errorf("POST after a 429 should be retried: %v", err)
	}
}

func TestParseWebhookSamples(t *testing.T) {
	tests := []struct {
		name, body string
		check      func(bigcommerce.WebhookEvent) bool
	}{
		{"status updated", `{"scope":"store/order/statusUpdated","store_id":"1025646","data":{"type":"order","id":250,"status":{"previous_status_id":0,"new_status_id":11}},"hash":"7ee6","created_at":1561479335,"producer":"stores/abc"}`,
			func(e bigcommerce.WebhookEvent) bool {
				return e.Data.ID == 250 && e.Data.Status.NewStatusID == 11 && e.StoreID == "1025646"
			}},
		{"transaction with string order id", `{"scope":"store/order/transaction/created","store_id":1025646,"data":{"type":"transaction","id":1,"order_id":"250"},"hash":"ab","created_at":1561479335}`,
			func(e bigcommerce.WebhookEvent) bool { return e.Data.OrderID == 250 && e.StoreID == "1025646" }},
		{"inventory", `{"scope":"store/sku/inventory/updated","store_id":"1","data":{"type":"sku","id":9,"inventory":{"product_id":1,"variant_id":2,"method":"absolute","value":5}},"hash":"cd","created_at":1}`,
			func(e bigcommerce.WebhookEvent) bool {
				return e.Data.Inventory.Method == "absolute" && e.Data.Inventory.Value == 5
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := bigcommerce.ParseWebhook([]byte(tc.body))
			if err != nil || !tc.check(ev) || len(ev.Raw) == 0 {
				t.Errorf("%+v, %v", ev, err)
			}
		})
	}
	if _, err := bigcommerce.ParseWebhook([]byte(`{"data":{}}`)); err == nil {
		t.Error("a payload without scope and hash parsed")
	}
}
