package goroutineignorescancel

// This file uses a dot import of "context": the parameter type is Context.

import (
	. "context"
)

// Dot import: a Context parameter is in scope.
func dotWorker(ctx Context, out chan<- int) {
	go func() {
		for i := 0; ; i++ {
			out <- i // want `CG104 goroutine loop blocks on a channel send`
		}
	}()
	keep(ctx)
}

// ok: dot import, the loop selects on ctx.Done().
func okDotWorker(ctx Context, out chan<- int) {
	go func() {
		for i := 0; ; i++ {
			select {
			case out <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
}
