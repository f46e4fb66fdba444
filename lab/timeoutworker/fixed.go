package main

import (
	"context"
	"net/http"

	"ctxguard.dev/lab/internal/labsrv"
)

// fixedQuotes prices the symbols in a worker goroutine and collects quotes
// until the budget runs out, then answers with what it has.
func fixedQuotes(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), budget)
	defer cancel()

	syms := symbols(r)
	out := make(chan quote)
	go fixedPrice(ctx, syms, out)

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

// fixedPrice sends one quote per symbol to out.
func fixedPrice(ctx context.Context, syms []string, out chan<- quote) {
	for _, s := range syms {
		select {
		case out <- price(s):
		case <-ctx.Done():
			return // the handler has given up: nobody will receive
		}
	}
}
