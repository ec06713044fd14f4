package qbsim

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// person is the user at the PC: accepts or not, and records the pages opened.
type person struct {
	accept bool
	opened []string
}

func (p *person) Accept(context.Context) bool        { return p.accept }
func (p *person) Open(_ context.Context, url string) { p.opened = append(p.opened, url) }

func TestWebConnectorInteractive(t *testing.T) {
	base := []string{"serverVersion", "clientVersion", "authenticate", "sendRequestXML", "getLastError"}
	tests := []struct {
		name    string
		user    *person
		done    []any
		want    []string
		outcome Outcome
		reason  string
		waited  time.Duration
	}{
		{name: "nobody at the PC", want: []string{"interactiveRejected", "closeConnection"}, outcome: OutcomeInteractiveRejected,
			reason: "No one answered"},
		{name: "declined", user: &person{}, want: []string{"interactiveRejected", "closeConnection"}, outcome: OutcomeInteractiveRejected,
			reason: "declined"},
		{name: "done after two polls", user: &person{accept: true}, done: []any{"", "", "Done"},
			want:    []string{"getInteractiveURL", "interactiveDone", "interactiveDone", "interactiveDone", "closeConnection"},
			outcome: OutcomeInteractiveDone, waited: 3 * time.Minute},
		{name: "continue", user: &person{accept: true}, done: []any{"Continue"},
			want:    []string{"getInteractiveURL", "interactiveDone", "sendRequestXML", "receiveResponseXML", "closeConnection"},
			outcome: OutcomeDone, waited: time.Minute},
		{name: "never finished", user: &person{accept: true}, done: []any{""},
			want:    append(append([]string{"getInteractiveURL"}, slices.Repeat([]string{"interactiveDone"}, 30)...), "interactiveRejected", "closeConnection"),
			outcome: OutcomeInteractiveRejected, reason: "timed out", waited: 30 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var reason string
			next := answers(map[string][]any{
				"authenticate":        {[]string{"T", ""}},
				"sendRequestXML":      {"", "<QBXML/>"},
				"getLastError":        {"Interactive mode"},
				"getInteractiveURL":   {"https://bcqb.local/care/interactive?token=abc"},
				"interactiveDone":     tc.done,
				"interactiveRejected": {"bcqb goes on without interactive mode"},
				"receiveResponseXML":  {100},
			})
			srv := newTestServer(t, func(m string, p map[string]string) (any, error) {
				if m == "interactiveRejected" {
					reason = p["reason"]
				}
				return next(m, p)
			})
			wc, clock := newTestConnector(t, srv, &scriptedQB{}, func(o *WebConnectorOptions) {
				if tc.user != nil {
					o.User = tc.user
				}
			})
			start := clock.Now()
			res, err := wc.RunSession(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			srv.check()
			if got, want := res.Methods(), append(append([]string(nil), base...), tc.want...); !slices.Equal(got, want) {
				t.Fatalf("calls %v, want %v", got, want)
			}
			if res.Outcome != tc.outcome || res.Interactive != 1 || !strings.Contains(reason, tc.reason) {
				t.Errorf("outcome %s, interactive %d, reason %q", res.Outcome, res.Interactive, reason)
			}
			if tc.outcome == OutcomeInteractiveRejected && res.LastError != "bcqb goes on without interactive mode" {
				t.Errorf("LastError %q: the server's answer to interactiveRejected is shown", res.LastError)
			}
			if tc.user != nil && tc.user.accept && (len(tc.user.opened) != 1 || res.InteractiveURL != tc.user.opened[0]) {
				t.Errorf("pages opened %v, URL %q", tc.user.opened, res.InteractiveURL)
			}
			if got := clock.Now().Sub(start); got != tc.waited {
				t.Errorf("waited %v of virtual time, want %v", got, tc.waited)
			}
		})
	}
}
