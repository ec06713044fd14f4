package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/bcqb/bcqb/config"
	"github.com/bcqb/bcqb/jobs"
	"github.com/bcqb/bcqb/qwc"
	"github.com/bcqb/bcqb/soap"
	"github.com/bcqb/bcqb/store"
	"github.com/bcqb/bcqb/templates"
	"github.com/bcqb/bcqb/tlsca"
	"github.com/bcqb/bcqb/web"
)

// SyncHistoryKept is how long the qbXML messages and finished jobs are kept
// (for the page's log); the ledger and postings are kept for good.
const SyncHistoryKept = 30 * 24 * time.Hour

// Server is a running bcqb: the listener, the scheduler and the background
// loops. Close stops them all.
type Server struct {
	cfg      *config.Config
	log      *slog.Logger
	db       *store.DB
	http     *http.Server
	listener net.Listener
	cron     *cron.Cron
	ca       *tlsca.Authority
	source   *jobs.Source
	planner  *jobs.Planner
	pull     *pullService
	alerts   *alerter

	stop     context.CancelFunc
	wg       sync.WaitGroup
	serveErr chan error
}

// NewServer opens the store, applies the start-up settings and prepares the
// HTTP server. It does not listen yet.
func NewServer(ctx context.Context, cfg *config.Config, log *slog.Logger) (*Server, error) {
	if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	db, err := store.Open(ctx, cfg.DBPath())
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, db: db, serveErr: make(chan error, 1)}
	if err := s.setup(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) setup(ctx context.Context) error {
	cfg := s.cfg
	if cfg.QBWCUser != "" {
		if _, err := s.db.PutUser(ctx, cfg.QBWCUser, cfg.QBWCPassword); err != nil {
			return fmt.Errorf("the Web Connector user: %w", err)
		}
		s.log.InfoContext(ctx, "Web Connector user ready", "user", cfg.QBWCUser)
	}
	if cfg.AdminPassword != "" {
		if changed, err := s.db.PutAdminPassword(ctx, cfg.AdminPassword); err != nil {
			return fmt.Errorf("BCQB_ADMIN_PASSWORD: %w", err)
		} else if changed {
			s.log.InfoContext(ctx, "the page's password was set from BCQB_ADMIN_PASSWORD; page sessions ended")
		}
	}
	if cfg.Setup != nil {
		for _, c := range cfg.Setup.Companies {
			if _, err := s.db.PutUser(ctx, c.QBWCUser, c.QBWCPassword); err != nil {
				return fmt.Errorf("BCQB_SETUP: the Web Connector user %q: %w", c.QBWCUser, err)
			}
			s.log.InfoContext(ctx, "Web Connector user ready", "user", c.QBWCUser, "stores", len(c.Stores))
		}
	}
	ownerID := func(ctx context.Context) (string, error) {
		return s.db.SettingOrCreate(ctx, qwc.SettingOwnerID, store.NewGUID)
	}
	if _, err := ownerID(ctx); err != nil {
		return err
	}
	s.source = jobs.NewSource(s.db, s.log, jobs.CompanyInfo{OwnerID: ownerID}, jobs.Lists{}, jobs.Add{}, jobs.Void{})
	s.planner = jobs.NewPlanner(s.db, s.log)
	s.source.AddWaiter(s.planner)
	if _, err := jobs.EnqueueCompanyInfo(ctx, s.db); err != nil {
		return err
	}
	// A finished pull wakes the planner, so its documents become jobs at once.
	hold := func(companyID int64) func() {
		release := s.source.Hold(companyID)
		return func() {
			release()
			s.planner.Wake()
		}
	}
	pullSvc, err := newPullService(ctx, cfg, s.db, hold, s.log)
	if err != nil {
		return err
	}
	s.pull = pullSvc
	s.source.AddWaiter(pullSvc)

	s.alerts = newAlerter(s.db, s.pull.sealer, s.log, cfg.BaseURL, cfg.RunEveryMinutes)

	tmpl, err := templates.Parse()
	if err != nil {
		return err
	}
	svc := qwc.NewService(qwc.DefaultConfig(Version, cfg.BaseURL+"/"), s.db, s.source, s.log)
	svc.SetInteractive(&interactive{db: s.db, planner: s.planner, log: s.log, baseURL: cfg.BaseURL})
	var tlsConfig *tls.Config
	var caHandler http.Handler
	switch {
	case cfg.TLSCert != "":
		pair, err := tlsca.Load(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return err
		}
		// A certificate that does not name the base URL's host fails in the Web Connector
		// with an unclear trust error; say it here instead.
		if err := pair.Check([]string{cfg.Host()}, time.Now()); err != nil {
			return fmt.Errorf("BCQB_TLS_CERT: %w", err)
		}
		tlsConfig = pair.TLSConfig()
	case cfg.TLS():
		s.ca, err = tlsca.Ensure(ctx, filepath.Join(cfg.Data, "tls"), []string{cfg.Host()}, time.Now())
		if err != nil {
			return err
		}
		tlsConfig = s.ca.TLSConfig()
		caHandler = s.ca.CAHandler()
	}
	connect, err := s.connectDeps()
	if err != nil {
		return err
	}
	handler := web.NewHandler(web.Deps{
		SOAP:  soap.NewHandler(svc, cfg.BaseURL+"/qbwc", 0, s.log),
		Store: s.db,
		QWC: func(ctx context.Context, user string) (qwc.File, error) {
			return qwc.BuildFile(ctx, s.db, store.NewGUID, qwc.FileOptions{BaseURL: cfg.BaseURL, UserName: user,
				RunEveryNMinutes: cfg.RunEveryMinutes})
		},
		API:       web.APIDeps{Replan: s.planner.Replan},
		CA:        caHandler,
		Webhooks:  s.pull.webhooks(),
		Templates: tmpl,
		Version:   Version,
		BaseURL:   cfg.BaseURL,
		Log:       s.log,
		Connect:   connect,
		Care:      s.careDeps(),
		Mapping:   web.MappingDeps{Replan: s.planner.Replan, PullEvery: cfg.PullEvery},
		Activity:  web.ActivityDeps{Replan: s.planner.Replan, Wake: s.planner.Wake},
	})
	s.http = &http.Server{
		Handler:           handler,
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: 10 * time.Second,
		// QuickBooks' answers for a large query arrive as one big body over a slow LAN.
		ReadTimeout:  5 * time.Minute,
		WriteTimeout: 5 * time.Minute,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	return nil
}

// Start listens on the configured address (or on l, when given) and starts
// the scheduler and the background loops.
func (s *Server) Start(ctx context.Context, l net.Listener) error {
	if l == nil {
		var err error
		if l, err = net.Listen("tcp", s.cfg.Addr); err != nil {
			return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
		}
	}
	s.listener = l
	if s.http.TLSConfig != nil {
		l = tls.NewListener(l, s.http.TLSConfig)
	}
	loopCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stop = stop

	s.cron = cron.New(cron.WithLocation(time.UTC), cron.WithLogger(cronLogger{s.log}))
	// Cron jobs only enqueue; sessions do the work.
	s.cron.AddFunc("@every 1h", func() {
		if n, err := jobs.EnqueueCompanyInfo(loopCtx, s.db); err != nil {
			s.log.ErrorContext(loopCtx, "queue company-info refresh", "err", err)
		} else if n > 0 {
			s.log.InfoContext(loopCtx, "queued company-info refresh", "companies", n)
		}
		if m, j, err := s.db.PruneSync(loopCtx, s.db.Now().Add(-SyncHistoryKept)); err != nil {
			s.log.ErrorContext(loopCtx, "prune sync history", "err", err)
		} else if m+j > 0 {
			s.log.InfoContext(loopCtx, "pruned sync history", "messages", m, "jobs", j)
		}
	})
	if s.ca != nil {
		s.cron.AddFunc("@daily", func() {
			if renewed, err := s.ca.Renew(loopCtx, time.Now()); err != nil {
				s.log.ErrorContext(loopCtx, "renew certificate", "err", err)
			} else if renewed {
				s.log.InfoContext(loopCtx, "renewed certificate")
			}
		})
	}
	if err := s.pull.start(loopCtx, s.cron); err != nil {
		stop()
		return err
	}
	if err := s.startInventory(loopCtx); err != nil {
		stop()
		return err
	}
	s.planner.Start(loopCtx)
	s.alerts.Start(loopCtx)
	s.cron.Start()

	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		s.expireLoop(loopCtx)
	}()
	go func() {
		defer s.wg.Done()
		err := s.http.Serve(l)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.serveErr <- err
	}()
	return nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.listener.Addr() }

