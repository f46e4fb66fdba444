// Command cmd checks that main and init are never reported.
package main

import (
	"context"
	"net/http"
	"os/signal"
	"syscall"
)

func query(ctx context.Context, q string) error {
	_ = q
	return ctx.Err()
}

func init() {
	ctx := context.Background()
	_ = query(ctx, "init")
	_ = query(context.TODO(), "init") // ok: init has no caller
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM) // ok: main has no caller
	defer stop()
	go func() {
		_ = query(context.Background(), "bg") // ok: only main's own ctx is in scope
	}()
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		_ = query(context.Background(), "req") // want `use r\.Context\(\)`
	})
	_ = query(ctx, "main")
}
