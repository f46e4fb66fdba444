// Package lostcancel holds fixtures for CG101 (lost-cancel).
//
// This file only declares helpers shared by the other fixture files; it
// contains no derivation and must produce no finding.
package lostcancel

import (
	"context"
	"errors"
)

var errFail = errors.New("fail")

// use reads a context so that it counts as used by the compiler.
func use(ctx context.Context) error { return ctx.Err() }

// register takes a cancel function and keeps it.
func register(f func()) { registered = append(registered, f) }

var registered []func()

// globalCancel, cancels and cancelByName are hand-off targets.
var (
	globalCancel context.CancelFunc
	cancels      []context.CancelFunc
	cancelByName = map[string]context.CancelFunc{}
)

// holder stores a context and its cancel function.
type holder struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// ctxKey is a context value key.
type ctxKey struct{}
