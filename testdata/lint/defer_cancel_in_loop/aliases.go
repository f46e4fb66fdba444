package defercancelinloop

import (
	stdctx "context"
	"time"
)

// Aliased import.
func aliasLoop(parent stdctx.Context, urls []string) {
	for _, u := range urls {
		ctx, cancel := stdctx.WithTimeout(parent, time.Second)
		defer cancel() // want `CG102 cancel is deferred inside a loop`
		_ = fetch(ctx, u)
	}
}

// ok: aliased import, explicit cancel per iteration.
func okAliasExplicit(parent stdctx.Context, urls []string) {
	for _, u := range urls {
		ctx, cancel := stdctx.WithCancel(parent)
		_ = fetch(ctx, u)
		cancel()
	}
}
