// Package trace stands in for go.opentelemetry.io/otel/trace.
package trace

import "context"

// Span is a span.
type Span interface{ AddEvent(name string) }

type noop struct{}

func (noop) AddEvent(string) {}

// SpanFromContext returns the span stored in ctx.
func SpanFromContext(ctx context.Context) Span { return noop{} }
