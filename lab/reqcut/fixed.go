package main

import (
	"net/http"
	"net/url"

	"ctxguard.dev/lab/internal/labsrv"
)

func (s *server) fixedCheckout(w http.ResponseWriter, r *http.Request) {
	order := r.URL.Query().Get("order")

	// Both calls carry the request's context: when the client gives up,
	// so do they.
	var stock int64
	if err := s.db.QueryRowContext(r.Context(), "SELECT stock FROM orders WHERE id = ?", order).Scan(&stock); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, s.pricing+"/price?order="+url.QueryEscape(order), nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	resp, err := http.DefaultClient.Do(req)
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
