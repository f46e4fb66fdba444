package main

import (
	"context"
	"net/http"
)

// leakyScope runs each request under its own cancel scope below life.
func leakyScope(life context.Context, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The cancel func is thrown away: the new cancelCtx stays in
		// life's children until the service shuts down.
		ctx, _ := context.WithCancel(life) // want "CG101"
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
