package nilcontext

import (
	"context"
	"time"
)

func fetch(ctx context.Context, id string) error { return ctx.Err() }

func poll[T any](ctx context.Context, v T) T {
	<-ctx.Done()
	return v
}

func callFetch() error {
	return fetch(nil, "a") // want `CG204 nil passed as the context of fetch`
}

func callGeneric() int {
	return poll[int](nil, 1) // want `CG204 .*poll\[int\]`
}

func callInferred() string {
	return poll(nil, "x") // want `CG204 .*poll`
}

// Inside a package-level initialiser.
var initErr = fetch(nil, "init") // want `CG204 .*fetch`

// Inside a goroutine.
func launch() {
	go fetch(nil, "bg") // want `CG204 .*fetch`
}

// ok: a function that guards against nil itself.
func tolerant(ctx context.Context, d time.Duration) {
	if ctx == nil {
		ctx = context.Background()
	}
	<-ctx.Done()
}

func okTolerant() {
	tolerant(nil, time.Second) // ok: tolerant checks ctx == nil
}

// ok: first parameter is not a context.
func store2(p *int, ctx context.Context) {}

func okNotFirst() {
	store2(nil, context.TODO()) // ok: the context is the second parameter
}

// ok: a local variable shadows the package function.
func okShadowed() {
	fetch := func(p *int, id string) {}
	fetch(nil, "a") // ok: the local fetch takes *int
}

// ok: the context is passed.
func okPassed(ctx context.Context) error {
	return fetch(ctx, "a") // ok: a real context
}

// ok: an unnamed context parameter cannot be used.
func unnamed(context.Context, string) {}

func okUnnamed() {
	unnamed(nil, "x") // ok: the parameter is unnamed
}

// ok: a context parameter that is never used.
func unused(ctx context.Context, n int) int { return n }

func okUnused() int {
	return unused(nil, 1) // ok: ctx is never used
}

// ok: handed on to a function that checks for nil.
func forwardTolerant(ctx context.Context, d time.Duration) {
	tolerant(ctx, d)
}

func okForwardTolerant() {
	forwardTolerant(nil, time.Second) // ok: tolerant checks ctx == nil
}

// ok: stored in a struct literal; the documented field may be nil.
type meta struct {
	Context context.Context // nil when the caller has none
}

func record(ctx context.Context, msg string) meta {
	return meta{Context: ctx}
}

func okStored() meta {
	return record(nil, "x") // ok: only stored
}

// Handed on to a function that uses it: reported.
func forwardStrict(ctx context.Context) error {
	return fetch(ctx, "strict")
}

func callForwardStrict() error {
	return forwardStrict(nil) // want `CG204 .*forwardStrict`
}

// Handed on to a method of the standard library: reported.
func withDeadline(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d)
}

func callWithDeadline() {
	_, cancel := withDeadline(nil, time.Second) // want `CG204 .*withDeadline`
	cancel()
}

// Recursion proves nothing: reported.
func recursive(ctx context.Context, n int) int {
	if n == 0 {
		return 0
	}
	return recursive(ctx, n-1)
}

func callRecursive() int {
	return recursive(nil, 3) // want `CG204 .*recursive`
}
