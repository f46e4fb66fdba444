package contextgrowthinloop

import "context"

// A function literal called in a loop wraps the captured variable each call.
func perItemCallback(ctx context.Context, ids []int) {
	for _, id := range ids {
		func() {
			ctx = context.WithValue(ctx, jobKey{}, id) // want `CG304 ctx is re-derived .* in a function literal called in a loop`
			_ = use(ctx)
		}()
	}
}

// Subtests in a loop.
func subtests(ctx context.Context, names []string) {
	for _, name := range names {
		subtest(name, func() {
			ctx = context.WithValue(ctx, jobKey{}, name) // want `CG304 .* in a function literal called in a loop`
			_ = use(ctx)
		})
	}
}

// Goroutines in a loop.
func goroutines(ctx context.Context, jobs []job) {
	for _, j := range jobs {
		go func() {
			ctx = context.WithValue(ctx, jobKey{}, j.id) // want `CG304 .* in a function literal called in a loop`
			j.done <- run(ctx, j)
		}()
	}
}

// A loop inside the literal.
func loopInLiteral(ctx context.Context) func(ids []int) {
	return func(ids []int) {
		for _, id := range ids {
			ctx = context.WithValue(ctx, jobKey{}, id) // want `CG304 ctx is re-derived .* in a loop`
			_ = use(ctx)
		}
	}
}

// Middleware: a literal outside any loop.
func middleware(ctx context.Context) func() error {
	return func() error {
		ctx = context.WithValue(ctx, jobKey{}, 1) // ok: not in a loop
		return use(ctx)
	}
}

// The literal's own parameter.
func ownParam(ids []int) {
	for range ids {
		f := func(ctx context.Context) error {
			ctx = context.WithValue(ctx, jobKey{}, 1) // ok: the literal's own parameter
			return use(ctx)
		}
		_ = f(context.Background())
	}
}

// A table of cases, reset before deriving (fatcontext's t.Run false positive).
func tableReset(cases []struct{ ctx context.Context }) {
	for _, tc := range cases {
		subtest("case", func() {
			if tc.ctx == nil {
				tc.ctx = context.Background()
				tc.ctx = context.WithValue(tc.ctx, jobKey{}, 1) // ok: reset first; tc is per iteration
			}
			_ = use(tc.ctx)
		})
	}
}

// A literal's own local.
func literalLocal(parent context.Context, ids []int) {
	for _, id := range ids {
		func() {
			ctx := parent
			ctx = context.WithValue(ctx, jobKey{}, id) // ok: the literal's own variable
			_ = use(ctx)
		}()
	}
}
