package contextgrowthinloop

import . "context"

// Dot-imported context.
func dotted(ctx Context, jobs <-chan job) {
	for j := range jobs {
		ctx = WithValue(ctx, jobKey{}, j.id) // want `CG304 ctx is re-derived from itself with context.WithValue`
		_ = run(ctx, j)
	}
}

// Dot-imported, reset first.
func dottedReset(ctx Context, jobs <-chan job) {
	for j := range jobs {
		ctx = TODO()
		ctx = WithValue(ctx, jobKey{}, j.id) // ok: reset to TODO first (dot import)
		_ = run(ctx, j)
	}
}
