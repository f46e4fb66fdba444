package builtincontextkey

import stdctx "context"

// Aliased import.
func aliasImport(ctx stdctx.Context) stdctx.Context {
	return stdctx.WithValue(ctx, "alias", 1) // want `CG301 stdctx\.WithValue key "alias" has built-in type string`
}

// ok: aliased import, struct key.
func okAliasImport(ctx stdctx.Context) stdctx.Context {
	return stdctx.WithValue(ctx, userKey{}, 1) // ok: struct key
}
