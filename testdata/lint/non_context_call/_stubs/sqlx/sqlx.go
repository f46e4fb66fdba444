// Package sqlx is a stand-in for github.com/jmoiron/sqlx: the signatures the fixtures call.
package sqlx

import (
	"context"
	"database/sql"
)

// DB wraps sql.DB.
type DB struct{ *sql.DB }

// Tx wraps sql.Tx.
type Tx struct{ *sql.Tx }

// Stmt wraps sql.Stmt.
type Stmt struct{ *sql.Stmt }

// NamedStmt is a prepared statement with named parameters.
type NamedStmt struct{ Stmt *Stmt }

// Rows wraps sql.Rows.
type Rows struct{ *sql.Rows }

// Row wraps sql.Row.
type Row struct{ err error }

// Queryer runs queries.
type Queryer interface {
	Query(query string, args ...any) (*sql.Rows, error)
	Queryx(query string, args ...any) (*Rows, error)
	QueryRowx(query string, args ...any) *Row
}

// QueryerContext runs queries with a context.
type QueryerContext interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryxContext(ctx context.Context, query string, args ...any) (*Rows, error)
	QueryRowxContext(ctx context.Context, query string, args ...any) *Row
}

// ExtContext runs named queries with a context.
type ExtContext interface {
	QueryerContext
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func Connect(driverName, dataSourceName string) (*DB, error) { return &DB{}, nil }

func ConnectContext(ctx context.Context, driverName, dataSourceName string) (*DB, error) {
	return &DB{}, nil
}

func Get(q Queryer, dest any, query string, args ...any) error { return nil }

func GetContext(ctx context.Context, q QueryerContext, dest any, query string, args ...any) error {
	return nil
}

func Select(q Queryer, dest any, query string, args ...any) error { return nil }

func SelectContext(ctx context.Context, q QueryerContext, dest any, query string, args ...any) error {
	return nil
}

func NamedQueryContext(ctx context.Context, e ExtContext, query string, arg any) (*Rows, error) {
	return nil, nil
}

func (db *DB) Get(dest any, query string, args ...any) error    { return nil }
func (db *DB) Select(dest any, query string, args ...any) error { return nil }
func (db *DB) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	return nil
}
func (db *DB) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	return nil
}
func (db *DB) Queryx(query string, args ...any) (*Rows, error) { return nil, nil }
func (db *DB) QueryxContext(ctx context.Context, query string, args ...any) (*Rows, error) {
	return nil, nil
}
func (db *DB) QueryRowx(query string, args ...any) *Row { return nil }
func (db *DB) QueryRowxContext(ctx context.Context, query string, args ...any) *Row {
	return nil
}
func (db *DB) MustExec(query string, args ...any) sql.Result { return nil }
func (db *DB) MustExecContext(ctx context.Context, query string, args ...any) sql.Result {
	return nil
}
func (db *DB) NamedExec(query string, arg any) (sql.Result, error) { return nil, nil }
func (db *DB) NamedExecContext(ctx context.Context, query string, arg any) (sql.Result, error) {
	return nil, nil
}
func (db *DB) Beginx() (*Tx, error) { return &Tx{}, nil }
func (db *DB) BeginTxx(ctx context.Context, opts *sql.TxOptions) (*Tx, error) {
	return &Tx{}, nil
}
func (db *DB) MustBegin() *Tx                                           { return &Tx{} }
func (db *DB) MustBeginTx(ctx context.Context, opts *sql.TxOptions) *Tx { return &Tx{} }
func (db *DB) Preparex(query string) (*Stmt, error)                     { return &Stmt{}, nil }
func (db *DB) PreparexContext(ctx context.Context, query string) (*Stmt, error) {
	return &Stmt{}, nil
}
func (db *DB) PrepareNamed(query string) (*NamedStmt, error) { return &NamedStmt{}, nil }
func (db *DB) PrepareNamedContext(ctx context.Context, query string) (*NamedStmt, error) {
	return &NamedStmt{}, nil
}

func (tx *Tx) Get(dest any, query string, args ...any) error { return nil }
func (tx *Tx) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	return nil
}
func (tx *Tx) Select(dest any, query string, args ...any) error { return nil }
func (tx *Tx) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	return nil
}
func (tx *Tx) Queryx(query string, args ...any) (*Rows, error) { return nil, nil }
func (tx *Tx) QueryxContext(ctx context.Context, query string, args ...any) (*Rows, error) {
	return nil, nil
}
func (tx *Tx) QueryRowx(query string, args ...any) *Row { return nil }
func (tx *Tx) QueryRowxContext(ctx context.Context, query string, args ...any) *Row {
	return nil
}
func (tx *Tx) NamedQuery(query string, arg any) (*Rows, error)     { return nil, nil }
func (tx *Tx) NamedExec(query string, arg any) (sql.Result, error) { return nil, nil }
func (tx *Tx) NamedExecContext(ctx context.Context, query string, arg any) (sql.Result, error) {
	return nil, nil
}

func (s *Stmt) Get(dest any, args ...any) error { return nil }
func (s *Stmt) GetContext(ctx context.Context, dest any, args ...any) error {
	return nil
}

func (n *NamedStmt) Exec(arg any) (sql.Result, error) { return nil, nil }
func (n *NamedStmt) ExecContext(ctx context.Context, arg any) (sql.Result, error) {
	return nil, nil
}
func (n *NamedStmt) Get(dest any, arg any) error { return nil }
func (n *NamedStmt) GetContext(ctx context.Context, dest any, arg any) error {
	return nil
}

// Rebind rewrites bind variables.
func (db *DB) Rebind(query string) string { return query }

// Unsafe returns a version of db that ignores missing fields.
func (db *DB) Unsafe() *DB { return db }
