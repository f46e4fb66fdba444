package backgroundinscope

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A test: t.Context() exists since Go 1.24.
func TestFetch(t *testing.T) {
	if err := fetch(context.Background(), "x"); err != nil { // want `CG201 context\.Background\(\) cuts .*: use t\.Context\(\)$`
		t.Fatal(err)
	}
}

// A benchmark with only a *testing.B: b.Context() is still available.
func BenchmarkFetch(b *testing.B) {
	for b.Loop() {
		_ = fetch(context.TODO(), "x") // want `use b\.Context\(\)$`
	}
}

// ok: a helper taking testing.TB may run inside t.Cleanup, where tb.Context() is already cancelled.
func startHelper(tb testing.TB) {
	tb.Helper()
	_ = query(context.Background(), "helper") // ok: a helper, not a test entry point
}

// ok: the same for a helper taking *testing.T.
func stopHelper(t *testing.T, srv *http.Server) {
	t.Helper()
	_ = srv.Shutdown(context.Background()) // ok: a helper, not a test entry point
}

type suite struct{}

// A test method of a suite is an entry point too.
func (s *suite) TestMethod(t *testing.T) {
	_ = query(context.TODO(), "suite") // want `use t\.Context\(\)$`
}

// A testing.TB-typed subtest callback.
func BenchmarkSub(b *testing.B) {
	b.Run("sub", func(b *testing.B) {
		_ = query(context.Background(), "sub") // want `use b\.Context\(\)$`
	})
}

// A subtest's t shadows the parent's.
func TestSub(t *testing.T) {
	t.Run("sub", func(t *testing.T) {
		_ = query(context.Background(), "sub") // want `use t\.Context\(\)$`
	})
}

// A goroutine in a test: nothing outlives a test, no WithoutCancel advice.
func TestGoroutine(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = query(context.Background(), "g") // want `use t\.Context\(\)$`
	}()
	<-done
}

// ok: TestMain has no context.
func TestMain(m *testing.M) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	_ = query(context.Background(), srv.URL) // ok: *testing.M carries no context
	m.Run()
}

// ok: t.Context() is cancelled before cleanups run.
func TestCleanup(t *testing.T) {
	srv := &http.Server{}
	t.Cleanup(func() {
		_ = srv.Shutdown(context.Background()) // ok: inside a Cleanup callback
	})
}

// ok: a context parameter besides t comes first and is the innermost.
func helperWithCtx(ctx context.Context, t *testing.T) {
	t.Helper()
	_ = query(ctx, "x") // ok: uses ctx
}

// A fuzz target's t.
func FuzzFetch(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		_ = fetch(context.TODO(), s) // want `use t\.Context\(\)$`
	})
}
