package contextgrowthinloop

import "context"

type worker struct {
	ctx  context.Context
	jobs chan job
}

// A field of the receiver grows with every job.
func (w *worker) loop() {
	for j := range w.jobs {
		w.ctx = context.WithValue(w.ctx, jobKey{}, j.id) // want `CG304 w.ctx is re-derived.*derive a per-iteration local from w.ctx`
		j.done <- run(w.ctx, j)
	}
}

// A value receiver: the field still outlives the iterations of this call.
func (w worker) valueLoop(ids []int) {
	for _, id := range ids {
		w.ctx = context.WithValue(w.ctx, jobKey{}, id) // want `CG304 w.ctx is re-derived.*derive a per-iteration local from w.ctx`
		_ = use(w.ctx)
	}
}

// A local struct declared before the loop.
func localStruct(ctx context.Context, ids []int) {
	s := struct{ ctx context.Context }{ctx}
	for _, id := range ids {
		s.ctx = context.WithValue(s.ctx, jobKey{}, id) // want `CG304 s.ctx is re-derived`
		_ = use(s.ctx)
	}
}

// A struct copied per iteration.
func copiedStruct(ctx context.Context, ids []int) {
	for _, id := range ids {
		c := struct{ ctx context.Context }{ctx}
		c.ctx = context.WithValue(c.ctx, jobKey{}, id) // ok: a per-iteration copy
		_ = use(c.ctx)
	}
}

// A field assigned from another field.
func (w *worker) otherField(base context.Context, ids []int) {
	for _, id := range ids {
		w.ctx = context.WithValue(base, jobKey{}, id) // ok: derived from another context
		_ = use(w.ctx)
	}
}

var globalCtx = context.Background()

// A package variable grows across the loop (and across calls).
func globalLoop(ids []int) {
	for _, id := range ids {
		globalCtx = context.WithValue(globalCtx, jobKey{}, id) // want `CG304 globalCtx is re-derived`
		_ = use(globalCtx)
	}
}

var globalCancel context.CancelFunc

// A package-level literal outside any loop.
var _ = func() bool {
	globalCtx = context.TODO()
	globalCtx, globalCancel = context.WithCancel(globalCtx) // ok: not in a loop
	return globalCancel != nil
}()

// A local shadowing the package variable.
func shadowGlobal(ids []int) {
	for _, id := range ids {
		globalCtx := context.WithValue(globalCtx, jobKey{}, id) // ok: a local per iteration
		_ = use(globalCtx)
	}
}
