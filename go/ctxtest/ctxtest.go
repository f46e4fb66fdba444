// Package ctxtest checks, at the end of a test, that the test leaked no
// goroutine and no context.
//
//	func TestServer(t *testing.T) {
//		t.Parallel()
//		ctxtest.VerifyNone(t)
//		ctx := ctxtest.Context(t)
//		...
//	}
//
// Goroutines: VerifyNone looks only at the goroutines the test started,
// directly or through other goroutines (its descendants, from the "created by
// ... in goroutine N" lines of the goroutine dump, Go 1.21 and later), so it
// works with t.Parallel and with other tests' goroutines around. At cleanup it
// does not sleep and retry: it waits, yielding, only while some descendant is
// running or runnable (or queued on a lock, or in time.Sleep), for at most
// MaxWait (5 s by default). Descendants blocked on anything else (channel,
// select, WaitGroup, I/O, ...) are reported at once with their top frames and
// where they were started; any still running at the bound are reported as
// such. A goroutine about to be woken by a timer in a select cannot be told
// from one that never will: let a test's goroutines finish (or cancel them)
// before it ends.
// Goroutines started by the runtime, by package testing or by os/signal (its
// process-wide loop) are never reported.
//
// A goroutine whose creator has exited cannot be traced back to the test from
// a plain dump: "created by ... in goroutine N" names a goroutine that is no
// longer there. Run the tests with GODEBUG=tracebackancestors=N (N the depth
// to keep, e.g. 10) to have such goroutines attributed too; without it they
// are not reported. Goroutines running the function of a time.AfterFunc timer
// cannot be attributed either and are not reported.
//
// Contexts: Context returns the test's context carrying a ctxtrack scope;
// VerifyNone reports every derivation made through package ctxtrack from it
// (or from contexts derived from it) whose CancelFunc was never called by the
// end of the test, at its creation line.
package ctxtest

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"ctxguard.dev/go/ctxtrack"
)

// An Option changes what VerifyNone checks.
type Option func(*config)

type config struct {
	maxWait    time.Duration
	ignoreTop  []string
	ignoreFrom []string
}

// DefaultMaxWait is how long VerifyNone waits at most for the test's
// goroutines that are still running.
const DefaultMaxWait = 5 * time.Second

// MaxWait sets how long VerifyNone waits at most for goroutines that are
// still running or runnable before reporting them (DefaultMaxWait if not set).
func MaxWait(d time.Duration) Option {
	return func(c *config) { c.maxWait = d }
}

// IgnoreTopFunction makes VerifyNone ignore goroutines whose innermost frame
// is in function fn, given as the dump prints it, e.g.
// "internal/poll.runtime_pollWait".
func IgnoreTopFunction(fn string) Option {
	return func(c *config) { c.ignoreTop = append(c.ignoreTop, fn) }
}

// IgnoreCreatedBy makes VerifyNone ignore goroutines started by function fn
// (the "created by" line of the dump), e.g. "net/http.(*Transport).dialConn".
func IgnoreCreatedBy(fn string) Option {
	return func(c *config) { c.ignoreFrom = append(c.ignoreFrom, fn) }
}

func (c *config) ignored(g *goroutine) bool {
	if len(g.frames) > 0 {
		for _, f := range c.ignoreTop {
			if g.frames[0].function == f {
				return true
			}
		}
	}
	for _, f := range c.ignoreFrom {
		if g.createdBy.function == f {
			return true
		}
	}
	return false
}

// state is what VerifyNone and Context share for one test.
type state struct {
	mu        sync.Mutex
	scope     *ctxtrack.Scope
	ctx       context.Context
	stopBase  func()
	verifying bool
}

func (st *state) stop() {
	st.mu.Lock()
	stop := st.stopBase
	st.stopBase = nil
	st.mu.Unlock()
	if stop != nil {
		stop()
	}
}

var (
	statesMu sync.Mutex
	states   = map[testing.TB]*state{}
)

// keyable tells whether t can key the states map: pointers can (*testing.T,
// *testing.B, *testing.F and fakes passed by pointer).
func keyable(t testing.TB) bool {
	return reflect.ValueOf(t).Kind() == reflect.Pointer
}

// stateOf returns t's state, made on first use (a private one when t cannot
// be a key), and whether it is shared.
func stateOf(t testing.TB) (*state, bool) {
	if !keyable(t) {
		return &state{}, false
	}
	statesMu.Lock()
	defer statesMu.Unlock()
	st := states[t]
	if st == nil {
		st = &state{}
		states[t] = st
		t.Cleanup(func() {
			statesMu.Lock()
			delete(states, t)
			statesMu.Unlock()
		})
	}
	return st, true
}

// Context returns the test's context carrying a ctxtrack scope: derived from
// t.Context() on Go 1.24 and later (cancelled just before the cleanups run);
// before, from a context cancelled by a cleanup (and by VerifyNone's check,
// before it looks). Derivations made through package ctxtrack from it
// are recorded whatever the sampling, and VerifyNone reports those whose
// CancelFunc was never called. Calls with the same t return the same context.
func Context(t testing.TB) context.Context {
	t.Helper()
	st, shared := stateOf(t)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.ctx != nil {
		return st.ctx
	}
	base, stop := baseContext(t)
	st.stopBase = stop
	st.scope = ctxtrack.NewScope()
	st.ctx = st.scope.Context(base)
	scope := st.scope
	t.Cleanup(func() {
		if !shared {
			// VerifyNone cannot find this state: report here.
			if msg := contextLeaks(scope); msg != "" {
				t.Errorf("ctxtest: %s", msg)
			}
		}
		st.stop()
		scope.Close()
	})
	return st.ctx
}

