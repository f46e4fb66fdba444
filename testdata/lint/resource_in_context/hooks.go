package resourceincontext

import (
	"context"
	"net"
	"net/http"
)

type remoteKey struct{}

// A ConnContext hook: the context is made for this connection and lives as long as it.
func newServer() *http.Server {
	return &http.Server{
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, remoteKey{}, c) // ok: the connection's own context
		},
	}
}

// A helper of the hook's shape, as grpc-go's SetConnection.
func setConnection(ctx context.Context, conn net.Conn) context.Context {
	return context.WithValue(ctx, remoteKey{}, conn) // ok: same shape
}

// Not the hook's shape: a request's context carries a connection it does not own.
func withUpstream(ctx context.Context, conn net.Conn, name string) context.Context {
	return context.WithValue(ctx, remoteKey{}, conn) // want `CG302 .*stores a net\.Conn`
}
