package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/bcqb/bcqb/store"
)

func TestChangeBCStoreSettings(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	st, err := db.PutBCStore(ctx, testSealer(t), store.BCStoreInput{StoreHash: "abc123", Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)
	if err := db.ChangeBCStoreSettings(ctx, store.SettingsChange{StoreID: st.ID, Old: st.SettingsJSON, New: `{"mode":"invoice"}`, Backfill: &day}); err != nil {
		t.Fatal(err)
	}
	got, err := db.BCStore(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.SettingsJSON != `{"mode":"invoice"}` || !got.BackfillFrom.Equal(day) {
		t.Errorf("after the change: %q, backfill %v", got.SettingsJSON, got.BackfillFrom)
	}

	// A change made from settings read before another write is refused whole.
	err = db.ChangeBCStoreSettings(ctx, store.SettingsChange{StoreID: st.ID, Old: st.SettingsJSON, New: `{"mode":"auto"}`, Backfill: new(time.Time)})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("stale change = %v, want ErrConflict", err)
	}
	if got, _ := db.BCStore(ctx, st.ID); got.SettingsJSON != `{"mode":"invoice"}` || !got.BackfillFrom.Equal(day) {
		t.Errorf("a refused change wrote: %q, backfill %v", got.SettingsJSON, got.BackfillFrom)
	}

	// Without Backfill the date is kept; the zero time clears it.
	if err := db.ChangeBCStoreSettings(ctx, store.SettingsChange{StoreID: st.ID, Old: `{"mode":"invoice"}`, New: `{"mode":"auto"}`}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.BCStore(ctx, st.ID); !got.BackfillFrom.Equal(day) {
		t.Errorf("backfill %v after a change without one", got.BackfillFrom)
	}
	if err := db.ChangeBCStoreSettings(ctx, store.SettingsChange{StoreID: st.ID, Old: `{"mode":"auto"}`, New: `{}`, Backfill: new(time.Time)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.BCStore(ctx, st.ID); !got.BackfillFrom.IsZero() || got.SettingsJSON != "{}" {
		t.Errorf("cleared: %q, backfill %v", got.SettingsJSON, got.BackfillFrom)
	}

	if err := db.ChangeBCStoreSettings(ctx, store.SettingsChange{StoreID: 99, Old: "{}", New: "{}"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no such store = %v, want ErrNotFound", err)
	}
}

func TestOrderPaymentMethodsAndTaxNames(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	st, err := db.PutBCStore(ctx, testSealer(t), store.BCStoreInput{StoreHash: "abc123", Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := db.PutBCStore(ctx, testSealer(t), store.BCStoreInput{StoreHash: "other", Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	put := func(storeID, id int64, raw string) {
		t.Helper()
		if _, err := db.PutDocuments(ctx, storeID, []store.DocumentInput{{Kind: store.DocOrder, BCID: id, Raw: []byte(raw)}}); err != nil {
			t.Fatal(err)
		}
	}
	put(st.ID, 1, `{"order":{"id":1,"payment_method":"Credit Card"},"taxes":[{"name":"State Tax"},{"name":" City Tax "}]}`)
	put(st.ID, 2, `{"order":{"id":2,"payment_method":"PayPal"},"taxes":[{"name":"State Tax"}]}`)
	put(st.ID, 3, `{"order":{"id":3,"payment_method":""},"taxes":null}`)
	put(st.ID, 4, `{"order":{"id":4,"payment_method":7},"taxes":["odd",{"name":3},{"name":""}]}`)
	put(st.ID, 7, `{"order":{"id":7},"taxes":"none"}`)
	put(st.ID, 5, `{"order":{"id":5,"payment_method":"Credit Card"}}`)
	put(other.ID, 6, `{"order":{"id":6,"payment_method":"Cash"},"taxes":[{"name":"VAT"}]}`)
	if _, err := db.PutDocuments(ctx, st.ID, []store.DocumentInput{{Kind: store.DocCustomer, BCID: 1, Raw: []byte(`{"order":{"payment_method":"Not an order"}}`)}}); err != nil {
		t.Fatal(err)
	}
	methods, err := db.OrderPaymentMethods(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Credit Card", "PayPal"}; !slices.Equal(methods, want) {
		t.Errorf("payment methods %q, want %q", methods, want)
	}
	taxes, err := db.OrderTaxNames(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"City Tax", "State Tax"}; !slices.Equal(taxes, want) {
		t.Errorf("tax names %q, want %q", taxes, want)
	}
}
