package nilcontext

import "context"

// A local variable named context hides the package: no fix is offered here.
func shadowedPkg() error {
	context := "label"
	_ = context
	return fetch(nil, "s") // want `CG204 .*fetch`
}

// After the shadowing scope ends, the fix applies again.
func shadowEnds() error {
	{
		context := 1
		_ = context
	}
	return fetch(nil, "t") // want `CG204 .*fetch`
}

// ok: a parameter named nil-like things: only the literal nil counts.
func okNilVar(ctx context.Context) error {
	var none context.Context = ctx
	return fetch(none, "u") // ok: a variable, not the literal nil
}
