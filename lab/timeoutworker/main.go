// Command timeoutworker is trap 1 of the leak lab: a timeout that is not
// bound to the goroutine doing the work (article section 2.1).
//
// GET /quotes?symbols=A,B,C prices each symbol on a slow pricing engine
// (perQuote each) and answers with whatever was priced within budget.
// The pricing runs in a worker goroutine that sends each quote to the
// handler; when the budget runs out the handler stops receiving.
package main

import (
	"log"
	"net/http"
	"strings"
	"time"

	"ctxguard.dev/lab/internal/labsrv"
)

const (
	budget   = 100 * time.Millisecond
	perQuote = 40 * time.Millisecond
)

type quote struct {
	Symbol string  `json:"symbol"`
	Price  float64 `json:"price"`
}

// price stands in for a pricing engine that cannot be interrupted.
func price(sym string) quote {
	time.Sleep(perQuote)
	return quote{Symbol: sym, Price: 10 + float64(len(sym))/4}
}

func symbols(r *http.Request) []string {
	s := r.URL.Query().Get("symbols")
	if s == "" {
		s = "AAPL,AMZN,GOOG,MSFT,NVDA"
	}
	return strings.Split(s, ",")
}

func main() {
	life, stop, leaky := labsrv.Setup()
	defer stop()

	mux := http.NewServeMux()
	if leaky {
		mux.HandleFunc("GET /quotes", leakyQuotes)
	} else {
		mux.HandleFunc("GET /quotes", fixedQuotes)
	}
	if err := labsrv.Serve(life, mux); err != nil {
		log.Fatal(err)
	}
}
