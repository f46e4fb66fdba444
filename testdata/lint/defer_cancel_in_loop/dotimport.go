package defercancelinloop

// This file uses a dot import of "context".

import (
	. "context"
	"time"
)

// Dot-imported WithTimeout.
func dotLoop(parent Context, urls []string) {
	for _, u := range urls {
		ctx, cancel := WithTimeout(parent, time.Second)
		defer cancel() // want `CG102 cancel is deferred inside a loop`
		_ = fetch(ctx, u)
	}
}

// ok: dot import, per-iteration literal.
func okDotLiteral(parent Context, urls []string) {
	for _, u := range urls {
		func() {
			ctx, cancel := WithTimeout(parent, time.Second)
			defer cancel()
			_ = fetch(ctx, u)
		}()
	}
}
