package contextinstruct

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"
)

// tagged overrides Value: a context implementation.
type tagged struct {
	context.Context // ok: context wrapper overriding Value
	tag             string
}

type tagKey struct{}

func (t tagged) Value(key any) any {
	if key == (tagKey{}) {
		return t.tag
	}
	return t.Context.Value(key)
}

// detached keeps its parent's values but never ends (a WithoutCancel backport).
type detached struct {
	parent context.Context // ok: context implementation delegating Value
}

func (detached) Deadline() (time.Time, bool)        { return time.Time{}, false }
func (detached) Done() <-chan struct{}              { return nil }
func (detached) Err() error                         { return nil }
func (d detached) Value(key any) any                { return d.parent.Value(key) }
func (d *detached) String() string                  { return "detached" }
func (d *detached) unwrap() context.Context         { return d.parent }
func (d *detached) with(key, v any) context.Context { return context.WithValue(d, key, v) }

// errOverride overrides Err through a pointer receiver.
type errOverride struct {
	context.Context // ok: context wrapper overriding Err
	reason          error
}

func (e *errOverride) Err() error {
	if e.reason != nil {
		return e.reason
	}
	return e.Context.Err()
}

// call follows net/http.Request: WithContext returns a copy with a new context.
type call struct {
	ctx    context.Context // ok: backwards-compatible WithContext pattern
	method string
}

func (c *call) Context() context.Context { return c.ctx }

func (c *call) WithContext(ctx context.Context) *call {
	c2 := *c
	c2.ctx = ctx
	return &c2
}

// compactor owns its context: it created it and cancels it in Stop.
type compactor struct {
	ctx    context.Context // ok: stored with its cancel function (lifecycle owner)
	cancel context.CancelFunc
	period time.Duration
}

func newCompactor(parent context.Context) *compactor {
	ctx, cancel := context.WithCancel(parent)
	return &compactor{ctx: ctx, cancel: cancel, period: time.Minute}
}

func (c *compactor) Stop() { c.cancel() }

// watcher keeps a `stop func()` next to its context.
type watcher struct {
	ctx  context.Context // ok: stored with a stop function (lifecycle owner)
	stop func()
}

// causer keeps a CancelCauseFunc.
type causer struct {
	ctx context.Context // ok: stored with its CancelCauseFunc (lifecycle owner)
	end context.CancelCauseFunc
}

// work items carry their request's context to the worker.
type work struct {
	ctx context.Context // ok: sent over a channel (a message)
	id  int
}

// DialOptions is a parameter object for one call.
type DialOptions struct {
	Context context.Context // ok: parameter object (...Options)
	Timeout time.Duration
}

// Config is consumed by a constructor.
type Config struct {
	Context context.Context // ok: parameter object (Config)
}

// fetchArgs bundles a call's arguments.
type fetchArgs struct {
	ctx context.Context // ok: parameter object (...Args)
	url string
}

// getRequest is one request's state.
type getRequest struct {
	ctx context.Context // ok: per-request object (...Request)
	r   *http.Request
}

// The embedded carrier also overrides Done through a generic type.
type doneOverride[T any] struct {
	context.Context // ok: generic context wrapper overriding Done
	v               T
}

func (d doneOverride[T]) Done() <-chan struct{} { return d.Context.Done() }

func runExceptions(parent context.Context, jobs chan<- *work) {
	jobs <- &work{ctx: parent, id: 1}
	c := newCompactor(parent)
	defer c.Stop()
	_ = tagged{parent, "t"}
	_ = (&detached{parent}).with(tagKey{}, 1)
	_ = &errOverride{Context: parent}
	_ = (&call{}).WithContext(parent)
	_ = watcher{}
	_ = causer{}
	_ = DialOptions{}
	_ = Config{}
	_ = fetchArgs{}
	_ = getRequest{}
	_ = doneOverride[int]{}
}

// batchContext bundles one call's parameters.
type batchContext struct {
	ctx   context.Context // ok: call-context object (...Context)
	count int
}

// accessor hands its context out: a call-scoped object.
type accessor struct {
	ctx context.Context // ok: Context() accessor (request- or stream-scoped object)
}

func (a *accessor) Context() context.Context { return a.ctx }

// ctxReader adapts io.Reader, whose Read takes no context.
type ctxReader struct {
	ctx context.Context // ok: io.Reader adapter
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// eventWriter adapts io.Writer.
type eventWriter struct {
	ctx context.Context // ok: io.Writer adapter
	op  string
}

func (e *eventWriter) Write(p []byte) (int, error) { return len(p), use(e.ctx) }

// retryStream wraps a stream whose RecvMsg and SendMsg take no context.
type retryStream struct {
	ctx     context.Context // ok: stream adapter (RecvMsg/SendMsg)
	retries int
}

func (s *retryStream) RecvMsg(m any) error { return use(s.ctx) }
func (s *retryStream) SendMsg(m any) error { return use(s.ctx) }

// blank is nothing but a context with a String method.
type blank struct{ context.Context } // ok: pure context wrapper

func (*blank) String() string { return "(blank)" }

// harness lives for one test.
type harness struct {
	tb  testing.TB
	ctx context.Context // ok: test harness holding a testing.TB
}

// embeddedT embeds *testing.T.
type embeddedT struct {
	*testing.T
	ctx context.Context // ok: test harness embedding *testing.T
}

var (
	_ = accessor{}
	_ = batchContext{}
	_ = ctxReader{}
	_ = eventWriter{}
	_ = retryStream{}
	_ = blank{}
	_ = harness{}
	_ = embeddedT{}
)
