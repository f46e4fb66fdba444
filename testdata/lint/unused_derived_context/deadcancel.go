package unusedderivedcontext

import "context"

// A cancel kept for a context nobody uses: when nothing else runs on the parent
// either, the cancel has no work to stop. Dead code, not a leak.

type pipes struct{ cancel context.CancelFunc }

// ok: the context is dropped, the cancel stored, and the function returns.
func newPipes(ctx context.Context) *pipes {
	_, cancel := context.WithCancel(ctx) // ok
	return &pipes{cancel: cancel}
}

// ok: a cancelable child of Background: nothing else runs on its parent.
func detachedCancel() context.CancelFunc {
	_, cancel := context.WithCancel(context.Background()) // ok
	return cancel
}

// ok: re-bound and never read again, with no other work after it.
func rebindOnly(ctx context.Context) {
	ctx, cancel := context.WithCancelCause(ctx) // ok
	cancel(errFail)
}

// The parent goes on to a goroutine: the cancel was meant to stop it, and stops nothing.
func cancelMeantForWorker(ctx context.Context) {
	_, cancel := context.WithCancel(ctx) // want `CG103 the context returned by context\.WithCancel is discarded`
	defer cancel()
	go func() { _ = use(ctx) }()
}

// The derived context is never read while the call runs on the parent.
func callOnParent(child, parent context.Context) error {
	child, cancel := context.WithCancel(parent) // want `CG103 derived context child is never used`
	defer cancel()
	return cleanupCtx(parent)
}

// ok: the same call on the derived context.
func callOnChild(parent context.Context) error {
	child, cancel := context.WithCancel(parent) // ok
	defer cancel()
	return cleanupCtx(child)
}

// A field as the parent, used after the derivation.
func (s *server) cancelMeantForField() {
	_, cancel := context.WithCancel(s.base) // want `CG103 the context returned by context\.WithCancel is discarded`
	defer cancel()
	_ = use(s.base)
}
