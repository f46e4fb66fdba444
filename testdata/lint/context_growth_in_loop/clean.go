package contextgrowthinloop

import (
	"context"
	"time"
)

func shadowPerIteration(ctx context.Context, ids []int) {
	for _, id := range ids {
		ctx := context.WithValue(ctx, jobKey{}, id) // ok: a new variable per iteration
		_ = use(ctx)
	}
}

func fromOtherVariable(parent context.Context, ids []int) {
	ctx := parent
	for _, id := range ids {
		ctx = context.WithValue(parent, jobKey{}, id) // ok: derived from another variable
		_ = use(ctx)
	}
}

func resetFirst(ctx, ctx2 context.Context) {
	for i := 0; i < 10; i++ {
		ctx = context.Background()
		ctx2 = context.WithValue(ctx2, jobKey{}, i) // want `CG304 ctx2 is re-derived`
		_ = use(ctx2)
		ctx = context.WithValue(ctx, jobKey{}, i) // ok: reset to Background first in every iteration
		_ = use(ctx)
	}
}

func resetToParent(parent context.Context, ids []int) {
	ctx := parent
	for _, id := range ids {
		ctx = parent
		if id > 0 {
			ctx = context.WithValue(ctx, jobKey{}, id) // ok: reset to parent earlier in the iteration
		}
		_ = use(ctx)
	}
}

func resetAtEnd(parent context.Context, ids []int) {
	ctx := parent
	for _, id := range ids {
		ctx = context.WithValue(ctx, jobKey{}, id) // ok: reset at the end of every iteration
		_ = use(ctx)
		ctx = parent
	}
}

func thenReturn(ctx context.Context, ids []int) error {
	for _, id := range ids {
		if id == 0 {
			ctx = context.WithValue(ctx, jobKey{}, id) // ok: followed by return, runs once
			return use(ctx)
		}
	}
	return nil
}

func thenBreak(ctx context.Context, ids []int) error {
	for _, id := range ids {
		if id == 0 {
			ctx = context.WithValue(ctx, jobKey{}, id) // ok: followed by break, runs once
			break
		}
	}
	return use(ctx)
}

func labeledBreak(ctx context.Context, batches [][]int) error {
outer:
	for _, batch := range batches {
		for _, id := range batch {
			ctx = context.WithValue(ctx, jobKey{}, id) // ok: leaves both loops
			break outer
		}
	}
	return use(ctx)
}

func onceLoop(ctx context.Context) error {
	for range 1 {
		ctx = context.WithValue(ctx, jobKey{}, 1) // ok: the loop runs once
	}
	return use(ctx)
}

func rangeVariable(ctxs []context.Context) {
	for _, c := range ctxs {
		c = context.WithValue(c, jobKey{}, 1) // ok: the range variable is fresh per iteration
		_ = use(c)
	}
}

func outsideLoop(ctx context.Context) error {
	ctx = context.WithValue(ctx, jobKey{}, 1) // ok: not in a loop
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return use(ctx)
}

func nestedShadow(ctx context.Context) {
	for !done() {
		if err := use(ctx); err != nil {
			ctx := context.WithoutCancel(ctx)
			ctx = context.WithValue(ctx, jobKey{}, 1) // ok: the block's own ctx
			_ = use(ctx)
		}
		{
			ctx := context.WithoutCancel(ctx)
			ctx = context.WithValue(ctx, jobKey{}, 2) // ok: the block's own ctx
			_ = use(ctx)
		}
	}
}

func ifScoped(ctx context.Context) {
	for !done() {
		if ctx := context.Background(); !done() {
			ctx = context.WithValue(ctx, jobKey{}, 1) // ok: declared by the if statement
			_ = use(ctx)
		}
		_ = use(ctx)
	}
}

func foldLabels(ctx context.Context, labels map[string]string) context.Context {
	for k, v := range labels {
		ctx = context.WithValue(ctx, jobKey{}, k+v) // ok: builds the context from a finite map
	}
	return ctx
}

func foldCounter(ctx context.Context, n int) context.Context {
	for i := 0; i < n; i++ {
		ctx = context.WithValue(ctx, jobKey{}, i) // ok: builds the context from a counted loop
	}
	return ctx
}
