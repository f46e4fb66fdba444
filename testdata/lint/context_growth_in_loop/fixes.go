package contextgrowthinloop

import "context"

// Read before the loop, then only after the assignment in the body: fixed with :=.
func readBefore(ctx context.Context, ids []int) error {
	if err := use(ctx); err != nil {
		return err
	}
	for _, id := range ids {
		ctx = context.WithValue(ctx, jobKey{}, id) // want `CG304 ctx is re-derived`
		_ = use(ctx)
	}
	return nil
}

// The loop condition reads the grown context: no fix.
func headerRead(ctx context.Context) {
	for ctx.Err() == nil {
		ctx = context.WithValue(ctx, jobKey{}, 1) // want `CG304 ctx is re-derived`
		_ = use(ctx)
	}
}

// A later ctx := in the body would clash with the fix: no fix.
func laterDeclare(ctx context.Context, ids []int) {
	for _, id := range ids {
		ctx = context.WithValue(ctx, jobKey{}, id) // want `CG304 ctx is re-derived`
		_ = use(ctx)
		ctx := context.WithoutCancel(ctx)
		_ = use(ctx)
	}
}

// A closure made before the loop reads the grown context: no fix.
func closureBefore(ctx context.Context, ids []int) error {
	report := func() error { return use(ctx) }
	for _, id := range ids {
		ctx = context.WithValue(ctx, jobKey{}, id) // want `CG304 ctx is re-derived`
		_ = use(ctx)
	}
	return report()
}

// A named result is read by the return: no fix.
func namedResult(parent context.Context, jobs <-chan job) (ctx context.Context) {
	ctx = parent
	for j := range jobs {
		ctx = context.WithValue(ctx, jobKey{}, j.id) // want `CG304 ctx is re-derived`
		_ = run(ctx, j)
	}
	return
}

// The body reads the previous iteration's context before deriving: no fix.
func readEarlier(ctx context.Context, jobs <-chan job) {
	for j := range jobs {
		_ = run(ctx, j)
		ctx = context.WithValue(ctx, jobKey{}, j.id) // want `CG304 ctx is re-derived`
		_ = use(ctx)
	}
}

// A derivation the loop's update clause would repeat is not analysed; the initializer runs once.
func initializerOnce(ctx context.Context) {
	for ctx = context.WithValue(ctx, jobKey{}, 0); !done(); { // ok: the initializer runs once
		_ = use(ctx)
	}
}
