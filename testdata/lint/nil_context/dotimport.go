package nilcontext

// This file dot-imports "context": the fix writes TODO().

import (
	. "context"
)

func dotNil() {
	ctx, cancel := WithCancel(nil) // want `CG204 .*WithCancel`
	defer cancel()
	_ = ctx
}

func dotParam(ctx Context) error { return ctx.Err() }

func callDotParam() error {
	return dotParam(nil) // want `CG204 .*dotParam`
}

// ok: a real context through the dot import.
func okDot() error {
	return dotParam(Background()) // ok: not nil
}
