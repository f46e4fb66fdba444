package orphanedsend

import (
	"context"
	"errors"
	"time"
)

func attempt(ctx context.Context) error { return ctx.Err() }

// resubscribe starts one attempt per iteration and takes its result on every way out: when
// stopped, it waits for the attempt in flight before returning.
func resubscribe(stop <-chan struct{}) error {
	done := make(chan error)
	for {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			done <- attempt(ctx) // ok: every iteration receives its own attempt's result
		}()
		select {
		case err := <-done:
			cancel()
			if err == nil {
				return nil
			}
			time.Sleep(time.Millisecond)
		case <-stop:
			cancel()
			<-done
			return errors.New("stopped")
		}
	}
}

// retryUntil gives up on an attempt after a timeout and starts another: each timed-out attempt
// is left sending, and the last successful receive returns with them pending.
func retryUntil() error {
	done := make(chan error)
	for {
		go func() {
			done <- attempt(context.Background()) // want `CG105 goroutine may block forever sending on done`
		}()
		select {
		case err := <-done:
			return err
		case <-time.After(time.Second):
		}
	}
}
