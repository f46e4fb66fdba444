package resourceincontext

import (
	"context"

	"github.com/jmoiron/sqlx"
	"google.golang.org/grpc"
)

type ccKey struct{}

// A gRPC client connection.
func storeClientConn(ctx context.Context) context.Context {
	cc, _ := grpc.NewClient("localhost:1")
	return context.WithValue(ctx, ccKey{}, cc) // want `CG302 .*stores a \*grpc\.ClientConn: .*struct field`
}

// An sqlx pool and transaction.
func storeSqlx(ctx context.Context) context.Context {
	db, _ := sqlx.Open("postgres", "dsn")
	ctx = context.WithValue(ctx, ccKey{}, db) // want `CG302 .*stores a \*sqlx\.DB`
	tx, _ := db.Beginx()
	return context.WithValue(ctx, ccKey{}, tx) // want `CG302 .*stores a \*sqlx\.Tx`
}

// ok: the target address, not the connection.
func okTarget(ctx context.Context) context.Context {
	return context.WithValue(ctx, ccKey{}, "localhost:1") // ok: a string
}

// ok: a client kept in a struct field.
type api struct {
	cc *grpc.ClientConn
}

func (a *api) okField(ctx context.Context) error {
	_ = a.cc // ok: held by the server, not the context
	return ctx.Err()
}
