package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/bcqb/bcqb/web"
)

// connectDeps is what the page's connect section needs from the running
// bcqb: the pull's sealer and queue, BigCommerce's API address, and what
// the Web Connector's PC is told to trust, for the self-check.
func (s *Server) connectDeps() (web.ConnectDeps, error) {
	cfg := s.cfg
	d := web.ConnectDeps{
		BigCommerceAPIURL: cfg.BigCommerceAPIURL,
		Sealer:            s.pull.sealer,
		QueuePull:         s.pull.queueStore,
	}
	if cfg.BigCommerceStoreHash != "" {
		d.ConfiguredStores = append(d.ConfiguredStores, cfg.BigCommerceStoreHash)
	}
	if cfg.QBWCUser != "" {
		d.ConfiguredUsers = append(d.ConfiguredUsers, cfg.QBWCUser)
	}
	if cfg.Setup != nil {
		for _, c := range cfg.Setup.Companies {
			d.ConfiguredUsers = append(d.ConfiguredUsers, c.QBWCUser)
			for _, st := range c.Stores {
				d.ConfiguredStores = append(d.ConfiguredStores, st.StoreHash)
			}
		}
	}
	// The self-check fetches bcqb's own address the way the Web Connector
	// does: trusting the system's roots and the root the Windows PC is told
	// to import (bcqb's own CA, or the certificate bcqb was given).
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	switch {
	case s.ca != nil:
		roots.AddCert(s.ca.CACert())
		d.CAThumbprint, d.CAName = s.ca.CAThumbprint(), s.ca.CACert().Subject.CommonName
	case cfg.TLSCert != "":
		pem, err := os.ReadFile(cfg.TLSCert)
		if err != nil {
			return d, fmt.Errorf("BCQB_TLS_CERT: %w", err)
		}
		roots.AppendCertsFromPEM(pem)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	d.SelfCheckHTTP = &http.Client{Transport: tr, Timeout: 10 * time.Second}
	return d, nil
}

// queueStore queues a pull of one store at once (the page connected it).
func (p *pullService) queueStore(ctx context.Context, storeID int64) error {
	if p == nil || p.puller == nil {
		return errNoPull
	}
	_, err := p.puller.EnqueueStore(ctx, storeID)
	return err
}
