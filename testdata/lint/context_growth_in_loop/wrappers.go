package contextgrowthinloop

import (
	"context"
	"time"
)

type tenantKey struct{}

// withTenant hides a WithValue behind a package helper.
func withTenant(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, tenantKey{}, id)
}

// detached hides a WithoutCancel.
func detached(ctx context.Context) context.Context {
	return context.WithoutCancel(ctx)
}

// withDeadline returns only the context of a cancelable derivation: not a plain wrapper.
func withDeadline(ctx context.Context) context.Context {
	c, _ := context.WithTimeout(ctx, time.Second) //nolint:lostcancel // the fixture is about CG304
	return c
}

// decorate does more than derive: not a wrapper.
func decorate(ctx context.Context, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, tenantKey{}, id)
}

func growsThroughHelper(ctx context.Context, ids <-chan string) {
	for id := range ids {
		ctx = withTenant(ctx, id) // want "CG304 ctx is re-derived from itself with withTenant in a loop"
		_ = ctx
	}
}

func growsThroughDetach(ctx context.Context, jobs <-chan func(context.Context)) {
	for job := range jobs {
		ctx = detached(ctx) // want "CG304 .*with detached"
		job(ctx)
	}
}

func perIteration(ctx context.Context, ids <-chan string) {
	for id := range ids {
		c := withTenant(ctx, id) // ok: a fresh child per iteration
		_ = c
	}
}

func otherHelpers(ctx context.Context, ids <-chan string) {
	for id := range ids {
		ctx = withDeadline(ctx) // ok: not a plain wrapper (CG304 only follows value and detach wrappers)
		ctx = decorate(ctx, id) // ok: a conditional wrapper is not followed
		_ = ctx
	}
}

func helperOnceOutsideLoop(ctx context.Context) context.Context {
	ctx = withTenant(ctx, "a") // ok: not in a loop
	return ctx
}

func shadowedHelper(ctx context.Context, ids <-chan string) {
	withTenant := func(c context.Context, _ string) context.Context { return c }
	for id := range ids {
		ctx = withTenant(ctx, id) // ok: a local function value, not the package's helper
	}
	_ = ctx
}
