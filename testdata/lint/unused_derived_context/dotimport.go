package unusedderivedcontext

// This file uses a dot import of "context".

import (
	. "context"
	"time"
)

// Dot-imported WithCancel, context discarded (qualifier not pinned).
func dotDiscard(parent Context) {
	_, cancel := WithCancel(parent) // want `CG103 the context returned by (\w+\.)?WithCancel is discarded`
	_ = use(parent)                 // the work its cancel was meant to stop runs on the parent
	defer cancel()
}

// ok: dot import, derived context used.
func okDot(parent Context) error {
	ctx, cancel := WithTimeout(parent, time.Second)
	defer cancel()
	return use(ctx)
}
