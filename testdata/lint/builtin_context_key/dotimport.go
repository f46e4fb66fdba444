package builtincontextkey

// This file dot-imports "context".

import . "context"

func dotImport(ctx Context) Context {
	return WithValue(ctx, "dot", 1) // want `CG301 WithValue key "dot" has built-in type string`
}

// ok: dot import, named key.
func okDotImport(ctx Context) Context {
	return WithValue(ctx, ctxKey("dot"), 1) // ok: named key type
}
