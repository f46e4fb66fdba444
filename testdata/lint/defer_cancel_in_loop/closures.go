package defercancelinloop

import (
	"context"
	"sync"
	"time"
)

// The loop is inside a function literal: the defer belongs to the literal,
// which is "that same function".
func loopInLiteral(parent context.Context, urls []string) func() {
	return func() {
		for _, u := range urls {
			ctx, cancel := context.WithTimeout(parent, time.Second)
			defer cancel() // want `CG102 cancel is deferred inside a loop`
			_ = fetch(ctx, u)
		}
	}
}

// A function literal stored in a variable whose body loops.
func loopInLiteralVar(parent context.Context, n int) {
	worker := func() {
		for i := 0; i < n; i++ {
			ctx, cancel := context.WithCancel(parent)
			defer cancel() // want `CG102 cancel is deferred inside a loop`
			_ = use(ctx)
		}
	}
	worker()
}

// A goroutine whose body loops.
func loopInGoroutine(parent context.Context, jobs <-chan string, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		for u := range jobs {
			ctx, cancel := context.WithTimeout(parent, time.Second)
			defer cancel() // want `CG102 cancel is deferred inside a loop`
			_ = fetch(ctx, u)
		}
	}()
}

// ok: a func literal called per iteration scopes the defer to the iteration.
func okPerIterationFunc(parent context.Context, urls []string) error {
	for _, u := range urls {
		err := func() error {
			ctx, cancel := context.WithTimeout(parent, time.Second)
			defer cancel()
			return fetch(ctx, u)
		}()
		if err != nil {
			return err
		}
	}
	return nil
}

// ok: a goroutine per iteration; the derivation is inside the literal.
func okGoroutinePerIteration(parent context.Context, urls []string) {
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(parent, time.Second)
			defer cancel()
			_ = fetch(ctx, u)
		}()
	}
	wg.Wait()
}

// ok: derivation in the loop, but the defer is inside a per-iteration
// function literal, not in the function that owns the loop.
func okDeferInInnerLiteral(parent context.Context, urls []string) {
	for _, u := range urls {
		ctx, cancel := context.WithTimeout(parent, time.Second)
		func() {
			defer cancel()
			_ = fetch(ctx, u)
		}()
	}
}

// ok: a literal inside the loop performs the derivation and calls cancel.
func okLiteralExplicit(parent context.Context, n int) {
	for i := 0; i < n; i++ {
		step := func() {
			ctx, cancel := context.WithCancel(parent)
			_ = use(ctx)
			cancel()
		}
		step()
	}
}
