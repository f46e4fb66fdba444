package nilcontext

import "context"

// A local function value with a context parameter.
func localLiteral() {
	step := func(ctx context.Context, n int) error { return ctx.Err() }
	_ = step(nil, 1) // want `CG204 nil passed as the context of step`
}

// A function-typed parameter.
func withCallback(cb func(context.Context) error) error {
	return cb(nil) // want `CG204 .*cb`
}

// A var with a function type.
func typedVar() {
	var hook func(context.Context, string)
	hook = func(context.Context, string) {}
	hook(nil, "x") // want `CG204 .*hook`
}

// Inside a closure, with the outer context in scope.
func closureOuter(ctx context.Context) {
	go func() {
		_ = fetch(nil, "c") // want `CG204 .*fetch: .*pass ctx$`
	}()
}

// ok: a function value whose first parameter is not a context.
func okLocalOther() {
	put := func(p *int) {}
	put(nil) // ok: *int parameter
}

// ok: a function-typed parameter without a context.
func okCallbackOther(cb func(error) bool) bool {
	return cb(nil) // ok: error parameter
}

// A closure that guards against nil: reported all the same.
func closureTolerant() {
	run := func(ctx context.Context) {
		if ctx == nil {
			return
		}
		<-ctx.Done()
	}
	run(nil) // want `CG204 .*run: run tolerates nil today`
}

// ok: a function value of unknown type.
func okUnknownFunc(fns map[string]func(*int)) {
	fns["a"](nil) // ok: not a proven context parameter
}
