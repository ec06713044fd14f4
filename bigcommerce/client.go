// Package bigcommerce is bcqb's client for the BigCommerce REST API (v2 orders,
// v3 transactions, refunds, customers, catalog and inventory).
//
// It is a pure library: it speaks the wire format and knows nothing of bcqb's
// store. Everything that crosses this edge is normalised once here: money is
// an exact Amount (never float64), dates are time.Time in UTC, v2's "204 No
// Content" past the last page is an empty page, and each typed document keeps
// its Raw JSON so the caller can store it as pulled.
//
// The client shares the store's API quota with every other app installed on
// the store, so it paces itself from the X-Rate-Limit-* headers, keeps a
// configurable part of the quota for others, waits out a 429 for exactly the
// time BigCommerce asks, and retries 5xx and network failures with jittered
// backoff. Every call takes a context and stops when it is cancelled.
package bigcommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultBaseURL is BigCommerce's API gateway; %s is the store hash.
const DefaultBaseURL = "https://api.bigcommerce.com/stores/%s/"

// Config says which store to talk to and how politely.
type Config struct {
	// StoreHash is the store's hash (the "abc123" in stores/abc123).
	StoreHash string
	// Token is the API account's access token, sent as X-Auth-Token.
	Token string
	// BaseURL replaces DefaultBaseURL (for the offline store): the URL that
	// "v2/orders" is resolved against, e.g. "http://127.0.0.1:8080/stores/abc123/".
	// A "{store_hash}" in it is replaced by StoreHash, so one setting
	// (BCQB_BIGCOMMERCE_API_URL) can serve several stores.
	BaseURL string
	// HTTPClient defaults to a client with a 60 s timeout.
	HTTPClient *http.Client
	// UserAgent defaults to "bcqb (BigCommerce-QuickBooks sync)".
	UserAgent string
	// HeadroomPercent is the share of the quota left to the store's other
	// apps, 0..90. Zero means the default 20 (use 120 of the Standard plan's
	// 150 per window); a negative value uses the whole quota.
	HeadroomPercent int
	// MaxRetries bounds retries of 5xx, network errors and cut-off bodies
	// (default 5). 429s are retried up to MaxRetries*4 times since they are
	// expected under a shared quota.
	MaxRetries int
	// BackoffBase is the first retry delay before jitter (default 1 s), doubled
	// per attempt up to BackoffMax (default 60 s).
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Client calls one store's API. It is safe for concurrent use.
type Client struct {
	base       *url.URL
	token      string
	hc         *http.Client
	ua         string
	maxRetries int
	backBase   time.Duration
	backMax    time.Duration
	log        *slog.Logger
	pace       pacer

	requests    atomic.Int64
	rateLimited atomic.Int64
	retries     atomic.Int64
	pacedNanos  atomic.Int64
}

// New builds a client. It fails only on a malformed BaseURL or a missing
// store hash when no BaseURL is given.
func New(cfg Config) (*Client, error) {
	raw := cfg.BaseURL
	if raw == "" {
		if cfg.StoreHash == "" {
			return nil, errors.New("bigcommerce: store hash or base URL required")
		}
		raw = fmt.Sprintf(DefaultBaseURL, url.PathEscape(cfg.StoreHash))
	}
	raw = strings.ReplaceAll(raw, "{store_hash}", url.PathEscape(cfg.StoreHash))
	if !strings.HasSuffix(raw, "/") {
		raw += "/"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("bigcommerce: base URL: %w", err)
	}
	c := &Client{
		base: u, token: cfg.Token, hc: cfg.HTTPClient, ua: cfg.UserAgent,
		maxRetries: cfg.MaxRetries, backBase: cfg.BackoffBase, backMax: cfg.BackoffMax, log: cfg.Logger,
	}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: 60 * time.Second}
	}
	if c.ua == "" {
		c.ua = "bcqb (BigCommerce-QuickBooks sync)"
	}
	if c.maxRetries <= 0 {
		c.maxRetries = 5
	}
	if c.backBase <= 0 {
		c.backBase = time.Second
	}
	if c.backMax <= 0 {
		c.backMax = time.Minute
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	switch {
	case cfg.HeadroomPercent == 0:
		c.pace.headroomPct = 20
	case cfg.HeadroomPercent < 0:
		c.pace.headroomPct = 0
	default:
		c.pace.headroomPct = min(cfg.HeadroomPercent, 90)
	}
	return c, nil
}

// Stats counts what the client did, for logs and benchmarks.
type Stats struct {
	Requests    int64         // HTTP requests sent, retries included
	RateLimited int64         // 429 responses received
	Retries     int64         // requests repeated after a 429, 5xx or network error
	Paced       time.Duration // time spent waiting for the quota to refill
}

// Stats returns the counters since the client was built.
func (c *Client) Stats() Stats {
	return Stats{
		Requests: c.requests.Load(), RateLimited: c.rateLimited.Load(),
		Retries: c.retries.Load(), Paced: time.Duration(c.pacedNanos.Load()),
	}
}

