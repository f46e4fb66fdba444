// Package httpctx is net/http middleware that gives every request a bounded,
// identified context and reports its lifecycle:
//
//   - the request context gets a deadline: Options.Timeout, or the client's
//     own deadline when that is shorter (header "Request-Timeout" in seconds,
//     or a gRPC-style "Grpc-Timeout" such as "100m");
//   - it carries a request ID (the inbound "X-Request-ID" header, or a new
//     random one) that is also sent back in the response's "X-Request-ID"
//     header, and the trace ID of a valid W3C "traceparent" header;
//   - an [Observer] is told when the request started and finished, with its
//     [Outcome], and when the handler outlived its request context (a cut:
//     the handler kept running after its context was done).
//
// It depends on the standard library only; package ctxguard.dev/go/ctxprom
// provides an Observer that exports Prometheus metrics.
package httpctx

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"time"

	"ctxguard.dev/go/lifecycle"
)

// Observer is told about the lifecycle stages of each request; it is
// [lifecycle.Observer], shared with package grpcctx.
type Observer = lifecycle.Observer

// Outcome is how a request ended; it is [lifecycle.Outcome].
type Outcome = lifecycle.Outcome

// The outcomes reported to [Observer.Finished].
const (
	Completed        = lifecycle.Completed        // the handler returned a non-5xx response in time
	Errored          = lifecycle.Errored          // a 5xx status, or the handler panicked
	Cancelled        = lifecycle.Cancelled        // the request context was cancelled (client gone)
	DeadlineExceeded = lifecycle.DeadlineExceeded // the request's deadline passed
)

// Header names read and written by [Middleware].
const (
	HeaderRequestID      = "X-Request-ID"    // request ID, in and out
	HeaderTraceparent    = "Traceparent"     // W3C trace context
	HeaderRequestTimeout = "Request-Timeout" // client deadline, in (decimal) seconds
	HeaderGrpcTimeout    = "Grpc-Timeout"    // client deadline, gRPC style: "100m", "2S"
)

// OtherRoute is the route reported for a request whose route is unknown.
const OtherRoute = "other"

// Options configures [Middleware]. The zero value adds request and trace IDs
// and honours the client's deadline only.
type Options struct {
	// Timeout is the server-side deadline of every request (0: none). The
	// client's deadline, from the header "Request-Timeout" (seconds) or
	// "Grpc-Timeout" (gRPC format), is used instead when it is shorter.
	Timeout time.Duration

	// Route returns the route template of a request, for the Observer.
	// Nil means: r.Pattern (Go 1.23+) when the handler is registered on an
	// http.ServeMux, else, when the wrapped handler is itself an
	// *http.ServeMux, the pattern it would route the request to, else
	// [OtherRoute].
	Route func(*http.Request) string

	// Observer is told about each request's lifecycle stages (nil: none).
	Observer Observer

	// CutGrace is how long a handler may keep running after its request
	// context is done before it is reported as cut. 0 means
	// [lifecycle.DefaultCutGrace]; negative means at once.
	CutGrace time.Duration
}

// Middleware returns a handler that runs next with a bounded, identified
// request context and reports the request's lifecycle to opts.Observer.
//
// The context passed to next has the deadline described in [Options], and
// carries the request ID ([RequestID]) and trace ID ([TraceID]). The request
// ID is also set in the response header "X-Request-ID" before next runs.
//
// When next returns without having written a response and the request's
// deadline has passed, Middleware responds 504 Gateway Timeout. A panic in
// next is reported as [Errored] and then re-raised.
//
// The outcome is decided when next returns: a panic is [Errored]; else a
// done request context is [Cancelled] or [DeadlineExceeded]; else a 5xx
// status is [Errored]; else [Completed]. A cancellation that comes when the
// deadline is less than [lifecycle.DeadlineSlack] away counts as
// [DeadlineExceeded] (see [lifecycle.Refine]).
func Middleware(next http.Handler, opts Options) http.Handler {
	route := opts.Route
	if route == nil {
		mux, _ := next.(*http.ServeMux)
		route = func(r *http.Request) string { return defaultRoute(r, mux) }
	}
	return &middleware{next: next, opts: opts, route: route}
}

type middleware struct {
	next  http.Handler
	opts  Options
	route func(*http.Request) string
}

