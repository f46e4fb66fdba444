package backgroundinscope

import (
	"context"
	"errors"
	"net/http"
	"strconv"
)

// After a receive from ctx's channel the caller's context is over: a fresh one is the only one that works.
func afterDone(ctx context.Context) error {
	<-ctx.Done()
	return query(context.Background(), "flush") // ok: ctx is over here
}

// In the select case that fires when ctx is over; not in the other cases.
func selectDone(ctx context.Context, ch <-chan int) error {
	select {
	case <-ctx.Done():
		return query(context.Background(), "flush") // ok: the ctx case
	case v := <-ch:
		return query(context.Background(), strconv.Itoa(v)) // want `use ctx, or context\.WithoutCancel\(ctx\)`
	}
}

// After a select that may have ended either way, ctx may still be live.
func afterSelect(ctx context.Context, stop <-chan struct{}) error {
	select {
	case <-ctx.Done():
	case <-stop:
	}
	return query(context.Background(), "x") // want `use ctx, or context\.WithoutCancel\(ctx\)`
}

// A request's context: the same.
func afterRequest(r *http.Request) error {
	<-r.Context().Done()
	return query(context.TODO(), "flush") // ok: the request is over here
}

// Checks that hold only once a context is over.
func errChecks(ctx context.Context) error {
	if ctx.Err() != nil {
		return query(context.Background(), "a") // ok: ctx is over
	}
	if err := ctx.Err(); err != nil {
		return query(context.Background(), "b") // ok: ctx is over
	}
	if err := query(ctx, "c"); errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return query(context.TODO(), "d") // ok: the call was stopped by ctx
	}
	if err := query(ctx, "e"); err == context.Canceled {
		return query(context.TODO(), "f") // ok: the call was stopped by ctx
	}
	if err := query(ctx, "g"); err != nil && context.Cause(ctx) != nil {
		return query(context.TODO(), "h") // ok: ctx is over
	}
	return nil
}

// Checks that do not say the context is over.
func notDoneChecks(ctx context.Context) error {
	if err := query(ctx, "a"); err != nil {
		return query(context.Background(), "b") // want `use ctx$`
	}
	if ctx.Err() == nil {
		return query(context.TODO(), "c") // want `use ctx$`
	}
	if err := query(ctx, "d"); errors.Is(err, context.Canceled) || err != nil {
		return query(context.TODO(), "e") // want `use ctx$`
	}
	return nil
}

// A tagless switch on the same checks.
func switchDone(ctx context.Context) error {
	switch err := query(ctx, "a"); {
	case errors.Is(err, context.Canceled):
		return query(context.Background(), "b") // ok: the call was stopped by ctx
	case err != nil:
		return query(context.Background(), "c") // want `use ctx$`
	}
	return nil
}
