package ctxtrack

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Path is where services mount Handler, beside net/http/pprof's /debug/pprof/.
const Path = "/debug/ctxguard/contexts"

// Options configure a Tracker.
type Options struct {
	// SampleRate is the share of derivations tracked, 0 < SampleRate <= 1.
	// 0 means 1 (every derivation); values outside (0, 1] are taken as 1.
	SampleRate float64
	// MaxAge is the age past which a tracked context that is alive and not
	// cancelled counts as "over max age". 0 (or less) means one minute.
	MaxAge time.Duration
}

// config is the effective form of Options, swapped atomically.
type config struct {
	rate      float64
	all       bool   // rate == 1: no random draw
	threshold uint64 // a draw below it is tracked
	maxAge    time.Duration
}

func newConfig(o Options) *config {
	c := &config{rate: o.SampleRate, maxAge: o.MaxAge}
	if !(c.rate > 0 && c.rate < 1) { // also NaN
		c.rate = 1
	}
	if c.maxAge <= 0 {
		c.maxAge = time.Minute
	}
	if c.rate == 1 {
		c.all = true
	} else {
		c.threshold = uint64(c.rate * math.MaxUint64)
	}
	return c
}

// A Tracker counts context derivations by creation site. Its methods are safe
// for concurrent use. Trackers are independent: a derivation is counted only
// by the tracker it was made through.
type Tracker struct {
	cfg       atomic.Pointer[config]
	sites     atomic.Pointer[map[uint64]*site] // copied on write
	mu        sync.Mutex                       // serializes site insertion
	epoch     time.Time                        // monotonic base of node ages
	nextSweep atomic.Int64                     // tracker clock of the next registration sweep
}

// New returns a Tracker with the given options.
func New(opts Options) *Tracker {
	t := &Tracker{epoch: time.Now()}
	t.cfg.Store(newConfig(opts))
	m := map[uint64]*site{}
	t.sites.Store(&m)
	return t
}

// Default is the tracker used by the package-level functions and Handler.
// Change its options with Configure; do not reassign it.
var Default = New(Options{})

// Configure replaces the options of Default. It is safe to call concurrently
// with derivations and reports; counts made so far are kept.
func Configure(opts Options) {
	Default.cfg.Store(newConfig(opts))
}

// now is the tracker clock: monotonic nanoseconds since New.
func (t *Tracker) now() int64 { return int64(time.Since(t.epoch)) }

// kind is the derivation used at a site.
type kind uint8

const (
	kindCancel kind = iota
	kindCancelCause
	kindTimeout
	kindTimeoutCause
	kindDeadline
	kindDeadlineCause
)

var kindNames = [...]string{
	kindCancel:        "WithCancel",
	kindCancelCause:   "WithCancelCause",
	kindTimeout:       "WithTimeout",
	kindTimeoutCause:  "WithTimeoutCause",
	kindDeadline:      "WithDeadline",
	kindDeadlineCause: "WithDeadlineCause",
}

func (k kind) String() string { return kindNames[k] }

// start is what sample decides before a derivation.
type start struct {
	sampled bool   // the tracker samples this derivation
	scope   *Scope // the parent carries an open scope
}

// sample decides whether a derivation from parent is tracked: sampled, or
// made from a context carrying an open scope.
func (t *Tracker) sample(parent context.Context) (st start, tracked bool) {
	c := t.cfg.Load()
	st.sampled = c.all || rand.Uint64() < c.threshold
	if scopesOpen.Load() != 0 && parent != nil {
		st.scope, _ = parent.Value(scopeKey{}).(*Scope)
	}
	return st, st.sampled || st.scope != nil
}

// callerPC returns the program counter of the call to the exported function
// that called it: frame 0 is runtime.Callers, 1 callerPC, 2 the exported
// function, 3 its caller. Inlined frames count as frames, so inlining does not
// change the count; callerPC is small enough to be inlined, so the unwinding
// starts in the exported function's frame and goes up one physical frame.
func callerPC() (pc [1]uintptr) {
	runtime.Callers(3, pc[:])
	return
}

// record adds a tracked derivation to its site and scope.
func (t *Tracker) record(st start, pc uintptr, k kind, ctx context.Context, tok watchToken) (n *node, gen uint64, e *scopeEntry) {
	if st.sampled {
		n, gen = t.siteFor(pc, k).add(t, watched(ctx, tok))
	}
	if st.scope != nil {
		e = st.scope.add(pc, k)
	}
	return n, gen, e
}

// parentFor returns the context to derive from: the parent itself, or on Go
// before 1.24 a thin wrapper holding the object the finalizer watches.
func parentFor(st start, parent context.Context) (context.Context, watchToken) {
	if !st.sampled || parent == nil { // package context panics on a nil parent
		return parent, noToken
	}
	return prepare(parent)
}

// WithCancel is context.WithCancel, tracked by Default.
func WithCancel(parent context.Context) (context.Context, context.CancelFunc) {
	if st, ok := Default.sample(parent); ok {
		return Default.withCancel(parent, st, callerPC()[0])
	}
	return context.WithCancel(parent)
}

// WithCancelCause is context.WithCancelCause, tracked by Default.
func WithCancelCause(parent context.Context) (context.Context, context.CancelCauseFunc) {
	if st, ok := Default.sample(parent); ok {
		return Default.withCancelCause(parent, st, callerPC()[0])
	}
	return context.WithCancelCause(parent)
}

// WithTimeout is context.WithTimeout, tracked by Default.
func WithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if st, ok := Default.sample(parent); ok {
		return Default.withDeadline(parent, time.Now().Add(d), kindTimeout, nil, false, st, callerPC()[0])
	}
	return context.WithTimeout(parent, d)
}

