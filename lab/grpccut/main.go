// Command grpccut is the gRPC variant of trap 7 of the leak lab: the
// request context cut on the way to a gRPC backend (article section 4.1).
//
// POST /reserve?sku=S holds one unit of an item in the inventory service, a
// gRPC backend started in this process on another loopback port. The
// backend is slow (-inventory-delay per call) and gives up as soon as its
// caller's context does.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials/insecure"

	"ctxguard.dev/lab/internal/inventory"
	"ctxguard.dev/lab/internal/labsrv"
	"ctxguard.dev/lab/internal/loopback"
)

type server struct {
	inventory inventory.Client
}

// startInventory serves the inventory backend on a free loopback port until
// ctx ends and returns a client connected to it.
func startInventory(ctx context.Context, delay time.Duration) (*grpc.ClientConn, error) {
	ln, err := loopback.Listen(ctx, "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	gs := grpc.NewServer()
	inventory.Register(gs, &inventory.Server{Delay: delay})
	go gs.Serve(ln)
	context.AfterFunc(ctx, gs.Stop)

	cc, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	// Connect now rather than on the first call, so that the connection's
	// own goroutines are already there when the service says it is up.
	readyCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cc.Connect()
	for s := cc.GetState(); s != connectivity.Ready; s = cc.GetState() {
		if !cc.WaitForStateChange(readyCtx, s) {
			cc.Close()
			return nil, fmt.Errorf("inventory backend not ready: %v", s)
		}
	}
	return cc, nil
}

func main() {
	delay := flag.Duration("inventory-delay", time.Minute, "how long the inventory backend takes per call")
	life, stop, leaky := labsrv.Setup()
	defer stop()

	cc, err := startInventory(life, *delay)
	if err != nil {
		log.Fatal(err)
	}
	defer cc.Close()
	s := &server{inventory: inventory.NewClient(cc)}

	mux := http.NewServeMux()
	if leaky {
		mux.HandleFunc("POST /reserve", s.leakyReserve)
	} else {
		mux.HandleFunc("POST /reserve", s.fixedReserve)
	}
	if err := labsrv.Serve(life, mux); err != nil {
		log.Fatal(err)
	}
}
