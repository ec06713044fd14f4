package app

import (
	"bytes"
	"context"
	"fmt"

	"github.com/bcqb/bcqb/qbsim"
	"github.com/bcqb/bcqb/qwc"
	"github.com/bcqb/bcqb/store"
)

// buildQWC writes a Web Connector user's .qwc file as /qwc serves it (the
// same qwc.BuildFile) and reads it back with the simulated Web Connector's
// checks: the demo and the tests get it without the page's login, which
// /qwc sits behind because the file names the user and the company's FileID.
func buildQWC(ctx context.Context, db *store.DB, baseURL, user string, runEvery int) (qbsim.QWC, error) {
	f, err := qwc.BuildFile(ctx, db, store.NewGUID, qwc.FileOptions{BaseURL: baseURL, UserName: user, RunEveryNMinutes: runEvery})
	if err != nil {
		return qbsim.QWC{}, fmt.Errorf("the .qwc file of %q: %w", user, err)
	}
	b, err := f.Marshal()
	if err != nil {
		return qbsim.QWC{}, fmt.Errorf("the .qwc file of %q: %w", user, err)
	}
	return qbsim.ParseQWC(bytes.NewReader(b))
}
