// Package sharedref locates the reference material (OpenAPI specs, recorded
// responses) that lives beside the repository in ../shared/reference, for
// tests that read it in place rather than copying it into the repository.
package sharedref

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns ../shared/reference/<parts...> next to the folder holding
// go.mod, or skips the test with a message saying what is missing.
func Dir(t testing.TB, parts ...string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("go.mod not found above the package; cannot locate ../shared/reference")
		}
		dir = parent
	}
	ref := filepath.Join(append([]string{dir, "..", "shared", "reference"}, parts...)...)
	if _, err := os.Stat(ref); err != nil {
		t.Skipf("reference material not found at %s (../shared/reference is absent here): skipping", ref)
	}
	return ref
}
