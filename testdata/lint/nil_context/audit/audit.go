// Package audit takes contexts first, as every function should.
package audit

import "context"

// Record uses its context.
func Record(ctx context.Context, msg string) error { return ctx.Err() }

// Log does not use it today.
func Log(_ context.Context, msg string) {}

// Sink is a type whose methods take a context.
type Sink struct{}

// Write uses its context.
func (s *Sink) Write(ctx context.Context, b []byte) error { return ctx.Err() }

// Name takes no context.
func Name(v any) string { return "audit" }

// Start passes nil to a function of its own package.
func Start() error {
	return Record(nil, "start") // want `CG204 nil passed as the context of Record`
}
