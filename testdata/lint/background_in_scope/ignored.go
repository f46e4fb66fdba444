package backgroundinscope

import (
	"context"
)

// record declares it does not use its context.
func record(_ context.Context, ev string) { _ = ev }

// flush does not read its context today, but names it: the next change may.
func flush(ctx context.Context, n int) int { return n * 2 }

// touch leaves its context unnamed.
func (s *store) touch(context.Context, string) {}

// A fresh context handed to a function of this package that ignores it: passing ctx changes nothing.
func ignoredByCallee(ctx context.Context, s *store, ev string) error {
	record(context.Background(), ev) // ok: record's context is _
	_ = flush(context.TODO(), 1)     // want `use ctx$`
	s.touch(context.TODO(), ev)      // ok: touch's context is unnamed
	bg := context.Background()       // ok: only handed to callees that ignore it
	record(bg, ev)
	s.touch(bg, ev)
	return query(context.Background(), ev) // want `use ctx$`
}

// A local function value of the same name is not the package's function.
func shadowedCallee(ctx context.Context, ev string) {
	record := func(c context.Context, ev string) { _ = query(c, ev) }
	record(context.Background(), ev) // want `use ctx$`
}

// An explicit detach of a root is never cancelled, and neither would WithoutCancel(ctx) be.
func detachedRoot(ctx context.Context, s *store) {
	go func() {
		_ = query(context.WithoutCancel(context.TODO()), "release") // ok: detached either way
	}()
	_, _ = s.Get(ctx, "k")
}
