package unusedderivedcontext

import (
	"context"
	"time"
)

// fakeContext has methods named like the context package's functions.
type fakeContext struct{}

func (fakeContext) WithCancel(p any) (any, func())                   { return p, func() {} }
func (fakeContext) WithTimeout(p any, d time.Duration) (any, func()) { return p, func() {} }

// ok: a local variable named context shadows the import.
func okShadowedDiscard(parent context.Context) {
	context := fakeContext{}
	_, cancel := context.WithCancel(parent)
	defer cancel()
}

// ok: shadowed; the re-bound value is never read but it is not the stdlib.
func okShadowedRebind(ctx any) error {
	context := fakeContext{}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return cleanup()
}

// The shadowing ends with its block.
func shadowScopeEnds(parent context.Context, n int) {
	if n > 0 {
		context := fakeContext{}
		_, cancel := context.WithCancel(parent)
		cancel()
	}
	_, cancel := context.WithCancel(parent) // want `CG103 the context returned by context\.WithCancel is discarded`
	_ = use(parent)                         // the work its cancel was meant to stop runs on the parent
	cancel()
}
