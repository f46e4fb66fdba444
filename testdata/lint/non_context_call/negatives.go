package noncontextcall

import (
	"context"
	"database/sql"
	"net"
	"net/http"
	"os/exec"
	"testing"

	"github.com/jmoiron/sqlx"
	"google.golang.org/grpc"
)

// Calls on the same types that have no context-aware twin.
func noTwin(ctx context.Context, db *sql.DB, x *sqlx.DB, cc *grpc.ClientConn) error {
	db.SetMaxOpenConns(4)     // ok: configuration, no I/O
	_ = db.Stats()            // ok: no twin
	conn, err := db.Conn(ctx) // ok: takes ctx already
	if err != nil {
		return err
	}
	defer conn.Close()              // ok: deferred Close, no twin
	tx, err := db.BeginTx(ctx, nil) // ok: the twin
	if err != nil {
		return err
	}
	row := tx.QueryRowContext(ctx, "SELECT 1") // ok: the twin
	var n int
	_ = row.Scan(&n)                 // ok: Scan has no twin
	_ = x.Rebind("SELECT ?")         // ok: string rewriting
	_ = x.Unsafe()                   // ok: no I/O
	_, _ = sql.Open("driver", "dsn") // ok: Open does not connect
	_ = net.JoinHostPort("h", "1")   // ok: no I/O
	_, _ = exec.LookPath("git")      // ok: no twin
	_ = cc.Close()                   // ok: no twin
	return tx.Commit()               // ok: no twin
}

// Local sockets: nothing to resolve, nothing to wait for.
func localSockets(ctx context.Context) {
	l, _ := net.Listen("unix", "/tmp/app.sock")         // ok: Unix socket
	p, _ := net.ListenPacket("ip6:ipv6-icmp", "::1")    // ok: raw IP socket
	g, _ := net.Dial("unixgram", "/run/systemd/notify") // ok: Unix datagram socket
	_, _, _ = l, p, g
}

// Types declared here that happen to use the same method names.
type Client struct{}

func (Client) Get(url string) error { return nil }

type DB struct{}

func (*DB) Query(q string) error { return nil }

func (*DB) Exec(q string) error { return nil }

func lookalikes(ctx context.Context, c Client, d *DB, get func(string) error) {
	_ = c.Get("http://a") // ok: a local Client, not *http.Client
	_ = d.Query("SELECT") // ok: a local DB, not *sql.DB
	_ = d.Exec("UPDATE")  // ok: same
	_ = get("http://a")   // ok: a func parameter
}

// Calls that run when the context may be done.
func cleanups(ctx context.Context, t *testing.T, db *sql.DB) {
	defer func() {
		_, _ = db.Exec("DELETE FROM locks") // ok: a deferred function literal
	}()
	t.Cleanup(func() {
		_ = db.Ping() // ok: a Cleanup callback
	})
	stop := context.AfterFunc(ctx, func() {
		_, _ = http.Get("http://a/cancelled") // ok: runs once ctx is done
	})
	defer stop()
}

// A context declared inside the deferred literal is fair game.
func ownContextInDefer(parent context.Context, db *sql.DB) {
	defer func() {
		ctx := context.WithoutCancel(parent)
		_, _ = db.Exec("DELETE FROM locks") // want `CG202 \(\*sql\.DB\)\.Exec has no context: use ExecContext\(ctx, \.\.\.\)`
		_ = ctx
	}()
}
