// Command truth reads Go execution traces with golang.org/x/exp/trace and
// prints, as JSON, per creation site (the creating goroutine's top frame):
// goroutines created, ended and alive at the end, plus the median lifetime
// of the ones that ended. Goroutines that existed before the trace started
// are grouped under the pseudo-site "(existed at trace start)".
//
// Usage: go run . trace.out > trace.out.truth.json
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"golang.org/x/exp/trace"
)

type siteKey struct {
	Function string `json:"function"`
	File     string `json:"file"`
	Line     uint64 `json:"line"`
}

type site struct {
	siteKey
	Created         int     `json:"created"`
	Ended           int     `json:"ended"`
	AliveAtEnd      int     `json:"alive_at_end"`
	LifetimeMedianS float64 `json:"lifetime_median_s"`
	lifetimes       []time.Duration
}

type gor struct {
	site    *site
	created trace.Time
	known   bool
}

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		panic(err)
	}
	r, err := trace.NewReader(f)
	if err != nil {
		panic(err)
	}
	sites := map[siteKey]*site{}
	get := func(k siteKey) *site {
		s, ok := sites[k]
		if !ok {
			s = &site{siteKey: k}
			sites[k] = s
		}
		return s
	}
	gs := map[trace.GoID]*gor{}
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			panic(err)
		}
		if ev.Kind() != trace.EventStateTransition {
			continue
		}
		st := ev.StateTransition()
		if st.Resource.Kind != trace.ResourceGoroutine {
			continue
		}
		id := st.Resource.Goroutine()
		from, to := st.Goroutine()
		switch {
		case from == trace.GoNotExist:
			k := siteKey{Function: "(no stack)"}
			for fr := range ev.Stack().Frames() {
				k = siteKey{Function: fr.Func, File: fr.File, Line: fr.Line}
				break
			}
			s := get(k)
			s.Created++
			gs[id] = &gor{site: s, created: ev.Time(), known: true}
		case from == trace.GoUndetermined:
			if _, ok := gs[id]; !ok {
				s := get(siteKey{Function: "(existed at trace start)"})
				s.Created++
				gs[id] = &gor{site: s}
			}
		}
		if to == trace.GoNotExist {
			g := gs[id]
			if g == nil {
				panic(fmt.Sprintf("goroutine %d ended but was never seen", id))
			}
			g.site.Ended++
			if g.known {
				g.site.lifetimes = append(g.site.lifetimes, ev.Time().Sub(g.created))
			}
			delete(gs, id)
		}
	}
	out := []*site{}
	for _, s := range sites {
		s.AliveAtEnd = s.Created - s.Ended
		if n := len(s.lifetimes); n > 0 {
			sort.Slice(s.lifetimes, func(i, j int) bool { return s.lifetimes[i] < s.lifetimes[j] })
			s.LifetimeMedianS = s.lifetimes[(n-1)/2].Seconds()
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Function != b.Function {
			return a.Function < b.Function
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(map[string]any{"sites": out}); err != nil {
		panic(err)
	}
}
