package unusedderivedcontext

import (
	"context"
	"time"
)

// The "defer chain" trap: the deferred literal derives a shutdown context
// but cleanup ignores it. (The literal takes ctx as a parameter so that the
// re-bound ctx compiles without being read.)
func deferChain(ctx context.Context) error {
	defer func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, time.Second) // want `CG103 derived context ctx is never used`
		defer cancel()
		_ = cleanup()
	}(ctx)
	return use(ctx)
}

// The defer chain trap with a discarded context in a parameterless literal.
func deferChainDiscard(ctx context.Context) error {
	defer func() {
		_, cancel := context.WithTimeout(ctx, time.Second) // want `CG103 the context returned by context\.WithTimeout is discarded`
		defer cancel()
		_ = cleanup()
	}()
	return use(ctx)
}

// A goroutine literal that derives a context and ignores it.
func goroutineIgnores(ctx context.Context) {
	go func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, time.Second) // want `CG103 derived context ctx is never used`
		defer cancel()
		_ = flush()
	}(ctx)
}

// A literal stored in a variable.
func literalVar(parent context.Context) error {
	shutdown := func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, time.Second) // want `CG103 derived context ctx is never used`
		defer cancel()
		return flush()
	}
	return shutdown(parent)
}

// ok: the fixed defer chain passes the derived context on.
func okDeferChain(ctx context.Context) error {
	defer func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		_ = cleanupCtx(ctx)
	}(ctx)
	return use(ctx)
}

// ok: the derived context is captured by a goroutine literal.
func okCapturedByGoroutine(parent context.Context, done chan<- struct{}) context.CancelFunc {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		<-ctx.Done()
		close(done)
	}()
	return cancel
}

// ok: the derived context is captured by a deferred literal.
func okCapturedByDefer(parent context.Context) error {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	defer cancel()
	defer func() {
		_ = ctx.Err()
	}()
	return cleanup()
}

// ok: capture in a literal that is only stored counts as a read.
func okCapturedByStoredLiteral(parent context.Context) func() error {
	ctx, cancel := context.WithCancel(parent)
	register(cancel)
	return func() error { return use(ctx) }
}
