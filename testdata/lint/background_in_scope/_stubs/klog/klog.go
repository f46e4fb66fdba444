// Package klog stands in for k8s.io/klog/v2.
package klog

import "context"

// Logger is a logger.
type Logger struct{}

// FromContext returns the logger stored in ctx.
func FromContext(ctx context.Context) Logger { return Logger{} }

// V returns a logger at that verbosity.
func (l Logger) V(level int) Logger { return l }

// Info logs.
func (l Logger) Info(msg string, kv ...any) {}
