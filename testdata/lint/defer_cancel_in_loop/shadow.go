package defercancelinloop

import (
	"context"
	"time"
)

// fakeContext has methods named like the context package's functions.
type fakeContext struct{}

func (fakeContext) WithTimeout(p any, d time.Duration) (any, func()) { return p, func() {} }
func (fakeContext) WithCancel(p any) (any, func())                   { return p, func() {} }

// ok: a local variable named context shadows the import.
func okShadowed(parent context.Context, urls []string) {
	context := fakeContext{}
	for range urls {
		ctx, cancel := context.WithTimeout(parent, time.Second)
		defer cancel()
		_ = ctx
	}
}

// ok: the shadowing variable is declared inside the loop body.
func okShadowedInLoop(parent context.Context, n int) {
	for i := 0; i < n; i++ {
		context := fakeContext{}
		ctx, cancel := context.WithCancel(parent)
		defer cancel()
		_ = ctx
	}
}

// The shadowing is limited to the first loop; the second loop uses the stdlib.
func shadowScopeEnds(parent context.Context, urls []string) {
	for range urls {
		context := fakeContext{}
		_, cancel := context.WithCancel(parent)
		defer cancel()
	}
	for _, u := range urls {
		ctx, cancel := context.WithTimeout(parent, time.Second)
		defer cancel() // want `CG102 cancel is deferred inside a loop`
		_ = fetch(ctx, u)
	}
}
