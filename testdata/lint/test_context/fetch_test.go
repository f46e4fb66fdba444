package testcontext

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"
)

// A test: t.Context() exists since Go 1.24.
func TestFetch(t *testing.T) {
	if err := fetch(context.Background(), "x"); err != nil { // want `CG205 context\.Background\(\) in test code: use t\.Context\(\)$`
		t.Fatal(err)
	}
}

// A benchmark with only a *testing.B: b.Context() is still available.
func BenchmarkFetch(b *testing.B) {
	for b.Loop() {
		_ = fetch(context.TODO(), "x") // want `CG205 context\.TODO\(\) in test code: use b\.Context\(\)$`
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

// A testing.B subbenchmark callback.
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
		_ = query(context.Background(), "g") // want `in test code: use t\.Context\(\)$`
	}()
	<-done
}

// A synctest bubble's callback is an entry point.
func TestSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_ = query(context.TODO(), "bubble") // want `use t\.Context\(\)$`
	})
}

// A local root in a test: looked past, at the test's context.
func TestLocalRoot(t *testing.T) {
	ctx := context.Background() // want `use t\.Context\(\)$`
	if err := fetch(ctx, "x"); err != nil {
		t.Fatal(err)
	}
}

// A fresh budget in a test: t.Context() is the parent to derive from.
func TestTimeout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second) // want `in test code: use t\.Context\(\)$`
	defer cancel()
	_ = fetch(ctx, "x")
}

// A fake in a _test.go file is test code, whatever context it has.
type fakeStore struct{}

func (fakeStore) Get(ctx context.Context, key string) (string, error) {
	return key, query(context.TODO(), key) // want `CG205 context\.TODO\(\) in test code: use ctx$`
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

// A logger lookup in a test changes nothing.
func TestLogs(t *testing.T) {
	slog.InfoContext(context.Background(), "starting") // ok: a logger lookup
	_ = fetch(t.Context(), "x")                        // ok: the test's context
}

// ok: the fixed test.
func TestFetchGood(t *testing.T) {
	if err := fetch(t.Context(), "x"); err != nil { // ok: uses t.Context()
		t.Fatal(err)
	}
}

// ok: an example has no context in scope.
func ExampleServe() {
	_ = query(context.Background(), "example") // ok: no context in scope
}

// ok: deliberate detaches are left alone in tests too (see CG201): a deferred cleanup.
func TestDeferredShutdown(t *testing.T) {
	srv := &http.Server{}
	defer srv.Shutdown(context.Background()) // ok: a deferred call
	_ = fetch(t.Context(), "x")
}

// A cleanup call in a test: the same; the work under test is still reported.
func TestCleanupCall(t *testing.T) {
	srv := &http.Server{}
	_ = fetch(context.Background(), "x")   // want `use t\.Context\(\)$`
	_ = srv.Shutdown(context.Background()) // ok: Shutdown is a cleanup call
}
