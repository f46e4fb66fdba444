package noncontextcall

import (
	"context"

	"github.com/jmoiron/sqlx"
)

type user struct{ Name string }

type users struct {
	db *sqlx.DB
}

func (u *users) find(ctx context.Context, id int) (user, error) {
	var got user
	err := u.db.Get(&got, "SELECT * FROM users WHERE id = ?", id) // want `CG202 \(\*sqlx\.DB\)\.Get has no context: use GetContext\(ctx, \.\.\.\)`
	return got, err
}

func (u *users) list(ctx context.Context) ([]user, error) {
	var all []user
	if err := u.db.Select(&all, "SELECT * FROM users"); err != nil { // want `CG202 \(\*sqlx\.DB\)\.Select has no context`
		return nil, err
	}
	u.db.MustExec("UPDATE users SET seen = 1") // want `CG202 \(\*sqlx\.DB\)\.MustExec has no context`
	_, _ = u.db.Queryx("SELECT 1")             // want `CG202 \(\*sqlx\.DB\)\.Queryx has no context`
	_ = u.db.QueryRowx("SELECT 1")             // want `CG202 \(\*sqlx\.DB\)\.QueryRowx has no context`
	_, _ = u.db.Query("SELECT 1")              // want `CG202 \(\*sql\.DB\)\.Query has no context: use QueryContext\(ctx, \.\.\.\)`
	return all, nil
}

func (u *users) rename(ctx context.Context, id int, name string) error {
	tx, err := u.db.Beginx() // want `CG202 \(\*sqlx\.DB\)\.Beginx has no context: use BeginTxx\(ctx, nil\)`
	if err != nil {
		return err
	}
	defer tx.Rollback() // ok: no twin
	var old user
	if err := tx.Get(&old, "SELECT * FROM users WHERE id = ?", id); err != nil { // want `CG202 \(\*sqlx\.Tx\)\.Get has no context`
		return err
	}

	_, _ = tx.NamedExec("UPDATE users SET name = :name", old) // want `CG202 \(\*sqlx\.Tx\)\.NamedExec has no context`

	rows, err := tx.NamedQuery("SELECT * FROM users WHERE name = :name", old) // want `CG202 \(\*sqlx\.Tx\)\.NamedQuery has no context: use sqlx\.NamedQueryContext\(ctx, tx, \.\.\.\)`
	if err != nil {
		return err
	}
	defer rows.Close()
	_, _ = tx.Exec("UPDATE audit SET n = n + 1") // want `CG202 \(\*sql\.Tx\)\.Exec has no context`
	return tx.Commit()
}

func prepared(ctx context.Context, db *sqlx.DB) {
	st, _ := db.Preparex("SELECT 1") // want `CG202 \(\*sqlx\.DB\)\.Preparex has no context`
	var n int
	_ = st.Get(&n)                            // want `CG202 \(\*sqlx\.Stmt\)\.Get has no context`
	named, _ := db.PrepareNamed("SELECT :a")  // want `CG202 \(\*sqlx\.DB\)\.PrepareNamed has no context`
	_, _ = named.Exec(map[string]any{"a": 1}) // want `CG202 \(\*sqlx\.NamedStmt\)\.Exec has no context`

	tx := db.MustBegin() // want `CG202 \(\*sqlx\.DB\)\.MustBegin has no context: use MustBeginTx\(ctx, nil\)`
	_ = tx.Commit()
}

// Package functions: a fix only where the first argument is proven to have the Context methods.
func pkgFuncs(ctx context.Context, db *sqlx.DB, q sqlx.Queryer) {
	var n int
	_ = sqlx.Get(db, &n, "SELECT 1") // want `CG202 sqlx\.Get has no context: use sqlx\.GetContext\(ctx, \.\.\.\)`

	_ = sqlx.Select(q, &n, "SELECT 1") // want `CG202 sqlx\.Select has no context`

	conn, _ := sqlx.Connect("pg", "dsn") // want `CG202 sqlx\.Connect has no context: use sqlx\.ConnectContext\(ctx, \.\.\.\)`
	_ = conn
}

// ok cases: the twin already, and Get on things that are not databases.
type lru struct{ items map[string]int }

func (l *lru) Get(key string) int { return l.items[key] }

func notDatabases(ctx context.Context, db *sqlx.DB, l *lru, anything any) {
	var u user
	_ = db.GetContext(ctx, &u, "SELECT 1") // ok: the twin
	_ = l.Get("k")                         // ok: a cache's Get
	if g, ok := anything.(interface{ Get(string) int }); ok {
		_ = g.Get("k") // ok: unknown type
	}
}
