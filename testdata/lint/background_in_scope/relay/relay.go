// Package relay calls store's functions: a relay without a context passes the fact on.
package relay

import (
	"context"
	"net/http"

	"fixture/store"
)

// Refresh has no context and calls one that makes its own: callers with one should pass it.
func Refresh() error {
	return store.FetchAll()
}

// Sync has a context and calls functions that cut it.
func Sync(ctx context.Context, s *store.Store) error {
	if err := store.FetchAll(); err != nil { // want `CG201 store.FetchAll makes its own context \(context.Background\(\) at store.go:13\): give it a context parameter and pass ctx`
		return err
	}
	if err := Refresh(); err != nil { // want `CG201 Refresh makes its own context through store.FetchAll \(context.Background\(\) at store.go:13\)`
		return err
	}
	if err := s.Get("k"); err != nil { // want `CG201 store.Store.Get makes its own context \(context.TODO\(\) at store.go:34\)`
		return err
	}
	defer s.Close()        // ok: cleanup, and a deferred call
	_ = s.Close()          // ok: Close detaches on purpose
	_ = store.Name()       // ok: no context made
	return store.Load(ctx) // ok: passes its context
}

// Handle is an HTTP handler: the request's context is the one to pass.
func Handle(w http.ResponseWriter, r *http.Request) {
	_ = Refresh() // want `CG201 Refresh makes its own context through store.FetchAll .*pass r.Context\(\)`
	go func() {
		_ = store.FetchAll() // want `CG201 store.FetchAll makes its own context`
	}()
}

// Startup has no context in scope: nothing to pass, nothing reported.
func Startup() {
	_ = store.FetchAll() // ok: no caller context here
	_ = Refresh()        // ok
}

// Drain runs once ctx is done: a fresh context is the only one left.
func Drain(ctx context.Context) {
	<-ctx.Done()
	_ = store.FetchAll() // ok: the caller's context is already done
}

// Later hands work back to its caller: the function it returns should carry ctx.
func Later(ctx context.Context) func() error {
	return func() error { // want `CG201 the returned function makes its own context \(context.Background\(\) on line 56\): use ctx`
		return store.Load(context.Background())
	}
}
