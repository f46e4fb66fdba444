package noncontextcall

import (
	"context"
	"database/sql"
)

type store struct {
	db    *sql.DB
	cache map[string]string
}

// The classic: a method with a context that forgets it on the way to the database.
func (s *store) load(ctx context.Context, id string) (string, error) {
	var name string
	err := s.db.QueryRow("SELECT name FROM t WHERE id = ?", id).Scan(&name) // want `CG202 \(\*sql\.DB\)\.QueryRow has no context: use QueryRowContext\(ctx, \.\.\.\)`
	if err != nil {
		return "", err
	}
	rows, err := s.db.Query("SELECT 1") // want `CG202 \(\*sql\.DB\)\.Query has no context: use QueryContext\(ctx, \.\.\.\)`
	if err != nil {
		return "", err
	}
	defer rows.Close()
	_, err = s.db.Exec( // want `CG202 \(\*sql\.DB\)\.Exec has no context`
		"UPDATE t SET seen = 1 WHERE id = ?",
		id,
	)
	return name, err
}

// Transactions and statements, their types followed through locals.
func (s *store) transfer(ctx context.Context, from, to string) error {
	tx, err := s.db.Begin() // want `CG202 \(\*sql\.DB\)\.Begin has no context: use BeginTx\(ctx, nil\)`
	if err != nil {
		return err
	}
	defer tx.Rollback() // ok: Rollback has no twin

	if _, err := tx.Exec("UPDATE a", from); err != nil { // want `CG202 \(\*sql\.Tx\)\.Exec has no context: use ExecContext\(ctx, \.\.\.\)`
		return err
	}
	stmt, err := s.db.Prepare("UPDATE b SET x = ?") // want `CG202 \(\*sql\.DB\)\.Prepare has no context`
	if err != nil {
		return err
	}
	txStmt := tx.Stmt(stmt)                    // want `CG202 \(\*sql\.Tx\)\.Stmt has no context: use StmtContext\(ctx, \.\.\.\)`
	if _, err := txStmt.Exec(to); err != nil { // want `CG202 \(\*sql\.Stmt\)\.Exec has no context`
		return err
	}
	return tx.Commit() // ok: Commit has no twin
}

func ping(ctx context.Context, db *sql.DB) error {
	return db.Ping() // want `CG202 \(\*sql\.DB\)\.Ping has no context: use PingContext\(ctx\)`
}

// A package variable, typed or initialised from sql.Open.
var global *sql.DB

var opened, errOpen = sql.Open("driver", "dsn")

func globals(ctx context.Context) {
	_, _ = global.Exec("DELETE FROM t") // want `CG202 \(\*sql\.DB\)\.Exec has no context`

	_ = opened.Ping() // want `CG202 \(\*sql\.DB\)\.Ping has no context`
}

// Collections of databases.
func shards(ctx context.Context, all []*sql.DB, byName map[string]*sql.DB) {
	for _, db := range all {
		_, _ = db.Exec("VACUUM") // want `CG202 \(\*sql\.DB\)\.Exec has no context`
	}
	_, _ = byName["main"].Query("SELECT 1") // want `CG202 \(\*sql\.DB\)\.Query has no context`
}

// A struct that embeds *sql.DB gets its methods promoted.
type repo struct {
	*sql.DB
	name string
}

func (r *repo) count(ctx context.Context) {
	_ = r.QueryRow("SELECT count(*) FROM t") // want `CG202 \(\*sql\.DB\)\.QueryRow has no context`
}

// A struct that embeds *sql.DB but declares its own Query.
type wrapped struct{ *sql.DB }

func (w *wrapped) Query(q string) error { return nil }

func (w *wrapped) run(ctx context.Context) {
	_ = w.Query("SELECT 1") // ok: wrapped.Query is declared here, not sql.DB's
}

// Generic functions and closures see the context too.
func each[T any](ctx context.Context, db *sql.DB, items []T) {
	for range items {
		_, _ = db.Exec("INSERT") // want `CG202 \(\*sql\.DB\)\.Exec has no context`
	}
	go func() {
		_ = db.Ping() // want `CG202 \(\*sql\.DB\)\.Ping has no context`
	}()
}

// ok cases.
func (s *store) clean(ctx context.Context, key string) {
	_ = s.cache[key]                                      // ok: a map, no call
	_, _ = s.db.QueryContext(ctx, "SELECT 1")             // ok: already the twin
	defer s.db.Exec("DELETE FROM locks WHERE k = ?", key) // ok: deferred, runs when ctx may be done
	context.AfterFunc(ctx, func() {
		_, _ = s.db.Exec("UPDATE jobs SET cancelled = 1") // ok: runs because ctx is done
	})
	query := s.db.Query // ok: a method value, not a call
	_ = query
}

func shadowed(ctx context.Context, db *sql.DB) {
	{
		ctx := "not a context"
		_ = ctx
		_ = db.Ping() // ok: ctx is shadowed by a string
	}
}

// The only context in scope is a local Background: it is never done, passing it would change nothing.
func rootOnly(db *sql.DB) {
	ctx := context.Background()
	_ = db.Ping() // ok: only a local Background() is in scope
	_ = ctx
}

func noCtx(db *sql.DB) {
	_ = db.Ping() // ok: no context at hand
}

type getter interface{ Get(key string) string }

func unknown(ctx context.Context, g getter, m map[string]*sql.DB) {
	_ = g.Get("k") // ok: Get on an interface nobody declared as a database
	var v struct{ Query func() }
	v.Query = func() {}
	v.Query() // ok: a func field named Query
}
