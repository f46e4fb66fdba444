// Package lifecycle holds what the ctxguard middleware packages share: the
// stages of a request that an [Observer] is told about, the [Outcome] a
// request ends with, the request and trace IDs carried in a context, and
// [Begin], which reports those stages for one request and notices a handler
// that keeps running after its context is done (a "cut").
//
// It depends on the standard library only. Package httpctx (net/http) and
// package grpcctx (grpc-go) use it; package ctxprom implements [Observer]
// with Prometheus metrics.
package lifecycle

import (
	"context"
	"errors"
	"time"
)

// Outcome is how a request ended, as reported to [Observer.Finished].
type Outcome string

// The outcomes a request can end with.
const (
	// Completed: the handler returned normally before its context was done.
	Completed Outcome = "completed"
	// Errored: the handler failed (an HTTP 5xx status or a panic; a non-OK
	// gRPC status other than Canceled and DeadlineExceeded).
	Errored Outcome = "errored"
	// Cancelled: the request's context was cancelled (typically the client
	// went away) before the handler was done.
	Cancelled Outcome = "cancelled"
	// DeadlineExceeded: the request's deadline passed before the handler
	// was done.
	DeadlineExceeded Outcome = "deadline_exceeded"
)

// Outcomes returns every [Outcome], in a fixed order. Metric exporters can use
// it to create their series up front.
func Outcomes() []Outcome {
	return []Outcome{Completed, Errored, Cancelled, DeadlineExceeded}
}

// Observer is told about the lifecycle stages of each request. Its methods
// are called concurrently, from many goroutines, and must be cheap: they run
// on the request path.
type Observer interface {
	// Started is called when a request enters the handler chain.
	Started(route string)
	// Finished is called once per Started, when the handler returns (or
	// panics), with the request's outcome and its duration in seconds.
	Finished(route string, outcome Outcome, seconds float64)
	// Cut is called, at most once per request, when the handler outlived its
	// request context: it kept running after the context was done. Finished
	// still follows when (if ever) the handler returns.
	Cut(route string)
}

// Classify maps an error to an [Outcome]: nil is [Completed], an error that
// is (or wraps) [context.DeadlineExceeded] is [DeadlineExceeded], one that is
// (or wraps) [context.Canceled] is [Cancelled], and any other is [Errored].
//
// It is meant for a request context's Err and for the error a handler
// returned.
func Classify(err error) Outcome {
	switch {
	case err == nil:
		return Completed
	case errors.Is(err, context.DeadlineExceeded):
		return DeadlineExceeded
	case errors.Is(err, context.Canceled):
		return Cancelled
	default:
		return Errored
	}
}

// ClassifyRequest decides the outcome of a request from what the handler did
// and the state of its context when it returned, in this order of
// precedence: a handler that failed by panicking is [Errored]; then a done
// context gives [Cancelled] or [DeadlineExceeded] (see [Classify]); then a
// handler that failed otherwise (failed is true, e.g. an HTTP 5xx status) is
// [Errored]; else the request [Completed].
func ClassifyRequest(ctxErr error, panicked, failed bool) Outcome {
	if panicked {
		return Errored
	}
	if ctxErr != nil {
		return Classify(ctxErr)
	}
	if failed {
		return Errored
	}
	return Completed
}

// DeadlineSlack is how close to its deadline a cancelled request context
// counts as having exceeded its deadline; see [Refine].
const DeadlineSlack = 20 * time.Millisecond

// Refine corrects an outcome decided on the server side: a request
// [Cancelled] when its context's deadline had passed or was less than
// [DeadlineSlack] away is [DeadlineExceeded]. A client whose own deadline
// expires cancels the request (gRPC sends RST_STREAM, an HTTP client
// closes the connection) a moment before the server's copy of that
// deadline expires, so the server sees a cancellation where the cause is
// the deadline. Other outcomes are returned unchanged.
func Refine(ctx context.Context, o Outcome) Outcome {
	if o != Cancelled {
		return o
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < DeadlineSlack {
		return DeadlineExceeded
	}
	return o
}
