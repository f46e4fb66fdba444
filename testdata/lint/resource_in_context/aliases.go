package resourceincontext

import (
	stdctx "context"
	dbsql "database/sql"
)

type aliasKey struct{}

// Aliased imports.
func aliasStore(ctx stdctx.Context, db *dbsql.DB) stdctx.Context {
	return stdctx.WithValue(ctx, aliasKey{}, db) // want `CG302 .*\*sql\.DB`
}

// ok: aliased import, plain value.
func okAliasStore(ctx stdctx.Context) stdctx.Context {
	return stdctx.WithValue(ctx, aliasKey{}, 1) // ok: an int
}
