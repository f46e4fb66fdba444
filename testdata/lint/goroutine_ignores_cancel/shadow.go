package goroutineignorescancel

import (
	"context"
)

// fakeContext has a method named like context.WithCancel.
type fakeContext struct{}

type fakeCtx struct{}

func (fakeContext) WithCancel(p any) (fakeCtx, func()) { return fakeCtx{}, func() {} }

// ok: a local variable named context shadows the import, so ctx is not a
// context.Context; the function has no context parameter either.
func okShadowed(in <-chan int) {
	context := fakeContext{}
	ctx, cancel := context.WithCancel(nil)
	defer cancel()
	go func() {
		for v := range in {
			process(v)
		}
	}()
	keep(ctx)
}

// The shadowing ends with its block: ctx below is a real context.
func shadowScopeEnds(in <-chan int, n int) {
	if n > 0 {
		context := fakeContext{}
		_, stop := context.WithCancel(nil)
		stop()
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for v := range in { // want `CG104 goroutine loop blocks on a range over a channel`
			process(v)
		}
	}()
	keep(ctx)
}
