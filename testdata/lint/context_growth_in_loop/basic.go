package contextgrowthinloop

import (
	"context"
	"errors"
	"time"
)

// The lab's consumer: a select case inside an unbounded loop (no fix: not directly in the body).
func consume(ctx context.Context, jobs <-chan job) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-jobs:
			ctx = context.WithValue(ctx, jobKey{}, j.id) // want `CG304 ctx is re-derived from itself with context.WithValue in a loop \(line 11\)`
			j.done <- run(ctx, j)
		}
	}
}

// Directly in the loop body, read after it: fixed with :=.
func poll(ctx context.Context, ids []int) error {
	var err error
	for _, id := range ids {
		ctx = context.WithValue(ctx, jobKey{}, id) // want `CG304 ctx is re-derived .* a context every iteration`
		err = errors.Join(err, use(ctx))
	}
	return err
}

// A cancelable layer per iteration; cancel is declared in the body, so no fix.
func retry(ctx context.Context, n int) error {
	var err error
	for i := 0; i < n; i++ {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Second) // want `CG304 .*WithTimeout.* a context with a timer`
		err = use(ctx)
		cancel()
		if err == nil {
			return nil
		}
	}
	return err
}

// Both results declared outside the loop: the outer cancel would be left unused, so no fix.
func cancelEach(ctx context.Context, urls []string) {
	var cancel context.CancelFunc
	for _, u := range urls {
		ctx, cancel = context.WithCancel(ctx) // want `CG304 .*WithCancel.* a cancelable context`
		_ = fetch(ctx, u)
		cancel()
	}
}

// Two layers per iteration: reported once, at the first; the fix makes the second a per-iteration step.
func twice(ctx context.Context) {
	for {
		ctx = context.WithValue(ctx, jobKey{}, 1) // want `CG304 ctx is re-derived`
		_ = use(ctx)
		ctx = context.WithValue(ctx, jobKey{}, 2) // ok: the same variable and loop are reported once
		if use(ctx) != nil {
			return
		}
	}
}

// A nested derivation still wraps ctx.
func nested(ctx context.Context, ids []int) {
	for _, id := range ids {
		ctx = context.WithValue(context.WithValue(ctx, jobKey{}, id), errFail, id) // want `CG304 ctx is re-derived .*WithValue.*declare a per-iteration context with :=`
		_ = use(ctx)
	}
}

// WithoutCancel wraps too.
func detach(ctx context.Context, jobs <-chan job) {
	for j := range jobs {
		ctx = context.WithoutCancel(ctx) // want `CG304 .*WithoutCancel`
		_ = run(ctx, j)
	}
}

// Cause variants.
func causes(ctx context.Context, jobs <-chan job) {
	for j := range jobs {
		var stop context.CancelCauseFunc
		ctx, stop = context.WithCancelCause(ctx) // want `CG304 .*WithCancelCause`
		stop(run(ctx, j))
	}
}

// A local declared in the outer loop grows across the inner loop's iterations.
func innerLoop(parent context.Context, batches [][]int) {
	for _, batch := range batches {
		ctx := parent
		for _, id := range batch {
			ctx = context.WithValue(ctx, jobKey{}, id) // want `CG304 ctx is re-derived .*\(line 98\)`
			_ = use(ctx)
		}
	}
}

// A for-clause variable is one variable for the whole loop.
func clauseVar(parent context.Context, n int) {
	for c, i := parent, 0; i < n; i++ {
		c = context.WithValue(c, jobKey{}, i) // want `CG304 c is re-derived`
		_ = use(c)
	}
}

// A conditional reset does not reset every iteration.
func conditionalReset(ctx context.Context, ids []int) {
	for i, id := range ids {
		if i == 0 {
			ctx = context.Background()
		}
		ctx = context.WithValue(ctx, jobKey{}, id) // want `CG304 ctx is re-derived`
		_ = use(ctx)
	}
}

// A break inside a switch does not leave the loop.
func switchBreak(ctx context.Context, jobs <-chan job) {
	for j := range jobs {
		switch j.id {
		case 1:
			ctx = context.WithValue(ctx, jobKey{}, j.id) // want `CG304 ctx is re-derived`
			break
		}
		_ = run(ctx, j)
	}
}

// continue does not stop the growth.
func withContinue(ctx context.Context, jobs <-chan job) {
	for j := range jobs {
		if j.id == 0 {
			ctx = context.WithValue(ctx, jobKey{}, j.id) // want `CG304 ctx is re-derived`
			continue
		}
		_ = run(ctx, j)
	}
}

// An unbounded loop that only builds the context still grows without end.
func unboundedFold(ctx context.Context) {
	for {
		ctx = context.WithValue(ctx, jobKey{}, 1) // want `CG304 ctx is re-derived`
		if done() {
			break
		}
	}
	_ = use(ctx)
}

// Ranging over a channel is unbounded too, even when the loop only builds the context.
func channelFold(ctx context.Context, ids <-chan int) context.Context {
	for id := range ids {
		ctx = context.WithValue(ctx, jobKey{}, id) // want `CG304 ctx is re-derived`
	}
	return ctx
}

// Generic function.
func generic[T any](ctx context.Context, items []T) {
	for _, it := range items {
		ctx = context.WithValue(ctx, jobKey{}, it) // want `CG304 ctx is re-derived`
		_ = use(ctx)
	}
}
