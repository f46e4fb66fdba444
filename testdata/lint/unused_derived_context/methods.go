package unusedderivedcontext

import (
	"context"
	"time"
)

type server struct {
	base   context.Context
	ctx    context.Context
	cancel context.CancelFunc
	grace  time.Duration
}

// Shutdown derives a grace-period context and then ignores it.
func (s *server) Shutdown(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.grace) // want `CG103 derived context ctx is never used`
	defer cancel()
	return s.closeAll()
}

func (s *server) closeAll() error { return nil }

// Context discarded while cancel goes to a field.
func (s *server) discardToField() {
	_, s.cancel = context.WithCancel(s.base) // want `CG103 the context returned by context\.WithCancel is discarded`
	_ = use(s.base)                          // the work its cancel was meant to stop runs on the parent
}

// Value receiver; derived context never used.
func (s server) ping(ctx context.Context) error {
	ctx, cancel := context.WithDeadline(ctx, time.Now().Add(s.grace)) // want `CG103 derived context ctx is never used`
	defer cancel()
	return nil
}

// ok: derived context stored in a field (bound to a field, not a variable).
func (s *server) okStartFields() {
	s.ctx, s.cancel = context.WithCancel(s.base)
}

// ok: derived context read when it is assigned to a field.
func (s *server) okAssignToField() {
	ctx, cancel := context.WithCancel(s.base)
	s.ctx = ctx
	s.cancel = cancel
}

// ok: derived context passed to a method.
func (s *server) okPassToMethod(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.grace)
	defer cancel()
	return s.drain(ctx)
}

func (s *server) drain(ctx context.Context) error { return ctx.Err() }
