// Package loopback listens on loopback addresses only and runs an HTTP server
// until its context ends, for every server of the lab.
package loopback

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Listen opens a loopback listener. The lab never talks to anything but
// this machine, so any other address is refused.
func Listen(ctx context.Context, address string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("%s is not a loopback address", address)
	}
	var lc net.ListenConfig
	return lc.Listen(ctx, "tcp", address)
}

// Run prints "listening on http://HOST:PORT", serves srv on ln until ctx
// ends, then shuts down under a fresh 2 s budget (ctx is already done);
// what is still running after it is abandoned.
func Run(ctx context.Context, srv *http.Server, ln net.Listener) error {
	fmt.Printf("listening on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
