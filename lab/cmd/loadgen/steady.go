package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// errorBackoff is how long a closed-loop worker waits after a failed
// request (not a timeout) before the next one, so that a dead target is
// not hammered in a tight loop.
const errorBackoff = 100 * time.Millisecond

// steady runs the steady modes: it opens idle connections if asked, runs
// open-loop (rate > 0) or closed-loop (conc > 0) traffic until d has
// passed, then closes the idle connections and waits for the requests in
// flight.
func (l *loader) steady(ctx context.Context, d time.Duration, rate float64, stepAt time.Duration, stepRate float64, conc, idle int) summary {
	start := time.Now()
	until := start.Add(d)
	var wg sync.WaitGroup
	if idle > 0 {
		tr := l.openIdle(ctx, idle)
		defer tr.CloseIdleConnections()
	}
	switch {
	case rate > 0:
		l.openLoop(ctx, &wg, until, rate, stepAt, stepRate)
	case conc > 0:
		l.closedLoop(ctx, &wg, until, conc)
	}
	sleep(ctx, time.Until(until))
	wg.Wait()
	return l.result(start)
}

// openLoop starts a request every 1/rate seconds (1/stepRate from stepAt
// on), whether or not earlier ones have finished, until until.
func (l *loader) openLoop(ctx context.Context, wg *sync.WaitGroup, until time.Time, rate float64, stepAt time.Duration, stepRate float64) {
	begin := time.Now()
	next := begin
	t := time.NewTimer(0)
	defer t.Stop()
	for next.Before(until) {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
		i := l.begin()
		wg.Go(func() { l.end(l.fire(ctx, l.client, i)) })

		r := rate
		if stepAt > 0 && next.Sub(begin) >= stepAt {
			r = stepRate
		}
		next = next.Add(time.Duration(float64(time.Second) / r))
		if lag := time.Since(next); lag > time.Second {
			next = next.Add(lag) // fell far behind: skip ahead rather than burst
		}
		t.Reset(time.Until(next))
	}
}

// closedLoop runs conc workers, each firing requests back to back until
// until.
func (l *loader) closedLoop(ctx context.Context, wg *sync.WaitGroup, until time.Time, conc int) {
	for range conc {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(until) {
				i := l.begin()
				status, err := l.fire(ctx, l.client, i)
				l.end(status, err)
				if err != nil && !errors.Is(err, context.DeadlineExceeded) {
					sleep(ctx, errorBackoff)
				}
			}
		})
	}
}

// openIdle opens n keep-alive connections on a transport of their own:
// n concurrent requests, each holding its response until all have one, so
// that every request needs a connection of its own. The connections then
// sit idle in the transport until it is closed.
func (l *loader) openIdle(ctx context.Context, n int) *http.Transport {
	tr := newTransport(true, n)
	client := &http.Client{Transport: tr}
	var (
		arrived sync.WaitGroup
		done    sync.WaitGroup
		fresh   atomic.Int64
	)
	arrived.Add(n)
	for range n {
		done.Go(func() {
			i := l.begin()
			status, isNew, err := l.openOne(ctx, client, i, &arrived)
			if err == nil && isNew {
				fresh.Add(1)
			}
			l.end(status, err)
		})
	}
	done.Wait()
	l.mu.Lock()
	l.sum.IdleConns = int(fresh.Load())
	l.mu.Unlock()
	return tr
}

// openOne sends request i, reports its arrival, waits for all the others
// to arrive too, then reads the answer so its connection goes back to the
// transport's idle pool. isNew says whether the connection was a new one.
func (l *loader) openOne(ctx context.Context, client *http.Client, i int, arrived *sync.WaitGroup) (status int, isNew bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) { isNew = !info.Reused },
	})
	var rd io.Reader
	if l.body != "" {
		rd = strings.NewReader(expand(l.body, i))
	}
	req, err := http.NewRequestWithContext(ctx, l.method, expand(l.target, i), rd)
	if err != nil {
		arrived.Done()
		return 0, false, err
	}
	resp, err := client.Do(req)
	arrived.Done()
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	arrived.Wait()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, false, err
	}
	return resp.StatusCode, isNew, nil
}

// begin counts a request as started and returns its number.
func (l *loader) begin() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := l.sum.Requests
	l.sum.Requests++
	l.inFlight++
	l.sum.MaxInFlight = max(l.sum.MaxInFlight, l.inFlight)
	return i
}

// end records a finished request.
func (l *loader) end(status int, err error) {
	l.mu.Lock()
	l.inFlight--
	l.mu.Unlock()
	l.record(status, err)
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
