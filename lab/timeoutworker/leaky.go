package main

import (
	"context"
	"net/http"

	"ctxguard.dev/lab/internal/labsrv"
)

// leakyQuotes prices the symbols in a worker goroutine and collects quotes
// until the budget runs out, then answers with what it has.
func leakyQuotes(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), budget)
	defer cancel()

	syms := symbols(r)
	out := make(chan quote)
	go leakyPrice(ctx, syms, out)

	got := []quote{}
	for range syms {
		select {
		case q := <-out:
			got = append(got, q)
		case <-ctx.Done():
			labsrv.WriteJSON(w, got) // partial answer
			return
		}
	}
	labsrv.WriteJSON(w, got)
}

// leakyPrice sends one quote per symbol to out.
func leakyPrice(ctx context.Context, syms []string, out chan<- quote) {
	for _, s := range syms {
		// ctx is never consulted: once the handler has given up nobody
		// receives, and this send blocks for ever.
		out <- price(s) // want "CG104"
	}
}
