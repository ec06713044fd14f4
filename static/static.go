// Package static holds the page's CSS and other static files, embedded in the binary.
package static

import "embed"

// Files are served under /static/.
//
//go:embed *.css *.js
var Files embed.FS
