package defercancelinloop

import (
	"context"
	"log"
	"time"
)

// Labeled continue in nested loops.
func labeledContinue(parent context.Context, groups [][]string) {
outer:
	for _, g := range groups {
		for _, u := range g {
			ctx, cancel := context.WithTimeout(parent, time.Second)
			defer cancel() // want `CG102 cancel is deferred inside a loop`
			if err := fetch(ctx, u); err != nil {
				continue outer
			}
		}
	}
}

// Labeled break out of the loop.
func labeledBreak(parent context.Context, urls []string) {
loop:
	for _, u := range urls {
		ctx, cancel := context.WithTimeout(parent, time.Second)
		defer cancel() // want `CG102 cancel is deferred inside a loop`
		if err := fetch(ctx, u); err != nil {
			break loop
		}
	}
}

// goto leaves the loop.
func gotoOut(parent context.Context, urls []string) error {
	for _, u := range urls {
		ctx, cancel := context.WithTimeout(parent, time.Second)
		defer cancel() // want `CG102 cancel is deferred inside a loop`
		if fetch(ctx, u) != nil {
			goto fail
		}
	}
	return nil
fail:
	return errFail
}

// Derivation inside a select case inside the loop.
func inSelect(parent context.Context, jobs <-chan string, quit <-chan struct{}) {
	for {
		select {
		case u := <-jobs:
			ctx, cancel := context.WithTimeout(parent, time.Second)
			defer cancel() // want `CG102 cancel is deferred inside a loop`
			_ = fetch(ctx, u)
		case <-quit:
			return
		}
	}
}

// Derivation inside a switch case reached by fallthrough.
func inFallthrough(parent context.Context, modes []int) {
	for _, m := range modes {
		switch m {
		case 0:
			fallthrough
		case 1:
			ctx, cancel := context.WithCancel(parent)
			defer cancel() // want `CG102 cancel is deferred inside a loop`
			_ = use(ctx)
		}
	}
}

// Derivation inside a type-switch clause.
func inTypeSwitch(parent context.Context, items []any) {
	for _, it := range items {
		switch v := it.(type) {
		case string:
			ctx, cancel := context.WithTimeout(parent, time.Second)
			defer cancel() // want `CG102 cancel is deferred inside a loop`
			_ = fetch(ctx, v)
		case int:
			_ = v
		}
	}
}

// A no-return call in the loop does not make the defer per iteration.
func withFatal(parent context.Context, urls []string) {
	for _, u := range urls {
		ctx, cancel := context.WithTimeout(parent, time.Second)
		defer cancel() // want `CG102 cancel is deferred inside a loop`
		if err := fetch(ctx, u); err != nil {
			log.Fatal(err)
		}
	}
}

// ok: labeled continue with an explicit cancel before every continue and at
// the end of the iteration.
func okLabeledContinue(parent context.Context, groups [][]string) {
outer:
	for _, g := range groups {
		ctx, cancel := context.WithCancel(parent)
		for _, u := range g {
			if err := fetch(ctx, u); err != nil {
				cancel()
				continue outer
			}
		}
		cancel()
	}
}

// ok: select case cancels explicitly.
func okSelectExplicit(parent context.Context, jobs <-chan string, quit <-chan struct{}) {
	for {
		select {
		case u := <-jobs:
			ctx, cancel := context.WithTimeout(parent, time.Second)
			_ = fetch(ctx, u)
			cancel()
		case <-quit:
			return
		}
	}
}

// ok: type-switch clause wraps the defer in a per-iteration literal.
func okTypeSwitchLiteral(parent context.Context, items []any) {
	for _, it := range items {
		switch v := it.(type) {
		case string:
			func() {
				ctx, cancel := context.WithTimeout(parent, time.Second)
				defer cancel()
				_ = fetch(ctx, v)
			}()
		}
	}
}

// ok: derivation before a retry loop; the loop body only retries the call.
func okDerivedBeforeRetryLoop(parent context.Context, u string) error {
	ctx, cancel := context.WithTimeout(parent, time.Minute)
	defer cancel()
	for attempt := 0; attempt < 3; attempt++ {
		if fetch(ctx, u) == nil {
			return nil
		}
	}
	return errFail
}
