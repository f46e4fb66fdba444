package lostcancel

import (
	"context"
	"sync"
	"testing"
	"time"
)

// More hand-offs and paths that always use cancel. Every function here is
// clean.

// ok: cancel sent on a channel (handed off).
func okSentOnChannel(parent context.Context, out chan<- context.CancelFunc) context.Context {
	ctx, cancel := context.WithCancel(parent)
	out <- cancel
	return ctx
}

// ok: cancel returned inside a slice literal.
func okSliceLiteral(parent context.Context) (context.Context, []context.CancelFunc) {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	return ctx, []context.CancelFunc{cancel}
}

// ok: cancel copied to another variable that is returned.
func okCopied(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	c := cancel
	return ctx, c
}

// ok: cancel wrapped in a closure that is deferred.
func okWrappedDefer(parent context.Context) error {
	ctx, cancel := context.WithCancel(parent)
	stop := func() { cancel() }
	defer stop()
	return use(ctx)
}

// ok: nil-checked cancel in a deferred literal.
func okDeferNilCheck(parent context.Context, fail bool) error {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	defer func() {
		if cancel != nil {
			cancel()
		}
	}()
	if fail {
		return errFail
	}
	return use(ctx)
}

// ok: cancel registered with t.Cleanup.
func okTestCleanup(t *testing.T, parent context.Context) context.Context {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	t.Cleanup(cancel)
	return ctx
}

// ok: cancel passed to context.AfterFunc.
func okContextAfterFunc(parent, other context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	context.AfterFunc(other, cancel)
	return ctx
}

// ok: cancel wrapped by sync.OnceFunc and returned.
func okOnceFunc(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	return ctx, sync.OnceFunc(cancel)
}

// ok: cancel stored in a struct literal passed to a function.
func okStructArg(parent context.Context) {
	ctx, cancel := context.WithCancel(parent)
	adopt(&holder{ctx: ctx, cancel: cancel})
}

func adopt(h *holder) { _ = h }

// ok: cancel converted to an interface value and returned.
func okAsAny(parent context.Context) (context.Context, any) {
	ctx, cancel := context.WithCancel(parent)
	return ctx, any(cancel)
}

// ok: the cancel variable of the outer function is assigned inside a
// goroutine's literal (handed off), and read by the outer function.
func okAssignedInGoroutine(parent context.Context, ready chan<- struct{}) func() {
	var cancel context.CancelFunc
	var mu sync.Mutex
	go func() {
		mu.Lock()
		defer mu.Unlock()
		var ctx context.Context
		ctx, cancel = context.WithCancel(parent)
		_ = use(ctx)
		close(ready)
	}()
	return func() {
		mu.Lock()
		defer mu.Unlock()
		cancel()
	}
}

// ok: goto retry loop; every path that leaves calls or defers cancel.
func okGotoRetry(parent context.Context, attempts int) error {
retry:
	ctx, cancel := context.WithTimeout(parent, time.Second)
	if err := use(ctx); err != nil && attempts > 0 {
		attempts--
		cancel()
		goto retry
	}
	defer cancel()
	return use(ctx)
}

// ok: every select case, including default, uses cancel.
func okSelectAllCases(parent context.Context, ch <-chan int) int {
	ctx, cancel := context.WithCancel(parent)
	select {
	case v := <-ch:
		cancel()
		return v
	case <-ctx.Done():
		cancel()
		return -1
	default:
		defer cancel()
		return 0
	}
}

// ok: named results; every bare return counts as a use of cancel.
func okNamedBareReturns(parent context.Context, mode int) (ctx context.Context, cancel context.CancelFunc, err error) {
	ctx, cancel = context.WithTimeout(parent, time.Second)
	switch mode {
	case 0:
		return
	case 1:
		err = errFail
		return
	}
	return ctx, cancel, nil
}

// ok: the loop only exits through paths that cancel.
func okLoopExitsCancel(parent context.Context, in <-chan int) int {
	ctx, cancel := context.WithCancel(parent)
	for {
		select {
		case v := <-in:
			if v < 0 {
				cancel()
				return v
			}
		case <-ctx.Done():
			cancel()
			return 0
		}
	}
}

// ok: both branches of an if/else use cancel in different ways.
func okIfElseHandOff(parent context.Context, keep bool) context.Context {
	ctx, cancel := context.WithCancel(parent)
	if keep {
		globalCancel = cancel
	} else {
		defer cancel()
	}
	return ctx
}
