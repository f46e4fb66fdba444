//go:build !go1.24

package ctxtrack

import (
	"context"
	"reflect"
	"runtime"
	"sync/atomic"
)

// Before Go 1.24 only runtime.SetFinalizer is available, and a finalizer never
// runs on an object that can reach itself: a context that is still listed by
// its parent can (context -> parent -> parent's children -> context). So the
// derivation is made from a thin wrapper of the parent that refers to a
// sentinel, and the finalizer is set on the sentinel, which refers to nothing
// that leads back to it. The sentinel is reachable from the context (through
// the wrapper) and from the CancelFunc (through the context), so it becomes
// unreachable exactly when the context does: same semantics as on Go 1.24, at
// the cost of two more allocations per tracked derivation.

// sentinel is the object the finalizer watches.
type sentinel struct {
	s   atomic.Pointer[site]
	n   atomic.Pointer[node]
	gen atomic.Uint64
}

type watchRef = *sentinel

type watchToken = *sentinel

var noToken watchToken

type watchHandle struct{}

// parentWrapper is the parent of a tracked derivation before Go 1.24.
type parentWrapper struct {
	context.Context
	x *sentinel
}

// String names the wrapped parent, so the derived context prints as usual.
func (w *parentWrapper) String() string {
	if s, ok := w.Context.(interface{ String() string }); ok {
		return s.String()
	}
	return reflect.TypeOf(w.Context).String()
}

func prepare(parent context.Context) (context.Context, watchToken) {
	x := new(sentinel)
	return &parentWrapper{Context: parent, x: x}, x
}

func watched(_ context.Context, x watchToken) watchRef { return x }

// watch sets the finalizer of n's sentinel. s.mu is held.
func watch(s *site, n *node) (watchHandle, bool) {
	x := n.pending
	if x == nil {
		return watchHandle{}, false
	}
	x.s.Store(s)
	x.n.Store(n)
	x.gen.Store(n.gen)
	runtime.SetFinalizer(x, finalizeSentinel)
	return watchHandle{}, true
}

func finalizeSentinel(x *sentinel) { x.s.Load().collectedNode(x.n.Load(), x.gen.Load()) }

// unwatch does nothing: the finalizer runs later and finds the node's
// generation changed.
func unwatch(watchHandle) {}