func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	timeout := m.opts.Timeout
	if in, ok := inboundTimeout(r.Header); ok && (timeout <= 0 || in < timeout) {
		timeout = in
	}
	cancel := context.CancelFunc(func() {})
	if timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, timeout)
	}
	defer cancel()

	rid := r.Header.Get(HeaderRequestID)
	if !lifecycle.ValidRequestID(rid) {
		rid = lifecycle.NewRequestID()
	}
	tp := ""
	if v := r.Header[HeaderTraceparent]; len(v) == 1 { // several: invalid
		tp = v[0]
	}
	ctx = lifecycle.WithIDs(ctx, rid, tp)
	w.Header().Set(HeaderRequestID, rid)

	r = r.WithContext(ctx)
	var lr *lifecycle.Request
	if m.opts.Observer != nil {
		route := m.route(r)
		if route == "" {
			route = OtherRoute
		}
		lr = lifecycle.Begin(ctx, m.opts.Observer, route, m.opts.CutGrace)
	}
	rec := &recorder{ResponseWriter: w}

	panicked := true
	defer func() {
		ctxErr := ctx.Err()
		if !panicked && rec.status == 0 && !rec.hijacked && ctxErr == context.DeadlineExceeded {
			http.Error(rec, "request deadline exceeded", http.StatusGatewayTimeout)
		}
		lr.End(lifecycle.Refine(ctx, lifecycle.ClassifyRequest(ctxErr, panicked, rec.status >= 500)))
	}()
	m.next.ServeHTTP(rec, r)
	panicked = false
}

// RequestID returns the request ID that [Middleware] put in ctx: the inbound
// "X-Request-ID" header when it is valid ([lifecycle.ValidRequestID]), else a
// new ID of 32 random hex digits. It returns "" for a context that did not
// come through the middleware.
func RequestID(ctx context.Context) string { return lifecycle.RequestID(ctx) }

// TraceID returns the 32-hex-digit trace-id of the W3C "traceparent" header
// of the request whose context is ctx, or "" when the header was absent,
// repeated or invalid.
func TraceID(ctx context.Context) string { return lifecycle.TraceID(ctx) }

// SetHeaders sets, in h, the "X-Request-ID" and "traceparent" headers of the
// request whose context is ctx, so that an outbound request carries them on.
// Headers whose value ctx does not carry are left as they are.
func SetHeaders(ctx context.Context, h http.Header) {
	if id := lifecycle.RequestID(ctx); id != "" {
		h.Set(HeaderRequestID, id)
	}
	if tp := lifecycle.Traceparent(ctx); tp != "" {
		h.Set(HeaderTraceparent, tp)
	}
}

func defaultRoute(r *http.Request, mux *http.ServeMux) string {
	if p := requestPattern(r); p != "" {
		return p
	}
	if mux != nil {
		if _, p := mux.Handler(r); p != "" {
			return p
		}
	}
	return OtherRoute
}

// inboundTimeout returns the client's deadline from the request headers.
func inboundTimeout(h http.Header) (time.Duration, bool) {
	if v := h.Get(HeaderRequestTimeout); v != "" {
		if d, ok := parseSeconds(v); ok {
			return d, true
		}
	}
	if v := h.Get(HeaderGrpcTimeout); v != "" {
		return ParseGrpcTimeout(v)
	}
	return 0, false
}

// parseSeconds parses a positive decimal number of seconds ("2", "0.25").
func parseSeconds(s string) (time.Duration, bool) {
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.' && !dot:
			dot = true
		case c < '0' || c > '9':
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 {
		return 0, false
	}
	if f >= float64(math.MaxInt64)/float64(time.Second) {
		return 0, false // beyond any deadline: no constraint
	}
	d := time.Duration(f * float64(time.Second))
	if d <= 0 {
		d = 1 // a positive value below a nanosecond
	}
	return d, true
}

// ParseGrpcTimeout parses a gRPC "grpc-timeout" header value: 1 to 8 ASCII
// digits and a unit, H (hours), M (minutes), S (seconds), m (milliseconds),
// u (microseconds) or n (nanoseconds). It reports false for anything else,
// or for a zero timeout.
func ParseGrpcTimeout(s string) (time.Duration, bool) {
	if len(s) < 2 || len(s) > 9 {
		return 0, false
	}
	var unit time.Duration
	switch s[len(s)-1] {
	case 'H':
		unit = time.Hour
	case 'M':
		unit = time.Minute
	case 'S':
		unit = time.Second
	case 'm':
		unit = time.Millisecond
	case 'u':
		unit = time.Microsecond
	case 'n':
		unit = time.Nanosecond
	default:
		return 0, false
	}
	var v int64
	for i := 0; i < len(s)-1; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if v == 0 || v > math.MaxInt64/int64(unit) {
		return 0, false // zero, or beyond any deadline
	}
	return time.Duration(v) * unit, true
}
