// Package work holds functions that callers in other packages start as goroutines.
package work

import (
	"context"
	"time"
)

// Probe sends one result on the channel it is given.
func Probe(host string, out chan<- error) {
	time.Sleep(time.Millisecond)
	out <- nil // want `CG105 goroutine may block forever sending on errc: .*select on ctx.Done\(\)`
}

// Stream sends values until it is told to stop, without a way out of a blocked send.
func Stream(out chan int) {
	for i := 0; ; i++ {
		out <- i
	}
}

// Either sends once, on one channel or the other.
func Either(ok bool, errs chan<- error, vals chan<- int) {
	if !ok {
		errs <- nil
		return
	}
	vals <- 1
}

// Polite gives way when nobody listens.
func Polite(out chan<- int, stop <-chan struct{}) {
	select {
	case out <- 1:
	case <-stop:
	}
}

// Worker runs jobs; its method is started as a goroutine elsewhere.
type Worker struct{}

// Run sends its result.
func (w *Worker) Run(out chan<- error) { out <- nil }

// Local starts Probe itself and may stop listening.
func Local(ctx context.Context) error {
	errc := make(chan error)
	go Probe("h", errc)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
