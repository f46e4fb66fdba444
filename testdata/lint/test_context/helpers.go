// Package testcontext holds fixtures for CG205 (test-context).
//
// Test code is anything in a _test.go file, and elsewhere a function or closure with a
// *testing.T, *testing.B, *testing.F or testing.TB parameter in scope.
package testcontext

import (
	"context"
	"net/http"
	"testing"
)

// query stands for any call that takes a context.
func query(ctx context.Context, q string) error {
	_ = q
	return ctx.Err()
}

func fetch(ctx context.Context, id string) error { return query(ctx, id) }

// Store is what RunStoreSuite checks.
type Store interface {
	Get(ctx context.Context, key string) (string, error)
}

// RunStoreSuite is a conformance suite other packages call from their tests: test code,
// although it is not in a _test.go file.
func RunStoreSuite(t *testing.T, s Store) {
	t.Run("get", func(t *testing.T) {
		if _, err := s.Get(context.Background(), "k"); err != nil { // want `CG205 context\.Background\(\) in test code: use t\.Context\(\)$`
			t.Fatal(err)
		}
	})
	_, _ = s.Get(context.TODO(), "k") // ok: RunStoreSuite itself is a helper, maybe run from t.Cleanup
}

// StartServer is a fixture helper taking a testing.TB.
func StartServer(tb testing.TB, srv *http.Server) {
	tb.Helper()
	tb.Cleanup(func() {
		_ = srv.Shutdown(context.Background()) // ok: a Cleanup callback
	})
	_ = query(context.Background(), "start") // ok: a helper, not a test entry point
}

// Serve is production code: CG201's, not this rule's.
func Serve(ctx context.Context) error {
	return query(context.Background(), "serve") // ok: not test code (CG201 reports it)
}
