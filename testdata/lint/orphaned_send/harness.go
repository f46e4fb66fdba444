package orphanedsend

// A test harness outside _test.go files: the updates helper's goroutine sends once, its error
// or else its message, and the select takes either; its timeout fails the test.

import (
	"errors"
	"time"

	"github.com/stretchr/testify/require"
)

type harness struct{ require.TestingT }

type updates struct{ msgs []string }

func (u *updates) Recv() (string, error) {
	if len(u.msgs) == 0 {
		return "", errors.New("closed")
	}
	return u.msgs[0], nil
}

// ok: either outcome is taken, and the timeout fails the test.
func (h *harness) receive(u *updates) string {
	msgs := make(chan string)
	errs := make(chan error)
	go func() {
		m, err := u.Recv()
		if err != nil {
			errs <- err // ok: the select takes either outcome; its timeout fails the test
			return
		}
		msgs <- m // ok: the same
	}()
	select {
	case <-time.After(time.Second):
		require.Fail(h, "timeout")
	case err := <-errs:
		require.NoError(h, err)
	case m := <-msgs:
		return m
	}
	return ""
}

// The same helper whose timeout only returns: the sender is stranded without a failed test.
func (h *harness) receiveQuietly(u *updates) string {
	msgs := make(chan string)
	errs := make(chan error)
	go func() {
		m, err := u.Recv()
		if err != nil {
			errs <- err // want `CG105 goroutine may block forever sending on errs`
			return
		}
		msgs <- m // want `CG105 goroutine may block forever sending on msgs`
	}()
	select {
	case <-time.After(time.Second):
		return ""
	case err := <-errs:
		require.NoError(h, err)
	case m := <-msgs:
		return m
	}
	return ""
}
