package alert

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"strconv"
	"strings"
	"time"
)

// SMTP sends messages by e-mail. Port 465 speaks TLS from the start; any
// other port upgrades with STARTTLS when the server offers it, and a
// password is only ever sent encrypted (or to this machine).
type SMTP struct {
	Host     string
	Port     int
	User     string
	Password string
	From     string
	To       []string
	// Timeout bounds a delivery when the context has no deadline.
	Timeout time.Duration
	// TLS overrides the TLS settings (tests trust their own server).
	TLS *tls.Config
}

// Name implements Channel.
func (s SMTP) Name() string { return "e-mail to " + strings.Join(s.To, ", ") }

// Check says what is wrong with the settings, in words, or nil.
func (s SMTP) Check() error {
	if s.Host == "" || strings.ContainsAny(s.Host, " /:\r\n") {
		return fmt.Errorf("the SMTP server must be a host name such as smtp.example.com, not %q", s.Host)
	}
	if s.Port < 1 || s.Port > 65535 {
		return fmt.Errorf("the SMTP port must be between 1 and 65535 (587 for STARTTLS, 465 for TLS), not %d", s.Port)
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		return fmt.Errorf("the sender %q is not an e-mail address", s.From)
	}
	if len(s.To) == 0 {
		return errors.New("give at least one recipient")
	}
	for _, t := range s.To {
		if _, err := mail.ParseAddress(t); err != nil {
			return fmt.Errorf("the recipient %q is not an e-mail address", t)
		}
	}
	return nil
}

// Send implements Channel.
func (s SMTP) Send(ctx context.Context, m Message) error {
	if err := s.Check(); err != nil {
		return err
	}
	ctx, cancel := withTimeout(ctx, s.Timeout)
	defer cancel()
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	tc := s.TLS
	if tc == nil {
		tc = &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	}
	var conn net.Conn
	var err error
	d := &net.Dialer{}
	if s.Port == 465 {
		conn, err = (&tls.Dialer{NetDialer: d, Config: tc}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("alert: cannot reach the SMTP server %s: %w", addr, err)
	}
	// net/smtp takes no context: the deadline and a cancel close the connection.
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	fail := func(err error) error {
		if ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("alert: SMTP server %s did not answer in time: %w", addr, err)
		}
		return fmt.Errorf("alert: SMTP server %s: %w", addr, err)
	}
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return fail(err)
	}
	defer c.Close()
	if err := s.converse(c, m, tc); err != nil {
		return fail(err)
	}
	return nil
}

func (s SMTP) converse(c *smtp.Client, m Message, tc *tls.Config) error {
	if err := c.Hello(helloName()); err != nil {
		return err
	}
	if s.Port != 465 {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tc); err != nil {
				return fmt.Errorf("STARTTLS: %w", err)
			}
		}
	}
	if s.User != "" {
		// PlainAuth refuses to send the password unencrypted, except to this machine.
		if err := c.Auth(smtp.PlainAuth("", s.User, s.Password, s.Host)); err != nil {
			return fmt.Errorf("logging in as %s: %w", s.User, err)
		}
	}
	from, _ := mail.ParseAddress(s.From)
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("sender %s: %w", from.Address, err)
	}
	for _, t := range s.To {
		to, _ := mail.ParseAddress(t)
		if err := c.Rcpt(to.Address); err != nil {
			return fmt.Errorf("recipient %s: %w", to.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	body, err := s.compose(m)
	if err != nil {
		return err
	}
	if _, err := w.Write(body); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// compose writes the message: headers (the subject encoded when not
// ASCII, line breaks removed so none can add a header), then the text as
// quoted-printable UTF-8 with CRLF line ends.
func (s SMTP) compose(m Message) ([]byte, error) {
	at := m.At
	if at.IsZero() {
		at = time.Now()
	}
	id := make([]byte, 12)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("message id: %w", err)
	}
	from, _ := mail.ParseAddress(s.From)
	var to []string
	for _, t := range s.To {
		a, _ := mail.ParseAddress(t)
		to = append(to, a.String())
	}
	subject := strings.Join(strings.Fields(m.Subject), " ")
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", from.String())
	header("To", strings.Join(to, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", subject))
	header("Date", at.Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id)+"@bcqb>")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	text := strings.ReplaceAll(strings.ReplaceAll(m.plain(), "\r\n", "\n"), "\n", "\r\n")
	if _, err := qp.Write([]byte(text)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// helloName is this machine's name for EHLO; servers greylist "localhost".
func helloName() string {
	if h, err := os.Hostname(); err == nil && h != "" && !strings.ContainsAny(h, " \r\n") {
		return h
	}
	return "localhost"
}
