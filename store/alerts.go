package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// AlertSettings say where alerts go: e-mail through an SMTP server, and a
// webhook. Password and WebhookURL are plain only in memory; the store keeps
// them sealed and the page never shows them.
type AlertSettings struct {
	SMTPHost     string
	SMTPPort     int
	SMTPUser     string
	SMTPPassword string
	From         string
	// To lists the recipients.
	To         []string
	WebhookURL string
	UpdatedAt  time.Time
}

// Mail reports whether e-mail alerts are set up.
func (s AlertSettings) Mail() bool { return s.SMTPHost != "" && s.From != "" && len(s.To) > 0 }

// DefaultSMTPPort is the submission port (STARTTLS), what mail providers give.
const DefaultSMTPPort = 587

const (
	sealSMTPPassword = "alert_settings.smtp_password"
	sealWebhook      = "alert_settings.webhook"
)

// AlertSettings returns the alert settings, opening the sealed ones; before
// any were saved it returns empty settings (nothing is sent) on the default port.
func (db *DB) AlertSettings(ctx context.Context, sealer *Sealer) (AlertSettings, error) {
	var s AlertSettings
	var pw, hook []byte
	var to, updated string
	err := db.read.QueryRowContext(ctx, `SELECT smtp_host, smtp_port, smtp_user, smtp_password, mail_from, mail_to,
		webhook_sealed, updated_at FROM alert_settings WHERE id = 1`).
		Scan(&s.SMTPHost, &s.SMTPPort, &s.SMTPUser, &pw, &s.From, &to, &hook, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return AlertSettings{SMTPPort: DefaultSMTPPort}, nil
	}
	if err != nil {
		return AlertSettings{}, fmt.Errorf("store: alert settings: %w", err)
	}
	if s.UpdatedAt, err = parseTime(updated); err != nil {
		return AlertSettings{}, err
	}
	if to != "" {
		s.To = strings.Split(to, "\n")
	}
	open := func(sealed []byte, context string) (string, error) {
		if len(sealed) == 0 {
			return "", nil
		}
		if sealer == nil {
			return "", fmt.Errorf("store: alert settings: no secret key to open them: %w", ErrSealed)
		}
		b, err := sealer.Open(sealed, context)
		if err != nil {
			return "", fmt.Errorf("store: alert settings: %w", err)
		}
		return string(b), nil
	}
	if s.SMTPPassword, err = open(pw, sealSMTPPassword); err != nil {
		return AlertSettings{}, err
	}
	if s.WebhookURL, err = open(hook, sealWebhook); err != nil {
		return AlertSettings{}, err
	}
	return s, nil
}