// WithTimeoutCause is context.WithTimeoutCause, tracked by Default.
func WithTimeoutCause(parent context.Context, d time.Duration, cause error) (context.Context, context.CancelFunc) {
	if st, ok := Default.sample(parent); ok {
		return Default.withDeadline(parent, time.Now().Add(d), kindTimeoutCause, cause, true, st, callerPC()[0])
	}
	return context.WithTimeoutCause(parent, d, cause)
}

// WithDeadline is context.WithDeadline, tracked by Default.
func WithDeadline(parent context.Context, d time.Time) (context.Context, context.CancelFunc) {
	if st, ok := Default.sample(parent); ok {
		return Default.withDeadline(parent, d, kindDeadline, nil, false, st, callerPC()[0])
	}
	return context.WithDeadline(parent, d)
}

// WithDeadlineCause is context.WithDeadlineCause, tracked by Default.
func WithDeadlineCause(parent context.Context, d time.Time, cause error) (context.Context, context.CancelFunc) {
	if st, ok := Default.sample(parent); ok {
		return Default.withDeadline(parent, d, kindDeadlineCause, cause, true, st, callerPC()[0])
	}
	return context.WithDeadlineCause(parent, d, cause)
}

// WithCancel is context.WithCancel, tracked by t.
func (t *Tracker) WithCancel(parent context.Context) (context.Context, context.CancelFunc) {
	if st, ok := t.sample(parent); ok {
		return t.withCancel(parent, st, callerPC()[0])
	}
	return context.WithCancel(parent)
}

// WithCancelCause is context.WithCancelCause, tracked by t.
func (t *Tracker) WithCancelCause(parent context.Context) (context.Context, context.CancelCauseFunc) {
	if st, ok := t.sample(parent); ok {
		return t.withCancelCause(parent, st, callerPC()[0])
	}
	return context.WithCancelCause(parent)
}

// WithTimeout is context.WithTimeout, tracked by t.
func (t *Tracker) WithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if st, ok := t.sample(parent); ok {
		return t.withDeadline(parent, time.Now().Add(d), kindTimeout, nil, false, st, callerPC()[0])
	}
	return context.WithTimeout(parent, d)
}

// WithTimeoutCause is context.WithTimeoutCause, tracked by t.
func (t *Tracker) WithTimeoutCause(parent context.Context, d time.Duration, cause error) (context.Context, context.CancelFunc) {
	if st, ok := t.sample(parent); ok {
		return t.withDeadline(parent, time.Now().Add(d), kindTimeoutCause, cause, true, st, callerPC()[0])
	}
	return context.WithTimeoutCause(parent, d, cause)
}

// WithDeadline is context.WithDeadline, tracked by t.
func (t *Tracker) WithDeadline(parent context.Context, d time.Time) (context.Context, context.CancelFunc) {
	if st, ok := t.sample(parent); ok {
		return t.withDeadline(parent, d, kindDeadline, nil, false, st, callerPC()[0])
	}
	return context.WithDeadline(parent, d)
}

// WithDeadlineCause is context.WithDeadlineCause, tracked by t.
func (t *Tracker) WithDeadlineCause(parent context.Context, d time.Time, cause error) (context.Context, context.CancelFunc) {
	if st, ok := t.sample(parent); ok {
		return t.withDeadline(parent, d, kindDeadlineCause, cause, true, st, callerPC()[0])
	}
	return context.WithDeadlineCause(parent, d, cause)
}

func (t *Tracker) withCancel(parent context.Context, st start, pc uintptr) (context.Context, context.CancelFunc) {
	p, tok := parentFor(st, parent)
	ctx, cancel := context.WithCancel(p)
	n, gen, e := t.record(st, pc, kindCancel, ctx, tok)
	return ctx, wrapCancel(n, gen, e, cancel)
}

func (t *Tracker) withCancelCause(parent context.Context, st start, pc uintptr) (context.Context, context.CancelCauseFunc) {
	p, tok := parentFor(st, parent)
	ctx, cancel := context.WithCancelCause(p)
	n, gen, e := t.record(st, pc, kindCancelCause, ctx, tok)
	if e == nil {
		if n == nil {
			return ctx, cancel // the scope closed meanwhile
		}
		return ctx, func(cause error) { n.cancel(gen); cancel(cause) }
	}
	return ctx, func(cause error) {
		e.done()
		if n != nil {
			n.cancel(gen)
		}
		cancel(cause)
	}
}

// withDeadline serves the four timeout and deadline derivations; withCause
// tells the Cause variants apart (their cause may be nil).
func (t *Tracker) withDeadline(parent context.Context, d time.Time, k kind, cause error, withCause bool, st start, pc uintptr) (context.Context, context.CancelFunc) {
	p, tok := parentFor(st, parent)
	var ctx context.Context
	var cancel context.CancelFunc
	if withCause {
		ctx, cancel = context.WithDeadlineCause(p, d, cause)
	} else {
		ctx, cancel = context.WithDeadline(p, d)
	}
	n, gen, e := t.record(st, pc, k, ctx, tok)
	return ctx, wrapCancel(n, gen, e, cancel)
}

// wrapCancel returns the CancelFunc handed to the caller: it records the first
// call and calls the real one every time. Without a scope it is a single
// closure, the one allocation a tracked derivation adds.
func wrapCancel(n *node, gen uint64, e *scopeEntry, cancel context.CancelFunc) context.CancelFunc {
	if e == nil {
		if n == nil {
			return cancel // the scope closed meanwhile
		}
		return func() { n.cancel(gen); cancel() }
	}
	return func() {
		e.done()
		if n != nil {
			n.cancel(gen)
		}
		cancel()
	}
}
