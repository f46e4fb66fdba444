// Command loadgen drives load at a lab service and prints a JSON summary on
// stdout: responses by status, timeouts, errors. Only loopback targets are
// accepted, and every request has a client timeout (-timeout).
//
// Burst mode (the default) fires a fixed number of requests, -c at a time
// (default: all at once), normally with a timeout shorter than the
// service's slow path:
//
//	loadgen -url 'http://127.0.0.1:PORT/profile?id={i}' -n 200 -timeout 200ms
//
// Steady modes run for -duration, then stop starting requests and wait for
// those in flight (each up to its timeout); -n is ignored:
//
//	loadgen -url U -rate 50 -duration 20s                open loop: a request every 1/50 s, however long earlier ones take
//	loadgen -url U -rate 50 -step-at 8s -step-rate 300 -duration 20s
//	                                                     a load step: 300/s from 8 s on
//	loadgen -url U -c 20 -duration 20s -timeout 15s      closed loop: 20 workers, each firing back to back (long polling)
//	loadgen -url U -idle-conns 40 -duration 20s          40 keep-alive connections opened at start, then left idle
//
// -idle-conns combines with -rate or -c traffic, which then runs on a
// transport of its own. "{i}" in the URL or body is replaced by the
// request's number. Keep-alives are off unless -keepalive (or -idle-conns
// for its own connections) is given, and every connection is closed at the
// end, so once the run is over the client holds none open on the service.
// SIGINT or SIGTERM stops the run early and cancels requests in flight.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type summary struct {
	Requests    int            `json:"requests"`
	Responses   int            `json:"responses"`
	Timeouts    int            `json:"timeouts"`
	Errors      int            `json:"errors"`
	Status      map[string]int `json:"status"`
	FirstErr    string         `json:"first_error,omitempty"`
	ElapsedMS   int64          `json:"elapsed_ms"`
	MaxInFlight int            `json:"max_in_flight,omitempty"` // steady modes
	IdleConns   int            `json:"idle_conns,omitempty"`    // distinct connections held idle by -idle-conns
}

// Bounds that keep a run's goroutines and sockets in check.
const (
	maxRate = 10000
	maxIdle = 1000
)

const usage = `usage: loadgen -url http://127.0.0.1:PORT/path [-timeout D] [-method M] [-body B] [-keepalive]
         burst:  [-n N] [-c C]
         steady: -duration D (-rate R [-step-at D2 -step-rate R2] | -c C) [-idle-conns N]`

func main() {
	var (
		target    = flag.String("url", "", "target URL on a loopback host; {i} is replaced by the request number")
		n         = flag.Int("n", 200, "burst mode: number of requests")
		conc      = flag.Int("c", 0, "burst mode: requests in flight at once (0: all of them); steady mode without -rate: closed-loop workers")
		timeout   = flag.Duration("timeout", 200*time.Millisecond, "client timeout per request")
		method    = flag.String("method", http.MethodGet, "HTTP method")
		body      = flag.String("body", "", "request body; {i} is replaced by the request number")
		duration  = flag.Duration("duration", 0, "steady mode: start requests for this long, then wait for those in flight")
		rate      = flag.Float64("rate", 0, "steady mode: open loop, requests started per second")
		stepAt    = flag.Duration("step-at", 0, "steady mode: from this long after the start, the rate becomes -step-rate")
		stepRate  = flag.Float64("step-rate", 0, "steady mode: open-loop rate after -step-at")
		keepalive = flag.Bool("keepalive", false, "reuse connections between requests")
		idleConns = flag.Int("idle-conns", 0, "steady mode: open this many keep-alive connections at the start and leave them idle until the end")
	)
	flag.Parse()
	err := checkLoopback(*target)
	if err == nil {
		err = checkModes(*n, *conc, *timeout, *duration, *rate, *stepAt, *stepRate, *idleConns)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, usage)
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	tr := newTransport(*keepalive, 0)
	defer tr.CloseIdleConnections()
	l := &loader{
		client:  &http.Client{Transport: tr},
		method:  *method,
		target:  *target,
		body:    *body,
		timeout: *timeout,
		sum:     summary{Status: map[string]int{}},
	}
	var s summary
	if *duration > 0 {
		s = l.steady(ctx, *duration, *rate, *stepAt, *stepRate, *conc, *idleConns)
	} else {
		if *conc <= 0 || *conc > *n {
			*conc = *n
		}
		s = l.burst(ctx, *n, *conc)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.Encode(s)
}

func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Scheme != "http" {
		return fmt.Errorf("%q: only http:// targets", raw)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%q is not a loopback host", host)
	}
	return nil
}

