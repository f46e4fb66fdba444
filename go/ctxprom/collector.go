package ctxprom

import (
	"sort"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"ctxguard.dev/go/ctxtrack"
)

// DefaultMaxSites is the number of creation sites a [Collector] exports when
// CollectorOptions.MaxSites is 0.
const DefaultMaxSites = 50

// Names of the metrics of a [Collector].
const (
	MetricContextsLive                 = "ctxguard_contexts_live"
	MetricContextsCreated              = "ctxguard_contexts_created_total"
	MetricContextsCollectedUncancelled = "ctxguard_contexts_collected_uncancelled_total"
	MetricContextsOverMaxAge           = "ctxguard_contexts_over_max_age"
)

// Reporter is the source of a [Collector]: *ctxtrack.Tracker implements it.
type Reporter interface {
	Report() ctxtrack.Report
}

// ReporterFunc adapts a function to [Reporter].
type ReporterFunc func() ctxtrack.Report

// Report calls f.
func (f ReporterFunc) Report() ctxtrack.Report { return f() }

// CollectorOptions configures [NewCollector].
type CollectorOptions struct {
	// MaxSites is how many creation sites are exported at each scrape: those
	// with the most live contexts (ties broken by most over max age, most
	// created, then file, line, function and kind). 0 means
	// [DefaultMaxSites]. A site that drops out of the top MaxSites has no
	// series until it comes back; its counters then resume from the
	// tracker's running totals.
	MaxSites int

	// ConstLabels are added to every metric (e.g. a service name).
	ConstLabels prometheus.Labels
}

// Collector is a prometheus.Collector that calls Report on its [Reporter] at
// each scrape and exports, per creation site (labels function, file, line
// and kind):
//
//	ctxguard_contexts_live                          gauge    Site.Live
//	ctxguard_contexts_created_total                 counter  Site.Created
//	ctxguard_contexts_collected_uncancelled_total   counter  Site.CollectedUncancelled
//	ctxguard_contexts_over_max_age                  gauge    Site.OverMaxAge
//
// The values are counts of tracked (sampled) contexts, unscaled, as in the
// report: divide by the tracker's sample rate to estimate all contexts.
// Sites of the report with the same labels (two derivations on one line)
// are added together.
type Collector struct {
	src      Reporter
	maxSites int
	live     *prometheus.Desc
	created  *prometheus.Desc
	leaked   *prometheus.Desc
	overAge  *prometheus.Desc
}

// NewCollector returns a [Collector] over src, e.g. a *ctxtrack.Tracker.
// Register it with a prometheus.Registerer.
func NewCollector(src Reporter, opts CollectorOptions) *Collector {
	if opts.MaxSites <= 0 {
		opts.MaxSites = DefaultMaxSites
	}
	labels := []string{"function", "file", "line", "kind"}
	cl := opts.ConstLabels
	return &Collector{
		src:      src,
		maxSites: opts.MaxSites,
		live: prometheus.NewDesc(MetricContextsLive,
			"Tracked contexts alive now whose CancelFunc was not called, by creation site.", labels, cl),
		created: prometheus.NewDesc(MetricContextsCreated,
			"Tracked context derivations, by creation site.", labels, cl),
		leaked: prometheus.NewDesc(MetricContextsCollectedUncancelled,
			"Tracked contexts garbage-collected without their CancelFunc being called, by creation site.", labels, cl),
		overAge: prometheus.NewDesc(MetricContextsOverMaxAge,
			"Live tracked contexts older than the tracker's maximum age, by creation site.", labels, cl),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.live
	ch <- c.created
	ch <- c.leaked
	ch <- c.overAge
}

type siteKey struct {
	function, file string
	line           int
	kind           string
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range topSites(c.src.Report().Sites, c.maxSites) {
		lv := []string{s.Function, s.File, strconv.Itoa(s.Line), s.Kind}
		ch <- prometheus.MustNewConstMetric(c.live, prometheus.GaugeValue, float64(s.Live), lv...)
		ch <- prometheus.MustNewConstMetric(c.created, prometheus.CounterValue, float64(s.Created), lv...)
		ch <- prometheus.MustNewConstMetric(c.leaked, prometheus.CounterValue, float64(s.CollectedUncancelled), lv...)
		ch <- prometheus.MustNewConstMetric(c.overAge, prometheus.GaugeValue, float64(s.OverMaxAge), lv...)
	}
}

// topSites merges sites with the same labels and returns the n with the
// most live contexts.
func topSites(sites []ctxtrack.Site, n int) []ctxtrack.Site {
	merged := make([]ctxtrack.Site, 0, len(sites))
	index := make(map[siteKey]int, len(sites))
	for _, s := range sites {
		k := siteKey{s.Function, s.File, s.Line, s.Kind}
		i, ok := index[k]
		if !ok {
			index[k] = len(merged)
			merged = append(merged, s)
			continue
		}
		m := &merged[i]
		m.Created += s.Created
		m.Cancelled += s.Cancelled
		m.CollectedUncancelled += s.CollectedUncancelled
		m.Live += s.Live
		m.OverMaxAge += s.OverMaxAge
		if s.OldestAgeS > m.OldestAgeS {
			m.OldestAgeS = s.OldestAgeS
		}
	}
	sort.Slice(merged, func(i, j int) bool {
		a, b := &merged[i], &merged[j]
		switch {
		case a.Live != b.Live:
			return a.Live > b.Live
		case a.OverMaxAge != b.OverMaxAge:
			return a.OverMaxAge > b.OverMaxAge
		case a.Created != b.Created:
			return a.Created > b.Created
		case a.File != b.File:
			return a.File < b.File
		case a.Line != b.Line:
			return a.Line < b.Line
		case a.Function != b.Function:
			return a.Function < b.Function
		default:
			return a.Kind < b.Kind
		}
	})
	if len(merged) > n {
		merged = merged[:n]
	}
	return merged
}
