package main

import (
	"context"
	"net/http"

	"ctxguard.dev/lab/internal/labsrv"
)

// leakyProfile answers with the profile, or 504 once budget has passed.
func leakyProfile(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), budget)
	defer cancel()

	id := r.URL.Query().Get("id")
	// Unbuffered: the send below completes only if the handler is still
	// there to receive.
	res := make(chan result)
	go func() {
		p, err := lookupProfile(id)
		res <- result{p, err} // want "CG105"
	}()

	select {
	case got := <-res:
		if got.err != nil {
			http.Error(w, got.err.Error(), http.StatusBadGateway)
			return
		}
		labsrv.WriteJSON(w, got.p)
	case <-ctx.Done():
		http.Error(w, "profile lookup timed out", http.StatusGatewayTimeout)
	}
}
