package httpctx_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"ctxguard.dev/go/httpctx"
	"ctxguard.dev/go/internal/observertest"
	"ctxguard.dev/go/lifecycle"
)

func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the panic test logs
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, ctx context.Context, url string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestRequestID(t *testing.T) {
	srv := newServer(t, httpctx.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, httpctx.RequestID(r.Context()))
	}), httpctx.Options{}))

	resp, body := get(t, context.Background(), srv.URL, map[string]string{"X-Request-ID": "req-42"})
	if body != "req-42" || resp.Header.Get("X-Request-ID") != "req-42" {
		t.Fatalf("inbound ID: handler saw %q, response header %q", body, resp.Header.Get("X-Request-ID"))
	}

	for _, in := range []string{"", "has space", strings.Repeat("x", 129), "tab\tin"} {
		resp, body := get(t, context.Background(), srv.URL, map[string]string{"X-Request-ID": in})
		if !hex32.MatchString(body) {
			t.Errorf("inbound %q: generated ID %q is not 32 hex digits", in, body)
		}
		if got := resp.Header.Get("X-Request-ID"); got != body {
			t.Errorf("inbound %q: response header %q, handler saw %q", in, got, body)
		}
	}
	_, a := get(t, context.Background(), srv.URL, nil)
	_, b := get(t, context.Background(), srv.URL, nil)
	if a == b {
		t.Errorf("two generated IDs are equal: %q", a)
	}
}

func TestTraceID(t *testing.T) {
	srv := newServer(t, httpctx.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, httpctx.TraceID(r.Context()))
	}), httpctx.Options{}))

	const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	cases := []struct {
		header []string
		want   string
	}{
		{[]string{valid}, "4bf92f3577b34da6a3ce929d0e0e4736"},
		{[]string{" " + valid + "\t"}, "4bf92f3577b34da6a3ce929d0e0e4736"},
		{[]string{"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"}, "4bf92f3577b34da6a3ce929d0e0e4736"},
		{nil, ""},
		{[]string{"garbage"}, ""},
		{[]string{"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"}, ""}, // uppercase
		{[]string{"00-00000000000000000000000000000000-00f067aa0ba902b7-01"}, ""}, // zero trace-id
		{[]string{"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"}, ""}, // zero parent-id
		{[]string{"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}, ""}, // version ff
		{[]string{valid + "-x"}, ""}, // version 00 too long
		{[]string{valid, valid}, ""}, // repeated header
	}
	for _, c := range cases {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		for _, v := range c.header {
			req.Header.Add("traceparent", v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != c.want {
			t.Errorf("traceparent %q: TraceID %q, want %q", c.header, b, c.want)
		}
	}
}

func TestSetHeaders(t *testing.T) {
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	// The downstream service sees the IDs of the request that called it.
	downstream := newServer(t, httpctx.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, httpctx.RequestID(r.Context()), " ", httpctx.TraceID(r.Context()))
	}), httpctx.Options{}))
	front := newServer(t, httpctx.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, downstream.URL, nil)
		httpctx.SetHeaders(r.Context(), out.Header)
		resp, err := http.DefaultClient.Do(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		io.Copy(w, resp.Body)
	}), httpctx.Options{}))

	_, body := get(t, context.Background(), front.URL, map[string]string{"X-Request-ID": "abc", "traceparent": tp})
	if want := "abc 4bf92f3577b34da6a3ce929d0e0e4736"; body != want {
		t.Fatalf("downstream saw %q, want %q", body, want)
	}
}

func TestDeadlineCarried(t *testing.T) {
	cases := []struct {
		timeout time.Duration
		header  map[string]string
		want    time.Duration // 0: no deadline
	}{
		{0, nil, 0},
		{time.Second, nil, time.Second},
		{time.Second, map[string]string{"Request-Timeout": "0.2"}, 200 * time.Millisecond},
		{time.Second, map[string]string{"Grpc-Timeout": "100m"}, 100 * time.Millisecond},
		{time.Second, map[string]string{"Request-Timeout": "10"}, time.Second}, // longer: ignored
		{0, map[string]string{"Request-Timeout": "3"}, 3 * time.Second},
		{0, map[string]string{"Grpc-Timeout": "2S"}, 2 * time.Second},
		{time.Second, map[string]string{"Request-Timeout": "-1"}, time.Second}, // invalid
		{time.Second, map[string]string{"Grpc-Timeout": "100x"}, time.Second},  // invalid
	}
	for _, c := range cases {
		var got time.Duration
		srv := newServer(t, httpctx.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if dl, ok := r.Context().Deadline(); ok {
				got = time.Until(dl)
			} else {
				got = 0
			}
		}), httpctx.Options{Timeout: c.timeout}))
		get(t, context.Background(), srv.URL, c.header)
		if c.want == 0 {
			if got != 0 {
				t.Errorf("%v %v: deadline in %v, want none", c.timeout, c.header, got)
			}
			continue
		}
		if got <= 0 || got > c.want || got < c.want-time.Second/2 {
			t.Errorf("%v %v: deadline in %v, want about %v", c.timeout, c.header, got, c.want)
		}
	}
}

