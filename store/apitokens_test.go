package store_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/store"
)

func TestAPITokens(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	db.SetClock(func() time.Time { return now })

	for _, name := range []string{"", "   ", strings.Repeat("x", 101)} {
		var ne *store.NameError
		if _, _, err := db.CreateAPIToken(ctx, name); !errors.As(err, &ne) {
			t.Errorf("CreateAPIToken(%q) = %v; want a NameError", name, err)
		}
	}
	token, tok, err := db.CreateAPIToken(ctx, " nightly report ")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, store.APITokenPrefix) || len(token) < 40 || tok.Name != "nightly report" || !strings.HasPrefix(token, tok.Prefix) {
		t.Fatalf("token %q, %+v", token, tok)
	}
	other, _, err := db.CreateAPIToken(ctx, "backup script")
	if err != nil || other == token {
		t.Fatalf("second token %q, %v", other, err)
	}

	now = now.Add(time.Hour)
	got, err := db.APITokenByValue(ctx, token)
	if err != nil || got.ID != tok.ID || !got.LastUsedAt.Equal(now) {
		t.Fatalf("APITokenByValue = %+v, %v; want used at %v", got, err, now)
	}
	for _, bad := range []string{"", "bcqb_", token + "x", strings.TrimPrefix(token, store.APITokenPrefix)} {
		if _, err := db.APITokenByValue(ctx, bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("APITokenByValue(%q) = %v; want ErrNotFound", bad, err)
		}
	}

	if err := db.RevokeAPIToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.APITokenByValue(ctx, token); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a revoked token still works: %v", err)
	}
	if err := db.RevokeAPIToken(ctx, tok.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoking twice = %v; want ErrNotFound", err)
	}
	list, err := db.APITokens(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "backup script" || list[1].RevokedAt.IsZero() {
		t.Fatalf("APITokens = %+v, %v; want the live one first, then the revoked", list, err)
	}

	// Only the hash is kept: the database file never holds the token.
	db.Close()
	for _, f := range []string{db.Path(), db.Path() + "-wal"} {
		raw, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), "nightly report") && f == db.Path() {
			t.Fatalf("%s does not hold the token's name: the check below would prove nothing", f)
		}
		if strings.Contains(string(raw), strings.TrimPrefix(token, store.APITokenPrefix)) {
			t.Errorf("%s holds the token itself", f)
		}
	}
}
