package unusedderivedcontext

import (
	stdctx "context"
	"time"
)

// Aliased import, context discarded (qualifier in the message not pinned).
func aliasDiscard(parent stdctx.Context) {
	_, cancel := stdctx.WithTimeout(parent, time.Second) // want `CG103 the context returned by \w+\.WithTimeout is discarded`
	defer cancel()
}

// Aliased import, re-bound parameter never read.
func aliasRebind(ctx stdctx.Context) error {
	ctx, cancel := stdctx.WithTimeout(ctx, time.Second) // want `CG103 derived context ctx is never used`
	defer cancel()
	return cleanup()
}

// ok: aliased import, derived context used.
func okAlias(parent stdctx.Context) error {
	ctx, cancel := stdctx.WithTimeout(parent, time.Second)
	defer cancel()
	return use(ctx)
}
