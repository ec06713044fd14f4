// Package sharedref locates the reference material (Intuit's schemas and
// samples, BigCommerce's specs and recordings, Web Connector captures) that
// lives beside the repository in ../shared/reference, for tests that read it
// in place rather than copying it into the repository.
package sharedref

import (
	"os"
	"path/filepath"
	"testing"
)

// Find returns ../shared/reference/<parts...> next to the folder holding
// go.mod, and whether it exists. Fuzz seeds and optional checks use it.
func Find(parts ...string) (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
	ref := filepath.Join(append([]string{dir, "..", "shared", "reference"}, parts...)...)
	if _, err := os.Stat(ref); err != nil {
		return ref, false
	}
	return ref, true
}

// Dir is Find for a test that needs the material: it skips the test with a
// message saying what is missing.
func Dir(t testing.TB, parts ...string) string {
	t.Helper()
	ref, ok := Find(parts...)
	if !ok {
		t.Skipf("reference material not found at %s (../shared/reference is absent here; CI has it): skipping", ref)
	}
	return ref
}
