package orphanedsend

import (
	"errors"
	"time"
)

type flusher struct{}

func (f *flusher) flush() error { return nil }

// Stop gives up on a slow flush at shutdown: the goroutine left behind is left once, as the
// component goes away.
func (f *flusher) Stop() error {
	errC := make(chan error)
	go func() {
		errC <- f.flush() // ok: a teardown's timeout
	}()
	select {
	case err := <-errC:
		return err
	case <-time.After(5 * time.Second):
		return errors.New("flush timed out")
	}
}

// Sync does the same on every call: each timed-out call leaves one behind.
func (f *flusher) Sync() error {
	errC := make(chan error)
	go func() {
		errC <- f.flush() // want `CG105 goroutine may block forever sending on errC`
	}()
	select {
	case err := <-errC:
		return err
	case <-time.After(5 * time.Second):
		return errors.New("flush timed out")
	}
}
