// Package handles declares its own T and TB test handles.
package handles

import (
	"context"
	"testing"
)

// T is the package's test handle interface.
type T interface {
	Helper()
	Fatalf(format string, args ...any)
}

// TB aliases testing.TB.
type TB = testing.TB

// ok: the package's own T interface.
func startServer(t T, ctx context.Context) { // ok: the package's T interface may lead
	_, _ = t, ctx
}

// ok: the package's own TB alias of testing.TB.
func stopServer(tb TB, ctx context.Context) { // ok: TB aliases testing.TB
	_, _ = tb, ctx
}

// A type parameter T shadows the package's T: reported.
func apply[T any](v T, ctx context.Context) { // want `should be the first parameter of apply: move it before v$`
	_, _ = v, ctx
}

// A method of a generic type whose type parameter is named T: reported.
type box[T any] struct{ v T }

func (b *box[T]) put(v T, ctx context.Context) { // want `should be the first parameter of method box\.put: move it before v$`
	b.v = v
	_ = ctx
}

// A generic func type whose type parameter is named T: reported.
type handler[T any] func(v T, ctx context.Context) // want `should be the first parameter of func type handler: move it before v$`

var (
	_ = box[int]{}
	_ handler[int]
)
