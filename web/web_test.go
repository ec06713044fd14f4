package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bcqb/bcqb/qwc"
	"github.com/bcqb/bcqb/store"
	"github.com/bcqb/bcqb/templates"
	"github.com/bcqb/bcqb/web"
)

func newServer(t *testing.T, users ...string) (*httptest.Server, *store.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "bcqb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, u := range users {
		if _, err := db.PutUser(ctx, u, "password-"+u); err != nil {
			t.Fatal(err)
		}
	}
	tmpl, err := templates.Parse()
	if err != nil {
		t.Fatal(err)
	}
	base := "https://qb-box.local:8443"
	h := web.NewHandler(web.Deps{
		SOAP:  http.NotFoundHandler(),
		Store: db,
		QWC: func(ctx context.Context, user string) (qwc.File, error) {
			return qwc.BuildFile(ctx, db, store.NewGUID, qwc.FileOptions{BaseURL: base, UserName: user, RunEveryNMinutes: 15})
		},
		Templates: tmpl,
		Version:   "test",
		BaseURL:   base,
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, db
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestPages(t *testing.T) {
	srv, _ := newServer(t, "qb")
	tests := []struct {
		path, contentType string
		status            int
		contains          string
	}{
		{"/healthz", "application/json", 200, `"status":"ok"`},
		{"/support", "text/html; charset=utf-8", 200, "bcqb support"},
		{"/", "text/html; charset=utf-8", 200, "/qwc"},
		{"/static/bcqb.css", "text/css; charset=utf-8", 200, "--accent"},
		{"/qwc", "application/xml; charset=utf-8", 200, "<UserName>qb</UserName>"},
		{"/qwc?user=ghost", "text/plain; charset=utf-8", 404, "Not found"},
		{"/ca.crt", "text/plain; charset=utf-8", 404, "not running its own certificate authority"},
		{"/nope", "text/plain; charset=utf-8", 404, "There is no page"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := get(t, srv.URL+tc.path)
			if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != tc.contentType || !strings.Contains(body, tc.contains) {
				t.Errorf("GET %s = %d %q %q; want %d %q containing %q", tc.path, resp.StatusCode,
					resp.Header.Get("Content-Type"), body, tc.status, tc.contentType, tc.contains)
			}
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Error("missing nosniff")
			}
		})
	}
}

func TestQWCDownload(t *testing.T) {
	t.Run("no user", func(t *testing.T) {
		srv, _ := newServer(t)
		resp, body := get(t, srv.URL+"/qwc")
		if resp.StatusCode != 404 || !strings.Contains(body, "BCQB_QBWC_USER") {
			t.Errorf("= %d %q", resp.StatusCode, body)
		}
	})
	t.Run("several users", func(t *testing.T) {
		srv, _ := newServer(t, "a", "b")
		resp, body := get(t, srv.URL+"/qwc")
		if resp.StatusCode != 400 || !strings.Contains(body, "a, b") {
			t.Errorf("= %d %q", resp.StatusCode, body)
		}
		resp, body = get(t, srv.URL+"/qwc?user=b")
		if resp.StatusCode != 200 || !strings.Contains(body, "<UserName>b</UserName>") ||
			resp.Header.Get("Content-Disposition") != `attachment; filename="bcqb-b.qwc"` {
			t.Errorf("?user=b = %d %q %q", resp.StatusCode, resp.Header.Get("Content-Disposition"), body)
		}
	})
	t.Run("same ids every time", func(t *testing.T) {
		srv, _ := newServer(t, "qb")
		_, first := get(t, srv.URL+"/qwc")
		_, second := get(t, srv.URL+"/qwc")
		if first != second {
			t.Errorf("a second download differs:\n%s\n%s", first, second)
		}
	})
}

func TestHealthzWhenTheStoreIsDown(t *testing.T) {
	srv, db := newServer(t)
	db.Close()
	resp, body := get(t, srv.URL+"/healthz")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "unavailable") {
		t.Errorf("= %d %q", resp.StatusCode, body)
	}
}
