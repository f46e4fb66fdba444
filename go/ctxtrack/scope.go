package ctxtrack

import (
	"context"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// scopesOpen counts open scopes: while it is zero, derivations do not look
// for a scope in their parent.
var scopesOpen atomic.Int32

type scopeKey struct{}

// A Scope records every derivation made through this package (by any
// Tracker, whatever its sampling) from a context that carries the scope, and
// whether its CancelFunc was called. It is meant for tests: package
// ctxguard.dev/go/ctxtest reports the derivations of a test's context that
// were never cancelled.
//
// While any scope is open, every tracked or untracked derivation looks up its
// parent's values for a scope, which costs a little; Close the scope when done.
type Scope struct {
	mu     sync.Mutex
	seq    uint64
	open   map[*scopeEntry]struct{}
	closed atomic.Bool
}

// NewScope returns an open Scope.
func NewScope() *Scope {
	scopesOpen.Add(1)
	return &Scope{open: map[*scopeEntry]struct{}{}}
}

// Context returns a context derived from parent that carries s: derivations
// made through this package from it, or from contexts derived from it, are
// recorded in s while s is open.
func (s *Scope) Context(parent context.Context) context.Context {
	return context.WithValue(parent, scopeKey{}, s)
}

// Close stops recording new derivations. Uncancelled still reports the ones
// recorded. Close is idempotent.
func (s *Scope) Close() {
	if s.closed.CompareAndSwap(false, true) {
		scopesOpen.Add(-1)
	}
}

// A Derivation is one recorded derivation whose CancelFunc was not called.
type Derivation struct {
	Function string        // the function that called WithX
	File     string        // its file
	Line     int           // the line of the call
	Kind     string        // "WithCancel", "WithTimeout", ...
	Age      time.Duration // time since the derivation
}

// Uncancelled returns the recorded derivations whose CancelFunc has not been
// called, oldest first.
func (s *Scope) Uncancelled() []Derivation {
	s.mu.Lock()
	es := make([]*scopeEntry, 0, len(s.open))
	for e := range s.open {
		es = append(es, e)
	}
	s.mu.Unlock()
	sort.Slice(es, func(i, j int) bool { return es[i].seq < es[j].seq })
	out := make([]Derivation, 0, len(es))
	for _, e := range es {
		f, _ := runtime.CallersFrames([]uintptr{e.pc}).Next()
		out = append(out, Derivation{
			Function: f.Function,
			File:     f.File,
			Line:     f.Line,
			Kind:     e.kind.String(),
			Age:      time.Since(e.born),
		})
	}
	return out
}

type scopeEntry struct {
	s    *Scope
	pc   uintptr
	kind kind
	seq  uint64
	born time.Time
}

func (s *Scope) add(pc uintptr, k kind) *scopeEntry {
	if s.closed.Load() {
		return nil
	}
	e := &scopeEntry{s: s, pc: pc, kind: k, born: time.Now()}
	s.mu.Lock()
	s.seq++
	e.seq = s.seq
	s.open[e] = struct{}{}
	s.mu.Unlock()
	return e
}

func (e *scopeEntry) done() {
	e.s.mu.Lock()
	delete(e.s.open, e)
	e.s.mu.Unlock()
}
