package goroutineignorescancel

// Named worker functions. Each is started with `go` from launch.go (another
// file of the package), exactly once, unless noted.

import (
	"context"
	"time"
)

// Started by launch: sends in a loop.
func produce(ctx context.Context, out chan<- int) {
	for i := 0; ; i++ {
		out <- i // want `CG104 goroutine loop blocks on a channel send`
	}
}

// Started by launch: ranges over its input channel.
func consume(ctx context.Context, in <-chan int) {
	for v := range in { // want `CG104 goroutine loop blocks on a range over a channel`
		process(v)
	}
}

// Started by launch: several results (discarded by the go statement).
func drain(ctx context.Context, in <-chan int) (int, error) {
	n := 0
	for {
		v, ok := <-in // want `CG104 goroutine loop blocks on a channel receive`
		if !ok {
			return n, nil
		}
		if v < 0 {
			return n, errNeg
		}
		n++
	}
}

// Started by launch: polls with time.Sleep.
func poller(ctx context.Context, every time.Duration) {
	for {
		poll()
		time.Sleep(every) // want `CG104 goroutine loop blocks on time\.Sleep`
	}
}

// Started by launch: a select over two inputs and a timer, no ctx.Done().
func multiplex(ctx context.Context, a, b <-chan int) {
	for {
		select { // want `CG104 goroutine loop blocks on a select with no ctx\.Done\(\) case`
		case v := <-a:
			process(v)
		case v := <-b:
			process(-v)
		case <-time.After(time.Minute):
			poll()
		}
	}
}

// ok: started by launch, but has no context parameter.
func produceNoCtx(out chan<- int) {
	for i := 0; ; i++ {
		out <- i
	}
}

// ok: started by launch and observes ctx.Done().
func produceObserving(ctx context.Context, out chan<- int) {
	for i := 0; ; i++ {
		select {
		case out <- i:
		case <-ctx.Done():
			return
		}
	}
}

// ok: has a blocking loop but is only ever called synchronously.
func consumeSync(ctx context.Context, in <-chan int) {
	for v := range in {
		process(v)
	}
}
