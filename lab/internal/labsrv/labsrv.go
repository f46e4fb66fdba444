// Package labsrv is the scaffolding shared by the leak lab's services: the
// -addr and -variant flags, the debug endpoints (net/http/pprof and expvar),
// the startup banner the tests read, and graceful shutdown on SIGTERM.
package labsrv

import (
	"context"
	"encoding/json"
	"errors"
	"expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

var (
	addr     = flag.String("addr", "127.0.0.1:0", "loopback `host:port` for the service and its /debug endpoints; port 0 picks a free port")
	variant  = flag.String("variant", "leaky", "which twin to serve: leaky or fixed")
	profRate = flag.Int("memprofilerate", 1, "runtime.MemProfileRate; 1 records every allocation so /debug/pprof/heap counts context objects exactly")
)

// Setup parses the command line. It returns the service's lifetime context,
// which ends on SIGTERM or SIGINT, the function that releases it, and
// whether the leaky variant was asked for.
func Setup() (context.Context, context.CancelFunc, bool) {
	flag.Parse()
	if *variant != "leaky" && *variant != "fixed" {
		fmt.Fprintf(os.Stderr, "-variant must be leaky or fixed, not %q\n", *variant)
		os.Exit(2)
	}
	// Set before the service allocates anything worth counting.
	runtime.MemProfileRate = *profRate
	life, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	return life, stop, *variant == "leaky"
}

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

// Serve mounts app next to the debug endpoints, listens on -addr, prints
// "listening on http://HOST:PORT" once the socket is open and serves until
// ctx ends. Shutdown waits a little for in-flight requests; handlers stuck
// in a leak are abandoned when the process exits.
func Serve(ctx context.Context, app http.Handler) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/debug/vars", expvar.Handler())
	mux.Handle("/", app)

	ln, err := Listen(ctx, *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	return Run(ctx, srv, ln)
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

// WriteJSON answers with v as JSON.
func WriteJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
