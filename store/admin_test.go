package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/store"
)

func TestCheckAdminPassword(t *testing.T) {
	tests := []struct {
		name, password string
		ok             bool
	}{
		{"empty", "", false},
		{"nine characters", "123456789", false},
		{"ten characters", "1234567890", true},
		{"ten runes, more bytes", "éééééééééé", true},
		{"72 bytes", strings.Repeat("a", 72), true},
		{"73 bytes", strings.Repeat("a", 73), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := store.CheckAdminPassword(tc.password)
			var pe *store.PasswordError
			if tc.ok != (err == nil) || (err != nil && !errors.As(err, &pe)) {
				t.Errorf("CheckAdminPassword(%q) = %v; want ok %v", tc.password, err, tc.ok)
			}
		})
	}
}

func TestAdminPassword(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if set, err := db.AdminPasswordSet(ctx); err != nil || set {
		t.Fatalf("AdminPasswordSet on a new store = %v, %v", set, err)
	}
	if err := db.AuthenticateAdmin(ctx, "anything at all"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AuthenticateAdmin with no password = %v; want ErrNotFound", err)
	}
	if err := db.SetFirstAdminPassword(ctx, "short"); err == nil {
		t.Error("a short first password was accepted")
	}
	if err := db.SetFirstAdminPassword(ctx, "the first password"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetFirstAdminPassword(ctx, "a second first password"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second first password = %v; want ErrConflict", err)
	}
	if set, _ := db.AdminPasswordSet(ctx); !set {
		t.Error("AdminPasswordSet = false after setting it")
	}
	if err := db.AuthenticateAdmin(ctx, "the first password"); err != nil {
		t.Errorf("right password: %v", err)
	}
	if err := db.AuthenticateAdmin(ctx, "the wrong password"); !errors.Is(err, store.ErrBadCredentials) {
		t.Errorf("wrong password = %v; want ErrBadCredentials", err)
	}

	s, err := db.CreateAdminSession(ctx, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the same password again keeps sessions", func(t *testing.T) {
		changed, err := db.PutAdminPassword(ctx, "the first password")
		if err != nil || changed {
			t.Fatalf("PutAdminPassword(same) = %v, %v", changed, err)
		}
		if _, err := db.AdminSessionByToken(ctx, s.Token); err != nil {
			t.Errorf("session after an unchanged password: %v", err)
		}
	})
	t.Run("a new password ends every session", func(t *testing.T) {
		changed, err := db.PutAdminPassword(ctx, "a brand new password")
		if err != nil || !changed {
			t.Fatalf("PutAdminPassword(new) = %v, %v", changed, err)
		}
		if _, err := db.AdminSessionByToken(ctx, s.Token); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session after a password change = %v; want ErrNotFound", err)
		}
		if err := db.AuthenticateAdmin(ctx, "the first password"); !errors.Is(err, store.ErrBadCredentials) {
			t.Errorf("old password after the change = %v", err)
		}
		if err := db.AuthenticateAdmin(ctx, "a brand new password"); err != nil {
			t.Errorf("new password: %v", err)
		}
	})
	t.Run("a bad password is refused in words", func(t *testing.T) {
		_, err := db.PutAdminPassword(ctx, "short")
		var pe *store.PasswordError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "at least 10 characters") {
			t.Errorf("PutAdminPassword(short) = %v", err)
		}
	})
}

