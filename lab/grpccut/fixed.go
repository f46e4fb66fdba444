package main

import (
	"net/http"

	"google.golang.org/grpc/status"

	"ctxguard.dev/lab/internal/inventory"
	"ctxguard.dev/lab/internal/labsrv"
)

func (s *server) fixedReserve(w http.ResponseWriter, r *http.Request) {
	req := &inventory.ReserveRequest{SKU: r.URL.Query().Get("sku"), Qty: 1}
	// The request's context: when the client gives up, grpc-go cancels
	// the stream and the backend stops too.
	reply, err := s.inventory.Reserve(r.Context(), req)
	if err != nil {
		http.Error(w, status.Convert(err).Message(), http.StatusBadGateway)
		return
	}
	labsrv.WriteJSON(w, reply)
}
