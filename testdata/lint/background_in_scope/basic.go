package backgroundinscope

import (
	"context"
	"net/http"
	"time"
)

// A context parameter in scope.
func fetch(ctx context.Context, id string) error {
	return query(context.Background(), id) // want `CG201 context\.Background\(\) cuts the caller's deadline and cancellation: use ctx$`
}

// context.TODO() is the same cut.
func fetchTODO(ctx context.Context, id string) error {
	return query(context.TODO(), id) // want `CG201 context\.TODO\(\) cuts the caller's deadline and cancellation: use ctx$`
}

// An HTTP handler: the request carries the context.
func handler(w http.ResponseWriter, r *http.Request) {
	if err := query(context.Background(), r.URL.Path); err != nil { // want `use r\.Context\(\)$`
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
}

// A method, a gRPC-style unary handler.
func (s *store) Get(ctx context.Context, key string) (string, error) {
	return key, query(context.TODO(), key) // want `CG201 context\.TODO\(\) cuts .*: use ctx$`
}

// A generic function.
func load[T any](ctx context.Context, v T) T {
	_ = query(context.Background(), "generic") // want `use ctx$`
	return v
}

// Overwriting the caller's context is the worst kind of cut.
func overwrite(ctx context.Context) error {
	ctx = context.Background() // want `use ctx$`
	return query(ctx, "x")
}

// A goroutine that outlives the request: the explicit detach is WithoutCancel.
func notify(ctx context.Context, ev string) {
	go func() {
		_ = query(context.Background(), ev) // want `use ctx, or context\.WithoutCancel\(ctx\) if this must outlive the caller$`
	}()
}

// A goroutine in a handler: same advice, with the request's context.
func audit(w http.ResponseWriter, r *http.Request) {
	go query(context.Background(), "audit") // want `use r\.Context\(\), or context\.WithoutCancel\(r\.Context\(\)\) if this must outlive the caller`
	w.WriteHeader(http.StatusNoContent)
}

// A deferred call is cleanup that must finish: not reported (see detach_defer.go).
func auditDeferred(w http.ResponseWriter, r *http.Request) {
	defer query(context.Background(), "audit") // ok: deferred
	w.WriteHeader(http.StatusNoContent)
}

// A fresh budget under a new root, for the work itself.
func refresh(ctx context.Context) error {
	rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // want `use ctx, or context\.WithoutCancel\(ctx\)`
	defer cancel()
	return query(rctx, "refresh")
}

// A graceful shutdown after the caller's context is over: a fresh one is the only one that works.
func drain(ctx context.Context, srv *http.Server) error {
	<-ctx.Done()
	return srv.Shutdown(context.Background()) // ok: ctx is over, and Shutdown is a cleanup call
}

// ok: WithoutCancel is the explicit detach.
func detach(ctx context.Context) {
	go query(context.WithoutCancel(ctx), "bg") // ok: explicit detach keeps values, drops cancellation
}

// No context anywhere: nothing to use instead.
func legacy(id string) error {
	return query(context.Background(), id) // ok: no context in scope
}

// A context parameter named _ is declared unused on purpose.
func ignored(_ context.Context, id string) error {
	return query(context.Background(), id) // ok: the parameter is _
}

// An unnamed context parameter cannot be used.
func unnamed(context.Context, string) error {
	return query(context.TODO(), "x") // ok: the parameter has no name
}

// A defensive default for a nil context.
func nilGuard(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background() // ok: nil guard
	}
	return query(ctx, "x")
}

// The nil guard written the other way round, on a request.
func nilRequest(r *http.Request) error {
	var ctx context.Context
	if r != nil {
		ctx = r.Context()
	} else {
		ctx = context.Background() // ok: nil guard on r
	}
	return query(ctx, "x")
}

// ok: using the caller's context.
func good(ctx context.Context) error {
	return query(ctx, "x") // ok: uses ctx
}

// A variable already detached with WithoutCancel: using Background there cuts nothing more.
func alreadyDetached(ctx context.Context) {
	bg := context.WithoutCancel(ctx)
	go func() {
		_ = query(bg, "a")
		_ = query(context.Background(), "b") // ok: bg, the context in scope, is already detached
	}()
}

// An outgoing request handed in to be sent: its context is whatever this code sets.
func postOutgoing(c *http.Client, req *http.Request) error {
	ctx, cancel := context.WithCancel(context.Background()) // ok: req is going out, not a caller's
	req = req.WithContext(ctx)
	defer cancel()
	_, err := c.Do(req)
	return err
}
