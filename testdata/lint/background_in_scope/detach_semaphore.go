package backgroundinscope

import (
	"context"

	"golang.org/x/sync/semaphore"
)

// pool has an Acquire of its own: not the semaphore's.
type pool struct{}

func (pool) Acquire(ctx context.Context, n int64) error { return query(ctx, "acquire") }

// The error of Acquire discarded: the code counts on Acquire never failing. Given ctx, a
// cancelled Acquire returns without the permit and the Release that follows panics.
func throttled(ctx context.Context, sem *semaphore.Weighted) {
	_ = sem.Acquire(context.Background(), 1) // ok: unchecked semaphore Acquire
	defer sem.Release(1)
	_ = query(ctx, "x")
}

// The semaphore built here, the result dropped by a bare statement.
func throttledLocal(ctx context.Context) {
	sem := semaphore.NewWeighted(2)
	sem.Acquire(context.TODO(), 1) // ok: unchecked semaphore Acquire
	_ = query(ctx, "x")
	sem.Release(1)
}

// An Acquire whose error is checked can take ctx.
func throttledChecked(ctx context.Context, sem *semaphore.Weighted) error {
	if err := sem.Acquire(context.Background(), 1); err != nil { // want `use ctx$`
		return err
	}
	sem.Release(1)
	return nil
}

// Another type's Acquire.
func pooled(ctx context.Context, p pool) {
	_ = p.Acquire(context.Background(), 1) // want `use ctx$`
}
