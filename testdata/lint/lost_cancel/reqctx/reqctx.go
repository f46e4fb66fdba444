// Package reqctx derives request contexts for handlers in other packages.
package reqctx

import (
	"context"
	"net/http"
	"time"
)

// New returns the request's context bounded by a timeout, and its cancel.
func New(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), 5*time.Second)
}

// Stop returns only a cancel function, in first place.
func Stop(parent context.Context) (context.CancelFunc, context.Context) {
	ctx, cancel := context.WithCancel(parent)
	return cancel, ctx
}

// Registered hands out a cancel it does not create: not the caller's to call.
func Registered(m map[string]context.CancelFunc, key string) context.CancelFunc {
	return m[key]
}

// Locked can fail: then it returns no cancel to call.
func Locked(parent context.Context, ok bool) (context.Context, context.CancelFunc, error) {
	if !ok {
		return nil, nil, context.Canceled
	}
	ctx, cancel := context.WithCancel(parent)
	return ctx, cancel, nil
}

// Cache keeps the cancel of what it makes: it cancels them itself, not its callers.
type Cache struct{ m map[string]context.CancelFunc }

// Add returns a cancel the cache also keeps.
func (c *Cache) Add(key string) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	c.m[key] = cancel
	return ctx, cancel
}

// Handle uses its own package's helper and drops the cancel.
func Handle(r *http.Request) context.Context {
	ctx, _ := New(r) // want `CG101 the cancel function returned by New should be called, not discarded`
	return ctx
}

// HandlerError is an error type of the package's own.
type HandlerError struct{ Reason string }

func (e *HandlerError) Error() string { return e.Reason }

// Timed can fail with its own error type: then it returns no cancel to call.
func Timed(parent context.Context, timeout string) (context.Context, context.CancelFunc, *HandlerError) {
	d, err := time.ParseDuration(timeout)
	if err != nil {
		return nil, nil, &HandlerError{Reason: "bad timeout"}
	}
	ctx, cancel := context.WithTimeout(parent, d)
	return ctx, cancel, nil
}
