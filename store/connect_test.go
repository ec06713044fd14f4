package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bcqb/bcqb/store"
)

func TestConnectBCStoreRecordsTheTestAndKeepsPostingsWhereTheyAre(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	sealer := testSealer(t)
	a, err := db.PutUser(ctx, "a", "password-a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := db.PutUser(ctx, "b", "password-b")
	if err != nil {
		t.Fatal(err)
	}
	tested := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	info := store.BCStoreInfo{Name: "Shop", Domain: "shop.example", Currency: "USD", Plan: "Standard", TestedAt: tested}
	st, err := db.ConnectBCStore(ctx, sealer, store.BCStoreInput{StoreHash: "abc123", Token: "tok-1", CompanyID: a.CompanyID}, info)
	if err != nil {
		t.Fatal(err)
	}
	infos, err := db.BCStoreInfos(ctx)
	if err != nil || infos[st.ID] != info {
		t.Fatalf("infos = %+v, %v; want %+v", infos, err, info)
	}
	// No postings yet: the store may still move to b's company file.
	if st, err = db.ConnectBCStore(ctx, sealer, store.BCStoreInput{StoreHash: "abc123", Token: "tok-2", CompanyID: b.CompanyID}, info); err != nil || st.CompanyID != b.CompanyID {
		t.Fatalf("move before any posting = %+v, %v", st, err)
	}
	docs, err := db.PutDocuments(ctx, st.ID, []store.DocumentInput{{Kind: store.DocOrder, BCID: 100, Raw: []byte(`{"id":100}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.PutPosting(ctx, store.PostingInput{StoreID: st.ID, CompanyID: b.CompanyID, DocKind: store.DocOrder,
			BCID: 100, DocumentID: docs[0].ID, Version: 1, State: store.PostingPosted})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	later := info
	later.Name, later.TestedAt = "Renamed", tested.Add(time.Hour)
	_, err = db.ConnectBCStore(ctx, sealer, store.BCStoreInput{StoreHash: "abc123", Token: "tok-3", CompanyID: a.CompanyID}, later)
	var re *store.RelinkError
	if !errors.As(err, &re) || !errors.Is(err, store.ErrConflict) || re.Postings != 1 {
		t.Fatalf("moving a store with a posting = %v; want a RelinkError", err)
	}
	// Refused means nothing changed: neither the token, nor the link, nor the test.
	if tok, err := db.BCStoreToken(ctx, sealer, st.ID); err != nil || tok != "tok-2" {
		t.Errorf("token after the refused move = %q, %v; want tok-2", tok, err)
	}
	if got, err := db.BCStore(ctx, st.ID); err != nil || got.CompanyID != b.CompanyID {
		t.Errorf("company after the refused move = %+v, %v", got, err)
	}
	if infos, _ := db.BCStoreInfos(ctx); infos[st.ID] != info {
		t.Errorf("info after the refused move = %+v", infos[st.ID])
	}
	// The same company: a new token is fine.
	if _, err := db.ConnectBCStore(ctx, sealer, store.BCStoreInput{StoreHash: "abc123", Token: "tok-4", CompanyID: b.CompanyID}, later); err != nil {
		t.Fatal(err)
	}
	if infos, _ := db.BCStoreInfos(ctx); infos[st.ID] != later {
		t.Errorf("info after a new token = %+v; want %+v", infos[st.ID], later)
	}
}

func TestCreateUserRefusesAnExistingName(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := db.CreateUser(ctx, "qb", "first-password"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, "qb", "second-password"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a second CreateUser = %v; want ErrConflict", err)
	}
	if _, err := db.Authenticate(ctx, "qb", "first-password"); err != nil {
		t.Errorf("the first password no longer works: %v", err)
	}
	if users, err := db.Users(ctx); err != nil || len(users) != 1 {
		t.Errorf("users = %+v, %v; want one", users, err)
	}
}

func TestLatestSessionsPerCompany(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	a, _ := db.PutUser(ctx, "a", "password-a")
	b, _ := db.PutUser(ctx, "b", "password-b")
	for _, ns := range []store.NewSession{
		{UserID: a.ID, CompanyID: a.CompanyID, State: store.SessionOpen, TTL: time.Hour},
		{UserID: b.ID, CompanyID: b.CompanyID, State: store.SessionRefused, AuthResult: "none", TTL: time.Hour},
		{UserID: a.ID, CompanyID: a.CompanyID, State: store.SessionRefused, AuthResult: "busy", TTL: time.Hour},
	} {
		if _, _, err := db.CreateSession(ctx, ns); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.LatestSessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[a.CompanyID].AuthResult != "busy" || got[b.CompanyID].AuthResult != "none" {
		t.Errorf("latest sessions = %+v", got)
	}
}
