package main

import (
	"context"
	"database/sql"
	"net/http"
	"sync"

	"ctxguard.dev/lab/internal/labsrv"
)

type connKey struct{}

// leakyCarts keeps a context in a field so that code deep in the call
// chain can find the current connection with ctx.Value.
type leakyCarts struct {
	db  *sql.DB
	mu  sync.Mutex
	ctx context.Context // want "CG303"
}

func newLeakyCarts(life context.Context, db *sql.DB) *leakyCarts {
	return &leakyCarts{db: db, ctx: life}
}

func (c *leakyCarts) add(w http.ResponseWriter, r *http.Request) {
	conn, err := c.db.Conn(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()

	// The connection is hung on the store's long-lived context: every
	// request adds a link, and the chain keeps each *sql.Conn (and
	// whatever it references) reachable for the life of the service.
	c.mu.Lock()
	c.ctx = context.WithValue(c.ctx, connKey{}, conn) // want "CG302"
	ctx := c.ctx
	c.mu.Unlock()

	q := r.URL.Query()
	n, err := addItem(ctx, ctx.Value(connKey{}).(*sql.Conn), q.Get("cart"), q.Get("item"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	labsrv.WriteJSON(w, map[string]int64{"items": n})
}
