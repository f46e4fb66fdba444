package ctxprom_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"ctxguard.dev/go/ctxprom"
	"ctxguard.dev/go/httpctx"
	"ctxguard.dev/go/lifecycle"
)

// value returns the value of the series name{labels} gathered from g (a
// histogram's sample count), and whether it exists.
func value(t *testing.T, g prometheus.Gatherer, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			got := map[string]string{}
			for _, lp := range m.GetLabel() {
				got[lp.GetName()] = lp.GetValue()
			}
			for k, v := range labels {
				if got[k] != v {
					continue metrics
				}
			}
			switch {
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue(), true
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue(), true
			case m.GetHistogram() != nil:
				return float64(m.GetHistogram().GetSampleCount()), true
			}
		}
	}
	return 0, false
}

// want checks the value of the series name{labels}.
func want(t *testing.T, g prometheus.Gatherer, name string, labels map[string]string, v float64) {
	t.Helper()
	got, ok := value(t, g, name, labels)
	if !ok {
		t.Errorf("%s%v: no such series", name, labels)
	} else if got != v {
		t.Errorf("%s%v = %v, want %v", name, labels, got, v)
	}
}

func TestObserverMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	o, err := ctxprom.NewObserver(reg, ctxprom.ObserverOptions{Buckets: []float64{0.1, 1}})
	if err != nil {
		t.Fatal(err)
	}
	o.Started("/a")
	o.Started("/a")
	o.Finished("/a", lifecycle.Completed, 0.05)
	o.Started("/b")
	o.Cut("/b")
	o.Finished("/b", lifecycle.DeadlineExceeded, 2)

	const expected = `
# HELP ctxguard_requests_cut_total Requests whose handler kept running after the request's context was done, by route.
# TYPE ctxguard_requests_cut_total counter
ctxguard_requests_cut_total{route="/a"} 0
ctxguard_requests_cut_total{route="/b"} 1
ctxguard_requests_cut_total{route="other"} 0
# HELP ctxguard_requests_in_flight Requests started and not yet finished, by route.
# TYPE ctxguard_requests_in_flight gauge
ctxguard_requests_in_flight{route="/a"} 1
ctxguard_requests_in_flight{route="/b"} 0
ctxguard_requests_in_flight{route="other"} 0
# HELP ctxguard_requests_started_total Requests started, by route.
# TYPE ctxguard_requests_started_total counter
ctxguard_requests_started_total{route="/a"} 2
ctxguard_requests_started_total{route="/b"} 1
ctxguard_requests_started_total{route="other"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(expected),
		ctxprom.MetricRequestsStarted, ctxprom.MetricRequestsInFlight, ctxprom.MetricRequestsCut); err != nil {
		t.Error(err)
	}

	const expectedDuration = `
