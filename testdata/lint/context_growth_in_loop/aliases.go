package contextgrowthinloop

import stdctx "context"

// Aliased import.
func aliased(ctx stdctx.Context, ids []int) {
	for _, id := range ids {
		ctx = stdctx.WithValue(ctx, jobKey{}, id) // want `CG304 ctx is re-derived from itself with context.WithValue`
		_ = use(ctx)
	}
}

// Aliased import, per-iteration shadow.
func aliasedShadow(ctx stdctx.Context, ids []int) {
	for _, id := range ids {
		ctx := stdctx.WithValue(ctx, jobKey{}, id) // ok: a new variable per iteration (aliased import)
		_ = use(ctx)
	}
}
