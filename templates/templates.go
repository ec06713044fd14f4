// Package templates holds bcqb's HTML templates, embedded in the binary and
// parsed once at start.
package templates

import (
	"embed"
	"fmt"
	"html/template"
	"time"
)

//go:embed *.html
var files embed.FS

// Parse parses every template; a broken template stops bcqb at start, not on a request.
func Parse() (*template.Template, error) {
	t, err := template.New("").Funcs(funcs).ParseFS(files, "*.html")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	return t, nil
}

var funcs = template.FuncMap{
	// when shows a stored (UTC) time to the minute, or "never".
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
}
