package nilcontext

import (
	stdctx "context"
	"time"
)

// Aliased import: the fix spells stdctx.TODO().
func aliasNil() {
	ctx, cancel := stdctx.WithDeadline(nil, time.Now()) // want `CG204 .*stdctx\.WithDeadline`
	defer cancel()
	_ = ctx
}

func aliasCause() error {
	return stdctx.Cause(nil) // want `CG204 .*stdctx\.Cause`
}

// A package function declared with the aliased type.
func aliasParam(c stdctx.Context) error { return c.Err() }

func callAliasParam() error {
	return aliasParam(nil) // want `CG204 .*aliasParam`
}

// ok: a local variable named like the package is not the package.
func okShadowPkg() {
	type fake struct{}
	stdctx := struct{ WithCancel func(*int) }{WithCancel: func(*int) {}}
	stdctx.WithCancel(nil) // ok: a struct field, not context.WithCancel
	_ = fake{}
}
