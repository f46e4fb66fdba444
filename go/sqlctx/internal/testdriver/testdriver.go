// Package testdriver is a tiny in-memory database/sql driver for the tests of
// sqlctx and sqlxctx: no network, no cgo. It understands four statements,
// recognised by their first word:
//
//	BLOCK     waits until the call's context is done, then fails with its error
//	DEADLINE  one row, column "deadline": the call's context deadline in Unix
//	          nanoseconds, or -1 when it has none
//	SELECT    two rows, columns "id" (int64) and "name" (string): (1, "a"), (2, "b")
//	INSERT    (Exec) succeeds with one row affected; its arguments are ignored
package testdriver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"strings"
	"sync"
)

// Name is the name the driver is registered under by [Open].
const Name = "ctxguard-testdriver"

var once sync.Once

// Open registers the driver (once) and opens a database on it.
func Open() (*sql.DB, error) {
	once.Do(func() { sql.Register(Name, drv{}) })
	return sql.Open(Name, "")
}

type drv struct{}

func (drv) Open(string) (driver.Conn, error) { return conn{}, nil }

type conn struct{}

var (
	_ driver.QueryerContext = conn{}
	_ driver.ExecerContext  = conn{}
)

func (conn) Prepare(string) (driver.Stmt, error) {
	return nil, errors.New("testdriver: prepared statements are not supported")
}
func (conn) Close() error              { return nil }
func (conn) Begin() (driver.Tx, error) { return tx{}, nil }

func verb(query string) string {
	f := strings.Fields(query)
	if len(f) == 0 {
		return ""
	}
	return strings.ToUpper(f[0])
}

func (conn) QueryContext(ctx context.Context, query string, _ []driver.NamedValue) (driver.Rows, error) {
	switch verb(query) {
	case "BLOCK":
		<-ctx.Done()
		return nil, ctx.Err()
	case "DEADLINE":
		d := int64(-1)
		if dl, ok := ctx.Deadline(); ok {
			d = dl.UnixNano()
		}
		return &rows{cols: []string{"deadline"}, data: [][]driver.Value{{d}}}, nil
	case "SELECT":
		return &rows{cols: []string{"id", "name"}, data: [][]driver.Value{{int64(1), "a"}, {int64(2), "b"}}}, nil
	}
	return nil, errors.New("testdriver: unknown query: " + query)
}

func (conn) ExecContext(ctx context.Context, query string, _ []driver.NamedValue) (driver.Result, error) {
	switch verb(query) {
	case "BLOCK":
		<-ctx.Done()
		return nil, ctx.Err()
	case "INSERT":
		return driver.RowsAffected(1), nil
	}
	return nil, errors.New("testdriver: unknown statement: " + query)
}

type tx struct{}

func (tx) Commit() error   { return nil }
func (tx) Rollback() error { return nil }

type rows struct {
	cols []string
	data [][]driver.Value
	i    int
}

func (r *rows) Columns() []string { return r.cols }
func (r *rows) Close() error      { return nil }
func (r *rows) Next(dest []driver.Value) error {
	if r.i >= len(r.data) {
		return io.EOF
	}
	copy(dest, r.data[r.i])
	r.i++
	return nil
}