func checkModes(n, conc int, timeout, duration time.Duration, rate float64, stepAt time.Duration, stepRate float64, idle int) error {
	switch {
	case timeout <= 0:
		return errors.New("-timeout must be positive")
	case duration < 0 || rate < 0 || stepAt < 0 || stepRate < 0 || idle < 0:
		return errors.New("-duration, -rate, -step-at, -step-rate and -idle-conns cannot be negative")
	case duration == 0 && (rate > 0 || stepAt > 0 || stepRate > 0 || idle > 0):
		return errors.New("-rate, -step-at, -step-rate and -idle-conns need -duration")
	case duration == 0 && n < 1:
		return errors.New("-n must be at least 1")
	case duration > 0 && rate == 0 && conc <= 0 && idle == 0:
		return errors.New("-duration needs -rate, -c or -idle-conns")
	case (stepAt > 0) != (stepRate > 0) || (stepAt > 0 && rate == 0):
		return errors.New("-step-at and -step-rate go together, with -rate")
	case rate > maxRate || stepRate > maxRate:
		return fmt.Errorf("-rate and -step-rate are at most %d per second", maxRate)
	case idle > maxIdle:
		return fmt.Errorf("-idle-conns is at most %d", maxIdle)
	}
	return nil
}

// newTransport returns a transport that keeps up to conns idle connections
// (0: plenty) if keepalive, or none.
func newTransport(keepalive bool, conns int) *http.Transport {
	if !keepalive {
		return &http.Transport{DisableKeepAlives: true}
	}
	if conns <= 0 {
		conns = 1024
	}
	return &http.Transport{MaxIdleConnsPerHost: conns}
}

// A loader fires requests at one target and tallies the outcomes.
type loader struct {
	client  *http.Client
	method  string
	target  string
	body    string
	timeout time.Duration

	mu       sync.Mutex
	sum      summary
	inFlight int
}

func (l *loader) record(status int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case err == nil:
		l.sum.Responses++
		l.sum.Status[strconv.Itoa(status)]++
	case errors.Is(err, context.DeadlineExceeded):
		l.sum.Timeouts++
	default:
		l.sum.Errors++
		if l.sum.FirstErr == "" {
			l.sum.FirstErr = err.Error()
		}
	}
}

func (l *loader) result(start time.Time) summary {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.sum
	s.ElapsedMS = time.Since(start).Milliseconds()
	return s
}

// burst fires n requests, conc at a time.
func (l *loader) burst(ctx context.Context, n, conc int) summary {
	l.sum.Requests = n
	var wg sync.WaitGroup
	sem := make(chan struct{}, conc)
	start := time.Now()
loop:
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break loop
		}
		wg.Go(func() {
			defer func() { <-sem }()
			l.record(l.fire(ctx, l.client, i))
		})
	}
	wg.Wait()
	return l.result(start)
}

func expand(s string, i int) string { return strings.ReplaceAll(s, "{i}", strconv.Itoa(i)) }

// fire sends request number i and reads the whole answer within l.timeout.
func (l *loader) fire(ctx context.Context, client *http.Client, i int) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	var rd io.Reader
	if l.body != "" {
		rd = strings.NewReader(expand(l.body, i))
	}
	req, err := http.NewRequestWithContext(ctx, l.method, expand(l.target, i), rd)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}
