package ctxtrack

import (
	"encoding/json"
	"net/http"
	"runtime"
	"sort"
	"time"
)

// Report is a snapshot of a Tracker, the JSON document served at Path.
type Report struct {
	Version    int       `json:"ctxguard_contexts"` // always 1: the format's marker and version
	Time       time.Time `json:"time"`              // when the report was made
	GoVersion  string    `json:"go_version"`        // runtime.Version()
	SampleRate float64   `json:"sample_rate"`       // share of derivations tracked
	MaxAgeS    float64   `json:"max_age_s"`         // MaxAge in seconds
	Sites      []Site    `json:"sites"`             // sorted by Live descending, then File, Line
}

// Site holds the counts of one creation site: the line that called WithX, and
// which WithX. Counts are of tracked (sampled) derivations, unscaled.
type Site struct {
	Function             string  `json:"function"`              // the function that called WithX (the creation site)
	File                 string  `json:"file"`                  // its file
	Line                 int     `json:"line"`                  // the line of the call
	Kind                 string  `json:"kind"`                  // "WithCancel", "WithTimeout", ... (the derivation used)
	Created              int64   `json:"created"`               // tracked derivations since start
	Cancelled            int64   `json:"cancelled"`             // ... whose CancelFunc was called
	CollectedUncancelled int64   `json:"collected_uncancelled"` // ... garbage-collected, CancelFunc never called
	Live                 int64   `json:"live"`                  // ... neither: alive now, cancel not yet called
	OverMaxAge           int64   `json:"over_max_age"`          // of Live, older than MaxAge
	OldestAgeS           float64 `json:"oldest_age_s"`          // age of the oldest Live one in seconds (0 when none)
}

// Report returns the counts of every site t has seen. It also starts
// watching every live context for garbage collection (see the package
// documentation), so a context dropped before a report is counted as
// collected at a later garbage collection.
func (t *Tracker) Report() Report {
	c := t.cfg.Load()
	t.sweep(t.now(), true)
	wall := time.Now()
	now := t.now()
	maxAge := int64(c.maxAge)
	sites := *t.sites.Load()
	out := make([]Site, 0, len(sites))
	for _, s := range sites {
		s.mu.Lock()
		r := Site{
			Created:              s.created,
			Cancelled:            s.cancelled,
			CollectedUncancelled: s.collected,
			Live:                 s.live,
		}
		if s.head != nil {
			r.OldestAgeS = float64(now-s.head.born) / 1e9
			for n := s.head; n != nil && now-n.born > maxAge; n = n.next {
				r.OverMaxAge++
			}
		}
		s.mu.Unlock()
		s.resolve()
		r.Function, r.File, r.Line, r.Kind = s.function, s.file, s.line, s.kind.String()
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.Live != b.Live {
			return a.Live > b.Live
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Kind < b.Kind
	})
	return Report{
		Version:    1,
		Time:       wall.UTC(),
		GoVersion:  runtime.Version(),
		SampleRate: c.rate,
		MaxAgeS:    c.maxAge.Seconds(),
		Sites:      out,
	}
}

// Handler returns an http.Handler that serves t.Report() as JSON to GET
// requests and answers 405 Method Not Allowed to any other method.
func (t *Tracker) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := json.Marshal(t.Report())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(append(body, '\n'))
	})
}

// Handler returns Default's handler; mount it at Path.
func Handler() http.Handler { return Default.Handler() }
