package orphanedsend

// Shapes found in real code (etcd, prometheus, moby) that must stay clean,
// and the real bug among them that must not.

import (
	"context"
	"errors"
	"time"
)

func step() error { return nil }

// ok: the sender guards its own send with ctx.Done().
func okGuardedSend(ctx context.Context) error {
	ch := make(chan error)
	go func() {
		select {
		case ch <- step():
		case <-ctx.Done():
		}
	}()
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ok: the only send in the loop is followed by return: one send, one slot.
func okSendThenReturn(ctx context.Context, items []int) error {
	errc := make(chan error, 1)
	go func() {
		defer close(errc)
		for range items {
			if err := step(); err != nil {
				errc <- err
				return
			}
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ok: the send sits in an if; the loop body returns right after it.
func okSendInIfThenReturn(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() {
		for {
			if err := step(); err != nil {
				errc <- err
			}
			return
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-time.After(time.Second):
		return errTimeout
	}
}

// ok: one buffered channel re-used in two phases: a receive ends the first.
func okPhases() error {
	done := make(chan error, 1)
	go func() { done <- step() }()
	select {
	case err := <-done:
		if err != nil {
			return err
		}
	case <-time.After(time.Second):
		return errTimeout
	}
	go func() { done <- step() }()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Second):
		return errTimeout
	}
}

// ok: the timer case only logs; the receive after the select always runs.
func okTimerFallsThrough() error {
	ch := make(chan error)
	go func() { ch <- step() }()
	select {
	case err := <-ch:
		return err
	case <-time.After(time.Second):
		println("slow")
	}
	return <-ch
}

// ok: a channel made per iteration, and drained on the way out.
func okPerIteration(stop chan struct{}) {
	for {
		res := make(chan error, 1)
		go func() { res <- step() }()
		select {
		case <-stop:
			<-res
			return
		case <-res:
		}
	}
}

// ok: the receive loop breaks early, then drains the channel.
func okBreakThenDrain(n int) error {
	ch := make(chan int, 1)
	go func() {
		defer close(ch)
		for i := 0; i < n; i++ {
			ch <- i
		}
	}()
	var err error
	for v := range ch {
		if v > 10 {
			err = errors.New("too big")
			break
		}
	}
	if err != nil {
		for range ch {
		}
		return err
	}
	return nil
}

// ok: two senders over a two-element literal, two slots.
func okRangeOverLiteral() error {
	errC := make(chan error, 2)
	for _, x := range []int{1, 2} {
		go func() {
			if x > 5 {
				errC <- errors.New("x")
			}
		}()
	}
	select {
	case err := <-errC:
		return err
	case <-time.After(time.Second):
		return nil
	}
}

// ok: four senders ranged over a variable holding a four-element literal, each
// sending at most once of two alternatives, into eight slots.
func okRangeOverLiteralVar() error {
	campaigns := []string{"a", "b", "c", "d"}
	errC := make(chan error, 8)
	for range campaigns {
		go func() {
			if err := step(); err != nil {
				errC <- err
				return
			}
			if err := step(); err != nil {
				errC <- err
			}
		}()
	}
	select {
	case err := <-errC:
		return err
	case <-time.After(time.Second):
		return nil
	}
}

// ok: the senders are in the two branches of one if: only one branch runs.
func okExclusiveBranches(cluster bool) error {
	errc := make(chan error, 1)
	if cluster {
		go func() { errc <- step() }()
	} else {
		go func() { errc <- step() }()
	}
	select {
	case err := <-errc:
		return err
	case <-time.After(time.Second):
		return errTimeout
	}
}

// ok: the senders are in two cases of one switch: only one case runs.
func okExclusiveCases(kind int) error {
	errc := make(chan error, 1)
	switch kind {
	case 1:
		go func() { errc <- step() }()
	case 2:
		go func() { errc <- step() }()
	}
	select {
	case err := <-errc:
		return err
	case <-time.After(time.Second):
		return errTimeout
	}
}

// A case that falls through starts both senders: two sends, room for one.
func fallingCases(kind int) error {
	errc := make(chan error, 1)
	switch kind {
	case 1:
		go func() { errc <- step() }() // want `CG105 goroutine may block forever sending on errc`
		fallthrough
	case 2:
		go func() { errc <- step() }()
	}
	select {
	case err := <-errc:
		return err
	case <-time.After(time.Second):
		return errTimeout
	}
}

// ok: a non-blocking send.
func okNonBlockingSend() {
	exit := make(chan struct{})
	go func() {
		for {
			select {
			case exit <- struct{}{}:
				return
			default:
			}
		}
	}()
	<-exit
}

// The WAL-decoder bug: the default case sends without returning, so a second
// unknown record blocks on the one-slot channel; the reader only polls it.
func unknownRecords(records []int) error {
	errCh := make(chan error, 1)
	decoded := make(chan int)
	go func() {
		defer close(decoded)
		for _, r := range records {
			switch r {
			case 0:
				decoded <- r
			default:
				errCh <- errors.New("unknown record") // want `CG105 goroutine may block forever sending on errCh: it sends in a loop and may send a second time into a channel with room for 1, and the receiver at line 269 can stop receiving \(select with default\)`
			}
		}
	}()
	for range decoded {
	}
	select {
	case err := <-errCh:
		return err
	default:
		return nil
	}
}
