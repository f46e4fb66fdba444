package lostcancel

import (
	stdctx "context"
	"time"
)

// Lost cancel through an aliased import.
func aliasLeak(parent stdctx.Context, fail bool) error {
	ctx, cancel := stdctx.WithTimeout(parent, time.Second) // want `CG101 the cancel function is not used on all paths`
	if fail {
		return errFail // want `CG101 this return statement may be reached without using the cancel var defined on line 10`
	}
	defer cancel()
	return use(ctx)
}

// Discarded cancel through an aliased import (the qualifier in the message
// is not pinned).
func aliasDiscard(parent stdctx.Context) error {
	ctx, _ := stdctx.WithCancel(parent) // want `CG101 the cancel function returned by \w+\.WithCancel should be called, not discarded`
	return use(ctx)
}

// Lost cancel through an aliased import with a var-declared cancel.
func aliasAssign(parent stdctx.Context, n int) error {
	var cancel stdctx.CancelFunc
	var ctx stdctx.Context
	ctx, cancel = stdctx.WithDeadline(parent, time.Now().Add(time.Second)) // want `CG101 the cancel function is not used on all paths`
	for i := 0; i < n; i++ {
		if i == 3 {
			return nil // want `CG101 this return statement may be reached without using the cancel var defined on line 29`
		}
	}
	cancel()
	return use(ctx)
}

// ok: aliased import, cancel deferred.
func okAlias(parent stdctx.Context) error {
	ctx, cancel := stdctx.WithTimeout(parent, time.Second)
	defer cancel()
	return use(ctx)
}

// ok: aliased import, cancel returned.
func okAliasReturn(parent stdctx.Context) (stdctx.Context, stdctx.CancelFunc) {
	return stdctx.WithCancel(parent)
}
