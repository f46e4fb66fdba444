package main

import (
	"database/sql"
	"net/http"

	"ctxguard.dev/lab/internal/labsrv"
)

// fixedCarts passes the connection as an argument and keeps no context.
type fixedCarts struct {
	db *sql.DB
}

func newFixedCarts(db *sql.DB) *fixedCarts {
	return &fixedCarts{db: db}
}

func (c *fixedCarts) add(w http.ResponseWriter, r *http.Request) {
	conn, err := c.db.Conn(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()

	// The connection lives exactly as long as this request.
	ctx := r.Context()

	q := r.URL.Query()
	n, err := addItem(ctx, conn, q.Get("cart"), q.Get("item"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	labsrv.WriteJSON(w, map[string]int64{"items": n})
}