func TestAdminSessions(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	db.SetClock(func() time.Time { return now })

	s, err := db.CreateAdminSession(ctx, "192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Token) < 43 || len(s.CSRFToken) < 43 || s.Token == s.CSRFToken {
		t.Fatalf("tokens %q %q: want two distinct 256-bit tokens", s.Token, s.CSRFToken)
	}
	other, err := db.CreateAdminSession(ctx, "192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	if other.Token == s.Token {
		t.Fatal("two sessions share a token")
	}
	got, err := db.AdminSessionByToken(ctx, s.Token)
	if err != nil || got.CSRFToken != s.CSRFToken || got.RemoteHost != "192.0.2.7" || got.Token != "" {
		t.Fatalf("AdminSessionByToken = %+v, %v", got, err)
	}
	for _, bad := range []string{"", "nope", s.CSRFToken} {
		if _, err := db.AdminSessionByToken(ctx, bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("token %q = %v; want ErrNotFound", bad, err)
		}
	}

	t.Run("only the token's hash is stored", func(t *testing.T) {
		for _, f := range []string{db.Path(), db.Path() + "-wal"} {
			b, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte(s.Token)) {
				t.Errorf("%s holds the session token in clear", f)
			}
		}
	})

	t.Run("idle expiry, kept alive by use", func(t *testing.T) {
		now = now.Add(store.AdminSessionIdle - time.Minute)
		if _, err := db.AdminSessionByToken(ctx, s.Token); err != nil {
			t.Fatalf("session used just before the idle limit: %v", err)
		}
		now = now.Add(store.AdminSessionIdle - time.Minute)
		if _, err := db.AdminSessionByToken(ctx, s.Token); err != nil {
			t.Fatalf("session used again within the idle limit: %v", err)
		}
		if _, err := db.AdminSessionByToken(ctx, other.Token); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session idle for longer than the limit = %v; want ErrNotFound", err)
		}
	})
	t.Run("absolute expiry", func(t *testing.T) {
		for now.Sub(s.CreatedAt) < store.AdminSessionMax {
			if _, err := db.AdminSessionByToken(ctx, s.Token); err != nil {
				t.Fatalf("session used every 11 hours, %s after login: %v", now.Sub(s.CreatedAt), err)
			}
			now = now.Add(11 * time.Hour)
		}
		if _, err := db.AdminSessionByToken(ctx, s.Token); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session older than %s = %v; want ErrNotFound", store.AdminSessionMax, err)
		}
	})
	t.Run("logout", func(t *testing.T) {
		s, err := db.CreateAdminSession(ctx, "192.0.2.7")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteAdminSession(ctx, s.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AdminSessionByToken(ctx, s.Token); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session after logout = %v", err)
		}
		if err := db.DeleteAdminSession(ctx, s.Token); err != nil {
			t.Errorf("a second logout: %v", err)
		}
	})
}

func reopen(t *testing.T, db *store.DB) *store.DB {
	t.Helper()
	db2, err := store.Open(context.Background(), db.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db2.Close() })
	return db2
}

func TestAdminLockout(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	db.SetClock(func() time.Time { return now })
	const attacker, other = "192.0.2.66", "192.0.2.7"

	fail := func(remote string) time.Time {
		t.Helper()
		until, err := db.RecordAdminLoginFailure(ctx, remote)
		if err != nil {
			t.Fatal(err)
		}
		return until
	}
	locked := func(remote string) time.Time {
		t.Helper()
		until, err := db.AdminLockedUntil(ctx, remote)
		if err != nil {
			t.Fatal(err)
		}
		return until
	}

	for i := 1; i < store.LoginFailuresAllowed; i++ {
		if until := fail(attacker); !until.IsZero() {
			t.Fatalf("locked after %d failures (until %s)", i, until)
		}
		now = now.Add(time.Minute)
	}
	until := fail(attacker)
	if want := now.Add(store.LoginLockout); !until.Equal(want) {
		t.Fatalf("5th failure: locked until %s; want %s", until, want)
	}
	if got := locked(attacker); !got.Equal(until) {
		t.Errorf("AdminLockedUntil = %s; want %s", got, until)
	}
	if got := locked(other); !got.IsZero() {
		t.Errorf("another address is locked too (until %s)", got)
	}
	// A failure while locked neither extends nor resets the lock.
	now = now.Add(time.Minute)
	if got := fail(attacker); !got.Equal(until) {
		t.Errorf("failure while locked = %s; want %s", got, until)
	}

	t.Run("survives a restart", func(t *testing.T) {
		db2 := reopen(t, db)
		db2.SetClock(func() time.Time { return now })
		if got, err := db2.AdminLockedUntil(ctx, attacker); err != nil || !got.Equal(until) {
			t.Errorf("after reopening: locked until %s, %v; want %s", got, err, until)
		}
	})
	t.Run("the lock ends, and counting starts afresh", func(t *testing.T) {
		now = until.Add(time.Second)
		if got := locked(attacker); !got.IsZero() {
			t.Fatalf("still locked after the lockout (until %s)", got)
		}
		if got := fail(attacker); !got.IsZero() {
			t.Errorf("the first failure after a lockout locks again (until %s)", got)
		}
	})
	t.Run("failures spread beyond the window never lock", func(t *testing.T) {
		for i := 0; i < 3*store.LoginFailuresAllowed; i++ {
			if got := fail(other); !got.IsZero() {
				t.Fatalf("failure %d, each %s apart, locked until %s", i+1, store.LoginFailureWindow/4, got)
			}
			now = now.Add(store.LoginFailureWindow/4 + time.Second)
		}
	})
	t.Run("a successful login clears the count", func(t *testing.T) {
		const r = "192.0.2.8"
		for i := 1; i < store.LoginFailuresAllowed; i++ {
			fail(r)
		}
		if err := db.ClearAdminLoginFailures(ctx, r); err != nil {
			t.Fatal(err)
		}
		if got := fail(r); !got.IsZero() {
			t.Errorf("locked right after a successful login (until %s)", got)
		}
	})
}