// DB is the server's store.
func (s *Server) DB() *store.DB { return s.db }

// Planner is the server's planner.
func (s *Server) Planner() *jobs.Planner { return s.planner }

// Source is the server's job source.
func (s *Server) Source() *jobs.Source { return s.source }

// Wait blocks until the HTTP server stops by itself (an error) or ctx ends.
func (s *Server) Wait(ctx context.Context) error {
	select {
	case err := <-s.serveErr:
		s.serveErr <- err
		return err
	case <-ctx.Done():
		return nil
	}
}

// expireLoop closes sessions whose tickets expired, so their unanswered jobs
// become unknown and are recovered by the next session.
func (s *Server) expireLoop(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.db.ExpireSessions(ctx); err != nil && ctx.Err() == nil {
				s.log.ErrorContext(ctx, "expire sessions", "err", err)
			} else if n > 0 {
				s.log.InfoContext(ctx, "expired Web Connector sessions", "count", n)
			}
		}
	}
}

// Close stops accepting requests, lets those in flight finish (within ctx),
// stops the scheduler and the loops, and closes the store.
func (s *Server) Close(ctx context.Context) error {
	var errs []error
	if s.http != nil && s.listener != nil {
		if err := s.http.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		}
	}
	if s.cron != nil {
		select {
		case <-s.cron.Stop().Done():
		case <-ctx.Done():
			errs = append(errs, errors.New("scheduler did not stop in time"))
		}
	}
	if s.stop != nil {
		s.stop()
	}
	if s.pull != nil {
		errs = append(errs, s.pull.close(ctx))
	}
	if s.planner != nil {
		errs = append(errs, s.planner.Close(ctx))
	}
	if s.alerts != nil {
		errs = append(errs, s.alerts.Close(ctx))
	}
	s.wg.Wait()
	errs = append(errs, s.db.Close())
	return errors.Join(errs...)
}

