package main

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"

	"ctxguard.dev/lab/internal/labsrv"
)

const watchers = 16

// configStore holds a versioned configuration. watchers goroutines apply
// each new version (think: rebuilding a routing table per shard); between
// versions they wait on a sync.Cond. A watcher waiting for the next version
// is a subscriber, not a leak: the count is fixed, and a Broadcast when the
// service's context ends sends them all home.
type configStore struct {
	mu      sync.Mutex
	changed *sync.Cond
	version int
	applied atomic.Int64 // versions applied by all watchers, for GET /config
}

func newConfigStore() *configStore {
	c := &configStore{}
	c.changed = sync.NewCond(&c.mu)
	return c
}

func (c *configStore) start(ctx context.Context, wg *sync.WaitGroup) {
	// Wake every watcher once ctx is done so that it sees ctx.Err().
	context.AfterFunc(ctx, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.changed.Broadcast()
	})
	for range watchers {
		wg.Go(func() { c.watch(ctx) })
	}
}

// watch applies each new version until ctx ends.
func (c *configStore) watch(ctx context.Context) {
	c.mu.Lock()
	seen := c.version
	c.mu.Unlock()
	for {
		v, ok := c.waitNewer(ctx, seen)
		if !ok {
			return
		}
		seen = v
		c.applied.Add(1) // rebuilding this shard's view of version v
	}
}

// waitNewer blocks until the version differs from seen or ctx ends.
func (c *configStore) waitNewer(ctx context.Context, seen int) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.version == seen && ctx.Err() == nil {
		c.changed.Wait()
	}
	return c.version, ctx.Err() == nil
}

// bump publishes a new version and wakes the watchers.
func (c *configStore) bump() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.version++
	c.changed.Broadcast()
	return c.version
}

func (c *configStore) register(mux *http.ServeMux) {
	mux.HandleFunc("POST /notify", func(w http.ResponseWriter, _ *http.Request) {
		labsrv.WriteJSON(w, map[string]int{"version": c.bump()})
	})
	mux.HandleFunc("GET /config", func(w http.ResponseWriter, _ *http.Request) {
		c.mu.Lock()
		defer c.mu.Unlock()
		labsrv.WriteJSON(w, map[string]int64{"version": int64(c.version), "applied": c.applied.Load(), "watchers": watchers})
	})
}
