// Package unusedderivedcontext holds fixtures for CG103
// (unused-derived-context).
//
// This file only declares helpers; it must produce no finding.
package unusedderivedcontext

import (
	"context"
	"errors"
)

var errFail = errors.New("fail")

func use(ctx context.Context) error { return ctx.Err() }

// cleanup and flush ignore any context.
func cleanup() error { return nil }
func flush() error   { return nil }

// cleanupCtx honours its context.
func cleanupCtx(ctx context.Context) error { return ctx.Err() }

func register(f func()) { registered = append(registered, f) }

var registered []func()

// ctxKey is a context value key.
type ctxKey struct{}
