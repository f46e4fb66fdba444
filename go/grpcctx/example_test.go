package grpcctx_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"

	"ctxguard.dev/go/grpcctx"
	"ctxguard.dev/go/lifecycle"
)

// printObserver prints the lifecycle stages it is told about.
type printObserver string

func (p printObserver) Started(route string) { fmt.Println(p, "started", route) }
func (p printObserver) Finished(route string, o lifecycle.Outcome, _ float64) {
	fmt.Println(p, "finished", route, o)
}
func (p printObserver) Cut(route string) { fmt.Println(p, "cut", route) }

func ExampleUnaryServerInterceptor() {
	// Server: cap every handler at 5s, report to an Observer (in a service,
	// one from ctxprom.NewObserver).
	srvOpts := grpcctx.Options{MaxTimeout: 5 * time.Second, Observer: printObserver("server")}
	srv := grpc.NewServer(
		grpc.ChainUnaryInterceptor(grpcctx.UnaryServerInterceptor(srvOpts)),
		grpc.ChainStreamInterceptor(grpcctx.StreamServerInterceptor(srvOpts)),
	)
	healthpb.RegisterHealthServer(srv, health.NewServer())
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go srv.Serve(lis)
	defer srv.Stop()

	// Client: propagate the IDs of the calling request's context.
	cliOpts := grpcctx.Options{MaxTimeout: 2 * time.Second, Observer: printObserver("client")}
	cc, err := grpc.NewClient("passthrough:///"+lis.Addr().String(),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithChainUnaryInterceptor(grpcctx.UnaryClientInterceptor(cliOpts)),
		grpc.WithChainStreamInterceptor(grpcctx.StreamClientInterceptor(cliOpts)),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cc.Close()

	// In an HTTP handler behind httpctx.Middleware, r.Context() already
	// carries the IDs; here they are set by hand.
	ctx := lifecycle.WithIDs(context.Background(), "req-7",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	var header metadata.MD
	resp, err := healthpb.NewHealthClient(cc).Check(ctx, &healthpb.HealthCheckRequest{}, grpc.Header(&header))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.GetStatus(), header.Get("x-request-id"))

	// Output:
	// client started /grpc.health.v1.Health/Check
	// server started /grpc.health.v1.Health/Check
	// server finished /grpc.health.v1.Health/Check completed
	// client finished /grpc.health.v1.Health/Check completed
	// SERVING [req-7]
}
