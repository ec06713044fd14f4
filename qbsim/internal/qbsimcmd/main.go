// Command qbsimcmd runs the simulator's commands before they are wired into
// bcqb's main: go run ./qbsim/internal/qbsimcmd webconnector --qwc FILE ...,
// or qb show|do --company FILE.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/bcqb/bcqb/qbsim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, "usage:\n"+qbsim.CommandUsage)
		os.Exit(2)
	}
	if err := qbsim.Command(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
