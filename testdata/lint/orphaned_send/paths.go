package orphanedsend

// Sends are counted along the paths through the goroutine, not in its text:
// several `errc <- err; return` branches send at most once; a send that does
// not leave the goroutine, in a loop, can run again and overflow the buffer.

import (
	"context"
	"errors"
	"strings"
	"time"
)

func parseLine(s string) (int, error) { return len(s), nil }

// ok: every error branch sends and returns: one send per run, one slot.
func okOneErrorPerPath(ctx context.Context, lines []string) error {
	errc := make(chan error, 1)
	parsed := make(chan int, len(lines))
	go func() {
		defer close(parsed)
		for _, l := range lines {
			switch {
			case l == "":
				errc <- errors.New("empty line")
				return
			case strings.HasPrefix(l, "#"):
				continue
			default:
				n, err := parseLine(l)
				if err != nil {
					errc <- err
					return
				}
				parsed <- n
			}
		}
		errc <- nil
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// The one branch that reports and carries on: a second bad line blocks the
// sender for ever once the slot is taken; the error branch that returns is
// not the problem.
func skipBadLines(lines []string, d time.Duration) (int, error) {
	errc := make(chan error, 1)
	total := make(chan int, 1)
	go func() {
		sum := 0
		for _, l := range lines {
			n, err := parseLine(l)
			if err != nil {
				errc <- err
				return
			}
			if n > 80 {
				errc <- errors.New("line too long") // want `CG105 goroutine may block forever sending on errc: it sends in a loop and may send a second time into a channel with room for 1, and the receiver at line 71 can stop receiving \(select with a timer\)`
				continue
			}
			sum += n
		}
		total <- sum
	}()
	select {
	case err := <-errc:
		return 0, err
	case n := <-total:
		return n, nil
	case <-time.After(d):
		return 0, errTimeout
	}
}

// Two sends one after the other on the same path, one slot: the second blocks.
func warnThenFail(d time.Duration) error {
	errc := make(chan error, 1)
	go func() {
		errc <- errors.New("slow start")
		errc <- step() // want `CG105 goroutine may block forever sending on errc: this can be its second send along one path, into a channel with room for 1, and the receiver at line 88 can stop receiving \(select with a timer\)`
	}()
	select {
	case err := <-errc:
		return err
	case <-time.After(d):
		return errTimeout
	}
}

// ok: two sends one after the other, two slots.
func okWarnThenFailTwoSlots(d time.Duration) error {
	errc := make(chan error, 2)
	go func() {
		errc <- errors.New("slow start")
		errc <- step()
	}()
	select {
	case err := <-errc:
		return err
	case <-time.After(d):
		return errTimeout
	}
}

// ok: two sends into one slot, but the caller takes the first before it can
// give up: the second always finds room.
func okFirstTakenBeforeTimeout(d time.Duration) error {
	errc := make(chan error, 1)
	go func() {
		errc <- nil
		errc <- step()
	}()
	<-errc
	select {
	case err := <-errc:
		return err
	case <-time.After(d):
		return nil
	}
}

// A counted loop sends three times into two slots.
func threeRetries(d time.Duration) error {
	errc := make(chan error, 2)
	go func() {
		for i := 0; i < 3; i++ {
			errc <- step() // want `CG105 goroutine may block forever sending on errc: it sends in a loop and may send more than 2 times into a channel with room for 2`
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-time.After(d):
		return errTimeout
	}
}

// ok: a counted loop of three sends, three slots.
func okThreeRetriesThreeSlots(d time.Duration) error {
	errc := make(chan error, 3)
	go func() {
		for i := 0; i < 3; i++ {
			errc <- step()
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-time.After(d):
		return errTimeout
	}
}

// Unbuffered: either send can be left: one goroutine, one problem, one finding.
func streamUntilError(lines []string, quit <-chan struct{}) error {
	out := make(chan int)
	go func() {
		for _, l := range lines {
			n, err := parseLine(l)
			if err != nil {
				out <- -1 // ok: counted in the finding below
				return
			}
			out <- n // want `CG105 goroutine may block forever sending on out: the receiver at line 174 can stop receiving \(select on quit\) \(1 more send on out can block the same way\)`
		}
	}()
	for range lines {
		select {
		case n := <-out:
			if n < 0 {
				return errNeg
			}
		case <-quit:
			return errTimeout
		}
	}
	return nil
}

// ok: the error path and the normal path each send once, one slot.
func okErrorOrResult(d time.Duration) error {
	done := make(chan error, 1)
	go func() {
		if err := step(); err != nil {
			done <- err
			return
		}
		if err := step(); err != nil {
			done <- err
			return
		}
		done <- nil
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		return errTimeout
	}
}

// A missing return: the only receive takes the error, the nil sent after it
// on the same path has nobody to take it.
func checkOnce() error {
	res := make(chan error)
	go func() {
		if err := step(); err != nil {
			res <- err // ok: the receive takes it
		}
		res <- nil // want `CG105 goroutine may block forever sending on res: the receiver at line 217 can stop receiving \(receives 1 of 2 sends\)`
	}()
	return <-res
}

// A flag lets the loop send once: room for one takes it.
func firstForward(reqs <-chan int, d time.Duration) int {
	addr := make(chan int, 1)
	go func() {
		got := false
		for r := range reqs {
			if r > 0 && !got {
				got = true
				addr <- r // ok: once, by the flag, into room for one
			}
		}
	}()
	select {
	case a := <-addr:
		return a
	case <-time.After(d):
		return 0
	}
}

// The flag is reset: the loop can send again and the second send blocks.
func everyForward(reqs <-chan int, d time.Duration) int {
	addr := make(chan int, 1)
	go func() {
		got := false
		for r := range reqs {
			if r > 0 && !got {
				got = true
				addr <- r // want `CG105 goroutine may block forever sending on addr: it sends in a loop`
			}
			if r < 0 {
				got = false
			}
		}
	}()
	select {
	case a := <-addr:
		return a
	case <-time.After(d):
		return 0
	}
}

// A deferred recover sends only if the goroutine panics, instead of its own send: room for
// one takes either.
func callRecovering(work func() error, d time.Duration) error {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- errNeg // ok: only on a panic, instead of the send below
			}
		}()
		done <- work() // ok: room for one
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		return errTimeout
	}
}

// The same, with what was recovered kept in a variable first.
func callRecoveringHeld(work func() error, d time.Duration) error {
	done := make(chan error, 1)
	go func() {
		defer func() {
			r := recover()
			if r != nil {
				done <- errNeg // ok: only on a panic, instead of the send below
			}
		}()
		done <- work() // ok: room for one
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		return errTimeout
	}
}

// A deferred send that is not under the recovered value's check runs on every path: a second send.
func callAlwaysDeferred(work func() error, d time.Duration, failed *bool) error {
	done := make(chan error, 1)
	go func() {
		defer func() {
			r := recover()
			_ = r
			if *failed {
				done <- errNeg
			}
		}()
		done <- work() // want `CG105 goroutine may block forever sending on done: this can be its second send`
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		return errTimeout
	}
}

// Unbuffered, the same goroutine is stranded when the caller times out.
func callRecoveringNoRoom(work func() error, d time.Duration) error {
	done := make(chan error)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- errNeg
			}
		}()
		done <- work() // want `CG105 goroutine may block forever sending on done: the receiver at line \d+ can stop receiving \(select with a timer\)`
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		return errTimeout
	}
}

