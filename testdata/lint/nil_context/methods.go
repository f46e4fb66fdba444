package nilcontext

import (
	"context"
	"database/sql"
	"net"
	"net/http"
)

type store struct {
	db *sql.DB
}

// Receivers proven from parameters, fields and constructors.
func (s *store) count(tx *sql.Tx) error {
	if _, err := s.db.QueryContext(nil, "SELECT 1"); err != nil { // want `CG204 nil passed as the context of s\.db\.QueryContext`
		return err
	}
	_, err := tx.ExecContext(nil, "DELETE FROM t") // want `CG204 .*tx\.ExecContext`
	return err
}

func openAndPing(dsn string) error {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return err
	}
	conn, err := db.Conn(nil) // want `CG204 .*db\.Conn`
	if err != nil {
		return err
	}
	return conn.PingContext(nil) // want `CG204 .*conn\.PingContext`
}

func dial(addr string) (net.Conn, error) {
	d := &net.Dialer{}
	return d.DialContext(nil, "tcp", addr) // want `CG204 .*d\.DialContext`
}

func rebind(r *http.Request) *http.Request {
	return r.WithContext(nil) // want `CG204 .*r\.WithContext`
}

func shutdown(srv *http.Server) error {
	return srv.Shutdown(nil) // want `CG204 .*srv\.Shutdown`
}

// A method declared in the package.
type worker struct{}

func (w *worker) run(ctx context.Context, n int) error { return ctx.Err() }

func startWorker() error {
	w := &worker{}
	return w.run(nil, 1) // want `CG204 nil passed as the context of w\.run`
}

// A method of a generic type.
type cache[K comparable] struct{}

func (c *cache[K]) load(ctx context.Context, k K) error { return ctx.Err() }

func loadKey(c *cache[string]) error {
	return c.load(nil, "k") // want `CG204 .*c\.load`
}

// An interface declared in the package.
type fetcher interface {
	Fetch(ctx context.Context, url string) ([]byte, error)
}

func useFetcher(f fetcher) {
	_, _ = f.Fetch(nil, "http://x") // want `CG204 .*f\.Fetch`
}

// ok: receiver type not proven: a method of unknown type.
func okUnknownReceiver(x interface {
	QueryContext(any, string) error
}) error {
	return x.QueryContext(nil, "SELECT 1") // ok: receiver type unknown, parameter is any
}

// ok: method expression: nil is the receiver, not the context.
func okMethodExpr(ctx context.Context) error {
	return (*worker).run(nil, ctx, 1) // ok: nil receiver of a method expression
}

// ok: a package method whose first parameter is not a context.
func (w *worker) resize(buf []byte) int { return len(buf) }

func okResize() int {
	w := &worker{}
	return w.resize(nil) // ok: []byte parameter
}

// ok: same method name, other receiver type.
type other struct{}

func (o other) run(p *int, n int) error { return nil }

func okOtherRun() error {
	var o other
	return o.run(nil, 1) // ok: other.run takes *int
}

// ok: a method of a standard type not in the table.
func okStdNotContext(db *sql.DB) error {
	_, err := db.Exec("UPDATE t SET x = ?", nil) // ok: nil is a query argument
	return err
}
