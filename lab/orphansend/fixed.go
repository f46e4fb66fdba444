package main

import (
	"context"
	"net/http"

	"ctxguard.dev/lab/internal/labsrv"
)

// fixedProfile answers with the profile, or 504 once budget has passed.
func fixedProfile(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), budget)
	defer cancel()

	id := r.URL.Query().Get("id")
	// One slot: the sender can always leave its result and exit, even
	// when the handler has stopped waiting.
	res := make(chan result, 1)
	go func() {
		p, err := lookupProfile(id)
		res <- result{p, err}
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
