// Package labsrv is the scaffolding shared by the leak lab's services: the
// -addr and -variant flags, the debug endpoints (net/http/pprof and expvar),
// the startup banner the tests read, and graceful shutdown on SIGTERM.
package labsrv

import (
	"context"
	"encoding/json"
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

	"ctxguard.dev/lab/internal/loopback"
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

	ln, err := loopback.Listen(ctx, *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	return loopback.Run(ctx, srv, ln)
}

// WriteJSON answers with v as JSON.
func WriteJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
