package lostcancel

// This file uses a dot import of "context": the derivations are called
// without a package qualifier.

import (
	. "context"
	"time"
)

// Lost cancel with a dot-imported WithTimeout.
func dotLeak(parent Context, fail bool) error {
	ctx, cancel := WithTimeout(parent, time.Second) // want `CG101 the cancel function is not used on all paths`
	if fail {
		return errFail // want `CG101 this return statement may be reached without using the cancel var defined on line 13`
	}
	defer cancel()
	return use(ctx)
}

// Discarded cancel with a dot-imported WithCancel (qualifier not pinned).
func dotDiscard(parent Context) error {
	ctx, _ := WithCancel(parent) // want `CG101 the cancel function returned by (\w+\.)?WithCancel should be called, not discarded`
	return use(ctx)
}

// ok: dot import, cancel deferred.
func okDot(parent Context) error {
	ctx, cancel := WithDeadline(parent, time.Now().Add(time.Second))
	defer cancel()
	return use(ctx)
}
