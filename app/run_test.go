package app

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRunCommands(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string { return map[string]string{"BCQB_DATA": dir}[k] }
	tests := []struct {
		name    string
		args    []string
		wantErr string
		stdout  string
	}{
		{"version", []string{"version"}, "", "bcqb " + Version},
		{"help", []string{"help"}, "", "bcqb serve"},
		{"no command", nil, "no command", ""},
		{"unknown", []string{"frobnicate"}, `unknown command "frobnicate"`, ""},
		{"qwc without user", []string{"qwc"}, "--user", ""},
		{"qwc for a missing user", []string{"qwc", "--user", "ghost"}, `no Web Connector user "ghost"`, ""},
		{"serve with a bad base URL", []string{"serve", "--base-url", "https://10.0.0.5:8443"}, "IP address", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := Run(context.Background(), tc.args, getenv, nil, &out, &errOut)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Run(%q) err = %v, want %q", tc.args, err, tc.wantErr)
			}
			if !strings.Contains(out.String(), tc.stdout) {
				t.Errorf("stdout = %q, want it to contain %q", out.String(), tc.stdout)
			}
		})
	}
}

// TestServeStartsOnDefaultsAndStops runs `bcqb serve` with nothing but a
// data folder and a free port, checks it answers and prints the next steps,
// and stops it by cancelling its context.
func TestServeStartsOnDefaultsAndStops(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	env := map[string]string{"BCQB_DATA": t.TempDir(), "BCQB_ADDR": fmt.Sprintf("127.0.0.1:%d", port)}
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"serve"}, func(k string) string { return env[k] }, nil, &out, &syncBuffer{})
	}()

	url := fmt.Sprintf("http://127.0.0.1:%d/healthz", port)
	var resp *http.Response
	for i := 0; i < 100; i++ {
		if resp, err = http.Get(url); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("bcqb serve never answered: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("healthz = %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after cancel", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	if s := out.String(); !strings.Contains(s, "Create a Web Connector user") || !strings.Contains(s, "/connect") {
		t.Errorf("serve did not print the next steps:\n%s", s)
	}
}
