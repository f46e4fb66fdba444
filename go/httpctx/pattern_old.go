//go:build !go1.23

package httpctx

import "net/http"

// requestPattern: before Go 1.23, http.Request has no Pattern field.
func requestPattern(*http.Request) string { return "" }
