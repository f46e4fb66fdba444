package backgroundinscope

import (
	"context"
	"time"
)

// lease stands for something held on the caller's behalf: a lease, a mount, a transaction.
type lease struct{}

func (lease) Release(ctx context.Context) error       { return query(ctx, "release") }
func (lease) Refresh(ctx context.Context) error       { return query(ctx, "refresh") }
func (lease) Delete(ctx context.Context) error        { return query(ctx, "delete") }
func (lease) Wait(ctx context.Context) error          { return query(ctx, "wait") }
func (lease) cleanupMounts(ctx context.Context) error { return query(ctx, "mounts") }
func (lease) CloseSend(ctx context.Context) error     { return query(ctx, "close") }

// Deferred code runs as the function returns, often because the caller gave up: a fresh context
// there is what lets the cleanup finish.
func deferredRelease(ctx context.Context, l lease) error {
	defer l.Release(context.Background()) // ok: the deferred call itself
	return query(ctx, "work")
}

// Anything in a deferred closure, whatever it calls, and a goroutine the closure starts.
func deferredClosure(ctx context.Context, l lease) (err error) {
	defer func() {
		if err != nil {
			_ = l.Refresh(context.TODO()) // ok: in a deferred closure
			go func() {
				_ = query(context.Background(), "audit") // ok: a goroutine started by a deferred closure
			}()
		}
	}()
	return query(ctx, "work")
}

// A deferred cancel function does not make its context deferred work.
func deferredCancelOnly(ctx context.Context, l lease) error {
	c, cancel := context.WithTimeout(context.Background(), time.Second) // want `use ctx, or context\.WithoutCancel\(ctx\)`
	defer cancel()
	return l.Refresh(c)
}

// A closure declared next to a defer but called as the main work is not deferred.
func besideDefer(ctx context.Context, l lease) error {
	refresh := func() error { return l.Refresh(context.Background()) } // want `use ctx, or context\.WithoutCancel\(ctx\)`
	defer l.Release(ctx)
	return refresh()
}

// A fresh context whose only reads are in deferred code.
func readInDefer(ctx context.Context) error {
	flushCtx, stop := context.WithTimeout(context.Background(), time.Second) // ok: flushCtx is only read by deferred code
	defer stop()
	defer func() { _ = query(flushCtx, "flush") }()
	return query(ctx, "work")
}
