package unusedderivedcontext

import (
	"context"
	"time"
)

// Context discarded with the blank identifier (the example from the rule).
func discardCancelCtx(bg context.Context) {
	_, cancel := context.WithCancel(bg) // want `CG103 the context returned by context\.WithCancel is discarded: its deadline and cancellation protect nothing`
	_ = use(bg)                         // the work its cancel was meant to stop runs on the parent
	defer cancel()
	_ = cleanup()
}

// Context discarded, WithTimeout, cancel handed to a function.
func discardTimeout(parent context.Context) {
	_, cancel := context.WithTimeout(parent, time.Second) // want `CG103 the context returned by context\.WithTimeout is discarded`
	register(cancel)
}

// Context discarded, WithCancelCause.
func discardCancelCause(parent context.Context) {
	_, cancel := context.WithCancelCause(parent) // want `CG103 the context returned by context\.WithCancelCause is discarded`
	_ = use(parent)                              // the work its cancel was meant to stop runs on the parent
	cancel(errFail)
}

// Context discarded in a var declaration, WithDeadline.
func discardVar(parent context.Context) {
	var _, cancel = context.WithDeadline(parent, time.Now().Add(time.Second)) // want `CG103 the context returned by context\.WithDeadline is discarded`
	defer cancel()
}

// Context discarded in a plain assignment, WithTimeoutCause.
func discardAssign(parent context.Context) {
	var cancel context.CancelFunc
	_, cancel = context.WithTimeoutCause(parent, time.Second, errFail) // want `CG103 the context returned by context\.WithTimeoutCause is discarded`
	cancel()
}

// Context discarded, WithDeadlineCause.
func discardDeadlineCause(parent context.Context) {
	_, cancel := context.WithDeadlineCause(parent, time.Now(), errFail) // want `CG103 the context returned by context\.WithDeadlineCause is discarded`
	cancel()
}

// The parameter is re-bound to the derived context, which is never read.
func rebindParam(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second) // want `CG103 derived context ctx is never used: its deadline and cancellation protect nothing`
	defer cancel()
	return cleanup()
}

// The name in the message is the variable's name.
func otherName(reqCtx context.Context) error {
	reqCtx, cancel := context.WithTimeout(reqCtx, time.Second) // want `CG103 derived context reqCtx is never used`
	defer cancel()
	return flush()
}

// Reads before the derivation do not count.
func readBefore(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second) // want `CG103 derived context ctx is never used`
	defer cancel()
	return cleanup()
}

// Reassignment with = is not a read, and nothing reads ctx afterwards.
func reassignedNotRead(ctx context.Context) error {
	ctx, cancel := context.WithDeadline(ctx, time.Now().Add(time.Second)) // want `CG103 derived context ctx is never used`
	defer cancel()
	ctx = context.Background()
	return cleanup()
}

// In a chain of derivations the first is read by the second; the second is
// never read.
func chain(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	ctx, stop := context.WithTimeout(ctx, time.Second) // want `CG103 derived context ctx is never used`
	defer stop()
	return flush()
}

// ok: the derived context is passed to a function.
func okPassed(parent context.Context) error {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	defer cancel()
	return use(ctx)
}

// ok: the derived context is returned.
func okReturned(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	return ctx, cancel
}

// ok: a method is called on the derived context.
func okMethodCall(parent context.Context) error {
	ctx, cancel := context.WithDeadline(parent, time.Now().Add(time.Second))
	defer cancel()
	return ctx.Err()
}

// ok: re-bound parameter that is read afterwards.
func okRebindRead(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return cleanupCtx(ctx)
}

// ok: read on only one path is still a read.
func okReadOnOnePath(ctx context.Context, deep bool) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if deep {
		return cleanupCtx(ctx)
	}
	return cleanup()
}

// ok: WithValue is not a cancelable derivation.
func okWithValue(ctx context.Context) error {
	ctx = context.WithValue(ctx, ctxKey{}, 1)
	return cleanup()
}

// ok: named results returned explicitly.
func okNamedResults(parent context.Context) (ctx context.Context, cancel context.CancelFunc) {
	ctx, cancel = context.WithCancel(parent)
	return ctx, cancel
}
