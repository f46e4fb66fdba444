package main

import (
	"context"
	"net/http"
)

// fixedScope runs each request under its own cancel scope below life.
func fixedScope(life context.Context, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancel(life)
		defer cancel() // detaches ctx from life once the request is done
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
