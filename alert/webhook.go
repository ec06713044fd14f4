package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Webhook posts messages as JSON to a URL. The body carries the message in
// "text" (what Slack and Teams incoming webhooks show) and "content"
// (Discord's), beside the fields a script reads.
type Webhook struct {
	URL string
	// Client sends the request; nil is a client with Timeout.
	Client *http.Client
	// Timeout bounds a delivery when the context has no deadline.
	Timeout time.Duration
}

// Name implements Channel; the URL is masked.
func (w Webhook) Name() string { return "webhook " + MaskURL(w.URL) }

// CheckWebhookURL says what is wrong with a webhook URL, in words, or nil.
func CheckWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("the webhook URL must be an http or https address, such as https://hooks.slack.com/services/…")
	}
	if u.User != nil {
		return errors.New("put no user name or password in the webhook URL")
	}
	return nil
}

// payload is the JSON body.
type payload struct {
	Text    string    `json:"text"`
	Content string    `json:"content"`
	Kind    string    `json:"kind"`
	Subject string    `json:"subject"`
	Message string    `json:"message"`
	Link    string    `json:"link,omitempty"`
	At      time.Time `json:"at"`
}

// discordLimit is the longest "content" Discord accepts.
const discordLimit = 2000

// Send implements Channel: any 2xx answer is delivered.
func (w Webhook) Send(ctx context.Context, m Message) error {
	if err := CheckWebhookURL(w.URL); err != nil {
		return err
	}
	ctx, cancel := withTimeout(ctx, w.Timeout)
	defer cancel()
	at := m.At
	if at.IsZero() {
		at = time.Now()
	}
	text := m.Subject + "\n" + m.plain()
	content := text
	if r := []rune(content); len(r) > discordLimit {
		content = string(r[:discordLimit-1]) + "…"
	}
	body, err := json.Marshal(payload{Text: text, Content: content, Kind: m.Kind, Subject: m.Subject,
		Message: strings.TrimRight(m.Text, "\n"), Link: m.Link, At: at.UTC()})
	if err != nil {
		return fmt.Errorf("alert: webhook body: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("alert: webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "bcqb-alert")
	c := w.Client
	if c == nil {
		c = &http.Client{}
	}
	resp, err := c.Do(req)
	if err != nil {
		// The URL (its credential) is left out of the words.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("alert: %s did not answer: %w", w.Name(), err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	if resp.StatusCode/100 != 2 {
		msg := strings.Join(strings.Fields(string(snippet)), " ")
		if msg != "" {
			msg = ": " + msg
		}
		return fmt.Errorf("alert: %s answered %s%s", w.Name(), resp.Status, msg)
	}
	return nil
}
