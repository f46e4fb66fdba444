// Package probes starts work's functions as goroutines and may stop listening to them.
package probes

import (
	"context"
	"time"

	"fixture/work"
)

func TimedOut(ctx context.Context, host string) error {
	errc := make(chan error)
	go work.Probe(host, errc) // want `CG105 goroutine may block forever sending on errc: .*select on ctx.Done\(\).*\(the send is in work.Probe at work.go:12\)`
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func Buffered(ctx context.Context, host string) error {
	errc := make(chan error, 1)
	go work.Probe(host, errc) // ok: one send, one slot
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func FirstOnly(ctx context.Context) int {
	vals := make(chan int, 1)
	go work.Stream(vals) // want `CG105 goroutine may block forever sending on vals: the receiver at line 36 can stop receiving \(receives 1 of many sends\) \(the send is in work.Stream at work.go:18\)`
	return <-vals
}

func Waits(host string) error {
	errc := make(chan error)
	go work.Probe(host, errc) // ok: always received
	return <-errc
}

func Outcomes(ctx context.Context) {
	errs := make(chan error)
	vals := make(chan int)
	go work.Either(true, errs, vals) // ok: the select takes either outcome, and waits for it
	select {
	case <-errs:
	case <-vals:
	}
}

func Gives(ctx context.Context) {
	out := make(chan int)
	stop := make(chan struct{})
	go work.Polite(out, stop) // ok: the send gives way
	select {
	case <-out:
	case <-time.After(time.Second):
		close(stop)
	}
}

func Method(ctx context.Context, w *work.Worker) error {
	errc := make(chan error)
	go w.Run(errc) // want `CG105 goroutine may block forever sending on errc: .*\(the send is in work.Worker.Run at work.go:43\)`
	select {
	case err := <-errc:
		return err
	case <-time.After(time.Second):
		return context.DeadlineExceeded
	}
}
