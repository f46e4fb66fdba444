// Command cancelmw is trap 3 of the leak lab: a middleware that derives a
// cancelable context for every request and never cancels it (article
// section 2.3).
//
// GET /items returns a small catalogue. Every request passes through a
// middleware that gives it a cancel scope under the service's lifetime
// context, so that a shutdown aborts in-flight work. (Deriving from
// r.Context() instead would hide the leak: net/http cancels the request
// context when the handler returns, which detaches its children.)
//
// With -ctxtrack the service uses ctxguard's Go module throughout: the scopes
// derive through ctxtrack, which serves the context census at
// /debug/ctxguard/contexts (the leaky twin's lost cancels then show by the
// line that derived them); httpctx bounds and identifies every request; and
// /metrics serves ctxprom's request lifecycle and census metrics.
package main

import (
	"flag"
	"log"
	"net/http"
	"time"

	"ctxguard.dev/go/ctxprom"
	"ctxguard.dev/go/ctxtrack"
	"ctxguard.dev/go/httpctx"
	"ctxguard.dev/lab/internal/labsrv"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

var (
	tracked = flag.Bool("ctxtrack", false, "derive through ctxguard's Go module and serve its context census")
	maxAge  = flag.Duration("ctxtrack-max-age", time.Minute, "with -ctxtrack: contexts older than this count as over the max age")
)

type item struct {
	SKU   string  `json:"sku"`
	Price float64 `json:"price"`
}

var catalogue = []item{{"A-100", 9.5}, {"B-200", 12}, {"C-300", 4.25}}

func items(w http.ResponseWriter, r *http.Request) {
	if err := r.Context().Err(); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	labsrv.WriteJSON(w, catalogue)
}

func main() {
	life, stop, leaky := labsrv.Setup()
	defer stop()

	var h http.Handler = http.HandlerFunc(items)
	switch {
	case leaky && *tracked:
		h = leakyScopeTracked(life, h)
	case leaky:
		h = leakyScope(life, h)
	case *tracked:
		h = fixedScopeTracked(life, h)
	default:
		h = fixedScope(life, h)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /items", h)
	var app http.Handler = mux
	if *tracked {
		ctxtrack.Configure(ctxtrack.Options{MaxAge: *maxAge})
		mux.Handle("GET "+ctxtrack.Path, ctxtrack.Handler())
		reg := prometheus.NewRegistry()
		obs, err := ctxprom.NewObserver(reg, ctxprom.ObserverOptions{})
		if err != nil {
			log.Fatal(err)
		}
		reg.MustRegister(ctxprom.NewCollector(ctxtrack.Default, ctxprom.CollectorOptions{}))
		mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		// the route template of this mux (labsrv mounts it under its own, whose pattern is "/")
		route := func(r *http.Request) string { _, pattern := mux.Handler(r); return pattern }
		app = httpctx.Middleware(mux, httpctx.Options{Timeout: 10 * time.Second, Observer: obs, Route: route})
	}
	if err := labsrv.Serve(life, app); err != nil {
		log.Fatal(err)
	}
}
