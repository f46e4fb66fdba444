// Command cancelmw is trap 3 of the leak lab: a middleware that derives a
// cancelable context for every request and never cancels it (article
// section 2.3).
//
// GET /items returns a small catalogue. Every request passes through a
// middleware that gives it a cancel scope under the service's lifetime
// context, so that a shutdown aborts in-flight work. (Deriving from
// r.Context() instead would hide the leak: net/http cancels the request
// context when the handler returns, which detaches its children.)
package main

import (
	"log"
	"net/http"

	"ctxguard.dev/lab/internal/labsrv"
)

type item struct {
	SKU   string  `json:"sku"`
	Price float64 `json:"price"`
}

var catalogue = []item{{"A-100", 9.5}, {"B-200", 12}, {"C-300", 4.25}}

func items(w http.ResponseWriter, r *http.Request) {
	if err := r.Context().Err(); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	labsrv.WriteJSON(w, catalogue)
}

func main() {
	life, stop, leaky := labsrv.Setup()
	defer stop()

	var h http.Handler = http.HandlerFunc(items)
	if leaky {
		h = leakyScope(life, h)
	} else {
		h = fixedScope(life, h)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /items", h)
	if err := labsrv.Serve(life, mux); err != nil {
		log.Fatal(err)
	}
}
