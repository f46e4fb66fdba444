package noncontextcall

import (
	"context"

	"google.golang.org/grpc"
)

// grpc.Dial and DialContext are deprecated (NewClient, and a context on each RPC), but they
// return at once unless told to block: only a blocking dial without a context is a wait nobody
// can cancel. The deprecation itself is SA1019's.
func connect(ctx context.Context, target string) (*grpc.ClientConn, error) {
	if target == "" {
		return grpc.DialContext(ctx, "localhost:1", grpc.WithBlock()) // ok: takes the context
	}
	if target == "block" {
		return grpc.Dial(target, grpc.WithBlock()) // want `CG202 grpc\.Dial is deprecated and has no context: use grpc\.NewClient and pass ctx to each RPC`
	}
	return grpc.Dial(target) // ok: does not block
}

func connectNew(ctx context.Context, target string) (*grpc.ClientConn, error) {
	return grpc.NewClient(target) // ok: the replacement
}

func connectAtStartup(target string) (*grpc.ClientConn, error) {
	return grpc.Dial(target) // ok: no context at hand (the deprecation is SA1019's)
}
