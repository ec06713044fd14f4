package app

import (
	"context"
	"errors"
	"flag"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/qbsim"
)

// TestDemoPostsOrdersAndStops runs `bcqb demo` until its first sessions
// posted orders to the company file, then cancels it: it printed bcqb's URL
// and the exact qb show command, the company file lists sales receipts or
// invoices, and everything stopped (bcqb no longer answers).
func TestDemoPostsOrdersAndStops(t *testing.T) {
	dir := t.TempDir()
	companyPath := filepath.Join(dir, "demo-company.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"demo", "--orders", "12", "--seed", "3", "--every", "200ms", "--grow-every", "300ms",
			"--addr", "127.0.0.1:0", "--data", dir, "--speed", "none"}, func(string) string { return "" }, nil, &out, &errOut)
	}()

	posted := func() bool {
		c, err := qbsim.OpenCompany(context.Background(), companyPath, qbsim.CompanyOptions{})
		if err != nil {
			return false
		}
		s := c.Summary()
		return s.Txns["SalesReceipt"].Count+s.Txns["Invoice"].Count > 0
	}
	deadline := time.Now().Add(60 * time.Second)
	for !posted() || !strings.Contains(out.String(), "session 2:") {
		select {
		case err := <-done:
			t.Fatalf("demo ended early: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no order posted within a minute\nstdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("demo: %v\nstderr:\n%s", err, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("demo did not stop within 30 s of its context ending")
	}

	text := out.String()
	t.Logf("demo printed:\n%s", text)
	url := regexp.MustCompile(`http://localhost:\d+`).FindString(text)
	if url == "" {
		t.Fatal("the demo did not print bcqb's URL")
	}
	if want := "bcqb qb show --company " + shellQuote(companyPath); !strings.Contains(text, want) {
		t.Errorf("the demo did not print %q", want)
	}
	if !regexp.MustCompile(`session 1: \w+`).MatchString(text) {
		t.Error("no line per session")
	}
	if !strings.Contains(text, "Demo stopped") {
		t.Error("the demo did not say it stopped")
	}
	// bcqb is gone: nothing answers on its port.
	client := &http.Client{Timeout: 2 * time.Second}
	if resp, err := client.Get(url + "/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("bcqb still answers at %s after the demo stopped", url)
	}

	// The books, as the printed command shows them.
	var show syncBuffer
	if err := Run(context.Background(), []string{"qb", "show", "--company", companyPath}, func(string) string { return "" }, nil, &show, &show); err != nil {
		t.Fatal(err)
	}
	if s := show.String(); !strings.Contains(s, "SalesReceipt") && !strings.Contains(s, "Invoice") {
		t.Errorf("qb show lists no sales receipt or invoice:\n%s", s)
	}
}

func TestDemoFlags(t *testing.T) {
	var out, errOut syncBuffer
	getenv := func(string) string { return "" }
	if err := Run(context.Background(), []string{"demo", "-h"}, getenv, nil, &out, &errOut); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("demo -h: %v", err)
	}
	for _, name := range []string{"-orders", "-seed", "-every", "-addr", "-data", "-speed"} {
		if !strings.Contains(errOut.String(), name) {
			t.Errorf("demo -h does not list %s", name)
		}
	}
	err := Run(context.Background(), []string{"demo", "--speed", "warp", "--data", t.TempDir()}, getenv, nil, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "fast, typical or slow") {
		t.Errorf("demo --speed warp: %v", err)
	}
}
