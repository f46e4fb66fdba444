package main

import (
	"context"
	"net/http"

	"ctxguard.dev/go/ctxtrack"
)

// leakyScopeTracked is leakyScope deriving through ctxguard's Go module
// (-ctxtrack): the same lost cancel, now counted at this line in the
// service's context census (/debug/ctxguard/contexts).
func leakyScopeTracked(life context.Context, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, _ := ctxtrack.WithCancel(life) // want "CG101"
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
