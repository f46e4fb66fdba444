// Command ctxvalue is trap 4 of the leak lab: a per-request resource (a
// pinned *sql.Conn) stored with context.WithValue on a context that
// outlives the request (article section 2.2).
//
// POST /cart/add?cart=C&item=I adds an item to a cart. The statements of
// one request run on one pinned connection (so they could share session
// state such as temporary tables). The cart store is built once and lives
// as long as the service.
package main

import (
	"context"
	"database/sql"
	"log"
	"net/http"

	"ctxguard.dev/lab/internal/labsrv"
	_ "ctxguard.dev/lab/internal/slowdb"
)

type cartStore interface {
	add(w http.ResponseWriter, r *http.Request)
}

// addItem runs the request's statements on conn and returns the cart size.
func addItem(ctx context.Context, conn *sql.Conn, cart, item string) (int64, error) {
	if _, err := conn.ExecContext(ctx, "INSERT INTO cart_items(cart, item) VALUES (?, ?)", cart, item); err != nil {
		return 0, err
	}
	var n int64
	err := conn.QueryRowContext(ctx, "SELECT count(*) FROM cart_items WHERE cart = ?", cart).Scan(&n)
	return n, err
}

func main() {
	life, stop, leaky := labsrv.Setup()
	defer stop()

	db, err := sql.Open("slowdb", "delay=1ms")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	var carts cartStore
	if leaky {
		carts = newLeakyCarts(life, db)
	} else {
		carts = newFixedCarts(db)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /cart/add", carts.add)
	if err := labsrv.Serve(life, mux); err != nil {
		log.Fatal(err)
	}
}
