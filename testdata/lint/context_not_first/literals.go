package contextnotfirst

import (
	"context"
	"net/http"
)

// A literal bound by := chooses its own signature.
func literals() {
	f := func(id string, ctx context.Context) error { // want `should be the first parameter of this function literal: move it before id$`
		_ = id
		return use(ctx)
	}
	_ = f
}

// An immediately invoked literal.
func invoked(ctx context.Context) {
	go func(id string, c context.Context) { // want `context parameter c should be the first parameter of this function literal: move it before id$`
		_, _ = id, c
	}("x", ctx)
}

// A package-level literal in an untyped var.
var pkgLit = func(n int, ctx context.Context) { _, _ = n, ctx } // want `should be the first parameter of this function literal: move it before n$`

// ok: a callback's signature is dictated by register.
func callback() {
	register(func(name string, ctx context.Context) error { // ok: the literal must match register's parameter type
		_ = name
		return use(ctx)
	})
}

// ok: a literal assigned to a variable of declared type.
func typedVar() {
	var h Handler = func(w http.ResponseWriter, ctx context.Context) { _, _ = w, ctx } // ok: must match Handler
	_ = h
}

// ok: a literal in a composite literal.
func inComposite() hooks {
	return hooks{onStop: func(reason string, ctx context.Context) { _, _ = reason, ctx }} // ok: must match the field type
}

// ok: a returned literal matches the result type.
func returned() func(string, context.Context) error { // want `should be the first parameter of this func type: move it before string$`
	return func(s string, ctx context.Context) error { // ok: must match the result type
		_ = s
		return use(ctx)
	}
}

// ok: a literal re-bound with =.
func rebound() {
	var f func(int, context.Context)                       // want `should be the first parameter of this func type: move it before int$`
	f = func(n int, ctx context.Context) { _, _ = n, ctx } // ok: must match f's declared type
	_ = f
	serve(func(w http.ResponseWriter, r *http.Request) { _, _ = w, r }) // ok: no context parameter
}