// SetAlertSettings replaces the alert settings, sealing the password and
// the webhook URL.
func (db *DB) SetAlertSettings(ctx context.Context, sealer *Sealer, s AlertSettings) error {
	seal := func(plain, context string) ([]byte, error) {
		if plain == "" {
			return nil, nil
		}
		if sealer == nil {
			return nil, errors.New("store: alert settings: no secret key to seal them with")
		}
		return sealer.Seal([]byte(plain), context)
	}
	pw, err := seal(s.SMTPPassword, sealSMTPPassword)
	if err != nil {
		return err
	}
	hook, err := seal(s.WebhookURL, sealWebhook)
	if err != nil {
		return err
	}
	for _, t := range s.To {
		if strings.ContainsAny(t, "\r\n") {
			return fmt.Errorf("store: alert settings: recipient %q holds a line break", t)
		}
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO alert_settings(id, smtp_host, smtp_port, smtp_user, smtp_password,
		mail_from, mail_to, webhook_sealed, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET smtp_host = excluded.smtp_host, smtp_port = excluded.smtp_port,
		smtp_user = excluded.smtp_user, smtp_password = excluded.smtp_password, mail_from = excluded.mail_from,
		mail_to = excluded.mail_to, webhook_sealed = excluded.webhook_sealed, updated_at = excluded.updated_at`,
		s.SMTPHost, s.SMTPPort, s.SMTPUser, pw, s.From, strings.Join(s.To, "\n"), hook, formatTime(db.now()))
	if err != nil {
		return fmt.Errorf("store: set alert settings: %w", err)
	}
	return nil
}

// AlertRecord is one message sent (or tried) on a channel.
type AlertRecord struct {
	ID int64
	// Channel says where it went, in words ("e-mail to books@example.com").
	Channel string
	Kind    string
	Subject string
	Body    string
	// Error says why it was not delivered ("" when it was).
	Error  string
	SentAt time.Time
}

// occurrenceBatch bounds the keys asked about in one query (SQLite's
// limit on bound parameters).
const occurrenceBatch = 500

// Told returns which of keys (occurrences of a kind of condition) were
// already told on channel.
func (db *DB) Told(ctx context.Context, channel, kind string, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(keys); start += occurrenceBatch {
		batch := keys[start:min(start+occurrenceBatch, len(keys))]
		args := []any{channel, kind}
		for _, k := range batch {
			args = append(args, k)
		}
		got, err := queryAll(ctx, db.read, "occurrences told", func(r scanner) (string, error) {
			var k string
			err := r.Scan(&k)
			return k, err
		}, `SELECT key FROM care_occurrences WHERE channel = ? AND kind = ? AND key IN (?`+
			strings.Repeat(", ?", len(batch)-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, k := range got {
			out[k] = true
		}
	}
	return out, nil
}

// RecordAlert records a message sent and, when it was delivered (a.Error
// empty), the occurrences of kind it told on channel (the channel's stable
// name; a.Channel is the words the page shows), in one transaction. It
// returns the record's id.
func (db *DB) RecordAlert(ctx context.Context, channel string, a AlertRecord, keys []string) (int64, error) {
	var id int64
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		now := formatTime(db.now())
		if err := tx.QueryRowContext(ctx, `INSERT INTO alerts(channel, kind, subject, body, error, sent_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, a.Channel, a.Kind, a.Subject, a.Body, a.Error, now).Scan(&id); err != nil {
			return fmt.Errorf("store: record alert: %w", err)
		}
		if a.Error != "" {
			return nil
		}
		return tell(ctx, tx, channel, a.Kind, keys, id, now)
	})
	return id, err
}

// Tell records occurrences as told on a channel without a message (the
// interactive mode offering them to the Web Connector's user).
func (db *DB) Tell(ctx context.Context, channel, kind string, keys []string) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		return tell(ctx, tx, channel, kind, keys, 0, formatTime(db.now()))
	})
}

func tell(ctx context.Context, tx *sql.Tx, channel, kind string, keys []string, alertID int64, now string) error {
	var alert any
	if alertID != 0 {
		alert = alertID
	}
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `INSERT INTO care_occurrences(channel, kind, key, alert_id, created_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, channel, kind, k, alert, now); err != nil {
			return fmt.Errorf("store: record occurrence %s: %w", k, err)
		}
	}
	return nil
}

// RecentAlerts lists the latest messages, newest first.
func (db *DB) RecentAlerts(ctx context.Context, limit int) ([]AlertRecord, error) {
	return queryAll(ctx, db.read, "recent alerts", func(r scanner) (AlertRecord, error) {
		var a AlertRecord
		var sent string
		if err := r.Scan(&a.ID, &a.Channel, &a.Kind, &a.Subject, &a.Body, &a.Error, &sent); err != nil {
			return a, err
		}
		var err error
		a.SentAt, err = parseTime(sent)
		return a, err
	}, "SELECT id, channel, kind, subject, body, error, sent_at FROM alerts ORDER BY id DESC LIMIT ?", limit)
}

// LastSession returns the company's newest Web Connector session (an error
// wrapping ErrNotFound when the Web Connector never called).
func (db *DB) LastSession(ctx context.Context, companyID int64) (Session, error) {
	return db.sessionWhere(ctx, "company_id = ? ORDER BY id DESC LIMIT 1", companyID)
}
