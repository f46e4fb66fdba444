package main

import (
	"net/http"
	"net/url"

	"ctxguard.dev/lab/internal/labsrv"
)

func (s *server) leakyCheckout(w http.ResponseWriter, r *http.Request) {
	order := r.URL.Query().Get("order")

	// Neither call takes the request's context: when the client gives up,
	// both go on waiting for their slow downstream.
	var stock int64
	if err := s.db.QueryRow("SELECT stock FROM orders WHERE id = ?", order).Scan(&stock); err != nil { // want "CG202"
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	resp, err := http.Get(s.pricing + "/price?order=" + url.QueryEscape(order)) // want "CG202"
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	price, err := decodePrice(resp)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	labsrv.WriteJSON(w, checkout{Order: order, Stock: stock, Price: price})
}
