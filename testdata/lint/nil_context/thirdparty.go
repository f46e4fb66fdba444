package nilcontext

import (
	"context"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

func group() error {
	g, ctx := errgroup.WithContext(nil) // want `CG204 .*errgroup\.WithContext`
	g.Go(func() error { return ctx.Err() })
	return g.Wait()
}

func outgoing() context.Context {
	return metadata.NewOutgoingContext(nil, metadata.Pairs("k", "v")) // want `CG204 .*metadata\.NewOutgoingContext`
}

func invoke(cc *grpc.ClientConn) error {
	return cc.Invoke(nil, "/svc/M", nil, nil) // want `CG204 .*cc\.Invoke`
}

// ok: grpc.NewClient has no context.
func okNewClient() (*grpc.ClientConn, error) {
	return grpc.NewClient("localhost:1") // ok: no context parameter
}

// ok: errgroup with a real context.
func okGroup(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx) // ok: real context
	g.Go(func() error { return ctx.Err() })
	return g.Wait()
}
