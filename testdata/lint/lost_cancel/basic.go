package lostcancel

import (
	"context"
	"time"
)

// Discarded cancel: blank identifier in a short variable declaration.
func discardBlank(parent context.Context) error {
	ctx, _ := context.WithCancel(parent) // want `CG101 the cancel function returned by context\.WithCancel should be called, not discarded, to avoid a context leak`
	return use(ctx)
}

// Discarded cancel: blank identifier in a plain assignment that reuses ctx.
func discardAssign(ctx context.Context) error {
	ctx, _ = context.WithTimeout(ctx, time.Second) // want `CG101 the cancel function returned by context\.WithTimeout should be called, not discarded`
	return use(ctx)
}

// Discarded cancel: the whole call is an expression statement.
func discardExprStmt(parent context.Context) {
	context.WithDeadline(parent, time.Now().Add(time.Second)) // want `CG101 the cancel function returned by context\.WithDeadline should be called, not discarded`
}

// Discarded cancel: WithCancelCause.
func discardCancelCause(parent context.Context) error {
	ctx, _ := context.WithCancelCause(parent) // want `CG101 the cancel function returned by context\.WithCancelCause should be called, not discarded`
	return use(ctx)
}

// Discarded cancel: WithTimeoutCause.
func discardTimeoutCause(parent context.Context) error {
	ctx, _ := context.WithTimeoutCause(parent, time.Second, errFail) // want `CG101 the cancel function returned by context\.WithTimeoutCause should be called, not discarded`
	return use(ctx)
}

// Discarded cancel: WithDeadlineCause in a var declaration.
func discardDeadlineCause(parent context.Context) error {
	var ctx, _ = context.WithDeadlineCause(parent, time.Now(), errFail) // want `CG101 the cancel function returned by context\.WithDeadlineCause should be called, not discarded`
	return use(ctx)
}

// Lost cancel: an early return before the defer is registered.
func earlyReturn(parent context.Context, fail bool) error {
	ctx, cancel := context.WithCancel(parent) // want `CG101 the cancel function is not used on all paths \(possible context leak\)`
	if fail {
		return errFail // want `CG101 this return statement may be reached without using the cancel var defined on line 45`
	}
	defer cancel()
	return use(ctx)
}

// Lost cancel: falling off the end of the function (reported on the closing brace).
func fallOffEnd(parent context.Context, n int) {
	ctx, cancel := context.WithTimeout(parent, time.Second) // want `CG101 the cancel function is not used on all paths`
	if n > 0 {
		cancel()
	}
	_ = use(ctx)
} // want `CG101 this return statement may be reached without using the cancel var defined on line 55`

// Lost cancel: the variable name appears in both messages.
func namedStop(parent context.Context, items []string) (int, error) {
	ctx, stop := context.WithCancel(parent) // want `CG101 the stop function is not used on all paths \(possible context leak\)`
	if len(items) == 0 {
		return 0, nil // want `CG101 this return statement may be reached without using the stop var defined on line 64`
	}
	defer stop()
	return len(items), use(ctx)
}

// Lost cancel: var declaration form.
func varForm(parent context.Context, fail bool) error {
	var ctx, cancel = context.WithTimeout(parent, time.Second) // want `CG101 the cancel function is not used on all paths`
	if fail {
		return errFail // want `CG101 this return statement may be reached without using the cancel var defined on line 74`
	}
	cancel()
	return use(ctx)
}

// Lost cancel: plain assignment to variables declared earlier in the same
// function; the line in the message is the derivation's line.
func assignDeclared(parent context.Context, fail bool) error {
	var ctx context.Context
	var cancel context.CancelCauseFunc
	ctx, cancel = context.WithCancelCause(parent) // want `CG101 the cancel function is not used on all paths`
	if fail {
		return context.Cause(ctx) // want `CG101 this return statement may be reached without using the cancel var defined on line 87`
	}
	cancel(errFail)
	return nil
}

// Lost cancel: three results; only the second early return leaks.
func multipleReturns(parent context.Context, key string) (string, int, error) {
	ctx, cancel := context.WithDeadline(parent, time.Now().Add(time.Minute)) // want `CG101 the cancel function is not used on all paths`
	if key == "" {
		cancel()
		return "", 0, errFail
	}
	if key == "skip" {
		return key, 0, nil // want `CG101 this return statement may be reached without using the cancel var defined on line 97`
	}
	defer cancel()
	return key, len(key), use(ctx)
}

// ok: cancel deferred right after the derivation.
func okDefer(parent context.Context) error {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	defer cancel()
	return use(ctx)
}

// ok: cancel called explicitly on every path.
func okAllPaths(parent context.Context, fail bool) error {
	ctx, cancel := context.WithCancel(parent)
	if fail {
		cancel()
		return errFail
	}
	err := use(ctx)
	cancel()
	return err
}

// ok: cancel returned to the caller (handed off).
func okReturnCancel(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	return ctx, cancel
}

// ok: cancel assigned to a struct field (handed off).
func okAssignField(h *holder, parent context.Context) {
	ctx, cancel := context.WithCancel(parent)
	h.ctx = ctx
	h.cancel = cancel
}

// ok: cancel stored in a composite literal that is returned (handed off).
func okCompositeLiteral(parent context.Context) *holder {
	ctx, cancel := context.WithCancel(parent)
	return &holder{ctx: ctx, cancel: cancel}
}

// ok: cancel assigned to a package-level variable (handed off).
func okGlobal(parent context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	globalCancel = cancel
	return ctx
}

// ok: cancel stored in a map (handed off).
func okMap(parent context.Context, name string) context.Context {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	cancelByName[name] = cancel
	return ctx
}

// ok: cancel passed to a function (handed off).
func okPassed(parent context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	register(cancel)
	return ctx
}

// ok: cancel appended to a slice (handed off).
func okAppend(parent context.Context) context.Context {
	ctx, cancel := context.WithDeadline(parent, time.Now().Add(time.Second))
	cancels = append(cancels, cancel)
	return ctx
}

// ok: cancel is a named result; the bare return counts as a use.
func okNamedResult(parent context.Context, fail bool) (ctx context.Context, cancel context.CancelFunc) {
	ctx, cancel = context.WithCancel(parent)
	if fail {
		return
	}
	return ctx, cancel
}

// ok: WithValue and WithoutCancel return no cancel function.
func okNotCancelable(parent context.Context) error {
	ctx := context.WithValue(parent, ctxKey{}, 1)
	ctx = context.WithoutCancel(ctx)
	return use(ctx)
}
