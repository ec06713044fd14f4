// Package alert sends a short message to a person: by e-mail through an
// SMTP server, and by webhook (an HTTP POST of JSON that Slack, Teams,
// Discord and scripts all read). It decides nothing about when to send.
package alert

import (
	"context"
	"net/url"
	"strings"
	"time"
)

// Message is one alert: a subject, a few plain lines, and the page to open.
type Message struct {
	// Kind names the condition ("posting", "connector", "mapping", "test").
	Kind    string
	Subject string
	Text    string
	Link    string
	At      time.Time
}

// Channel is where messages go.
type Channel interface {
	// Name says where, in words fit for the page (no secret in it).
	Name() string
	Send(ctx context.Context, m Message) error
}

// DefaultTimeout bounds one delivery when the context sets no deadline.
const DefaultTimeout = 20 * time.Second

// withTimeout gives ctx a deadline when it has none.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		d = DefaultTimeout
	}
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

// plain is the message as text: the lines, then the link.
func (m Message) plain() string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(m.Text, "\n"))
	if m.Link != "" {
		b.WriteString("\n\nOpen " + m.Link)
	}
	b.WriteString("\n")
	return b.String()
}

// MaskURL shows a URL by its scheme and host only: a chat service's hook
// URL carries its credential in the path.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "••••••••"
	}
	return u.Scheme + "://" + u.Host + "/••••••••"
}
