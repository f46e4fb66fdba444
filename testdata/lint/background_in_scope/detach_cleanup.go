package backgroundinscope

import (
	"context"
	"net/http"
	"time"
)

// stopwatch is not a cleanup verb: "Stop" must be a whole word.
func stopwatch(ctx context.Context) error { return query(ctx, "lap") }

// closeAll is named for cleanup.
func closeAll(ctx context.Context) error { return query(ctx, "close") }

// A cleanup call on the main path: the release must finish even if the caller gave up.
func releaseNow(ctx context.Context, l lease) error {
	if err := query(ctx, "work"); err != nil {
		return err
	}
	return l.Release(context.Background()) // ok: Release is a cleanup call
}

// Names starting with a cleanup verb, lower-case functions included.
func cleanupNames(ctx context.Context, l lease) {
	_ = l.cleanupMounts(context.TODO()) // ok: cleanupMounts is named for cleanup
	_ = l.CloseSend(context.TODO())     // ok: CloseSend is named for cleanup
	_ = closeAll(context.Background())  // ok: closeAll is named for cleanup
	_ = query(ctx, "x")
}

// Not cleanup: a longer word, and Wait (where a leak blocks).
func notCleanup(ctx context.Context, l lease) {
	_ = stopwatch(context.Background()) // want `use ctx$`
	_ = l.Wait(context.Background())    // want `use ctx$`
}

// A bounded fresh context handed only to Shutdown: the graceful stop gets its own budget.
func stopServer(ctx context.Context, srv *http.Server) error {
	_ = query(ctx, "last")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // ok: sctx only reaches Shutdown
	defer cancel()
	return srv.Shutdown(sctx)
}

// The same variable also used for other work is reported.
func stopAndQuery(ctx context.Context, srv *http.Server) error {
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // want `use ctx, or context\.WithoutCancel\(ctx\)`
	defer cancel()
	_ = query(sctx, "last")
	return srv.Shutdown(sctx)
}

// Delete on an error path undoes what the function started.
func createOrUndo(ctx context.Context, l lease) error {
	if err := l.Refresh(ctx); err != nil {
		_ = l.Delete(context.Background()) // ok: Delete on an error path
		return err
	}
	return nil
}

// Delete as the work itself (a DELETE handler) is reported.
func deleteHandler(w http.ResponseWriter, r *http.Request) {
	var l lease
	if err := l.Delete(context.Background()); err != nil { // want `use r\.Context\(\)$`
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
}

// A condition on something other than an error is not an error path.
func deleteWhenIdle(ctx context.Context, l lease, idle *int) {
	if idle != nil {
		_ = l.Delete(context.TODO()) // want `use ctx$`
	}
}

// A function itself named for cleanup: Delete is part of that cleanup.
func (l lease) Close(ctx context.Context) error {
	_ = query(ctx, "flush")
	return l.Delete(context.TODO()) // ok: Delete inside Close
}