// Sentinel errors; test with errors.Is. *APIError matches the one for its status.
var (
	ErrUnauthorized = errors.New("bigcommerce: unauthorized (401): check the access token")
	ErrForbidden    = errors.New("bigcommerce: forbidden (403): missing OAuth scope or plan limit")
	ErrNotFound     = errors.New("bigcommerce: not found (404)")
	ErrRateLimited  = errors.New("bigcommerce: rate limited (429)")
	ErrServer       = errors.New("bigcommerce: server error (5xx)")
	ErrTruncated    = errors.New("bigcommerce: response body cut off")
)

// APIError is a non-2xx answer from BigCommerce.
type APIError struct {
	Method     string
	URL        string
	StatusCode int
	Message    string // the title/message BigCommerce gave, if any
	Body       []byte // at most 4 KiB of the body
}

// Error names the call and BigCommerce's own message, never the token.
func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	return fmt.Sprintf("bigcommerce: %s %s: %d %s", e.Method, e.URL, e.StatusCode, msg)
}

// Is lets errors.Is(err, ErrNotFound) and friends work on an *APIError.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrServer:
		return e.StatusCode >= 500
	}
	return false
}

// apiMessage pulls a human message out of a v2 ([{"status","message"}]) or
// v3 ({"status","title"}) error body.
func apiMessage(body []byte) string {
	var v3 struct {
		Title   string `json:"title"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &v3) == nil && (v3.Title != "" || v3.Message != "") {
		if v3.Title != "" {
			return v3.Title
		}
		return v3.Message
	}
	var v2 []struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &v2) == nil && len(v2) > 0 {
		return v2[0].Message
	}
	return ""
}

// response is a successful answer: status and full body.
type response struct {
	status int
	body   []byte
	header http.Header
}

// do sends one logical request, pacing before it and retrying as the policy
// says. path is relative to the base ("v2/orders"). body, when not nil, is
// marshalled as JSON.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, body any) (*response, error) {
	ref := &url.URL{Path: path}
	if len(q) > 0 {
		ref.RawQuery = q.Encode()
	}
	u := c.base.ResolveReference(ref).String()
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("bigcommerce: encode %s %s: %w", method, path, err)
		}
	}
	failures, limited := 0, 0
	for {
		if err := c.pace.wait(ctx, &c.pacedNanos); err != nil {
			return nil, err
		}
		resp, err := c.once(ctx, method, u, payload)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("bigcommerce: %s %s: %w", method, u, ctx.Err())
		}
		var apiErr *APIError
		var delay time.Duration
		switch {
		case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests:
			c.rateLimited.Add(1)
			limited++
			if limited > c.maxRetries*4 {
				return nil, err
			}
			delay = c.pace.retryAfter(limited, c.backoff(limited))
		case errors.As(err, &apiErr) && apiErr.StatusCode < 500:
			return nil, err // a 4xx will not get better by asking again
		case method == http.MethodPost:
			// Not idempotent: the request may have been carried out, so only
			// a 429 (refused before any work) is safe to repeat.
			return nil, err
		default: // 5xx, network error, cut-off body
			failures++
			if failures > c.maxRetries {
				return nil, err
			}
			delay = c.backoff(failures)
		}
		c.retries.Add(1)
		c.log.WarnContext(ctx, "bigcommerce: retrying", "method", method, "url", u, "err", err, "delay", delay)
		if err := sleep(ctx, delay); err != nil {
			return nil, fmt.Errorf("bigcommerce: %s %s: %w", method, u, err)
		}
	}
}

// backoff is exponential backoff with jitter: uniform in [d/2, d] with d
// doubling per attempt, so retries from many clients do not line up.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.backBase
	for i := 1; i < attempt && d < c.backMax; i++ {
		d *= 2
	}
	d = min(d, c.backMax)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// once sends one HTTP request and reads the whole body.
func (c *Client) once(ctx context.Context, method, u string, payload []byte) (*response, error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("bigcommerce: %s %s: %w", method, u, err)
	}
	req.Header.Set("X-Auth-Token", c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.ua)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.requests.Add(1)
	resp, err := c.hc.Do(req)
	if err != nil {
		c.pace.settle(nil, 0)
		return nil, fmt.Errorf("bigcommerce: %s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	c.pace.settle(resp.Header, resp.StatusCode)
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: %s %s: read %d of %d bytes: %w", ErrTruncated, method, u, len(data), resp.ContentLength, err)
		}
		return nil, fmt.Errorf("bigcommerce: %s %s: reading body: %w", method, u, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 && len(bytes.TrimSpace(data)) > 0 && !json.Valid(data) {
		// The body ended without a transport error but the JSON is incomplete
		// (a proxy cut it, or the server died mid-write). Retryable; reported
		// as ErrTruncated if it persists, and nothing half-decoded escapes.
		return nil, fmt.Errorf("%w: %s %s: %d bytes of invalid JSON", ErrTruncated, method, u, len(data))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &APIError{
			Method: method, URL: u, StatusCode: resp.StatusCode,
			Message: apiMessage(data), Body: data[:min(len(data), 4096)],
		}
	}
	return &response{status: resp.StatusCode, body: data, header: resp.Header}, nil
}

// getJSON GETs path and decodes it into out. It reports false, without
// touching out, when BigCommerce answers 204 No Content (v2's empty page).
func (c *Client) getJSON(ctx context.Context, path string, q url.Values, out any) (bool, error) {
	resp, err := c.do(ctx, http.MethodGet, path, q, nil)
	if err != nil {
		return false, err
	}
	if resp.status == http.StatusNoContent || len(bytes.TrimSpace(resp.body)) == 0 {
		return false, nil
	}
	if err := json.Unmarshal(resp.body, out); err != nil {
		return false, fmt.Errorf("bigcommerce: GET %s: decoding: %w", path, err)
	}
	return true, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// pacer keeps the client inside the store's quota. BigCommerce's quota is a
// window (30 s) with a request budget; each response says how many requests
// are left and when the window resets. The pacer spends the budget down to a
// reserve (the headroom left to the store's other apps) and then waits for the
// reset, so a normal pull never draws a 429.
type pacer struct {
	headroomPct int

	mu      sync.Mutex
	known   bool
	quota   int
	left    int
	window  time.Duration
	resetAt time.Time
	// limited marks that the last response was a 429 carrying a reset time.
	limited bool
	// inflight counts requests sent and not yet answered.
	inflight int
}

// reserve is how many requests of the quota we leave for others.
func (p *pacer) reserve() int {
	r := (p.quota*p.headroomPct + 99) / 100 // rounded up
	if r >= p.quota {
		r = p.quota - 1
	}
	return max(r, 0)
}

// wait blocks until a request may be sent, then books it.
func (p *pacer) wait(ctx context.Context, waited *atomic.Int64) error {
	for {
		p.mu.Lock()
		now := time.Now()
		if !p.known {
			p.inflight++
			p.mu.Unlock()
			return nil
		}
		if !now.Before(p.resetAt) {
			// The window has rolled over: assume a full budget until a response
			// says otherwise.
			// BigCommerce starts the new window at the first request it
			// receives, a little after ours leaves: guess the reset a little
			// late, until an answer gives the exact time.
			p.left = p.quota
			p.resetAt = now.Add(p.window + p.window/20)
			p.limited = false
		}
		if p.left > p.reserve() {
			p.left--
			p.inflight++
			p.mu.Unlock()
			return nil
		}
		d := p.resetAt.Sub(now)
		p.mu.Unlock()
		start := time.Now()
		if err := sleep(ctx, d); err != nil {
			return fmt.Errorf("bigcommerce: waiting for the rate-limit window: %w", err)
		}
		waited.Add(int64(time.Since(start)))
	}
}

// settle ends a request booked by wait and reads the X-Rate-Limit-* headers
// of its response (h is nil when no response came).
func (p *pacer) settle(h http.Header, status int) {
	quota, errQ := strconv.Atoi(h.Get("X-Rate-Limit-Requests-Quota"))
	left, errL := strconv.Atoi(h.Get("X-Rate-Limit-Requests-Left"))
	reset, errR := strconv.ParseInt(h.Get("X-Rate-Limit-Time-Reset-Ms"), 10, 64)
	window, errW := strconv.ParseInt(h.Get("X-Rate-Limit-Time-Window-Ms"), 10, 64)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight--
	p.limited = false
	if errQ != nil || errL != nil || errR != nil || quota <= 0 {
		return
	}
	if errW == nil && window > 0 {
		p.window = time.Duration(window) * time.Millisecond
	} else if p.window == 0 {
		p.window = 30 * time.Second
	}
	// Round up by a millisecond: the server computed the reset a moment
	// before we read it, so this errs on the late side.
	now := time.Now()
	resetAt := now.Add(time.Duration(reset+1) * time.Millisecond)
	// Requests still in flight may not be counted in this answer yet:
	// assume they are not.
	left = max(left-p.inflight, 0)
	switch {
	case !p.known || !now.Before(p.resetAt):
		// Nothing known about the current window: take the answer as is.
		p.left = left
	case resetAt.Before(p.resetAt.Add(-p.window / 2)):
		// An answer to a request sent in the previous window, arriving after
		// we moved on: it says nothing about this one.
		return
	case resetAt.Sub(p.resetAt).Abs() < p.window/2:
		// The same window. With requests in flight on several goroutines an
		// answer can be older than our own count: never let it raise the budget.
		p.left = min(p.left, left)
	default:
		p.left = left
	}
	p.known = true
	p.quota = quota
	p.resetAt = resetAt
	if status == http.StatusTooManyRequests {
		p.left = 0
		p.limited = true
	}
}

// retryAfter is the wait after a 429: until the reset BigCommerce announced,
// or, for a 429 without headers (the platform is overloaded), the backoff.
func (p *pacer) retryAfter(attempt int, backoff time.Duration) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.limited {
		d := time.Until(p.resetAt)
		if attempt > 2 {
			// Repeated 429s mean someone else is also spending the quota: add
			// growing backoff on top of the reset.
			d += backoff
		}
		return max(d, 0)
	}
	return backoff
}
