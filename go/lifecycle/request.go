package lifecycle

import (
	"context"
	"sync/atomic"
	"time"
)

// DefaultCutGrace is how long a handler may keep running after its request
// context is done before it counts as cut (see [Observer.Cut]), when the
// grace given to [Begin] is 0. A handler that honours its context returns
// well within it; one that ignores its context does not.
const DefaultCutGrace = 100 * time.Millisecond

const (
	running int32 = iota
	ended
	cut
)

// Request reports the lifecycle stages of one request to an [Observer]. It is
// made by [Begin] and ended by [Request.End]. A nil *Request (what Begin
// returns for a nil Observer) is valid and does nothing.
type Request struct {
	o     Observer
	route string
	start time.Time
	grace time.Duration
	state atomic.Int32
	stop  func() bool
	timer atomic.Pointer[time.Timer]
}

// Begin tells o that a request for route started, and watches ctx, the
// request's context: if ctx is done and the handler has still not called
// [Request.End] grace later, o.Cut(route) is called (once). A grace of 0
// means [DefaultCutGrace]; a negative grace reports a cut as soon as ctx is
// done while the handler runs.
//
// The watch uses [context.AfterFunc]: no goroutine or timer exists until ctx
// is done. Begin returns nil when o is nil.
func Begin(ctx context.Context, o Observer, route string, grace time.Duration) *Request {
	if o == nil {
		return nil
	}
	if grace == 0 {
		grace = DefaultCutGrace
	}
	r := &Request{o: o, route: route, start: time.Now(), grace: grace}
	o.Started(route)
	r.stop = context.AfterFunc(ctx, r.ctxDone)
	return r
}

func (r *Request) ctxDone() {
	if r.state.Load() != running {
		return
	}
	if r.grace < 0 {
		r.markCut()
		return
	}
	t := time.AfterFunc(r.grace, r.markCut)
	r.timer.Store(t)
	if r.state.Load() != running { // End ran meanwhile and may have missed t
		t.Stop()
	}
}

func (r *Request) markCut() {
	if r.state.CompareAndSwap(running, cut) {
		r.o.Cut(r.route)
	}
}

// Route returns the route given to [Begin] ("" for a nil Request).
func (r *Request) Route() string {
	if r == nil {
		return ""
	}
	return r.route
}

// End tells the Observer that the request finished with outcome, and returns
// the request's duration in seconds. Call it exactly once, when the handler
// has returned (or panicked).
func (r *Request) End(outcome Outcome) float64 {
	if r == nil {
		return 0
	}
	r.stop()
	r.state.CompareAndSwap(running, ended)
	if t := r.timer.Load(); t != nil {
		t.Stop()
	}
	secs := time.Since(r.start).Seconds()
	r.o.Finished(r.route, outcome, secs)
	return secs
}
