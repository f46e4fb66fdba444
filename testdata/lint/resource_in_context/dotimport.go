package resourceincontext

// This file dot-imports "context".

import (
	. "context"
	"database/sql"
)

type dotKey struct{}

func dotStore(ctx Context, conn *sql.Conn) Context {
	return WithValue(ctx, dotKey{}, conn) // want `CG302 .*\*sql\.Conn`
}

// ok: dot import, plain value.
func okDotStore(ctx Context) Context {
	return WithValue(ctx, dotKey{}, "x") // ok: a string
}
