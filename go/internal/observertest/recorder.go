// Package observertest records the calls of a lifecycle.Observer, for the
// tests of the middleware and interceptors that report to one.
package observertest

import (
	"sync"
	"testing"
	"time"

	"ctxguard.dev/go/lifecycle"
)

// Event is one Observer call.
type Event struct {
	Kind    string // "started", "finished", "cut"
	Route   string
	Outcome lifecycle.Outcome
}

// Recorder is an Observer that records its calls and signals each one.
type Recorder struct {
	mu     sync.Mutex
	events []Event
	ch     chan Event
}

// New returns an empty Recorder.
func New() *Recorder { return &Recorder{ch: make(chan Event, 100)} }

func (r *Recorder) add(e Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	r.ch <- e
}

// Started records a started request.
func (r *Recorder) Started(route string) { r.add(Event{Kind: "started", Route: route}) }

// Finished records a finished request; a negative duration is a bug in the caller.
func (r *Recorder) Finished(route string, o lifecycle.Outcome, secs float64) {
	if secs < 0 {
		panic("negative duration")
	}
	r.add(Event{Kind: "finished", Route: route, Outcome: o})
}

// Cut records a request whose handler outlived its context.
func (r *Recorder) Cut(route string) { r.add(Event{Kind: "cut", Route: route}) }

// Wait returns the next event of the given kind, failing the test after 5 s.
func (r *Recorder) Wait(t testing.TB, kind string) Event {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case e := <-r.ch:
			if e.Kind == kind {
				return e
			}
		case <-timeout:
			t.Fatalf("no %q event", kind)
			return Event{}
		}
	}
}

// Count returns how many events of the given kind were recorded.
func (r *Recorder) Count(kind string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}
