package resourceincontext

import (
	"context"
	"sync"
)

// ServerOptions carries a Context as a bag of extra settings (go-micro's plugins).
type ServerOptions struct {
	Name    string
	Context context.Context
}

type waitKey struct{}

// WaitFor tells the server which wait group to wait on when it stops.
func WaitFor(wg *sync.WaitGroup) func(*ServerOptions) {
	return func(o *ServerOptions) {
		if o.Context == nil {
			o.Context = context.Background()
		}
		o.Context = context.WithValue(o.Context, waitKey{}, wg) // ok: a settings bag, read once as the server is built
	}
}

// request is no options struct: its Context travels with the work.
type request struct {
	Context context.Context
}

func (r *request) track(wg *sync.WaitGroup) {
	r.Context = context.WithValue(r.Context, waitKey{}, wg) // want `CG302 context.WithValue stores a \*sync.WaitGroup`
}
