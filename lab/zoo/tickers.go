package main

import (
	"context"
	"net/http"
	"runtime"
	"sync"
	"time"

	"ctxguard.dev/lab/internal/labsrv"
)

const clientTTL = 10 * time.Second

// housekeeping runs four periodic jobs of the kind every long-running
// service has. Each loop spends nearly all its life parked in select,
// waiting for its next tick or for the service to stop: a schedule, not a
// leak.
type housekeeping struct {
	mu      sync.Mutex
	status  status
	clients map[string]time.Time // last /status call per client
	served  int                  // /status calls since the last flush
}

type status struct {
	Goroutines    float64   `json:"goroutines_avg"`  // every 250 ms
	RequestsPerS  int       `json:"requests_per_s"`  // every 1 s
	ActiveClients int       `json:"active_clients"`  // every 5 s
	Evicted       int       `json:"evicted_clients"` // every 5 s
	ConfigGen     int       `json:"config_gen"`      // every 30 s
	ConfigAt      time.Time `json:"config_loaded_at"`
}

func newHousekeeping() *housekeeping {
	return &housekeeping{clients: map[string]time.Time{}, status: status{ConfigAt: time.Now()}}
}

func (h *housekeeping) start(ctx context.Context, wg *sync.WaitGroup) {
	wg.Go(func() { every(ctx, 250*time.Millisecond, h.sampleGoroutines) })
	wg.Go(func() { every(ctx, time.Second, h.flushRate) })
	wg.Go(func() { every(ctx, 5*time.Second, h.expireClients) })
	wg.Go(func() { every(ctx, 30*time.Second, h.reloadConfig) })
}

// sampleGoroutines keeps a moving average of the goroutine count.
func (h *housekeeping) sampleGoroutines(time.Time) {
	n := float64(runtime.NumGoroutine())
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.status.Goroutines == 0 {
		h.status.Goroutines = n
	}
	h.status.Goroutines += (n - h.status.Goroutines) / 8
}

// flushRate turns the request counter into a per-second rate.
func (h *housekeeping) flushRate(time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status.RequestsPerS, h.served = h.served, 0
}

// expireClients forgets clients not seen for clientTTL.
func (h *housekeeping) expireClients(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c, seen := range h.clients {
		if now.Sub(seen) > clientTTL {
			delete(h.clients, c)
			h.status.Evicted++
		}
	}
	h.status.ActiveClients = len(h.clients)
}

// reloadConfig stands in for re-reading a configuration file.
func (h *housekeeping) reloadConfig(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status.ConfigGen++
	h.status.ConfigAt = now
}

func (h *housekeeping) register(mux *http.ServeMux) {
	mux.HandleFunc("GET /status", h.handleStatus)
}

func (h *housekeeping) handleStatus(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.served++
	h.clients[r.RemoteAddr] = time.Now()
	st := h.status
	h.mu.Unlock()
	labsrv.WriteJSON(w, st)
}
