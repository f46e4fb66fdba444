package defercancelinloop

import (
	"context"
	"time"
)

// Range loop: each iteration's cancel is only deferred.
func rangeLoop(parent context.Context, urls []string) error {
	for _, u := range urls {
		ctx, cancel := context.WithTimeout(parent, time.Second)
		defer cancel() // want `CG102 cancel is deferred inside a loop: every iteration's context and timer stay alive until the function returns`
		if err := fetch(ctx, u); err != nil {
			return err
		}
	}
	return nil
}

// Three-clause for loop with WithCancel.
func countedLoop(parent context.Context, n int) {
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithCancel(parent)
		defer cancel() // want `CG102 cancel is deferred inside a loop`
		_ = use(ctx)
	}
}

// Condition-only for loop with WithDeadline.
func conditionLoop(parent context.Context, queue []string) {
	for len(queue) > 0 {
		ctx, cancel := context.WithDeadline(parent, time.Now().Add(time.Second))
		defer cancel() // want `CG102 cancel is deferred inside a loop`
		_ = fetch(ctx, queue[0])
		queue = queue[1:]
	}
}

// Infinite for loop left by break, WithTimeoutCause.
func infiniteLoop(parent context.Context, next func() string) {
	for {
		url := next()
		if url == "" {
			break
		}
		ctx, cancel := context.WithTimeoutCause(parent, time.Second, errFail)
		defer cancel() // want `CG102 cancel is deferred inside a loop`
		_ = fetch(ctx, url)
	}
}

// Range over an integer, WithDeadlineCause.
func rangeInt(parent context.Context, n int) {
	for i := range n {
		ctx, cancel := context.WithDeadlineCause(parent, time.Now().Add(time.Duration(i)*time.Second), errFail)
		defer cancel() // want `CG102 cancel is deferred inside a loop`
		_ = use(ctx)
	}
}

// Derivation inside an if inside the loop.
func inIf(parent context.Context, urls []string) error {
	for _, u := range urls {
		if u != "" {
			ctx, cancel := context.WithTimeout(parent, time.Second)
			defer cancel() // want `CG102 cancel is deferred inside a loop`
			if err := fetch(ctx, u); err != nil {
				return err
			}
		}
	}
	return nil
}

// Derivation in the inner loop of two nested loops.
func nestedLoops(parent context.Context, batches [][]string) {
	for _, batch := range batches {
		for _, u := range batch {
			ctx, cancel := context.WithTimeout(parent, time.Second)
			defer cancel() // want `CG102 cancel is deferred inside a loop`
			_ = fetch(ctx, u)
		}
	}
}

// Multiple results; the leak is the same.
func multipleResults(parent context.Context, urls []string) (int, error) {
	n := 0
	for _, u := range urls {
		ctx, cancel := context.WithTimeout(parent, time.Second)
		defer cancel() // want `CG102 cancel is deferred inside a loop`
		if err := fetch(ctx, u); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// ok: derivation outside the loop, deferred once.
func okOutsideLoop(parent context.Context, urls []string) error {
	ctx, cancel := context.WithTimeout(parent, time.Minute)
	defer cancel()
	for _, u := range urls {
		if err := fetch(ctx, u); err != nil {
			return err
		}
	}
	return nil
}

// ok: derivation after the loop.
func okAfterLoop(parent context.Context, urls []string) error {
	for _, u := range urls {
		if u == "" {
			return errFail
		}
	}
	ctx, cancel := context.WithTimeout(parent, time.Minute)
	defer cancel()
	return use(ctx)
}

// ok: explicit cancel at the end of each iteration, no defer.
func okExplicitCancel(parent context.Context, urls []string) error {
	for _, u := range urls {
		ctx, cancel := context.WithTimeout(parent, time.Second)
		err := fetch(ctx, u)
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// ok: defer plus an explicit cancel call in the iteration.
func okDeferAndExplicit(parent context.Context, urls []string) error {
	for _, u := range urls {
		ctx, cancel := context.WithTimeout(parent, time.Second)
		defer cancel()
		err := fetch(ctx, u)
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// ok: cancel is also appended to a slice, so it is not used only by defer.
func okAppended(parent context.Context, n int) []context.CancelFunc {
	var all []context.CancelFunc
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithCancel(parent)
		defer cancel()
		all = append(all, cancel)
		_ = use(ctx)
	}
	return all
}

// ok: cancel is also passed to a function.
func okPassed(parent context.Context, n int) {
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithCancel(parent)
		defer cancel()
		register(cancel)
		_ = use(ctx)
	}
}

// ok: a local helper is not one of the six derivations.
func okLocalHelper(parent context.Context, urls []string) {
	for _, u := range urls {
		ctx, cancel := newTimeoutCtx(parent)
		defer cancel()
		_ = fetch(ctx, u)
	}
}

// ok: each iteration hands its cancel to a goroutine instead of deferring it.
func okGoroutineCancels(parent context.Context, urls []string, done <-chan struct{}) {
	for _, u := range urls {
		ctx, cancel := context.WithTimeout(parent, time.Second)
		go func() {
			<-done
			cancel()
		}()
		_ = fetch(ctx, u)
	}
}

// ok: each iteration hands its cancel to time.AfterFunc.
func okAfterFunc(parent context.Context, urls []string) {
	for _, u := range urls {
		ctx, cancel := context.WithCancel(parent)
		time.AfterFunc(time.Second, cancel)
		_ = fetch(ctx, u)
	}
}

// ok: the matching iteration returns ctx and cancel; the others cancel.
func okReturnFromLoop(parent context.Context, urls []string) (context.Context, context.CancelFunc) {
	for _, u := range urls {
		ctx, cancel := context.WithTimeout(parent, time.Second)
		if fetch(ctx, u) == nil {
			return ctx, cancel
		}
		cancel()
	}
	return parent, func() {}
}
