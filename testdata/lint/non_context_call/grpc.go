package noncontextcall

import (
	"context"

	"google.golang.org/grpc"
)

// grpc.Dial and DialContext are deprecated: NewClient, and a context on each RPC.
func connect(ctx context.Context, target string) (*grpc.ClientConn, error) {
	if target == "" {
		return grpc.DialContext(ctx, "localhost:1") // want `CG202 grpc\.DialContext is deprecated and its context only bounds a blocking dial: use grpc\.NewClient and pass ctx to each RPC`
	}
	return grpc.Dial(target) // want `CG202 grpc\.Dial is deprecated and has no context: use grpc\.NewClient and pass ctx to each RPC`
}

func connectNew(ctx context.Context, target string) (*grpc.ClientConn, error) {
	return grpc.NewClient(target) // ok: the replacement
}

func connectAtStartup(target string) (*grpc.ClientConn, error) {
	return grpc.Dial(target) // ok: no context at hand (the deprecation is SA1019's)
}
