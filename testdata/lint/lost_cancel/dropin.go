package lostcancel

import (
	"context"
	"time"

	"ctxguard.dev/go/ctxtrack"
)

// ctxguard's Go module: its derivations are context's, tracked; a lost cancel is still lost.
func dropInDiscarded(parent context.Context) error {
	ctx, _ := ctxtrack.WithCancel(parent) // want `CG101 the cancel function returned by ctxtrack\.WithCancel should be called, not discarded`
	return use(ctx)
}

func dropInSomePaths(parent context.Context, fast bool) error {
	ctx, cancel := ctxtrack.WithTimeout(parent, time.Second) // want `CG101 the cancel function is not used on all paths`
	if fast {
		return nil // want `CG101 this return statement may be reached without using the cancel var defined on line 17`
	}
	defer cancel()
	return use(ctx)
}

func dropInDeferred(parent context.Context) error {
	ctx, cancel := ctxtrack.WithDeadline(parent, time.Now().Add(time.Second)) // ok
	defer cancel()
	return use(ctx)
}

func dropInCalled(parent context.Context) error {
	ctx, cancel := ctxtrack.WithTimeout(parent, time.Second) // ok
	err := use(ctx)
	cancel()
	return err
}
