package main

import (
	"context"
	"log"
	"net/http"
)

func (s *server) leakyUpload(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	size, err := store(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	defer func() {
		ctx := context.WithoutCancel(r.Context())
		// The bounded context is thrown away; only its cancel is kept
		// (and deferred), so the audit below runs with no deadline.
		_, cancel := context.WithTimeout(ctx, auditBudget) // want "CG103"
		defer cancel()
		if _, err := s.audit.ExecContext(ctx, "INSERT INTO audit(blob, size) VALUES (?, ?)", id, size); err != nil {
			log.Printf("audit %s: %v", id, err)
		}
	}()
	w.WriteHeader(http.StatusCreated)
}
