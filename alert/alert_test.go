package alert_test

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/alert"
	"github.com/bcqb/bcqb/alert/alerttest"
)

var msg = alert.Message{Kind: "posting", Subject: "bcqb: 2 orders need attention — café",
	Text: "Order 101: map SKU ABC.\nOrder 102: the customer could not be added.", Link: "https://bcqb.example/attention",
	At: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)}

func smtpServer(t *testing.T, user, password string) *alerttest.SMTPServer {
	t.Helper()
	s, err := alerttest.NewSMTPServer(user, password)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSMTP(t *testing.T) {
	srv := smtpServer(t, "bcqb@example.com", "app password")
	c := alert.SMTP{Host: srv.Host(), Port: srv.Port(), User: "bcqb@example.com", Password: "app password",
		From: "bcqb <bcqb@example.com>", To: []string{"books@example.com", "Owner <owner@example.com>"}}
	if err := c.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	mails := srv.Mails()
	if len(mails) != 1 {
		t.Fatalf("the server got %d mails, want 1", len(mails))
	}
	m := mails[0]
	if m.User != "bcqb@example.com" || m.From != "bcqb@example.com" || strings.Join(m.To, ",") != "books@example.com,owner@example.com" {
		t.Errorf("envelope = %+v", m)
	}
	pm, err := m.Message()
	if err != nil {
		t.Fatalf("the mail does not parse: %v\n%s", err, m.Data)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(pm.Header.Get("Subject"))
	if err != nil || subject != msg.Subject {
		t.Errorf("Subject = %q (%v), want %q", subject, err, msg.Subject)
	}
	if pm.Header.Get("Date") != "Tue, 04 Mar 2025 05:06:07 +0000" || pm.Header.Get("Message-Id") == "" ||
		!strings.Contains(pm.Header.Get("Content-Type"), "utf-8") {
		t.Errorf("headers = %v", pm.Header)
	}
	body, _ := io.ReadAll(pm.Body)
	if !strings.Contains(string(body), "Order 101: map SKU ABC.") || !strings.Contains(string(body), "Open https://bcqb.example/attention") {
		t.Errorf("body = %q", body)
	}

	for _, tc := range []struct {
		name string
		c    alert.SMTP
		want string
	}{
		{"wrong password", func() alert.SMTP { c := c; c.Password = "wrong"; return c }(), "535"},
		{"no login where one is needed", func() alert.SMTP { c := c; c.User = ""; return c }(), "530"},
		{"nobody listens", func() alert.SMTP { c := c; c.Port = 1; return c }(), "cannot reach"},
		{"not an address", func() alert.SMTP { c := c; c.To = []string{"books"}; return c }(), "not an e-mail address"},
		{"a host with a scheme", func() alert.SMTP { c := c; c.Host = "smtp://x"; return c }(), "host name"},
		{"a line break in the subject adds no header", c, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := msg
			if tc.want == "" {
				m.Subject = "hello\r\nBcc: evil@example.com"
			}
			err := tc.c.Send(context.Background(), m)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				last := srv.Mails()[len(srv.Mails())-1]
				pm, _ := last.Message()
				if pm.Header.Get("Bcc") != "" || len(last.To) != 2 {
					t.Errorf("the subject's line break made a header: %v %v", pm.Header, last.To)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Send = %v, want an error with %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "app password") || strings.Contains(err.Error(), tc.c.Password+" ") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}

func TestSMTPGivesUpOnASilentServer(t *testing.T) {
	// A server that takes the connection and never greets.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	c := alert.SMTP{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, From: "a@example.com", To: []string{"b@example.com"}, Timeout: 200 * time.Millisecond}
	start := time.Now()
	if err := c.Send(context.Background(), msg); err == nil || !strings.Contains(err.Error(), "in time") {
		t.Errorf("Send to a server that never greets = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send took %v", d)
	}
}

func TestWebhook(t *testing.T) {
	var got []map[string]any
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s with %q", r.Method, r.Header.Get("Content-Type"))
		}
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("body: %v", err)
		}
		got = append(got, body)
		w.WriteHeader(status)
		io.WriteString(w, "invalid_token\n")
	}))
	defer srv.Close()
	hook := alert.Webhook{URL: srv.URL + "/services/T000/B000/secretpart"}
	if err := hook.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("the receiver got %d posts", len(got))
	}
	b := got[0]
	if b["subject"] != msg.Subject || b["kind"] != "posting" || b["link"] != msg.Link || b["at"] != "2025-03-04T05:06:07Z" ||
		!strings.Contains(b["text"].(string), "Order 102") || !strings.HasPrefix(b["content"].(string), msg.Subject) {
		t.Errorf("body = %v", b)
	}
	status = http.StatusForbidden
	err := hook.Send(context.Background(), msg)
	if err == nil || !strings.Contains(err.Error(), "403 Forbidden: invalid_token") {
		t.Errorf("Send to a refusing hook = %v", err)
	}
	if strings.Contains(err.Error(), "secretpart") || strings.Contains(hook.Name(), "secretpart") {
		t.Errorf("the hook's secret path shows: %v / %s", err, hook.Name())
	}
	srv.Close()
	if err := hook.Send(context.Background(), msg); err == nil || strings.Contains(err.Error(), "secretpart") {
		t.Errorf("Send to a closed server = %v", err)
	}
	if err := alert.CheckWebhookURL("ftp://x/y"); err == nil {
		t.Error("an ftp URL passed")
	}
}
