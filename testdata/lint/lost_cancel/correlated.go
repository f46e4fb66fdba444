package lostcancel

import (
	"context"
	"errors"
)

// fanIn cancels the others on the first error, or at the end when there was none: err is set
// only next to cancel(), so `if err == nil { cancel() }` covers every way out.
func fanIn(parent context.Context, results []error) error {
	_, cancel := context.WithCancel(parent) // ok: the guard and the error go together
	var err error
	for _, e := range results {
		if e != nil {
			if err == nil {
				err = errors.Join(e)
				cancel()
			}
		}
	}
	if err == nil {
		cancel()
	}
	return err
}

// fanInChecked is the same with err declared before the context and checked at once.
func fanInChecked(parent context.Context, first func() error, results []error) error {
	err := first()
	if err != nil {
		return err
	}
	_, cancel := context.WithCancel(parent) // ok: err is nil here, and set only next to cancel()
	for _, e := range results {
		if e != nil && err == nil {
			err = e
			cancel()
		}
	}
	if err == nil {
		cancel()
	}
	return err
}

// fanInLeaky sets err once without cancelling: that path returns with the context alive.
func fanInLeaky(parent context.Context, results []error) error {
	_, cancel := context.WithCancel(parent) // want `CG101 the cancel function is not used on all paths`
	var err error
	for i, e := range results {
		if e != nil && err == nil {
			err = e
			cancel()
		}
		if i > 10 {
			err = errors.New("too many")
		}
	}
	if err == nil {
		cancel()
	}
	return err // want `CG101 this return statement may be reached without using the cancel var`
}

// fanInStale may start with err set: the guard then skips cancel() though it never ran.
func fanInStale(parent context.Context, err error, results []error) error {
	_, cancel := context.WithCancel(parent) // want `CG101 the cancel function is not used on all paths`
	for _, e := range results {
		if e != nil && err == nil {
			err = e
			cancel()
		}
	}
	if err == nil {
		cancel()
	}
	return err // want `CG101 this return statement may be reached without using the cancel var`
}

// firstOf records the first error from either source, cancelling with it each time.
func firstOf(parent context.Context, a, b <-chan error, n int) error {
	_, cancel := context.WithCancel(parent) // ok: both assignments sit next to cancel()
	var first error
	for i := 0; i < n; i++ {
		select {
		case e := <-a:
			if e != nil && first == nil {
				first = e
				cancel()
			}
		case e := <-b:
			if e != nil && first == nil {
				first = e
				cancel()
			}
		}
	}
	if first == nil {
		cancel()
	}
	return first
}

// drain cancels plainly on the way out: no guard is needed.
func drain(parent context.Context, results []error) (n int) {
	_, cancel := context.WithCancel(parent) // ok: deferred
	defer cancel()
	for _, e := range results {
		if e == nil {
			n++
		}
	}
	return n
}
