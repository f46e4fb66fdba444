// Package log stands in for github.com/containerd/log: a logger looked up in a context.
package log

import "context"

// Entry is a logger with fields.
type Entry struct{ ctx context.Context }

// L is the default logger.
var L = &Entry{}

// G returns the logger stored in ctx, or L.
func G(ctx context.Context) *Entry { return &Entry{ctx: ctx} }

// WithContext returns a logger that logs ctx's fields.
func (e *Entry) WithContext(ctx context.Context) *Entry { return &Entry{ctx: ctx} }

// WithField adds a field.
func (e *Entry) WithField(key string, value any) *Entry { return e }

// Debugf logs at debug level.
func (e *Entry) Debugf(format string, args ...any) {}

// Info logs at info level.
func (e *Entry) Info(args ...any) {}
