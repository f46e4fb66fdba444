//go:build go1.23

package httpctx

import "net/http"

// requestPattern returns the ServeMux pattern that matched r (Go 1.23+).
func requestPattern(r *http.Request) string { return r.Pattern }