// A labeled break leaves the waiting loop, not the function: the loop at the end drains
// every send still pending.
func readAll(parts []int, slots chan int) error {
	errs := make(chan error, 4)
	waits := 0
	var err error
PARTS:
	for _, p := range parts {
	WAIT:
		for {
			select {
			case slots <- 1:
				break WAIT
			case e := <-errs:
				waits--
				if e != nil {
					err = e
					break PARTS
				}
			}
		}
		go func(p int) {
			errs <- readPart(p) // ok: drained below
			<-slots
		}(p)
		waits++
	}
	for waits > 0 {
		if e := <-errs; e != nil {
			err = e
		}
		waits--
	}
	return err
}

// Without the drain, the parts still reading when one fails are stranded.
func readAllNoDrain(parts []int, slots chan int) error {
	errs := make(chan error)
PARTS:
	for _, p := range parts {
	WAIT:
		for {
			select {
			case slots <- 1:
				break WAIT
			case e := <-errs:
				if e != nil {
					break PARTS
				}
			}
		}
		go func(p int) {
			errs <- readPart(p) // want `CG105 goroutine may block forever sending on errs`
			<-slots
		}(p)
	}
	return nil
}

func readPart(p int) error {
	if p < 0 {
		return errNeg
	}
	return nil
}

// A supervisor that restarts its workers and, when told to stop, counts them down before it
// returns: every send is taken.
func supervise(stop <-chan struct{}, n int) {
	errs := make(chan error)
	for i := 0; i < n; i++ {
		go func(i int) {
			errs <- readPart(i) // ok: counted down on the way out
		}(i)
	}
	active := n
	for {
		select {
		case <-stop:
			for active > 0 {
				<-errs
				active--
			}
			return
		case err := <-errs:
			active--
			if err != nil {
				go func() {
					errs <- readPart(0) // ok: counted down on the way out
				}()
				active++
			}
		}
	}
}

// The same without the count-down: the workers still running are stranded.
func superviseNoDrain(stop <-chan struct{}, n int) {
	errs := make(chan error)
	for i := 0; i < n; i++ {
		go func(i int) {
			errs <- readPart(i) // want `CG105 goroutine may block forever sending on errs`
		}(i)
	}
	for {
		select {
		case <-stop:
			return
		case err := <-errs:
			if err != nil {
				go func() {
					errs <- readPart(0)
				}()
			}
		}
	}
}
