// Command reqcut is trap 7 of the leak lab: the request context cut on the
// way to the downstreams (article section 4.1).
//
// GET /checkout?order=N reads the order's stock from the database, then
// asks the pricing service for its price. Both are slow: the database
// takes -db-delay per statement, and the pricing service (started in this
// process, on another loopback port) -pricing-delay per request. Both give
// up as soon as their caller's context does.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"time"

	"ctxguard.dev/lab/internal/labsrv"
	"ctxguard.dev/lab/internal/loopback"
	_ "ctxguard.dev/lab/internal/slowdb"
)

type server struct {
	db      *sql.DB
	pricing string // base URL of the pricing service
}

type checkout struct {
	Order string  `json:"order"`
	Stock int64   `json:"stock"`
	Price float64 `json:"price"`
}

// decodePrice reads the pricing service's answer.
func decodePrice(resp *http.Response) (float64, error) {
	defer resp.Body.Close()
	var p struct {
		Price float64 `json:"price"`
	}
	err := json.NewDecoder(resp.Body).Decode(&p)
	return p.Price, err
}

// pricing is the slow downstream: it answers after delay, or stops as soon
// as its caller goes away.
func pricing(delay time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
			labsrv.WriteJSON(w, map[string]float64{"price": 9.99})
		case <-r.Context().Done():
		}
	}
}

// startPricing serves the pricing service on a free loopback port until
// ctx ends and returns its base URL.
func startPricing(ctx context.Context, delay time.Duration) (string, error) {
	ln, err := loopback.Listen(ctx, "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: pricing(delay), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	context.AfterFunc(ctx, func() { srv.Close() })
	return "http://" + ln.Addr().String(), nil
}

func main() {
	dbDelay := flag.Duration("db-delay", 300*time.Millisecond, "how long each database statement takes")
	priceDelay := flag.Duration("pricing-delay", time.Minute, "how long the pricing service takes to answer")
	life, stop, leaky := labsrv.Setup()
	defer stop()

	db, err := sql.Open("slowdb", "delay="+dbDelay.String())
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	base, err := startPricing(life, *priceDelay)
	if err != nil {
		log.Fatal(err)
	}
	s := &server{db: db, pricing: base}

	mux := http.NewServeMux()
	if leaky {
		mux.HandleFunc("GET /checkout", s.leakyCheckout)
	} else {
		mux.HandleFunc("GET /checkout", s.fixedCheckout)
	}
	if err := labsrv.Serve(life, mux); err != nil {
		log.Fatal(err)
	}
}
