package main

import (
	"context"
	"net/http"
	"sync"
)

// pinger answers GET /ping at once. Its clients keep their connections
// open between requests: net/http serves each connection in a goroutine
// that sits in IO wait, reading the next request, for as long as the
// client keeps the connection. An idle keep-alive connection is a reused
// resource, not a leak; it ends when the client closes it or at shutdown.
type pinger struct{}

func (pinger) start(context.Context, *sync.WaitGroup) {}

func (pinger) register(mux *http.ServeMux) {
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("pong\n"))
	})
}