func TestOutcomes(t *testing.T) {
	obs := observertest.New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	mux.HandleFunc("GET /fail", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	mux.HandleFunc("GET /notfound", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // honours its context: never cut
	})
	srv := newServer(t, httpctx.Middleware(mux, httpctx.Options{Observer: obs, Timeout: 5 * time.Second}))
	// No keep-alive: the client retries a GET whose reused connection failed
	// (as the panic does), which would run the handler twice.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

	check := func(path string, want lifecycle.Outcome, hdr map[string]string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if s := obs.Wait(t, "started"); s.Route != "GET "+path {
			t.Errorf("%s: started route %q", path, s.Route)
		}
		f := obs.Wait(t, "finished")
		if f.Route != "GET "+path || f.Outcome != want {
			t.Errorf("%s: finished %q %q, want %q", path, f.Route, f.Outcome, want)
		}
		return resp
	}
	check("/ok", lifecycle.Completed, nil)
	check("/notfound", lifecycle.Completed, nil)
	check("/fail", lifecycle.Errored, nil)
	check("/panic", lifecycle.Errored, nil)
	resp := check("/slow", lifecycle.DeadlineExceeded, map[string]string{"Request-Timeout": "0.05"})
	if resp == nil || resp.StatusCode != http.StatusGatewayTimeout {
		t.Errorf("/slow: response %v, want 504", resp)
	}

	// A client that gives up: the handler's context is cancelled.
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/slow", nil)
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	obs.Wait(t, "started")
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("client: %v", err)
	}
	if f := obs.Wait(t, "finished"); f.Outcome != lifecycle.Cancelled {
		t.Errorf("cancelled by client: outcome %q", f.Outcome)
	}

	if n := obs.Count("cut"); n != 0 {
		t.Errorf("%d cuts for handlers that honour their context", n)
	}
}

func TestCut(t *testing.T) {
	obs := observertest.New()
	release := make(chan struct{})
	h := httpctx.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release // ignores its context
		fmt.Fprint(w, "late")
	}), httpctx.Options{
		Observer: obs,
		Timeout:  30 * time.Millisecond,
		CutGrace: 20 * time.Millisecond,
		Route:    func(*http.Request) string { return "ignorer" },
	})
	srv := newServer(t, h)
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
	}()
	if c := obs.Wait(t, "cut"); c.Route != "ignorer" {
		t.Errorf("cut route %q", c.Route)
	}
	close(release)
	if f := obs.Wait(t, "finished"); f.Outcome != lifecycle.DeadlineExceeded {
		t.Errorf("outcome %q, want deadline_exceeded", f.Outcome)
	}
	<-done
	if n := obs.Count("cut"); n != 1 {
		t.Errorf("%d cuts, want 1", n)
	}
}

func TestRoute(t *testing.T) {
	obs := observertest.New()
	mux := http.NewServeMux()
	// Registered inside the mux: r.Pattern (Go 1.23+) or, wrapping the mux, its pattern.
	mux.Handle("GET /items/{id}", httpctx.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), httpctx.Options{Observer: obs}))
	mux.HandleFunc("/plain/", func(http.ResponseWriter, *http.Request) {})
	srv := newServer(t, httpctx.Middleware(mux, httpctx.Options{Observer: obs}))

	get(t, context.Background(), srv.URL+"/items/7", nil)
	// outer (wraps the mux) then inner (inside the mux)
	if a, b := obs.Wait(t, "started"), obs.Wait(t, "started"); a.Route != "GET /items/{id}" || b.Route != innerRoute {
		t.Errorf("routes %q, %q", a.Route, b.Route)
	}
	obs.Wait(t, "finished")
	obs.Wait(t, "finished")

	get(t, context.Background(), srv.URL+"/plain/x/y", nil)
	if s := obs.Wait(t, "started"); s.Route != "/plain/" {
		t.Errorf("route %q", s.Route)
	}
	obs.Wait(t, "finished")

	get(t, context.Background(), srv.URL+"/nowhere", nil)
	if s := obs.Wait(t, "started"); s.Route != httpctx.OtherRoute {
		t.Errorf("unmatched route %q", s.Route)
	}
	obs.Wait(t, "finished")
}

func TestFlusherPassedThrough(t *testing.T) {
	srv := newServer(t, httpctx.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := w.(http.Flusher)
		if !ok {
			http.Error(w, "no flusher", http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "a")
		f.Flush()
		if err := http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Second)); err != nil {
			fmt.Fprint(w, err)
			return
		}
		fmt.Fprint(w, "b")
	}), httpctx.Options{}))
	if _, body := get(t, context.Background(), srv.URL, nil); body != "ab" {
		t.Fatalf("body %q", body)
	}
}

func TestParseGrpcTimeout(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"1H": time.Hour, "2M": 2 * time.Minute, "3S": 3 * time.Second, "100m": 100 * time.Millisecond,
		"5u": 5 * time.Microsecond, "7n": 7, "99999999m": 99999999 * time.Millisecond,
	} {
		if got, ok := httpctx.ParseGrpcTimeout(in); !ok || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "m", "0m", "100", "100x", "-1S", "123456789m", "1.5S", "99999999H"} {
		if got, ok := httpctx.ParseGrpcTimeout(in); ok {
			t.Errorf("%q: %v, want invalid", in, got)
		}
	}
}
