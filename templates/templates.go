// Package templates holds bcqb's HTML templates, embedded in the binary and
// parsed once at start.
package templates

import (
	"embed"
	"fmt"
	"html/template"
)

//go:embed *.html
var files embed.FS

// Parse parses every template; a broken template stops bcqb at start, not on a request.
func Parse() (*template.Template, error) {
	t, err := template.New("").ParseFS(files, "*.html")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	return t, nil
}
