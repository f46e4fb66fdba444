// Command zoo is the leak lab's healthy zoo: steady services whose goroutines
// wait for good reasons. Their goroutine counts are large and flat, or
// fluctuate around a constant, and must never be called leaking.
//
//	zoo -service pool        GET /work?n=N      64 idle workers fed by a queue
//	zoo -service tickers     GET /status        4 housekeeping ticker loops
//	zoo -service keepalive   GET /ping          idle keep-alive connections
//	zoo -service longpoll    GET /poll          handlers parked until the next event
//	zoo -service scaling     GET /work          4 workers, then 32 once the queue backs up
//	zoo -service cond        POST /notify       16 config watchers on a sync.Cond
//	zoo -service inflight    GET /work          requests of 100 ms to 1 s with 2 helpers
//	zoo -service mixed       all but scaling, each under /NAME/ (/pool/work, ...)
//
// Every background goroutine returns once the service's lifetime context
// ends (SIGTERM), and main waits for them before exiting.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"ctxguard.dev/lab/internal/labsrv"
)

// A service is one healthy waiting pattern.
type service interface {
	// start launches the service's background goroutines on wg; each
	// returns once ctx is done.
	start(ctx context.Context, wg *sync.WaitGroup)
	// register mounts the service's handlers on mux.
	register(mux *http.ServeMux)
}

var services = map[string]func() service{
	"pool":      func() service { return newWorkerPool(poolWorkers, 0, poolWork) },
	"tickers":   func() service { return newHousekeeping() },
	"keepalive": func() service { return pinger{} },
	"longpoll":  func() service { return newBroadcaster() },
	"scaling":   func() service { return newScalingPool() },
	"cond":      func() service { return newConfigStore() },
	"inflight":  func() service { return inflight{} },
}

// mixed is what -service mixed runs, each under /NAME/.
var mixed = []string{"pool", "tickers", "keepalive", "longpoll", "cond", "inflight"}

var serviceName = flag.String("service", "", "which service to run: "+strings.Join(names(), ", ")+" or mixed")

func names() []string {
	var ns []string
	for n := range services {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	return ns
}

func main() {
	life, stop, _ := labsrv.Setup() // -variant means nothing here: every service is healthy
	defer stop()

	mux := http.NewServeMux()
	var svcs []service
	switch newSvc, ok := services[*serviceName]; {
	case ok:
		svc := newSvc()
		svc.register(mux)
		svcs = append(svcs, svc)
	case *serviceName == "mixed":
		for _, name := range mixed {
			svc := services[name]()
			sub := http.NewServeMux()
			svc.register(sub)
			mux.Handle("/"+name+"/", http.StripPrefix("/"+name, sub))
			svcs = append(svcs, svc)
		}
	default:
		fmt.Fprintf(os.Stderr, "-service must be one of %s or mixed, not %q\n", strings.Join(names(), ", "), *serviceName)
		os.Exit(2)
	}

	var wg sync.WaitGroup
	for _, svc := range svcs {
		svc.start(life, &wg)
	}
	err := labsrv.Serve(life, mux)
	stop() // Serve also returns on a listener error: stop the background goroutines either way
	wg.Wait()
	if err != nil {
		log.Fatal(err)
	}
}

// pause waits for d, or less if ctx ends first; it stands in for a call to
// a downstream that honours its context.
func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// every calls fn on each tick of a d ticker until ctx ends. Between ticks
// the goroutine parks in select: a scheduled job waiting for its time.
func every(ctx context.Context, d time.Duration, fn func(now time.Time)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case now := <-t.C:
			fn(now)
		case <-ctx.Done():
			return
		}
	}
}
