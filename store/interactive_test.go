package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bcqb/bcqb/store"
)

func TestInteractiveVisit(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	now := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	db.SetClock(func() time.Time { return now })
	u, err := db.PutUser(ctx, "qb", "pw")
	if err != nil {
		t.Fatal(err)
	}
	if on, _ := db.InteractiveUsers(ctx); on[u.ID] {
		t.Error("interactive mode is on by default")
	}
	if err := db.SetUserInteractive(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if on, _ := db.InteractiveUsers(ctx); !on[u.ID] {
		t.Error("interactive mode did not turn on")
	}
	if err := db.SetUserInteractive(ctx, 999, true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetUserInteractive of no user = %v", err)
	}
	_, sess, err := db.CreateSession(ctx, store.NewSession{UserID: u.ID, CompanyID: u.CompanyID, State: store.SessionOpen, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}

	v, err := db.OfferInteractive(ctx, sess.ID, u.CompanyID, "mapping", []string{"p1", "p2"}, 30*time.Minute)
	if err != nil || v.State != store.VisitOffered || !v.ExpiresAt.Equal(now.Add(30*time.Minute)) {
		t.Fatalf("OfferInteractive = %+v, %v", v, err)
	}
	if _, err := db.OfferInteractive(ctx, sess.ID, u.CompanyID, "mapping", []string{"p3"}, time.Minute); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second offer in one session = %v", err)
	}
	told, _ := db.Told(ctx, store.ChannelInteractive, "mapping", []string{"p1", "p2", "p3"})
	if !told["p1"] || !told["p2"] || told["p3"] {
		t.Errorf("told = %v: the refused second offer must record nothing", told)
	}

	if _, err := db.OpenInteractiveVisit(ctx, "no-such-token"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unknown token = %v", err)
	}
	if err := db.SetInteractiveToken(ctx, sess.ID, "first"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetInteractiveToken(ctx, sess.ID, "second"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.OpenInteractiveVisit(ctx, "first"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a replaced token = %v", err)
	}
	got, err := db.OpenInteractiveVisit(ctx, "second")
	if err != nil || got.ID != v.ID || got.State != store.VisitOpened || !got.OpenedAt.Equal(now) {
		t.Fatalf("OpenInteractiveVisit = %+v, %v", got, err)
	}
	if _, err := db.OpenInteractiveVisit(ctx, "second"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a token used twice = %v", err)
	}

	if err := db.FinishInteractiveVisit(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.EndInteractiveVisit(ctx, sess.ID, store.VisitEnded, "the session went on"); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishInteractiveVisit(ctx, v.ID); !errors.Is(err, store.ErrConflict) {
		t.Errorf("finishing an ended visit = %v", err)
	}
	if err := db.EndInteractiveVisit(ctx, sess.ID, store.VisitRejected, "late"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.InteractiveVisitOfSession(ctx, sess.ID); got.State != store.VisitEnded || got.Reason != "the session went on" {
		t.Errorf("visit = %+v: the first end stays", got)
	}

	t.Run("an expired token", func(t *testing.T) {
		_, s2, _ := db.CreateSession(ctx, store.NewSession{UserID: u.ID, CompanyID: u.CompanyID, State: store.SessionOpen, TTL: time.Hour})
		if _, err := db.OfferInteractive(ctx, s2.ID, u.CompanyID, "mapping", nil, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := db.SetInteractiveToken(ctx, s2.ID, "late"); err != nil {
			t.Fatal(err)
		}
		now = now.Add(2 * time.Minute)
		if _, err := db.OpenInteractiveVisit(ctx, "late"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an expired token = %v", err)
		}
	})
}
