// Package logr stands in for github.com/go-logr/logr.
package logr

import "context"

// Logger is a logger.
type Logger struct{}

// FromContextOrDiscard returns the logger stored in ctx, or one that discards.
func FromContextOrDiscard(ctx context.Context) Logger { return Logger{} }

// Info logs.
func (l Logger) Info(msg string, kv ...any) {}
