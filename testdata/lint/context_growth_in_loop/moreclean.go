package contextgrowthinloop

import (
	"context"
	"time"
)

type server struct {
	ctx  context.Context
	jobs chan job
}

// Each job gets a child of the server's context, kept in a local.
func (s *server) serve() {
	for j := range s.jobs {
		jctx, cancel := context.WithTimeout(s.ctx, time.Second) // ok: a child in a new variable
		j.done <- run(jctx, j)
		cancel()
	}
}

// The field is assigned from another variable each time.
func (s *server) rebase(parent context.Context) {
	for j := range s.jobs {
		s.ctx = context.WithValue(parent, jobKey{}, j.id) // ok: derived from parent, not from s.ctx
		_ = run(s.ctx, j)
	}
}

// Another field is derived from s.ctx: s.ctx itself does not grow.
type pair struct{ base, cur context.Context }

func (p *pair) step(ids []int) {
	for _, id := range ids {
		p.cur = context.WithValue(p.base, jobKey{}, id) // ok: p.cur is rebuilt from p.base
		_ = use(p.cur)
	}
}

// Reset from a request-scoped parent every iteration, after a log line.
func resetLater(parent context.Context, ids []int) {
	var ctx context.Context
	for _, id := range ids {
		_ = use(parent)
		ctx = parent
		ctx = context.WithValue(ctx, jobKey{}, id) // ok: reset to parent earlier in the iteration
		_ = use(ctx)
	}
}

// A derivation whose result goes to a new variable in a switch case.
func switchShadow(ctx context.Context, jobs <-chan job) {
	for j := range jobs {
		switch j.id {
		case 0:
			ctx := context.WithValue(ctx, jobKey{}, j.id) // ok: the case's own variable
			_ = run(ctx, j)
		default:
			_ = run(ctx, j)
		}
	}
}

// Deriving into a different variable that persists: the chain does not grow (one layer on ctx).
func otherPersistent(ctx context.Context, ids []int) {
	var last context.Context
	for _, id := range ids {
		last = context.WithValue(ctx, jobKey{}, id) // ok: last is rebuilt from ctx each time
		_ = use(last)
	}
}

// A loop over a literal of one element.
func singleItem(ctx context.Context) {
	for _, id := range []int{1} {
		ctx = context.WithValue(ctx, jobKey{}, id) // ok: the loop runs once
		_ = use(ctx)
	}
}

// A return at the end of the loop body.
func firstOnly(ctx context.Context, jobs <-chan job) error {
	for j := range jobs {
		ctx = context.WithValue(ctx, jobKey{}, j.id) // ok: the loop body returns, so it runs once
		return run(ctx, j)
	}
	return nil
}

// A panic ends the iteration for good.
func panics(ctx context.Context, ids []int) {
	for _, id := range ids {
		ctx = context.WithValue(ctx, jobKey{}, id) // ok: followed by panic
		panic(use(ctx))
	}
}

// The branch that derives also ends the loop (buildkit's pull progress loop).
func finalStatus(ctx context.Context, ticks <-chan time.Time) {
	final := false
	for !final {
		select {
		case <-ctx.Done():
			final = true
			ctx = context.WithoutCancel(ctx) // ok: the loop condition ends the loop after this iteration
		case <-ticks:
		}
		_ = use(ctx)
	}
}

// A flag set from a call does not prove the loop ends.
func flagFromCall(ctx context.Context) {
	finished := false
	for !finished {
		ctx = context.WithValue(ctx, jobKey{}, 1) // want `CG304 ctx is re-derived`
		finished = done()
		_ = use(ctx)
	}
}