# HELP ctxguard_request_duration_seconds Duration of finished requests in seconds, by route and outcome.
# TYPE ctxguard_request_duration_seconds histogram
ctxguard_request_duration_seconds_bucket{outcome="deadline_exceeded",route="/b",le="0.1"} 0
ctxguard_request_duration_seconds_bucket{outcome="deadline_exceeded",route="/b",le="1"} 0
ctxguard_request_duration_seconds_bucket{outcome="deadline_exceeded",route="/b",le="+Inf"} 1
ctxguard_request_duration_seconds_sum{outcome="deadline_exceeded",route="/b"} 2
ctxguard_request_duration_seconds_count{outcome="deadline_exceeded",route="/b"} 1
`
	// Compare only the one non-empty series of /b.
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != ctxprom.MetricRequestDuration {
			continue
		}
		kept := mf.Metric[:0]
		for _, m := range mf.Metric {
			if m.GetHistogram().GetSampleCount() > 0 && labelOf(m.GetLabel(), "route") == "/b" {
				kept = append(kept, m)
			}
		}
		mf.Metric = kept
	}
	static := prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return mfs, nil })
	if err := testutil.GatherAndCompare(static, strings.NewReader(expectedDuration),
		ctxprom.MetricRequestDuration); err != nil {
		t.Error(err)
	}

	want(t, reg, ctxprom.MetricRequests, map[string]string{"route": "/a", "outcome": "completed"}, 1)
	want(t, reg, ctxprom.MetricRequests, map[string]string{"route": "/b", "outcome": "deadline_exceeded"}, 1)
	want(t, reg, ctxprom.MetricRequests, map[string]string{"route": "/b", "outcome": "errored"}, 0)
	want(t, reg, ctxprom.MetricRequestDuration, map[string]string{"route": "/a", "outcome": "completed"}, 1)

	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}

	// Registering twice fails.
	if _, err := ctxprom.NewObserver(reg, ctxprom.ObserverOptions{}); err == nil {
		t.Error("second registration succeeded")
	}
	// A nil Registerer registers nothing.
	if _, err := ctxprom.NewObserver(nil, ctxprom.ObserverOptions{}); err != nil {
		t.Error(err)
	}
}

func TestObserverRouteBound(t *testing.T) {
	reg := prometheus.NewRegistry()
	o, err := ctxprom.NewObserver(reg, ctxprom.ObserverOptions{MaxRoutes: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"/a", "/b", "/c", "/d", "/a", "", "other"} {
		o.Started(r)
		o.Finished(r, lifecycle.Completed, 0.01)
	}
	o.Finished("/x", lifecycle.Outcome("bogus"), 0.01) // unknown outcome: errored
	if n := testutil.CollectAndCount(o, ctxprom.MetricRequestsStarted); n != 3 {
		t.Errorf("%d started series, want 3 (/a, /b, other)", n)
	}
	want(t, reg, ctxprom.MetricRequestsStarted, map[string]string{"route": "/a"}, 2)
	want(t, reg, ctxprom.MetricRequestsStarted, map[string]string{"route": "/b"}, 1)
	want(t, reg, ctxprom.MetricRequestsStarted, map[string]string{"route": "other"}, 4)
	want(t, reg, ctxprom.MetricRequests, map[string]string{"route": "other", "outcome": "errored"}, 1)
	if _, ok := value(t, reg, ctxprom.MetricRequestsStarted, map[string]string{"route": "/c"}); ok {
		t.Error("route /c has a series beyond MaxRoutes")
	}
	want(t, reg, ctxprom.MetricRequestsInFlight, map[string]string{"route": "other"}, -1) // the bogus Finished
}

func TestObserverDefaultRouteBound(t *testing.T) {
	o, err := ctxprom.NewObserver(nil, ctxprom.ObserverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 300; i++ {
		o.Started("/r" + string(rune('a'+i%26)) + string(rune('a'+i/26)))
	}
	if n := testutil.CollectAndCount(o, ctxprom.MetricRequestsStarted); n != ctxprom.DefaultMaxRoutes+1 {
		t.Errorf("%d started series, want %d", n, ctxprom.DefaultMaxRoutes+1)
	}
}

// TestHTTPEndToEnd runs httpctx.Middleware with an Observer on a real
// server and reads the outcomes back from the registry.
func TestHTTPEndToEnd(t *testing.T) {
	reg := prometheus.NewRegistry()
	obs, err := ctxprom.NewObserver(reg, ctxprom.ObserverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{}, 1)
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("GET /fail", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("GET /wait", func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-r.Context().Done()
	})
	mux.HandleFunc("GET /ignore", func(w http.ResponseWriter, r *http.Request) {
		<-release // ignores its context
	})
	srv := httptest.NewServer(httpctx.Middleware(mux, httpctx.Options{
		Timeout: 5 * time.Second, Observer: obs, CutGrace: 10 * time.Millisecond,
	}))
	defer srv.Close()

	do := func(ctx context.Context, path string, hdr ...string) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	bg := context.Background()
	for i := 0; i < 3; i++ {
		if err := do(bg, "/ok"); err != nil {
			t.Fatal(err)
		}
	}
	if err := do(bg, "/fail"); err != nil {
		t.Fatal(err)
	}
	if err := do(bg, "/wait", "Request-Timeout", "0.02"); err != nil {
		t.Fatal(err)
	}
	<-started
	ctx, cancel := context.WithCancel(bg)
	go func() { <-started; cancel() }()
	if err := do(ctx, "/wait"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled request: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- do(bg, "/ignore", "Grpc-Timeout", "20m") }()

	// Wait for the cut and for every request to finish: in flight 0.
	waitFor(t, func() bool {
		v, _ := value(t, reg, ctxprom.MetricRequestsCut, map[string]string{"route": "GET /ignore"})
		return v == 1
	})
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		mfs, _ := reg.Gather()
		for _, mf := range mfs {
			if mf.GetName() == ctxprom.MetricRequestsInFlight {
				for _, m := range mf.GetMetric() {
					if m.GetGauge().GetValue() != 0 {
						return false
					}
				}
			}
		}
		return true
	})

	for _, c := range []struct {
		route, outcome string
		n              float64
	}{
		{"GET /ok", "completed", 3},
		{"GET /fail", "errored", 1},
		{"GET /wait", "deadline_exceeded", 1},
		{"GET /wait", "cancelled", 1},
		{"GET /ignore", "deadline_exceeded", 1},
		{"GET /ok", "errored", 0},
	} {
		l := map[string]string{"route": c.route, "outcome": c.outcome}
		want(t, reg, ctxprom.MetricRequests, l, c.n)
		want(t, reg, ctxprom.MetricRequestDuration, l, c.n)
	}
	want(t, reg, ctxprom.MetricRequestsStarted, map[string]string{"route": "GET /wait"}, 2)
	want(t, reg, ctxprom.MetricRequestsCut, map[string]string{"route": "GET /wait"}, 0)
	want(t, reg, ctxprom.MetricRequestsCut, map[string]string{"route": "GET /ignore"}, 1)
}

func labelOf(lps []*dto.LabelPair, name string) string {
	for _, lp := range lps {
		if lp.GetName() == name {
			return lp.GetValue()
		}
	}
	return ""
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
