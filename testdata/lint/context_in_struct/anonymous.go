package contextinstruct

import "context"

// A package-level variable of an anonymous struct type: global state.
var state struct {
	ctx   context.Context // want `CG303 field ctx of an anonymous struct`
	count int
}

// A map of anonymous structs without a literal.
var registry map[string]struct {
	ctx context.Context // want `CG303 field ctx of an anonymous struct`
}

// A function parameter of an anonymous struct type.
func takeAnon(arg struct {
	ctx context.Context // want `CG303 field ctx of an anonymous struct`
}) error {
	return use(arg.ctx)
}

// kept holds values beyond the calls that made them.
var kept []any

func locals(ctx context.Context) error {
	// A local variable of an anonymous struct type.
	var s struct {
		ctx context.Context // want `CG303 field ctx of an anonymous struct`
	}
	s.ctx = ctx

	// A local named type whose value is kept beyond the call.
	type job struct {
		ctx context.Context // want `CG303 field ctx of job`
		id  int
	}
	j := job{ctx: ctx, id: 1}
	kept = append(kept, j)

	// A local named type built with the context and used within the call.
	type step struct {
		ctx  context.Context // ok: a one-shot local value
		name string
	}
	st := step{ctx: ctx, name: "a"}
	if err := use(st.ctx); err != nil {
		return err
	}

	// A table of cases: the literal lives in a local variable.
	cases := []struct {
		name string
		ctx  context.Context // ok: anonymous struct typing a composite literal (a table)
	}{
		{"a", ctx},
	}

	// A one-off value.
	v := struct{ ctx context.Context }{ctx} // ok: anonymous struct literal

	// A map literal of anonymous structs.
	m := map[string]*struct {
		ctx context.Context // ok: anonymous struct typing a map literal
	}{"a": {ctx}}

	// An anonymous struct as a channel's element: a message carrying its request's context.
	msgs := make(chan struct {
		ctx context.Context // ok: anonymous message sent over a channel
		id  int
	}, 1)
	msgs <- struct {
		ctx context.Context // ok: anonymous struct literal
		id  int
	}{ctx, 1}

	_ = registry
	_ = state
	_ = takeAnon(struct {
		ctx context.Context // ok: anonymous struct literal
	}{ctx})
	_, _, _, _ = j, cases, v, m
	return use(s.ctx)
}
