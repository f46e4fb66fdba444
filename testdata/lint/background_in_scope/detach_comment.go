package backgroundinscope

import (
	"context"
)

// A comment explaining why the context is fresh, on the line or just above it.
func reasoned(ctx context.Context) {
	// The audit record must be written even if the client has cancelled.
	_ = query(context.Background(), "audit") // ok: reason on the line above
	_ = query(context.TODO(), "flush")       // ok: must outlive the request
	go func() {
		// the index rebuild runs independently of the request
		_ = query(context.Background(), "reindex") // ok: reason on the line above
	}()
	// Use a fresh context here: the passed one may be canceled already,
	// and the rollback below has to run in full.
	_ = query(context.Background(), "rollback") // ok: a two-line reason just above
	_ = query(ctx, "x")
}

// A statement spanning lines: the comment above the statement counts.
func reasonedStatement(ctx context.Context, l lease) error {
	// detached on purpose: the refresh keeps the lease for the next caller
	return errorsJoin(
		query(ctx, "a"),
		l.Refresh(context.Background()), // ok: reason above the statement
	)
}

func errorsJoin(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Comments that give no such reason.
func unreasoned(ctx context.Context) {
	// TODO: should this be cancelled with the request?
	_ = query(context.Background(), "a") // want `use ctx$`
	// make a context and its cancel function
	c, cancel := context.WithCancel(context.Background()) // want `use ctx, or context\.WithoutCancel\(ctx\)`
	defer cancel()
	_ = query(c, "b")
	// This record must be written even if the client has cancelled.
	_ = query(ctx, "c")
	_ = query(ctx, "d")
	_ = query(context.TODO(), "e") // want `use ctx$`
}

// firstLine cancels nothing: a doc comment describes the function, not the call on its first line.
func firstLine(ctx context.Context) error {
	return query(context.Background(), "x") // want `use ctx$`
}

// A comment describing what the fresh context cuts gives no reason for it.
func describedLeak(ctx context.Context) error {
	// A fresh root context: the client's deadline and cancellation never
	// reach the backend, so this call waits for it however long it takes.
	return query(context.Background(), "reserve") // want `use ctx$`
}
