// Package defercancelinloop holds fixtures for CG102 (defer-cancel-in-loop).
//
// This file only declares helpers; it must produce no finding.
package defercancelinloop

import (
	"context"
	"errors"
	"time"
)

var errFail = errors.New("fail")

func fetch(ctx context.Context, url string) error {
	if url == "" {
		return errFail
	}
	return ctx.Err()
}

func use(ctx context.Context) error { return ctx.Err() }

func register(f context.CancelFunc) { registered = append(registered, f) }

var registered []context.CancelFunc

// newTimeoutCtx is a local helper, not one of the six context derivations.
func newTimeoutCtx(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, time.Second)
}
