// Command qbdo is a development aid: it answers a qbXML request file with a
// fresh sample company (like `bcqb qb do`) without the main binary.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/bcqb/bcqb/qbsim"
)

func main() {
	c := qbsim.NewSampleCompany(qbsim.CompanyOptions{})
	if len(os.Args) > 1 {
		var err error
		if c, err = qbsim.OpenOrCreateCompany(os.Args[1], qbsim.CompanyOptions{}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err := qbsim.Do(context.Background(), c, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
