// Package slowdb is a tiny database/sql driver for the leak lab. Every
// statement takes the delay given in the data source name ("delay=300ms")
// and honours cancellation only through the context database/sql hands
// down. The non-context APIs (db.Query, db.QueryRow, db.Exec, ...) run with
// context.Background(), so they always wait the full delay, as a real
// driver would wait for a slow server.
//
// It stores nothing: every query returns one row with one column, 1.
package slowdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

func init() { sql.Register("slowdb", Driver{}) }

// Driver opens connections whose statements take a fixed time.
type Driver struct{}

// Open parses "delay=DURATION" (empty means no delay).
func (Driver) Open(dsn string) (driver.Conn, error) {
	c := &conn{}
	for _, kv := range strings.Fields(strings.ReplaceAll(dsn, ";", " ")) {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "delay":
			d, err := time.ParseDuration(v)
			if err != nil {
				return nil, fmt.Errorf("slowdb: %v", err)
			}
			c.delay = d
		default:
			return nil, fmt.Errorf("slowdb: unknown DSN key %q", k)
		}
	}
	return c, nil
}

type conn struct{ delay time.Duration }

var errNoPrepare = errors.New("slowdb: prepared statements are not supported")

func (c *conn) Prepare(string) (driver.Stmt, error) { return nil, errNoPrepare }
func (c *conn) Close() error                        { return nil }
func (c *conn) Begin() (driver.Tx, error)           { return tx{}, nil }

func (c *conn) BeginTx(ctx context.Context, _ driver.TxOptions) (driver.Tx, error) {
	return tx{}, c.wait(ctx)
}

func (c *conn) ExecContext(ctx context.Context, _ string, _ []driver.NamedValue) (driver.Result, error) {
	if err := c.wait(ctx); err != nil {
		return nil, err
	}
	return driver.RowsAffected(1), nil
}

func (c *conn) QueryContext(ctx context.Context, _ string, _ []driver.NamedValue) (driver.Rows, error) {
	if err := c.wait(ctx); err != nil {
		return nil, err
	}
	return &rows{v: int64(1)}, nil
}

// wait is where a slow statement parks: in a select on a timer and ctx.
func (c *conn) wait(ctx context.Context) error {
	t := time.NewTimer(c.delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type tx struct{}

func (tx) Commit() error   { return nil }
func (tx) Rollback() error { return nil }

type rows struct {
	v    driver.Value
	done bool
}

func (r *rows) Columns() []string { return []string{"value"} }
func (r *rows) Close() error      { return nil }

func (r *rows) Next(dest []driver.Value) error {
	if r.done {
		return io.EOF
	}
	r.done = true
	dest[0] = r.v
	return nil
}
