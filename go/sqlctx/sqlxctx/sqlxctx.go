// Package sqlxctx bounds sqlx calls by the request's deadline, with a default
// maximum for contexts that have none (or a later one): [Get], [Select] and
// [NamedExec] are sqlx.GetContext, sqlx.SelectContext and
// sqlx.NamedExecContext run with the context [sqlctx.Bound](ctx, max).
//
// They take the sqlx interfaces, so *sqlx.DB, *sqlx.Tx and *sqlx.Conn all
// work.
package sqlxctx

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"

	"ctxguard.dev/go/sqlctx"
)

// Get runs sqlx.GetContext (one row into dest) with the context
// [sqlctx.Bound](ctx, max).
func Get(ctx context.Context, db sqlx.QueryerContext, max time.Duration, dest any, query string, args ...any) error {
	ctx, cancel := sqlctx.Bound(ctx, max)
	defer cancel()
	return sqlx.GetContext(ctx, db, dest, query, args...)
}

// Select runs sqlx.SelectContext (all rows into the slice dest) with the
// context [sqlctx.Bound](ctx, max).
func Select(ctx context.Context, db sqlx.QueryerContext, max time.Duration, dest any, query string, args ...any) error {
	ctx, cancel := sqlctx.Bound(ctx, max)
	defer cancel()
	return sqlx.SelectContext(ctx, db, dest, query, args...)
}

// NamedExec runs sqlx.NamedExecContext (arg's fields or map entries bound to
// the query's :names) with the context [sqlctx.Bound](ctx, max).
func NamedExec(ctx context.Context, db sqlx.ExtContext, max time.Duration, query string, arg any) (sql.Result, error) {
	ctx, cancel := sqlctx.Bound(ctx, max)
	defer cancel()
	return sqlx.NamedExecContext(ctx, db, query, arg)
}
