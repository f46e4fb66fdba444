// Package ctxprom exports ctxguard's request lifecycle and context-tracker
// data as Prometheus metrics (github.com/prometheus/client_golang):
//
//   - [NewObserver] returns a [lifecycle.Observer] for httpctx.Options and
//     grpcctx.Options that counts requests by route and outcome, times them,
//     and counts handlers cut (still running after their context was done);
//   - [NewCollector] exposes a ctxtrack report (live, created, collected
//     uncancelled and over-max-age contexts per creation site) at scrape
//     time.
//
// Both bound their label cardinality: at most ObserverOptions.MaxRoutes
// routes (the others are counted as route "other") and at most
// CollectorOptions.MaxSites sites (those with the most live contexts).
package ctxprom

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"ctxguard.dev/go/lifecycle"
)

// OtherRoute is the route label of requests whose route is beyond the
// ObserverOptions.MaxRoutes first distinct routes, or empty.
const OtherRoute = "other"

// DefaultMaxRoutes is the number of distinct routes an [Observer] keeps
// series for when ObserverOptions.MaxRoutes is 0.
const DefaultMaxRoutes = 100

// Names of the metrics of an [Observer].
const (
	MetricRequestsStarted  = "ctxguard_requests_started_total"
	MetricRequests         = "ctxguard_requests_total"
	MetricRequestDuration  = "ctxguard_request_duration_seconds"
	MetricRequestsInFlight = "ctxguard_requests_in_flight"
	MetricRequestsCut      = "ctxguard_requests_cut_total"
)

// ObserverOptions configures [NewObserver].
type ObserverOptions struct {
	// MaxRoutes is how many distinct routes get their own series: the
	// first MaxRoutes routes seen keep theirs, later ones are counted under
	// the route [OtherRoute]. 0 means [DefaultMaxRoutes].
	MaxRoutes int

	// Buckets are the upper bounds, in seconds, of the request duration
	// histogram. Nil means prometheus.DefBuckets.
	Buckets []float64

	// ConstLabels are added to every metric (e.g. a service name).
	ConstLabels prometheus.Labels
}

// Observer is a [lifecycle.Observer] that keeps Prometheus metrics, labelled
// by route and (for finished requests) outcome:
//
//	ctxguard_requests_started_total{route}               counter
//	ctxguard_requests_total{route,outcome}               counter
//	ctxguard_request_duration_seconds{route,outcome}     histogram
//	ctxguard_requests_in_flight{route}                   gauge
//	ctxguard_requests_cut_total{route}                   counter
//
// It is a prometheus.Collector. Its methods are safe for concurrent use;
// each call costs a map lookup under a read lock plus the metric updates.
type Observer struct {
	started  *prometheus.CounterVec
	total    *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight *prometheus.GaugeVec
	cut      *prometheus.CounterVec

	maxRoutes int
	other     *routeMetrics
	mu        sync.RWMutex
	routes    map[string]*routeMetrics
}

var _ lifecycle.Observer = (*Observer)(nil)

// routeMetrics are the series of one route, resolved once.
type routeMetrics struct {
	started  prometheus.Counter
	inFlight prometheus.Gauge
	cut      prometheus.Counter
	total    map[lifecycle.Outcome]prometheus.Counter
	duration map[lifecycle.Outcome]prometheus.Observer
}

// NewObserver returns an [Observer] and registers it with reg. A nil reg
// registers nothing (the Observer is a prometheus.Collector: register it
// yourself). It fails only if registering fails, e.g. because reg already
// has these metrics.
func NewObserver(reg prometheus.Registerer, opts ObserverOptions) (*Observer, error) {
	if opts.MaxRoutes <= 0 {
		opts.MaxRoutes = DefaultMaxRoutes
	}
	if opts.Buckets == nil {
		opts.Buckets = prometheus.DefBuckets
	}
	cl := opts.ConstLabels
	o := &Observer{
		started: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricRequestsStarted, ConstLabels: cl,
			Help: "Requests started, by route.",
		}, []string{"route"}),
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricRequests, ConstLabels: cl,
			Help: "Requests finished, by route and outcome (completed, errored, cancelled, deadline_exceeded).",
		}, []string{"route", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: MetricRequestDuration, ConstLabels: cl, Buckets: opts.Buckets,
			Help: "Duration of finished requests in seconds, by route and outcome.",
		}, []string{"route", "outcome"}),
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: MetricRequestsInFlight, ConstLabels: cl,
			Help: "Requests started and not yet finished, by route.",
		}, []string{"route"}),
		cut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricRequestsCut, ConstLabels: cl,
			Help: "Requests whose handler kept running after the request's context was done, by route.",
		}, []string{"route"}),
		maxRoutes: opts.MaxRoutes,
		routes:    make(map[string]*routeMetrics),
	}
	o.other = o.newRoute(OtherRoute)
	if reg != nil {
		if err := reg.Register(o); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func (o *Observer) newRoute(route string) *routeMetrics {
	m := &routeMetrics{
		started:  o.started.WithLabelValues(route),
		inFlight: o.inFlight.WithLabelValues(route),
		cut:      o.cut.WithLabelValues(route),
		total:    make(map[lifecycle.Outcome]prometheus.Counter, 4),
		duration: make(map[lifecycle.Outcome]prometheus.Observer, 4),
	}
	for _, oc := range lifecycle.Outcomes() {
		m.total[oc] = o.total.WithLabelValues(route, string(oc))
		m.duration[oc] = o.duration.WithLabelValues(route, string(oc))
	}
	return m
}

// route returns the series of route, admitting it if there is room. A route
// once admitted stays, so Started and Finished of one request always use
// the same series.
func (o *Observer) route(route string) *routeMetrics {
	if route == "" || route == OtherRoute {
		return o.other
	}
	o.mu.RLock()
	m := o.routes[route]
	o.mu.RUnlock()
	if m != nil {
		return m
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if m = o.routes[route]; m != nil {
		return m
	}
	if len(o.routes) >= o.maxRoutes {
		return o.other
	}
	m = o.newRoute(route)
	o.routes[route] = m
	return m
}

// Started counts a started request and adds it to the in-flight gauge.
func (o *Observer) Started(route string) {
	m := o.route(route)
	m.started.Inc()
	m.inFlight.Inc()
}

// Finished counts a finished request by outcome, observes its duration and
// removes it from the in-flight gauge. An outcome that is none of
// [lifecycle.Outcomes] is counted as errored.
func (o *Observer) Finished(route string, outcome lifecycle.Outcome, seconds float64) {
	m := o.route(route)
	m.inFlight.Dec()
	c, ok := m.total[outcome]
	if !ok {
		outcome = lifecycle.Errored
		c = m.total[outcome]
	}
	c.Inc()
	m.duration[outcome].Observe(seconds)
}

// Cut counts a request whose handler outlived its context.
func (o *Observer) Cut(route string) {
	o.route(route).cut.Inc()
}

// Describe implements prometheus.Collector.
func (o *Observer) Describe(ch chan<- *prometheus.Desc) {
	o.started.Describe(ch)
	o.total.Describe(ch)
	o.duration.Describe(ch)
	o.inFlight.Describe(ch)
	o.cut.Describe(ch)
}

// Collect implements prometheus.Collector.
func (o *Observer) Collect(ch chan<- prometheus.Metric) {
	o.started.Collect(ch)
	o.total.Collect(ch)
	o.duration.Collect(ch)
	o.inFlight.Collect(ch)
	o.cut.Collect(ch)
}
