// Package semaphore stands in for golang.org/x/sync/semaphore.
package semaphore

import "context"

// Weighted is a weighted semaphore.
type Weighted struct{ size int64 }

// NewWeighted returns a semaphore of the given weight.
func NewWeighted(n int64) *Weighted { return &Weighted{size: n} }

// Acquire blocks until n permits are free or ctx is done.
func (s *Weighted) Acquire(ctx context.Context, n int64) error { return ctx.Err() }

// Release gives n permits back; it panics if more are released than held.
func (s *Weighted) Release(n int64) {}
