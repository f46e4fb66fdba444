package main

import (
	"context"
	"net/http"

	"google.golang.org/grpc/status"

	"ctxguard.dev/lab/internal/inventory"
	"ctxguard.dev/lab/internal/labsrv"
)

func (s *server) leakyReserve(w http.ResponseWriter, r *http.Request) {
	req := &inventory.ReserveRequest{SKU: r.URL.Query().Get("sku"), Qty: 1}
	// A fresh root context: the client's deadline and cancellation never
	// reach the backend, so this call waits for it however long it takes.
	reply, err := s.inventory.Reserve(context.Background(), req) // want "CG201"
	if err != nil {
		http.Error(w, status.Convert(err).Message(), http.StatusBadGateway)
		return
	}
	labsrv.WriteJSON(w, reply)
}
