// Package handlers uses reqctx's helpers: their cancel functions are as binding as WithTimeout's.
package handlers

import (
	"context"
	"errors"
	"net/http"

	"fixture/reqctx"
)

func Dropped(w http.ResponseWriter, r *http.Request) {
	ctx, _ := reqctx.New(r) // want `CG101 the cancel function returned by reqctx.New should be called, not discarded`
	use(ctx)
}

func Deferred(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := reqctx.New(r) // ok: deferred
	defer cancel()
	use(ctx)
}

func SomePath(r *http.Request) error {
	ctx, cancel := reqctx.New(r) // want `CG101 the cancel function is not used on all paths`
	if ctx.Err() != nil {
		return errors.New("late") // want `CG101 this return statement may be reached without using the cancel var`
	}
	cancel()
	return nil
}

func FirstResult(parent context.Context) {
	_, ctx := reqctx.Stop(parent) // want `CG101 the cancel function returned by reqctx.Stop should be called`
	use(ctx)
}

func Lookup(m map[string]context.CancelFunc) {
	_ = reqctx.Registered(m, "k") // ok: a cancel the helper did not create
}

func use(ctx context.Context) { _ = ctx }

func Fails(parent context.Context) error {
	ctx, cancel, err := reqctx.Locked(parent, true) // ok: on error there is no cancel to call
	if err != nil {
		return err
	}
	defer cancel()
	use(ctx)
	return nil
}

func FailsDropped(parent context.Context) error {
	ctx, _, err := reqctx.Locked(parent, true) // want `CG101 the cancel function returned by reqctx.Locked should be called, not discarded`
	use(ctx)
	return err
}

func Owned(c *reqctx.Cache) {
	ctx, _ := c.Add("k") // ok: the cache keeps and calls the cancel
	use(ctx)
}

func FailsTyped(parent context.Context) *reqctx.HandlerError {
	ctx, cancel, herr := reqctx.Timed(parent, "1s") // ok: on a HandlerError there is no cancel to call
	if herr != nil {
		return herr
	}
	defer cancel()
	use(ctx)
	return nil
}

func FailsTypedDropped(parent context.Context) *reqctx.HandlerError {
	ctx, _, herr := reqctx.Timed(parent, "1s") // want `CG101 the cancel function returned by reqctx.Timed should be called, not discarded`
	use(ctx)
	return herr
}
