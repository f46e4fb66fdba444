// Package store makes its own contexts in some functions: callers that have one should pass it.
package store

import (
	"context"
	"time"
)

type Store struct{ lease func(context.Context) }

// FetchAll has no context parameter and starts from Background: a caller's deadline never reaches it.
func FetchAll() error {
	ctx := context.Background()
	return query(ctx)
}

// Bounded sets its own timeout: the work is bounded even without the caller's context.
func Bounded() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return query(ctx)
}

// Status makes a context only in a branch that its callers never take with a valid code.
func Status(code int) error {
	if code < 100 {
		return query(context.Background())
	}
	return nil
}

// Get makes its own context too, as a method.
func (s *Store) Get(key string) error {
	return query(context.TODO())
}

// Close ends the store: a fresh context in cleanup is a deliberate detach.
func (s *Store) Close() error {
	return release(context.Background())
}

// Load takes a context: callers pass theirs.
func Load(ctx context.Context) error { return query(ctx) }

// Name never makes a context.
func Name() string { return "store" }

func query(ctx context.Context) error   { return ctx.Err() }
func release(ctx context.Context) error { return ctx.Err() }

// Warm has a context and calls a function of its own package that makes another.
func Warm(ctx context.Context) error {
	return FetchAll() // want `CG201 FetchAll makes its own context \(context.Background\(\) at store.go:13\): give it a context parameter and pass ctx`
}
