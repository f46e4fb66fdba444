// Package logrus stands in for github.com/sirupsen/logrus.
package logrus

import "context"

// Entry is a logger with fields.
type Entry struct{ ctx context.Context }

// WithContext returns an entry that hands ctx to the hooks.
func WithContext(ctx context.Context) *Entry { return &Entry{ctx: ctx} }

// Warn logs at warning level.
func (e *Entry) Warn(args ...any) {}
