package main

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"ctxguard.dev/lab/internal/labsrv"
)

// inflight serves GET /work, a request that takes 100 ms to 1 s and fans
// out to two helpers. Under steady load a roughly constant number of
// requests is in flight, each parked for a bounded time; every helper
// always delivers into its slot and exits.
type inflight struct{}

type part struct {
	Source string `json:"source"`
	Err    error  `json:"-"`
}

func (inflight) start(context.Context, *sync.WaitGroup) {}

func (inflight) register(mux *http.ServeMux) {
	mux.HandleFunc("GET /work", handleInflight)
}

func handleInflight(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	// One slot per helper: each can leave its part and exit even if this
	// handler has already given up.
	parts := make(chan part, 2)
	go fetchPart(ctx, "catalog", parts)
	go fetchPart(ctx, "reviews", parts)

	// The slow downstream of this request.
	if err := pause(ctx, 100*time.Millisecond+rand.N(900*time.Millisecond)); err != nil {
		return
	}
	var got []part
	for range 2 {
		select {
		case p := <-parts:
			if p.Err == nil {
				got = append(got, p)
			}
		case <-ctx.Done():
			return
		}
	}
	labsrv.WriteJSON(w, got)
}

// fetchPart stands in for a quick call to another backend.
func fetchPart(ctx context.Context, source string, out chan<- part) {
	err := pause(ctx, 5*time.Millisecond+rand.N(45*time.Millisecond))
	out <- part{Source: source, Err: err}
}
