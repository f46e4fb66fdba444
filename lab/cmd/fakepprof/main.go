// Command fakepprof impersonates a fleet of Go services' net/http/pprof
// endpoints in one process, for ctxguard watch's tests and benchmarks.
//
//	fakepprof -addr 127.0.0.1:0 -targets 1000 -leaky 3 -seed 1
//
// prints "listening on http://127.0.0.1:PORT" once listening, and serves
// -targets virtual services, target i under http://127.0.0.1:PORT/t/<i>:
//
//	/t/<i>/debug/pprof/goroutine?debug=1   goroutine profile, runtime/pprof's text format
//	/t/<i>/debug/pprof/goroutine?debug=2   goroutine dump, runtime.Stack(all)'s format
//	/t/<i>/debug/pprof/heap[?gc=1]         a real gzipped heap profile (fakepprof's own)
//	/t/<i>/healthz                         "ok"
//
// Every target runs the same (imaginary) quotesvc binary: 20-28 goroutine
// stacks - HTTP connections, requests in flight, a worker pool, tickers,
// database/sql, HTTP client connections - whose counts are seeded per
// target and change a little every second (stationary noise). The first
// -leaky targets also leak: main.(*quoteHandler).fetch.func1 blocked in
// chan send at /src/quotesvc/quotes.go:48, -leak-rate goroutines a minute
// from fakepprof's start; leaked goroutines keep their IDs and their wait
// grows ("[chan send, 5 minutes]"). Formats are byte for byte those of Go
// 1.26; debug=1 and debug=2 of one target in one second agree.
//
// Misbehaving targets, every endpoint under /bad/<mode>/ alike:
//
//	hang      accepts and never answers
//	drip      200, then a debug=1 body one byte every -drip-interval, forever
//	huge      200 and a -huge-mb MiB debug=1 body, streamed
//	garbage   200, text/plain, 64 KiB of random bytes
//	500       HTTP 500
//	reset     the connection is reset (RST) before any response
//	slow      a good target that answers after -slow-delay
//
// Only loopback addresses are accepted. SIGTERM or SIGINT shuts it down.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"ctxguard.dev/lab/internal/loopback"
)

func main() {
	var cfg config
	addr := flag.String("addr", "127.0.0.1:0", "loopback `host:port` to listen on; port 0 picks a free port")
	flag.IntVar(&cfg.targets, "targets", 10, "number of virtual targets, /t/0 .. /t/N-1")
	flag.IntVar(&cfg.leaky, "leaky", 1, "the first K targets leak")
	flag.Int64Var(&cfg.seed, "seed", 1, "seed of the targets' stacks and noise")
	flag.Float64Var(&cfg.leakRate, "leak-rate", 60, "leaked goroutines per minute, per leaky target")
	flag.DurationVar(&cfg.slowDelay, "slow-delay", 3*time.Second, "/bad/slow: delay before answering")
	flag.DurationVar(&cfg.dripEvery, "drip-interval", 200*time.Millisecond, "/bad/drip: one byte every this long")
	flag.Int64Var(&cfg.hugeMB, "huge-mb", 200, "/bad/huge: body size in MiB")
	flag.Parse()
	if err := cfg.check(); err != nil {
		fmt.Fprintln(os.Stderr, "fakepprof:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, *addr, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "fakepprof:", err)
		os.Exit(1)
	}
}

func (c *config) check() error {
	switch {
	case c.targets < 0 || c.targets > 1_000_000:
		return errors.New("-targets must be between 0 and 1000000")
	case c.leaky < 0 || c.leaky > c.targets:
		return errors.New("-leaky must be between 0 and -targets")
	case c.leakRate < 0:
		return errors.New("-leak-rate cannot be negative")
	case c.slowDelay < 0 || c.dripEvery <= 0:
		return errors.New("-slow-delay cannot be negative, -drip-interval must be positive")
	case c.hugeMB < 1:
		return errors.New("-huge-mb must be at least 1")
	}
	return nil
}

func run(ctx context.Context, addr string, cfg config) error {
	ln, err := loopback.Listen(ctx, addr)
	if err != nil {
		return err
	}
	s := newServer(cfg, time.Now)
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	srv.RegisterOnShutdown(s.stop)
	return loopback.Run(ctx, srv, ln)
}