type cronLogger struct{ log *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.log.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.log.Error("cron: "+msg, append(kv, "err", err)...)
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig("serve", args, getenv, stdout, nil)
	if err != nil {
		return err
	}
	// bcqb's live heap is a few MB; by default Go lets the heap grow to twice
	// that between collections, which is most of its memory on a small box.
	// A soft limit collects sooner only when memory grows (GOMEMLIMIT wins).
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(32 << 20)
	}
	log := newLogger(cfg, stderr)
	srv, err := NewServer(ctx, cfg, log)
	if err != nil {
		return err
	}
	if err := srv.Start(ctx, nil); err != nil {
		srv.Close(context.Background())
		return err
	}
	log.InfoContext(ctx, "bcqb listening", "addr", srv.Addr().String(), "url", cfg.BaseURL, "version", Version)
	if host, _, _ := net.SplitHostPort(cfg.Addr); !cfg.TLS() && !isLoopback(host) {
		log.WarnContext(ctx, "plain http is listening beyond this machine: Web Connector passwords would cross the network in clear; "+
			"for QuickBooks on another PC set BCQB_BASE_URL=https://<this machine's name>:<port>", "addr", cfg.Addr)
	}
	printNextSteps(ctx, stdout, cfg, srv)
	err = srv.Wait(ctx)
	shutdown, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	return errors.Join(err, srv.Close(shutdown))
}

// printNextSteps tells a newcomer what to do next.
func printNextSteps(ctx context.Context, w io.Writer, cfg *config.Config, srv *Server) {
	fmt.Fprintf(w, "bcqb %s is running at %s (data in %s)\n", Version, cfg.BaseURL, cfg.Data)
	users, err := srv.db.Users(ctx)
	if err != nil {
		return
	}
	fmt.Fprintf(w, "Next (all of it can be done on the page, %s/connect):\n", cfg.BaseURL)
	if len(users) == 0 {
		fmt.Fprintf(w, "  1. Create a Web Connector user on %s/connect (or restart with BCQB_QBWC_USER=qb and BCQB_QBWC_PASSWORD=<a password> set).\n", cfg.BaseURL)
	} else {
		fmt.Fprintf(w, "  1. Web Connector user %q is ready.\n", users[0].Username)
	}
	if cfg.BaseURL == "" || !cfg.TLS() {
		fmt.Fprintln(w, "  2. bcqb serves plain http on localhost. If QuickBooks runs on another PC, set BCQB_BASE_URL=https://<this machine's name>:8080.")
	} else if srv.ca != nil {
		fmt.Fprintf(w, "  2. On the QuickBooks PC, trust bcqb's certificate: download %s/ca.crt (thumbprint %s) and import it into Trusted Root Certification Authorities.\n",
			cfg.BaseURL, srv.ca.CAThumbprint())
	}
	fmt.Fprintf(w, "  3. On the QuickBooks PC, log in to %s/connect, download the user's .qwc file and open it in the QuickBooks Web Connector.\n", cfg.BaseURL)
}

// loopbackTLS trusts bcqb's own CA (or the system roots) and checks the
// certificate against the base URL's host, though it dials 127.0.0.1.
func loopbackTLS(cfg *config.Config) (*tls.Config, error) {
	tc := &tls.Config{ServerName: cfg.Host(), MinVersion: tls.VersionTLS12}
	// The certificate file bcqb serves is trusted as it is: it may come from a
	// private CA the container does not know.
	trusted := cfg.TLSCert
	if trusted == "" {
		trusted = filepath.Join(cfg.Data, "tls", tlsca.CACertFile)
	}
	pem, err := os.ReadFile(trusted)
	if err != nil {
		return nil, fmt.Errorf("healthcheck: %w", err)
	}
	tc.RootCAs = x509.NewCertPool()
	if !tc.RootCAs.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("healthcheck: %s holds no PEM certificate", trusted)
	}
	return tc, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
