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

// A function that guards against nil itself: reported all the same (the
// context package forbids nil even where a function permits it).
func tolerant(ctx context.Context, d time.Duration) {
	if ctx == nil {
		ctx = context.Background()
	}
	<-ctx.Done()
}

func callTolerant() {
	tolerant(nil, time.Second) // want `CG204 nil passed as the context of tolerant: tolerant tolerates nil today, but nil is never a valid context`
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

// An unnamed context parameter cannot be used today: reported.
func unnamed(context.Context, string) {}

func callUnnamed() {
	unnamed(nil, "x") // want `CG204 .*unnamed: unnamed tolerates nil today`
}

// A blank context parameter: reported.
func blank(_ context.Context, n int) int { return n }

func callBlank() int {
	return blank(nil, 1) // want `CG204 .*blank: blank tolerates nil today`
}

// A context parameter that is never used (staticcheck SA1012's own case): reported.
func unused(ctx context.Context, n int) int { return n }

func callUnused() int {
	return unused(nil, 1) // want `CG204 nil passed as the context of unused: unused tolerates nil today`
}

// Handed on to a function that checks for nil: reported.
func forwardTolerant(ctx context.Context, d time.Duration) {
	tolerant(ctx, d) // ok: the caller's context
}

func callForwardTolerant() {
	forwardTolerant(nil, time.Second) // want `CG204 .*forwardTolerant: forwardTolerant tolerates nil today`
}

// Only stored in a struct literal whose field may be nil: reported.
type meta struct {
	Context context.Context // nil when the caller has none
}

func record(ctx context.Context, msg string) meta {
	return meta{Context: ctx}
}

func callStored() meta {
	return record(nil, "x") // want `CG204 .*record: record tolerates nil today`
}

// ok: a real context to a function that would tolerate nil.
func okUnusedPassed(ctx context.Context) int {
	return unused(ctx, 1) // ok: a real context
}

// ok: context.TODO where no context is at hand.
func okTolerantTODO() {
	tolerant(context.TODO(), time.Second) // ok: TODO, not nil
}

// Handed on to a function that uses it: reported.
func forwardStrict(ctx context.Context) error {
	return fetch(ctx, "strict") // ok: the caller's context
}

func callForwardStrict() error {
	return forwardStrict(nil) // want `CG204 .*forwardStrict: a nil context panics or fails as soon as it is used`
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

// Two type parameters, explicit and inferred (SA1012's generic cases).
func pair2[K comparable, V any](ctx context.Context, k K, v V) {}

func callPair2() {
	pair2[int, string](nil, 1, "x") // want `CG204 .*pair2: pair2 tolerates nil today`
	pair2(nil, 1, "x")              // want `CG204 .*pair2`
}

// ok: a conversion of nil to a func type is not a call.
func okConversion() {
	_ = (func(context.Context))(nil) // ok: conversion, not a call
	_ = (func())(nil)                // ok: conversion to a func type without parameters
}
