package goroutineignorescancel

import (
	"context"
	"time"
)

type job struct{ id int }

type worker struct {
	jobs    chan job
	results chan int
	every   time.Duration
}

// Method started with `go w.heartbeat(ctx)` from startHeartbeat.
func (w *worker) heartbeat(ctx context.Context) {
	for {
		time.Sleep(w.every) // want `CG104 goroutine loop blocks on time\.Sleep`
		poll()
	}
}

func (w *worker) startHeartbeat(ctx context.Context) {
	go w.heartbeat(ctx)
}

// A method whose function-literal goroutine receives from a field channel.
func (w *worker) startJobs(ctx context.Context) {
	go func() {
		for {
			j := <-w.jobs // want `CG104 goroutine loop blocks on a channel receive`
			process(j.id)
		}
	}()
}

// A method whose goroutine sends to a field channel.
func (w *worker) startResults(ctx context.Context) {
	go func() {
		for i := 0; ; i++ {
			w.results <- i // want `CG104 goroutine loop blocks on a channel send`
		}
	}()
}

// ok: method goroutine that selects on ctx.Done().
func (w *worker) okStartJobs(ctx context.Context) {
	go func() {
		for {
			select {
			case j := <-w.jobs:
				process(j.id)
			case <-ctx.Done():
				return
			}
		}
	}()
}

// ok: method started as a goroutine that checks ctx.Err().
func (w *worker) okTick(ctx context.Context) {
	for {
		if ctx.Err() != nil {
			return
		}
		time.Sleep(w.every)
	}
}

func (w *worker) startOkTick(ctx context.Context) {
	go w.okTick(ctx)
}
