package main

import (
	"context"
	"net/http"

	"ctxguard.dev/go/ctxtrack"
)

// fixedScopeTracked is fixedScope deriving through ctxguard's Go module.
func fixedScopeTracked(life context.Context, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := ctxtrack.WithCancel(life)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