// VerifyNone registers a cleanup that fails the test if, at its end, some
// goroutine the test started is still there, or some context derived through
// package ctxtrack from Context(t) was never cancelled. Call it from the
// test's own goroutine, first thing in the test: cleanups run last-in
// first-out, so the check then runs after the test's other cleanups.
func VerifyNone(t testing.TB, opts ...Option) {
	t.Helper()
	cfg := &config{maxWait: DefaultMaxWait}
	for _, o := range opts {
		o(cfg)
	}
	root := currentID()
	st, _ := stateOf(t)
	st.mu.Lock()
	again := st.verifying
	st.verifying = true
	st.mu.Unlock()
	if again {
		return
	}
	t.Cleanup(func() {
		st.stop() // before Go 1.24, Context's context ends here at the latest
		blocked, running := waitGoroutines(root, cfg)
		st.mu.Lock()
		scope := st.scope
		st.mu.Unlock()
		var b strings.Builder
		for _, g := range blocked {
			writeGoroutine(&b, &g, "blocked")
		}
		for _, g := range running {
			writeGoroutine(&b, &g, fmt.Sprintf("still running after %v", cfg.maxWait))
		}
		if scope != nil {
			b.WriteString(contextLeaks(scope))
		}
		if b.Len() > 0 {
			n := len(blocked) + len(running)
			t.Errorf("ctxtest: leaks at the end of %s (%d goroutine(s)):\n%s", t.Name(), n, b.String())
		}
	})
}

// waitGoroutines returns the test's descendant goroutines once none is
// running (all blocked), or at the bound (blocked and still running).
func waitGoroutines(root int64, cfg *config) (blocked, running []goroutine) {
	deadline := time.Now().Add(cfg.maxWait)
	pause := 50 * time.Microsecond
	for i := 0; ; i++ {
		blocked, running = blocked[:0], running[:0]
		for _, g := range descendants(parse(stacks()), root, cfg) {
			if g.active() {
				running = append(running, g)
			} else {
				blocked = append(blocked, g)
			}
		}
		if len(running) == 0 || !time.Now().Before(deadline) {
			return blocked, running
		}
		// Some goroutine is running: let it run. Yield first; if it takes
		// longer, wait a little between dumps (each stops the world).
		if i < 50 {
			runtime.Gosched()
			continue
		}
		if d := time.Until(deadline); d < pause {
			pause = d
		}
		time.Sleep(pause)
		if pause < 5*time.Millisecond {
			pause *= 2
		}
	}
}

// descendants returns the goroutines of gs started, directly or not, by
// goroutine root, except the runtime's, the testing package's and ignored
// ones.
func descendants(gs []goroutine, root int64, cfg *config) []goroutine {
	byID := make(map[int64]*goroutine, len(gs))
	for i := range gs {
		byID[gs[i].id] = &gs[i]
	}
	var out []goroutine
	for i := range gs {
		g := &gs[i]
		if g.id == root || g.system() || cfg.ignored(g) {
			continue
		}
		if descends(g, root, byID) {
			out = append(out, *g)
		}
	}
	return out
}

// descends tells whether root started g, directly or through goroutines that
// are still there, or, with GODEBUG=tracebackancestors, through any.
func descends(g *goroutine, root int64, byID map[int64]*goroutine) bool {
	seen := 0
	for {
		for _, a := range g.ancestors {
			if a.id == root {
				return true
			}
			if systemCreator(a.createdBy) {
				return false // e.g. a subtest's goroutine: its leaks are its own
			}
		}
		if g.parent == root {
			return true
		}
		p := byID[g.parent]
		if g.parent == 0 || p == nil || seen > len(byID) {
			return false
		}
		if p.system() {
			return false // e.g. a subtest's goroutine: its leaks are its own
		}
		g = p
		seen++
	}
}

// contextLeaks describes the scope's uncancelled derivations.
func contextLeaks(scope *ctxtrack.Scope) string {
	var b strings.Builder
	for _, d := range scope.Uncancelled() {
		fmt.Fprintf(&b, "context from ctxtrack.%s at %s:%d (in %s) never cancelled: its CancelFunc was not called\n",
			d.Kind, d.File, d.Line, d.Function)
	}
	return b.String()
}

// maxFrames is how many of a leaked goroutine's innermost frames are shown.
const maxFrames = 8

func writeGoroutine(b *strings.Builder, g *goroutine, what string) {
	fmt.Fprintf(b, "goroutine %d [%s], %s:\n", g.id, g.state, what)
	for i, f := range g.frames {
		if i == maxFrames {
			fmt.Fprintf(b, "\t... %d more frames\n", len(g.frames)-maxFrames)
			break
		}
		fmt.Fprintf(b, "\t%s\n\t\t%s\n", f.function, f.location)
	}
	if g.createdBy.function != "" {
		fmt.Fprintf(b, "\tcreated by %s in goroutine %d\n\t\t%s\n", g.createdBy.function, g.parent, g.createdBy.location)
	}
}
