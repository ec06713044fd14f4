package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/bcqb/bcqb/bigcommerce/bcfake"
)

// fakestoreUsage is the line for the command list.
const fakestoreUsage = "  bcqb fakestore    run an offline BigCommerce store (bcqb fakestore --seed N --orders N --addr :8081)\n"

// runFakestore is `bcqb fakestore`: an offline BigCommerce store for the demo
// and for trying bcqb without a real store. It runs until ctx ends.
func runFakestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fakestore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		opts      bcfake.Options
		addr      string
		growEvery time.Duration
	)
	fs.Int64Var(&opts.Seed, "seed", 1, "picks the store: the same seed gives the same catalog, customers and orders")
	fs.IntVar(&opts.Orders, "orders", 100, "orders placed over the year before the epoch")
	fs.StringVar(&addr, "addr", "127.0.0.1:8081", "address to listen on")
	fs.DurationVar(&growEvery, "grow-every", 0, "take a new order (and move an older one along) this often; 0: never")
	fs.StringVar(&opts.StoreHash, "store-hash", "fakestore", "store hash reported by the store")
	fs.StringVar(&opts.Token, "token", "", "access token to require in X-Auth-Token (default: any)")
	fs.IntVar(&opts.Quota, "quota", 150, "requests per rate-limit window (the Standard plan's 150)")
	fs.DurationVar(&opts.Window, "window", 30*time.Second, "rate-limit window; shorter runs the same quota faster")
	fs.BoolVar(&opts.WebhookDuplicates, "webhook-duplicates", false, "deliver every webhook callback twice, as BigCommerce sometimes does")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if opts.Orders < 0 || opts.Quota <= 0 || opts.Window <= 0 || growEvery < 0 {
		return errors.New("fakestore: --orders must not be negative, --quota and --window must be positive, --grow-every must not be negative")
	}
	opts.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	tok := opts.Token
	if tok == "" {
		tok = "any"
	}
	fmt.Fprintf(stdout, "Offline BigCommerce store %q (seed %d, %d orders) on %s. Point bcqb at it with:\n"+
		"  BCQB_BIGCOMMERCE_API_URL=http://%s/stores/{store_hash}/ BCQB_BIGCOMMERCE_STORE_HASH=%s BCQB_BIGCOMMERCE_TOKEN=%s\n",
		opts.StoreHash, opts.Seed, opts.Orders, addr, hostPort(addr), opts.StoreHash, tok)
	return bcfake.Run(ctx, addr, opts, growEvery)
}

// hostPort turns a listen address (":8081") into one a client can dial.
func hostPort(addr string) string {
	if len(addr) > 0 && addr[0] == ':' {
		return "localhost" + addr
	}
	return addr
}
