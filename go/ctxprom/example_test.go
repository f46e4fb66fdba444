package ctxprom_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"ctxguard.dev/go/ctxprom"
	"ctxguard.dev/go/ctxtrack"
	"ctxguard.dev/go/httpctx"
)

func ExampleNewObserver() {
	reg := prometheus.NewRegistry()
	obs, err := ctxprom.NewObserver(reg, ctxprom.ObserverOptions{MaxRoutes: 50})
	if err != nil {
		fmt.Println(err)
		return
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	// The same Observer serves grpcctx.Options{Observer: obs}.
	srv := httptest.NewServer(httpctx.Middleware(mux, httpctx.Options{Timeout: 5 * time.Second, Observer: obs}))
	defer srv.Close()

	for i := 0; i < 2; i++ {
		resp, err := http.Get(srv.URL + "/hello")
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
	}

	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if line := sc.Text(); strings.Contains(line, `route="GET /hello"`) &&
			(strings.HasPrefix(line, "ctxguard_requests_total{") ||
				strings.HasPrefix(line, "ctxguard_requests_started_total") ||
				strings.HasPrefix(line, "ctxguard_requests_in_flight")) {
			fmt.Println(line)
		}
	}

	// Output:
	// ctxguard_requests_in_flight{route="GET /hello"} 0
	// ctxguard_requests_started_total{route="GET /hello"} 2
	// ctxguard_requests_total{outcome="cancelled",route="GET /hello"} 0
	// ctxguard_requests_total{outcome="completed",route="GET /hello"} 2
	// ctxguard_requests_total{outcome="deadline_exceeded",route="GET /hello"} 0
	// ctxguard_requests_total{outcome="errored",route="GET /hello"} 0
}

func ExampleNewCollector() {
	// In a service: ctxtrack.Default, the tracker behind ctxtrack.WithCancel
	// and the other package functions.
	tracker := ctxtrack.New(ctxtrack.Options{})
	reg := prometheus.NewRegistry()
	reg.MustRegister(ctxprom.NewCollector(tracker, ctxprom.CollectorOptions{MaxSites: 20}))

	ctx, cancel := tracker.WithTimeout(context.Background(), time.Minute) // live until cancel
	defer cancel()
	_ = ctx

	mfs, err := reg.Gather()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, lp := range m.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			fmt.Println(mf.GetName(), labels["function"], labels["kind"], v)
		}
	}

	// Output:
	// ctxguard_contexts_collected_uncancelled_total ctxguard.dev/go/ctxprom_test.ExampleNewCollector WithTimeout 0
	// ctxguard_contexts_created_total ctxguard.dev/go/ctxprom_test.ExampleNewCollector WithTimeout 1
	// ctxguard_contexts_live ctxguard.dev/go/ctxprom_test.ExampleNewCollector WithTimeout 1
	// ctxguard_contexts_over_max_age ctxguard.dev/go/ctxprom_test.ExampleNewCollector WithTimeout 0
}
