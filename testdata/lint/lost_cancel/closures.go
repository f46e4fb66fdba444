package lostcancel

import (
	"context"
	"time"
)

// Lost cancel inside a function literal: the literal is its own function.
func closureLeak(parent context.Context) func(bool) error {
	return func(fail bool) error {
		ctx, cancel := context.WithCancel(parent) // want `CG101 the cancel function is not used on all paths`
		if fail {
			return errFail // want `CG101 this return statement may be reached without using the cancel var defined on line 11`
		}
		defer cancel()
		return use(ctx)
	}
}

// Lost cancel: the closure capturing cancel is created after the early
// return, so it is not a use on that path.
func closureAfterReturn(parent context.Context, fail bool) (func(), error) {
	ctx, cancel := context.WithCancel(parent) // want `CG101 the cancel function is not used on all paths`
	if fail {
		return nil, errFail // want `CG101 this return statement may be reached without using the cancel var defined on line 23`
	}
	stop := func() { cancel() }
	return stop, use(ctx)
}

// Discarded cancel inside a goroutine's function literal.
func goroutineDiscard(parent context.Context) {
	go func() {
		ctx, _ := context.WithTimeout(parent, time.Second) // want `CG101 the cancel function returned by context\.WithTimeout should be called, not discarded`
		_ = use(ctx)
	}()
}

// Lost cancel in a function literal assigned to a variable; falls off the end.
func closureVarLeak(parent context.Context) {
	run := func(n int) {
		ctx, cancel := context.WithTimeout(parent, time.Second) // want `CG101 the cancel function is not used on all paths`
		if n > 1 {
			defer cancel()
		}
		_ = use(ctx)
	} // want `CG101 this return statement may be reached without using the cancel var defined on line 42`
	run(2)
}

// ok: cancel captured by a closure that is returned on every path.
func okClosureCapture(parent context.Context, fail bool) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	release := func() { cancel() }
	if fail {
		return nil, release
	}
	return ctx, release
}

// ok: cancel called from a goroutine (handed off).
func okGoroutine(parent context.Context, done <-chan struct{}) context.Context {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		<-done
		cancel()
	}()
	return ctx
}

// ok: cancel passed as a function value to time.AfterFunc (handed off).
func okAfterFunc(parent context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	time.AfterFunc(time.Second, cancel)
	return ctx
}

// ok: the cancel variable belongs to the outer function and is assigned
// inside the closure (handed off); the outer function returns it.
func okOuterAssignedInClosure(parent context.Context) (context.Context, context.CancelFunc) {
	var ctx context.Context
	var cancel context.CancelFunc
	setup := func() {
		ctx, cancel = context.WithCancel(parent)
	}
	setup()
	return ctx, cancel
}

// ok: derivation and defer both inside the function literal.
func okClosureDefer(parent context.Context) func() error {
	return func() error {
		ctx, cancel := context.WithTimeout(parent, time.Second)
		defer cancel()
		return use(ctx)
	}
}

// ok: cancel called by a deferred function literal.
func okDeferredClosure(parent context.Context, fail bool) error {
	ctx, cancel := context.WithCancel(parent)
	defer func() {
		cancel()
	}()
	if fail {
		return errFail
	}
	return use(ctx)
}
