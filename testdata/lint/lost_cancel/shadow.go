package lostcancel

import (
	"context"
	"time"
)

// fakeContext has methods named like the context package's functions.
type fakeContext struct{}

func (fakeContext) WithCancel(p any) (any, func())                   { return p, func() {} }
func (fakeContext) WithTimeout(p any, d time.Duration) (any, func()) { return p, func() {} }
func (fakeContext) WithDeadline(p any, t time.Time) (any, func())    { return p, func() {} }
func (fakeContext) WithCancelCause(p any) (any, func(error))         { return p, func(error) {} }
func (fakeContext) WithTimeoutCause(p any, d time.Duration, e error) (any, func()) {
	return p, func() {}
}

// ok: a local variable named context shadows the import; not the stdlib.
func okShadowedLeak(parent context.Context, fail bool) any {
	context := fakeContext{}
	ctx, cancel := context.WithCancel(parent)
	if fail {
		return nil
	}
	cancel()
	return ctx
}

// ok: discarding the second result of the shadowing variable's method.
func okShadowedDiscard(parent context.Context) any {
	context := fakeContext{}
	ctx, _ := context.WithTimeout(parent, time.Second)
	return ctx
}

// ok: expression statement on the shadowing variable.
func okShadowedExprStmt(parent context.Context) {
	context := fakeContext{}
	context.WithDeadline(parent, time.Now())
}

// ok: a parameter named context shadows the import.
func okShadowParam(context fakeContext, parent any) any {
	ctx, _ := context.WithCancelCause(parent)
	return ctx
}

// ok: WithTimeoutCause called on the shadowing variable.
func okShadowedTimeoutCause(parent context.Context) any {
	context := fakeContext{}
	ctx, _ := context.WithTimeoutCause(parent, time.Second, errFail)
	return ctx
}

// The shadowing ends with its block: the later call is the stdlib again.
func shadowScopeEnds(parent context.Context, n int) error {
	if n > 0 {
		context := fakeContext{}
		_, _ = context.WithCancel(parent)
	}
	ctx, _ := context.WithCancel(parent) // want `CG101 the cancel function returned by context\.WithCancel should be called, not discarded`
	return use(ctx)
}

// Before the shadowing declaration the name still means the stdlib package.
func shadowAfterUse(parent context.Context) error {
	ctx, _ := context.WithTimeout(parent, time.Second) // want `CG101 the cancel function returned by context\.WithTimeout should be called, not discarded`
	context := fakeContext{}
	_ = context
	return use(ctx)
}
