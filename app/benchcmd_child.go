package app

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// benchChild is how the bench starts bcqb: the running binary itself, as
// `bcqb serve`, exactly as a user runs it. It returns the program, its
// arguments and the environment variables to add. The tests replace it:
// there the running binary is the test binary, which runs as bcqb when
// BCQB_TEST_RUN_AS_BCQB=1 (see TestMain in crash_test.go).
var benchChild = func() (path string, args, env []string, err error) {
	exe, err := os.Executable()
	if err != nil {
		return "", nil, nil, fmt.Errorf("find bcqb's own executable: %w", err)
	}
	return exe, []string{"serve"}, nil, nil
}

// bcqbChild is bcqb running as the bench's child process.
type bcqbChild struct {
	cmd      *exec.Cmd
	baseURL  string
	user     string
	password string
	// vars are the BCQB_* variables it runs with.
	vars    map[string]string
	out     *tailBuffer // the end of its stdout and stderr, for errors
	done    chan struct{}
	waitErr error // set when done is closed
	// peakRSS, once bcqb was waited for, is its peak RSS in bytes (0 when
	// the system does not say).
	peakRSS func(*os.ProcessState) int64
}

// childConfig is what startBCQBChild passes to bcqb in BCQB_* variables.
type childConfig struct {
	Data, LogLevel   string
	APIURL           string // the offline store, http://127.0.0.1:PORT/stores/{store_hash}/
	StoreHash, Token string
	BackfillFrom     string
	Log              io.Writer // bcqb's stderr (its log), besides the tail kept for errors
	HealthTimeout    time.Duration
	ShutdownTimeout  time.Duration // BCQB_SHUTDOWN_TIMEOUT
}

// startBCQBChild starts `bcqb serve` on a free loopback port with a fresh
// Web Connector user, and returns once it answers /healthz.
func startBCQBChild(ctx context.Context, cc childConfig) (_ *bcqbChild, err error) {
	path, args, extra, err := benchChild()
	if err != nil {
		return nil, err
	}
	port, err := freeLoopbackPort()
	if err != nil {
		return nil, err
	}
	c := &bcqbChild{baseURL: fmt.Sprintf("http://localhost:%d", port), user: "qb", password: randomHex(12),
		out: &tailBuffer{max: 64 << 10}, done: make(chan struct{})}
	vars := map[string]string{
		"BCQB_DATA":                      cc.Data,
		"BCQB_ADDR":                      fmt.Sprintf("127.0.0.1:%d", port),
		"BCQB_BASE_URL":                  c.baseURL,
		"BCQB_QBWC_USER":                 c.user,
		"BCQB_QBWC_PASSWORD":             c.password,
		"BCQB_BIGCOMMERCE_API_URL":       cc.APIURL,
		"BCQB_BIGCOMMERCE_STORE_HASH":    cc.StoreHash,
		"BCQB_BIGCOMMERCE_TOKEN":         cc.Token,
		"BCQB_BIGCOMMERCE_BACKFILL_FROM": cc.BackfillFrom,
		"BCQB_LOG_LEVEL":                 first(cc.LogLevel, "warn"),
		"BCQB_SHUTDOWN_TIMEOUT":          cc.ShutdownTimeout.String(),
	}
	// bcqb gets the bench's environment without any BCQB_* variable of the
	// user's (a BCQB_SETUP or BCQB_PULL_EVERY would change what is measured).
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BCQB_") {
			env = append(env, kv)
		}
	}
	env = append(env, extra...)
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	c.vars = vars
	c.cmd = exec.Command(path, args...)
	c.cmd.Env = env
	c.cmd.Stdout = c.out // the "next steps" text serve prints
	c.cmd.Stderr = c.out
	if cc.Log != nil {
		c.cmd.Stderr = io.MultiWriter(cc.Log, c.out)
	}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start bcqb (%s serve): %w", path, err)
	}
	c.peakRSS = watchPeakRSS(c.cmd.Process.Pid)
	go func() {
		c.waitErr = c.cmd.Wait()
		close(c.done)
	}()
	defer func() {
		if err != nil {
			_, _ = c.stop(cc.ShutdownTimeout)
		}
	}()
	if err := c.waitHealthy(ctx, cc.HealthTimeout); err != nil {
		return nil, err
	}
	return c, nil
}

// freeLoopbackPort picks a port nothing listens on (it may be taken again
// before bcqb listens; then bcqb says so and the bench fails in words).
func freeLoopbackPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port for bcqb: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitHealthy polls /healthz until bcqb answers 200, it exits, or timeout.
func (c *bcqbChild) waitHealthy(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.baseURL+"/healthz", nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if err := c.alive(ctx, 50*time.Millisecond); err != nil {
			return fmt.Errorf("waiting for bcqb's /healthz at %s: %w", c.baseURL, err)
		}
	}
}

// alive waits d and reports an error when bcqb exited or ctx ended meanwhile.
func (c *bcqbChild) alive(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-c.done:
		return fmt.Errorf("bcqb exited (%v); its last output:\n%s", c.waitErr, c.out.String())
	case <-ctx.Done():
		return fmt.Errorf("%w; bcqb's last output:\n%s", ctx.Err(), c.out.String())
	case <-t.C:
		return nil
	}
}

// stop asks bcqb to stop (SIGTERM, its graceful stop; where signals do not
// exist, as on Windows, it is killed), waits up to grace plus a margin, then
// kills it. It returns bcqb's final state, and an error when bcqb had to be
// killed or exited with an error.
func (c *bcqbChild) stop(grace time.Duration) (ps *os.ProcessState, err error) {
	select {
	case <-c.done:
	default:
		if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			_ = c.cmd.Process.Kill()
		}
		t := time.NewTimer(grace + 5*time.Second)
		defer t.Stop()
		select {
		case <-c.done:
		case <-t.C:
			_ = c.cmd.Process.Kill()
			<-c.done
			return c.cmd.ProcessState, fmt.Errorf("bcqb did not stop within %s of SIGTERM and was killed; its last output:\n%s", grace, c.out.String())
		}
	}
	if c.waitErr != nil {
		return c.cmd.ProcessState, fmt.Errorf("bcqb's stop: %v; its last output:\n%s", c.waitErr, c.out.String())
	}
	return c.cmd.ProcessState, nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

// waitTransport times the Web Connector's SOAP calls from its side: from
// sending the request to the end of bcqb's answer. That is the time a
// session waits on bcqb (its handler, plus loopback and the client reading).
type waitTransport struct {
	base  http.RoundTripper
	mu    sync.Mutex
	wait  time.Duration
	calls int
}

func (t *waitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		t.add(time.Since(start))
		return nil, err
	}
	resp.Body = &timedBody{ReadCloser: resp.Body, start: start, t: t}
	return resp, nil
}

func (t *waitTransport) add(d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.wait += d
	t.calls++
}

func (t *waitTransport) read() (time.Duration, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.wait, t.calls
}

// timedBody charges the call's time when its body ends (EOF) or is closed.
type timedBody struct {
	io.ReadCloser
	start time.Time
	t     *waitTransport
	once  sync.Once
}

func (b *timedBody) done() { b.once.Do(func() { b.t.add(time.Since(b.start)) }) }

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.done()
	}
	return n, err
}

func (b *timedBody) Close() error {
	b.done()
	return b.ReadCloser.Close()
}
