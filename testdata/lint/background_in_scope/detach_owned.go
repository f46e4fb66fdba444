package backgroundinscope

import (
	"context"
	"time"
)

// worker owns lifetimes of its own, ended by its Stop.
type worker struct {
	ctx    context.Context
	cancel context.CancelFunc
	stops  []context.CancelFunc
	byName map[string]context.CancelFunc
}

// job keeps the cancel function of its own scope.
type job struct{ cancel context.CancelFunc }

// Start gives the worker a lifetime of its own: the struct keeps the cancel function.
func (w *worker) Start(ctx context.Context) error {
	w.ctx, w.cancel = context.WithCancel(context.Background()) // ok: w keeps the cancel function
	return query(ctx, "register")
}

// A cancel function handed to a struct literal.
func (w *worker) spawn(ctx context.Context) *job {
	jctx, cancel := context.WithCancel(context.Background()) // ok: the job keeps the cancel function
	go func() { _ = query(jctx, "job") }()
	_ = query(ctx, "spawned")
	return &job{cancel: cancel}
}

// A cancel function appended to a field, or stored in a map field.
func (w *worker) add(ctx context.Context, name string) {
	actx, cancel := context.WithTimeout(context.Background(), time.Minute) // ok: appended to w.stops
	w.stops = append(w.stops, cancel)
	nctx, stop := context.WithCancel(context.Background()) // ok: kept in w.byName
	w.byName[name] = stop
	go func() { _ = query(actx, "a"); _ = query(nctx, "n") }()
	_ = query(ctx, "added")
}

// A cancel function kept only in local variables: the caller's context was the one to derive from.
func (w *worker) local(ctx context.Context) {
	lctx, cancel := context.WithCancel(context.Background()) // want `use ctx, or context\.WithoutCancel\(ctx\)`
	defer cancel()
	stops := map[string]context.CancelFunc{}
	mctx, stop := context.WithCancel(context.Background()) // want `use ctx, or context\.WithoutCancel\(ctx\)`
	stops["m"] = stop
	_ = query(lctx, "l")
	_ = query(mctx, "m")
	for _, s := range stops {
		s()
	}
}

// A plain root stored in a field is not a new scope: no cancel function to keep.
func (w *worker) Restart(ctx context.Context) {
	w.ctx = context.Background() // want `use ctx$`
	_ = query(ctx, "restart")
}

// A cancel function in a map or slice literal is not a struct's.
func (w *worker) literals(ctx context.Context) {
	actx, cancel := context.WithCancel(context.Background()) // want `use ctx, or context\.WithoutCancel\(ctx\)`
	bctx, stop := context.WithCancel(context.Background())   // want `use ctx, or context\.WithoutCancel\(ctx\)`
	byName := map[string]context.CancelFunc{"a": cancel}
	all := []context.CancelFunc{stop}
	_ = query(actx, "a")
	_ = query(bctx, "b")
	byName["a"]()
	all[0]()
}

// A slice of struct literals, keyed by field name.
func (w *worker) jobs(ctx context.Context) []job {
	jctx, cancel := context.WithCancel(context.Background()) // ok: a job keeps the cancel function
	go func() { _ = query(jctx, "job") }()
	_ = query(ctx, "jobs")
	return []job{{cancel: cancel}}
}
