//go:build go1.24

package ctxtrack

import (
	"context"
	"reflect"
	"runtime"
)

// On Go 1.24 and later the context made by package context is itself watched
// with runtime.AddCleanup: it becomes unreachable once its parent no longer
// lists it (its CancelFunc was called, or the parent is gone) and the caller
// dropped both the context and the CancelFunc (which refers to it).

// watchRef is what a node holds until the context is watched.
type watchRef = context.Context

// watchToken is unused on Go 1.24 and later: contexts are not wrapped.
type watchToken struct{}

var noToken watchToken

// watchHandle stops a watch.
type watchHandle = runtime.Cleanup

func prepare(parent context.Context) (context.Context, watchToken) { return parent, noToken }

func watched(ctx context.Context, _ watchToken) watchRef { return ctx }

// cleanupArg identifies a node; it must not refer to the watched context.
type cleanupArg struct {
	s   *site
	n   *node
	gen uint64
}

// watch registers the cleanup of n's context. s.mu is held.
func watch(s *site, n *node) (watchHandle, bool) {
	v := reflect.ValueOf(n.pending)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return watchHandle{}, false
	}
	return runtime.AddCleanup((*byte)(v.UnsafePointer()), onCollected, cleanupArg{s, n, n.gen}), true
}

func onCollected(a cleanupArg) { a.s.collectedNode(a.n, a.gen) }

func unwatch(h watchHandle) { h.Stop() }
