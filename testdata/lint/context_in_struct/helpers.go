// Package contextinstruct holds fixtures for CG303 (context-in-struct).
//
// This file only declares helpers; it must produce no finding.
package contextinstruct

import (
	"context"
	"database/sql"
	"time"
)

func use(ctx context.Context) error { return ctx.Err() }

// ok: a context-typed local variable is not a field.
func localContext(parent context.Context) error {
	var ctx context.Context = parent
	return use(ctx)
}

// hooks stores functions that take a context, not a context.
type hooks struct {
	onStart func(ctx context.Context) error // ok: the field is a function
	onStop  func(context.Context)           // ok: the field is a function
}

// logCtx is an interface embedding context.Context: not a struct.
type logCtx interface {
	context.Context // ok: interface embedding, not a struct field
	Logf(format string, args ...any)
}

// holder has a field named context that is not a context.
type holder struct {
	db      *sql.DB
	timeout time.Duration
	cancels []context.CancelFunc // ok: cancel functions, no context
}

var (
	_ = hooks{}
	_ logCtx
	_ = holder{}
)
