// Package sqlctx bounds database/sql calls by the request's deadline, with a
// default maximum for contexts that have none (or a later one), so that no
// query outlives the request that made it nor runs unbounded.
//
// [Bound] does the bounding; [Query], [QueryRow] and [Exec] are thin wrappers
// over the *Context methods of *sql.DB, *sql.Tx and *sql.Conn that apply it.
// Package ctxguard.dev/go/sqlctx/sqlxctx does the same for sqlx.
package sqlctx

import (
	"context"
	"database/sql"
	"time"
)

// Bound returns a context for one database call: ctx itself when its
// deadline comes within max from now, else ctx with a deadline max from now.
// A max of 0 or less sets no maximum (ctx is returned as is). The caller must
// call the returned CancelFunc once the call's results are consumed; it is a
// no-op when ctx was returned as is.
func Bound(ctx context.Context, max time.Duration) (context.Context, context.CancelFunc) {
	if max <= 0 {
		return ctx, func() {}
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= max {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, max)
}

// Querier is what [Query], [QueryRow] and [Exec] call: *sql.DB, *sql.Tx and
// *sql.Conn implement it.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Exec runs db.ExecContext with the context [Bound](ctx, max).
func Exec(ctx context.Context, db Querier, max time.Duration, query string, args ...any) (sql.Result, error) {
	ctx, cancel := Bound(ctx, max)
	defer cancel()
	return db.ExecContext(ctx, query, args...)
}

// Query runs db.QueryContext with the context [Bound](ctx, max). The bound
// lasts until [Rows.Close] (which the caller must call, as with *sql.Rows);
// reading the rows after it has passed fails with the context's error.
func Query(ctx context.Context, db Querier, max time.Duration, query string, args ...any) (*Rows, error) {
	ctx, cancel := Bound(ctx, max)
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		cancel()
		return nil, err
	}
	return &Rows{Rows: rows, cancel: cancel}, nil
}

// QueryRow runs db.QueryRowContext with the context [Bound](ctx, max). The
// bound lasts until [Row.Scan].
func QueryRow(ctx context.Context, db Querier, max time.Duration, query string, args ...any) *Row {
	ctx, cancel := Bound(ctx, max)
	return &Row{row: db.QueryRowContext(ctx, query, args...), cancel: cancel}
}

// Rows is a *sql.Rows whose Close also releases the bound set by [Query].
type Rows struct {
	*sql.Rows
	cancel context.CancelFunc
}

// Close closes the rows, then releases the bound's context.
func (r *Rows) Close() error {
	err := r.Rows.Close()
	r.cancel()
	return err
}

// Row is a *sql.Row whose Scan also releases the bound set by [QueryRow].
type Row struct {
	row    *sql.Row
	cancel context.CancelFunc
}

// Scan is [sql.Row.Scan]; it then releases the bound's context.
func (r *Row) Scan(dest ...any) error {
	defer r.cancel()
	return r.row.Scan(dest...)
}

// Err is [sql.Row.Err]: the error, if any, of running the query, without
// consuming the row.
func (r *Row) Err() error { return r.row.Err() }
