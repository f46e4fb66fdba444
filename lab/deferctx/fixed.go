package main

import (
	"context"
	"log"
	"net/http"
)

func (s *server) fixedUpload(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	size, err := store(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	defer func() {
		ctx := context.WithoutCancel(r.Context())
		// The audit runs under the bounded context.
		ctx, cancel := context.WithTimeout(ctx, auditBudget)
		defer cancel()
		if _, err := s.audit.ExecContext(ctx, "INSERT INTO audit(blob, size) VALUES (?, ?)", id, size); err != nil {
			log.Printf("audit %s: %v", id, err)
		}
	}()
	w.WriteHeader(http.StatusCreated)
}
