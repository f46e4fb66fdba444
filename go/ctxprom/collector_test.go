package ctxprom_test

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"ctxguard.dev/go/ctxprom"
	"ctxguard.dev/go/ctxtrack"
)

func TestCollector(t *testing.T) {
	report := ctxtrack.Report{
		Version: 1, SampleRate: 1, MaxAgeS: 60,
		Sites: []ctxtrack.Site{
			{Function: "main.handler", File: "/src/main.go", Line: 10, Kind: "WithTimeout", Created: 100, Cancelled: 90, Live: 7, OverMaxAge: 2, OldestAgeS: 75},
			{Function: "main.worker", File: "/src/worker.go", Line: 20, Kind: "WithCancel", Created: 5, CollectedUncancelled: 3, Live: 1},
			// Same labels as the first (another derivation on that line): added together.
			{Function: "main.handler", File: "/src/main.go", Line: 10, Kind: "WithTimeout", Created: 10, Live: 1, CollectedUncancelled: 1},
			{Function: "main.idle", File: "/src/idle.go", Line: 30, Kind: "WithCancel", Created: 50, Cancelled: 50},
		},
	}
	c := ctxprom.NewCollector(ctxprom.ReporterFunc(func() ctxtrack.Report { return report }), ctxprom.CollectorOptions{MaxSites: 2})
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)

	const expected = `
# HELP ctxguard_contexts_collected_uncancelled_total Tracked contexts garbage-collected without their CancelFunc being called, by creation site.
# TYPE ctxguard_contexts_collected_uncancelled_total counter
ctxguard_contexts_collected_uncancelled_total{file="/src/main.go",function="main.handler",kind="WithTimeout",line="10"} 1
ctxguard_contexts_collected_uncancelled_total{file="/src/worker.go",function="main.worker",kind="WithCancel",line="20"} 3
# HELP ctxguard_contexts_created_total Tracked context derivations, by creation site.
# TYPE ctxguard_contexts_created_total counter
ctxguard_contexts_created_total{file="/src/main.go",function="main.handler",kind="WithTimeout",line="10"} 110
ctxguard_contexts_created_total{file="/src/worker.go",function="main.worker",kind="WithCancel",line="20"} 5
# HELP ctxguard_contexts_live Tracked contexts alive now whose CancelFunc was not called, by creation site.
# TYPE ctxguard_contexts_live gauge
ctxguard_contexts_live{file="/src/main.go",function="main.handler",kind="WithTimeout",line="10"} 8
ctxguard_contexts_live{file="/src/worker.go",function="main.worker",kind="WithCancel",line="20"} 1
# HELP ctxguard_contexts_over_max_age Live tracked contexts older than the tracker's maximum age, by creation site.
# TYPE ctxguard_contexts_over_max_age gauge
ctxguard_contexts_over_max_age{file="/src/main.go",function="main.handler",kind="WithTimeout",line="10"} 2
ctxguard_contexts_over_max_age{file="/src/worker.go",function="main.worker",kind="WithCancel",line="20"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(expected)); err != nil {
		t.Error(err)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}

	// The default bound: 50 sites, the most live.
	var many []ctxtrack.Site
	for i := 0; i < 80; i++ {
		many = append(many, ctxtrack.Site{Function: "f", File: "x.go", Line: i + 1, Kind: "WithCancel", Live: int64(i)})
	}
	report = ctxtrack.Report{Version: 1, Sites: many}
	c = ctxprom.NewCollector(ctxprom.ReporterFunc(func() ctxtrack.Report { return report }), ctxprom.CollectorOptions{})
	if n := testutil.CollectAndCount(c, ctxprom.MetricContextsLive); n != ctxprom.DefaultMaxSites {
		t.Errorf("%d sites, want %d", n, ctxprom.DefaultMaxSites)
	}
	reg = prometheus.NewRegistry()
	reg.MustRegister(c)
	if _, ok := value(t, reg, ctxprom.MetricContextsLive, map[string]string{"line": "80"}); !ok {
		t.Error("the most live site is missing")
	}
	if _, ok := value(t, reg, ctxprom.MetricContextsLive, map[string]string{"line": "30"}); ok {
		t.Error("a site beyond the 50 most live is exported")
	}

	// An empty report exports nothing.
	report = ctxtrack.Report{Version: 1}
	if n := testutil.CollectAndCount(c); n != 0 {
		t.Errorf("%d series for an empty report", n)
	}
}

// TestCollectorTracker reads a real tracker's sites back.
func TestCollectorTracker(t *testing.T) {
	tracker := ctxtrack.New(ctxtrack.Options{})
	reg := prometheus.NewRegistry()
	reg.MustRegister(ctxprom.NewCollector(tracker, ctxprom.CollectorOptions{}))

	var cancels []context.CancelFunc
	for i := 0; i < 3; i++ {
		_, cancel := tracker.WithCancel(context.Background())
		cancels = append(cancels, cancel)
	}
	labels := map[string]string{"function": "ctxguard.dev/go/ctxprom_test.TestCollectorTracker", "kind": "WithCancel"}
	want(t, reg, ctxprom.MetricContextsLive, labels, 3)
	want(t, reg, ctxprom.MetricContextsCreated, labels, 3)
	for _, c := range cancels {
		c()
	}
	want(t, reg, ctxprom.MetricContextsLive, labels, 0)
	want(t, reg, ctxprom.MetricContextsCreated, labels, 3)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if file := labelOf(m.GetLabel(), "file"); !strings.HasSuffix(file, "collector_test.go") {
				t.Errorf("%s: file %q", mf.GetName(), file)
			}
			if line := labelOf(m.GetLabel(), "line"); line == "" || line == "0" {
				t.Errorf("%s: line %q", mf.GetName(), line)
			}
		}
	}
}
