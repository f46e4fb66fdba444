package contextnotfirst

import (
	stdctx "context"
)

// An aliased import.
func aliasFetch(id string, ctx stdctx.Context) error { // want `context parameter ctx should be the first parameter of aliasFetch: move it before id$`
	_ = id
	return use(ctx)
}

// ok: aliased and first.
func aliasGood(ctx stdctx.Context, id string) error { // ok: context first
	_ = id
	return use(ctx)
}

// ok: a local type named Context is not context.Context.
type Context struct{}

func localContext(id string, c Context) { _, _ = id, c } // ok: not the context package's type
