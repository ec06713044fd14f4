// Package alerttest runs a small SMTP server on the loopback interface for
// tests: it speaks enough of RFC 5321 (EHLO, AUTH PLAIN, MAIL, RCPT, DATA,
// RSET, NOOP, QUIT) to take mail from a real client and keeps what it got.
package alerttest

import (
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
)

// Mail is one message the server accepted.
type Mail struct {
	// User is who logged in ("" when no one did).
	User string
	From string
	To   []string
	// Data is the message as sent (headers and body, CRLF line ends).
	Data string
}

// Message parses Data.
func (m Mail) Message() (*mail.Message, error) {
	return mail.ReadMessage(strings.NewReader(m.Data))
}

// SMTPServer is the server. With a user set it requires AUTH PLAIN with
// that user and password before MAIL.
type SMTPServer struct {
	User, Password string
	// Refuse, when set, makes the server answer every RCPT with 550.
	Refuse bool

	l   net.Listener
	wg  sync.WaitGroup
	mu  sync.Mutex
	got []Mail
}

// NewSMTPServer listens on 127.0.0.1 on a free port.
func NewSMTPServer(user, password string) (*SMTPServer, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &SMTPServer{User: user, Password: password, l: l}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Host and Port are where the server listens.
func (s *SMTPServer) Host() string { return "127.0.0.1" }

// Port is the server's port.
func (s *SMTPServer) Port() int { return s.l.Addr().(*net.TCPAddr).Port }

// Close stops the server and waits for its connections to end.
func (s *SMTPServer) Close() error {
	err := s.l.Close()
	s.wg.Wait()
	return err
}

// Mails returns the messages accepted so far.
func (s *SMTPServer) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.got...)
}

// SetRefuse changes Refuse while the server runs.
func (s *SMTPServer) SetRefuse(refuse bool) {
	s.mu.Lock()
	s.Refuse = refuse
	s.mu.Unlock()
}

func (s *SMTPServer) serve() {
	defer s.wg.Done()
	for {
		c, err := s.l.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			s.session(textproto.NewConn(c))
		}()
	}
}

func (s *SMTPServer) session(tp *textproto.Conn) {
	reply := func(code int, msg string) bool { return tp.PrintfLine("%d %s", code, msg) == nil }
	if !reply(220, "alerttest ESMTP ready") {
		return
	}
	var cur Mail
	authed := s.User == ""
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			if err := tp.PrintfLine("250-alerttest greets %s", arg); err != nil {
				return
			}
			if !reply(250, "AUTH PLAIN") {
				return
			}
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			if !strings.EqualFold(mech, "PLAIN") {
				reply(504, "only PLAIN")
				continue
			}
			b, err := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(b), "\x00")
			if err != nil || len(parts) != 3 || parts[1] != s.User || parts[2] != s.Password {
				reply(535, "authentication failed")
				continue
			}
			authed, cur.User = true, parts[1]
			reply(235, "authenticated")
		case "MAIL":
			if !authed {
				reply(530, "authentication required")
				continue
			}
			cur.From = address(arg)
			reply(250, "ok")
		case "RCPT":
			s.mu.Lock()
			refuse := s.Refuse
			s.mu.Unlock()
			if refuse {
				reply(550, "mailbox unavailable")
				continue
			}
			cur.To = append(cur.To, address(arg))
			reply(250, "ok")
		case "DATA":
			if cur.From == "" || len(cur.To) == 0 {
				reply(503, "need MAIL and RCPT first")
				continue
			}
			if !reply(354, "end with <CRLF>.<CRLF>") {
				return
			}
			data, err := io.ReadAll(tp.DotReader())
			if err != nil {
				return
			}
			cur.Data = strings.ReplaceAll(string(data), "\n", "\r\n")
			s.mu.Lock()
			s.got = append(s.got, cur)
			s.mu.Unlock()
			cur = Mail{User: cur.User}
			reply(250, "queued")
		case "RSET":
			cur = Mail{User: cur.User}
			reply(250, "ok")
		case "NOOP":
			reply(250, "ok")
		case "QUIT":
			reply(221, "bye")
			return
		default:
			reply(502, "not implemented")
		}
	}
}

// address takes the address out of "FROM:<a@b> SIZE=1".
func address(arg string) string {
	_, rest, _ := strings.Cut(arg, ":")
	rest = strings.TrimSpace(rest)
	if i := strings.IndexByte(rest, '>'); strings.HasPrefix(rest, "<") && i > 0 {
		return rest[1:i]
	}
	return rest
}
