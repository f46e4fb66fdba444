package goroutineignorescancel

// Shapes found in real code (etcd, prometheus, moby) that must stay clean,
// next to the ones that must not.

import (
	"context"
	"errors"
	"sync"
	"time"
)

type limiter struct{}

func (limiter) Wait(ctx context.Context) error { return ctx.Err() }

func step() error { return nil }

// ok: the send runs once, right before return; the buffer holds it.
func okOneShotSend(ctx context.Context, items []int) chan error {
	errc := make(chan error, 1)
	go func() {
		for range items {
			if err := step(); err != nil {
				errc <- err
				return
			}
		}
	}()
	return errc
}

// ok: a one-shot timer in a bounded loop ends the loop.
func okTimerInBoundedLoop(ctx context.Context, notifiers []chan struct{}) {
	go func() {
		t := time.NewTimer(time.Second)
		defer t.Stop()
		for _, n := range notifiers {
			select {
			case <-n:
			case <-t.C:
			}
		}
	}()
}

// ok: the spawner closes the channel the goroutine ranges over.
func okRangeClosedBySpawner(ctx context.Context, n int) {
	pch := make(chan int, 10)
	defer close(pch)
	go func() {
		for p := range pch {
			process(p)
		}
	}()
	for i := 0; i < n; i++ {
		pch <- i
	}
}

// ok: a bounded producer; the worker pool ranges over the channel to its end.
func okWorkerPoolDrains(ctx context.Context, limit int) {
	requests := make(chan int)
	for w := 0; w < 4; w++ {
		go func() {
			for r := range requests {
				process(r)
			}
		}()
	}
	go func() {
		for i := 0; i < limit; i++ {
			requests <- i
		}
		close(requests)
	}()
}

// ok: the loop waits through a call given the context, and leaves on its error.
func okWaitsWithContext(ctx context.Context, out chan<- int) {
	var lim limiter
	go func() {
		for {
			if err := lim.Wait(ctx); err != nil {
				return
			}
			out <- compute()
		}
	}()
}

// ok: the only context is context.Background(): nobody can cancel it.
func okBackgroundOnly(out chan<- int) {
	ctx := context.Background()
	go func() {
		for {
			out <- compute()
		}
	}()
	keep(ctx)
}

// A ticker loop with no way out: the goroutine lives for ever.
func tickerForever(ctx context.Context) {
	go func() {
		t := time.NewTicker(time.Second)
		for {
			select { // want `CG104 goroutine loop blocks on a select with no ctx\.Done\(\) case`
			case <-t.C:
				poll()
			}
		}
	}()
}

// The consumer may stop on an error: the producer's next send blocks for ever.
func consumerGivesUp(ctx context.Context, items []int) error {
	out := make(chan int)
	go func() {
		for _, it := range items {
			out <- it // want `CG104 goroutine loop blocks on a channel send`
		}
		close(out)
	}()
	for v := range out {
		if v < 0 {
			return errNeg
		}
	}
	return nil
}

// ok: the goroutine closes the channel itself (through a helper) before it drains it.
func drainAfterClose(ctx context.Context, results chan int, wg *sync.WaitGroup) {
	go func() {
		wg.Wait()
		safeClose(results)
		for range results {
		}
	}()
	keep(ctx)
}

func safeClose(ch chan int) { close(ch) }

// ok: the channel is handed to the producer that fills it (and, by convention, closes it).
func collectUpdates(ctx context.Context) []int {
	var got []int
	updates := make(chan int, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for u := range updates {
			got = append(got, u)
		}
	}()
	scan(ctx, updates)
	<-done
	return got
}

func scan(ctx context.Context, out chan<- int) {
	defer close(out)
	out <- len(ctx.Value("k").(string))
}

// A local channel nobody closes or feeds from outside: the consumer waits forever.
func neverClosed(ctx context.Context) chan<- int {
	in := make(chan int)
	go func() {
		for v := range in { // want `CG104 goroutine loop blocks on a range over a channel`
			process(v)
		}
	}()
	keep(ctx)
	return nil
}

// ok: a retry loop that sleeps and gives up when a call given the context fails.
func retrySubscribe(ctx context.Context, subscribe func(context.Context) error) {
	go func() {
		for {
			if err := subscribe(ctx); err != nil {
				if errors.Is(err, context.Canceled) {
					return
				}
				time.Sleep(time.Second)
				continue
			}
		}
	}()
}

// ok: a receive from a channel a call returns: the callee feeds and closes it.
func watchClose(ctx context.Context, notify func() <-chan error) {
	go func() {
		for {
			if err := <-notify(); err == nil {
				return // closed: the connection is gone for good
			}
			keep(ctx)
		}
	}()
}

// One finding per loop: the range and the send in it are one problem, fixed by watching ctx.
func relayAll(ctx context.Context, in <-chan int) <-chan int {
	out := make(chan int)
	go func() {
		for v := range in { // want `CG104 goroutine loop blocks on a range over a channel`
			out <- v
		}
	}()
	keep(ctx)
	return out
}
