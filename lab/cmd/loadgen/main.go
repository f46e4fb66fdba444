// Command loadgen fires a fixed number of concurrent requests at a lab
// service, each with a client timeout (normally shorter than the service's
// slow path), and prints a JSON summary on stdout.
//
//	loadgen -url 'http://127.0.0.1:PORT/profile?id={i}' -n 200 -timeout 200ms
//
// "{i}" in the URL or body is replaced by the request's number. Only
// loopback targets are accepted. Keep-alives are off, so once the run is
// over the client holds no connection open on the service.
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
	Requests  int            `json:"requests"`
	Responses int            `json:"responses"`
	Timeouts  int            `json:"timeouts"`
	Errors    int            `json:"errors"`
	Status    map[string]int `json:"status"`
	FirstErr  string         `json:"first_error,omitempty"`
	ElapsedMS int64          `json:"elapsed_ms"`
}

func main() {
	var (
		target  = flag.String("url", "", "target URL on a loopback host; {i} is replaced by the request number")
		n       = flag.Int("n", 200, "number of requests")
		conc    = flag.Int("c", 0, "requests in flight at once (0: all of them)")
		timeout = flag.Duration("timeout", 200*time.Millisecond, "client timeout per request")
		method  = flag.String("method", http.MethodGet, "HTTP method")
		body    = flag.String("body", "", "request body; {i} is replaced by the request number")
	)
	flag.Parse()
	if err := checkLoopback(*target); err != nil || *n < 1 || *timeout <= 0 {
		fmt.Fprintln(os.Stderr, "usage: loadgen -url http://127.0.0.1:PORT/path [-n N] [-c C] [-timeout D] [-method M] [-body B]")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(2)
	}
	if *conc <= 0 || *conc > *n {
		*conc = *n
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	s := run(ctx, *target, *method, *body, *n, *conc, *timeout)
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

func run(ctx context.Context, target, method, body string, n, conc int, timeout time.Duration) summary {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		sum = summary{Requests: n, Status: map[string]int{}}
		sem = make(chan struct{}, conc)
	)
	record := func(status int, err error) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil:
			sum.Responses++
			sum.Status[strconv.Itoa(status)]++
		case errors.Is(err, context.DeadlineExceeded):
			sum.Timeouts++
		default:
			sum.Errors++
			if sum.FirstErr == "" {
				sum.FirstErr = err.Error()
			}
		}
	}

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
			record(fire(ctx, client, method, expand(target, i), expand(body, i), timeout))
		})
	}
	wg.Wait()
	sum.ElapsedMS = time.Since(start).Milliseconds()
	return sum
}

func expand(s string, i int) string { return strings.ReplaceAll(s, "{i}", strconv.Itoa(i)) }

// fire sends one request and reads the whole answer within timeout.
func fire(ctx context.Context, client *http.Client, method, target, body string, timeout time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
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
