package lostcancel

import (
	"context"
	"time"
)

type service struct {
	base   context.Context
	ctx    context.Context
	cancel context.CancelFunc
	grace  time.Duration
}

// Lost cancel in a pointer-receiver method.
func (s *service) leakMethod(ok bool) error {
	ctx, cancel := context.WithTimeout(s.base, s.grace) // want `CG101 the cancel function is not used on all paths`
	if !ok {
		return errFail // want `CG101 this return statement may be reached without using the cancel var defined on line 17`
	}
	defer cancel()
	return use(ctx)
}

// Lost cancel in a value-receiver method with two results.
func (s service) leakValueMethod(n int) (int, error) {
	ctx, done := context.WithCancel(s.base) // want `CG101 the done function is not used on all paths`
	if n < 0 {
		done()
		return 0, errFail
	}
	if err := use(ctx); err != nil {
		return 0, err // want `CG101 this return statement may be reached without using the done var defined on line 27`
	}
	done()
	return n, nil
}

// Discarded cancel in a method.
func (s *service) discardInMethod() error {
	ctx, _ := context.WithDeadline(s.base, time.Now().Add(s.grace)) // want `CG101 the cancel function returned by context\.WithDeadline should be called, not discarded`
	return use(ctx)
}

// ok: method stores ctx and cancel in the receiver (handed off).
func (s *service) okStart() {
	ctx, cancel := context.WithCancel(s.base)
	s.ctx = ctx
	s.cancel = cancel
}

// ok: cancel bound directly to a field, not to a local variable.
func (s *service) okDirectField() {
	s.ctx, s.cancel = context.WithCancel(s.base)
}

// ok: cancel passed to another method (handed off).
func (s *service) okPassToMethod() context.Context {
	ctx, cancel := context.WithTimeout(s.base, s.grace)
	s.adopt(cancel)
	return ctx
}

func (s *service) adopt(c context.CancelFunc) { s.cancel = c }

// ok: value-receiver method that defers cancel.
func (s service) okValueMethodDefer() error {
	ctx, cancel := context.WithCancel(s.base)
	defer cancel()
	return use(ctx)
}
