package resourceincontext

import (
	"context"
	"crypto/tls"
	"database/sql"
	"net"
	"net/http"
	"os"
)

type connKey struct{}
type dbKey struct{}
type txKey struct{}
type idKey struct{}

// A connection from (*sql.DB).Conn.
func storeConn(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx = context.WithValue(ctx, connKey{}, conn) // want `CG302 context\.WithValue stores a \*sql\.Conn: .*pass it explicitly`
	return use(ctx)
}

// The pool itself.
func storeDB(ctx context.Context, db *sql.DB) context.Context {
	return context.WithValue(ctx, dbKey{}, db) // want `CG302 .*stores a \*sql\.DB: .*struct field of the server`
}

// A pool from sql.Open.
func storeOpened(ctx context.Context) context.Context {
	db, _ := sql.Open("postgres", "dsn")
	return context.WithValue(ctx, dbKey{}, db) // want `CG302 .*\*sql\.DB`
}

// A transaction.
func storeTx(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return use(context.WithValue(ctx, txKey{}, tx)) // want `CG302 .*stores a \*sql\.Tx: .*Commit/Rollback`
}

// A network connection.
func storeNetConn(ctx context.Context, addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	return use(context.WithValue(ctx, connKey{}, c)) // want `CG302 .*stores a net\.Conn`
}

// A file.
func storeFile(ctx context.Context, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return use(context.WithValue(ctx, idKey{}, f)) // want `CG302 .*stores a \*os\.File`
}

// An HTTP client and a response.
func storeHTTP(ctx context.Context, client *http.Client, url string) error {
	ctx = context.WithValue(ctx, dbKey{}, client) // want `CG302 .*stores a \*http\.Client`
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return use(context.WithValue(ctx, idKey{}, resp)) // want `CG302 .*stores a \*http\.Response`
}

// A package-level variable with a known type.
var defaultDB *sql.DB

func storeGlobal(ctx context.Context) context.Context {
	return context.WithValue(ctx, dbKey{}, defaultDB) // want `CG302 .*\*sql\.DB`
}

// A struct field.
type server struct {
	db *sql.DB
}

func (s *server) handle(w http.ResponseWriter, r *http.Request) {
	ctx := context.WithValue(r.Context(), dbKey{}, s.db) // want `CG302 .*\*sql\.DB`
	_ = use(ctx)
}

// ok: an ID instead of the connection.
func okID(ctx context.Context, id int64) context.Context {
	return context.WithValue(ctx, idKey{}, id) // ok: an ID
}

// ok: the connection passed explicitly.
func okExplicit(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return useConn(ctx, conn) // ok: passed as an argument
}

// ok: a request-scoped plain value.
type user struct{ name string }

func okUser(ctx context.Context, u *user) context.Context {
	return context.WithValue(ctx, idKey{}, u) // ok: *user is data
}

// ok: a value of unknown type.
func okUnknown(ctx context.Context, v any) context.Context {
	return context.WithValue(ctx, idKey{}, v) // ok: type not established
}

// ok: data taken from the request, not the request.
func okRequest(ctx context.Context, r *http.Request) context.Context {
	return context.WithValue(ctx, idKey{}, r.URL.Path) // ok: a string
}

// ok: the resource used as a key type is not stored as a value.
func okKeyNotValue(ctx context.Context, db *sql.DB) any {
	return ctx.Value(dbKey{}) // ok: a read
}

func use(ctx context.Context) error { return ctx.Err() }

func useConn(ctx context.Context, c *sql.Conn) error { return c.PingContext(ctx) }

// A TLS connection.
func storeTLS(ctx context.Context, raw net.Conn, cfg *tls.Config) error {
	c := tls.Client(raw, cfg)
	defer c.Close()
	return use(context.WithValue(ctx, connKey{}, c)) // want `CG302 .*stores a \*tls\.Conn`
}
