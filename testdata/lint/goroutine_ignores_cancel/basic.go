package goroutineignorescancel

import (
	"context"
	"errors"
	"time"
)

// Channel send in a goroutine loop; ctx is a parameter of the enclosing function.
func sendLoop(ctx context.Context, out chan<- int) {
	go func() {
		for i := 0; ; i++ {
			out <- i // want `CG104 goroutine loop blocks on a channel send without observing ctx\.Done\(\) or ctx\.Err\(\)`
		}
	}()
	keep(ctx)
}

// Channel receive as a statement.
func receiveStmtLoop(ctx context.Context, tick <-chan time.Time) {
	go func() {
		for {
			<-tick // want `CG104 goroutine loop blocks on a channel receive without observing ctx\.Done\(\) or ctx\.Err\(\)`
			poll()
		}
	}()
	keep(ctx)
}

// Channel receive as an expression.
func receiveExprLoop(ctx context.Context, in <-chan int) {
	go func() {
		for {
			v := <-in // want `CG104 goroutine loop blocks on a channel receive`
			process(v)
		}
	}()
	keep(ctx)
}

// A select without a ctx.Done() case (reported on the select line).
func selectLoop(ctx context.Context, in <-chan int) {
	go func() {
		for {
			select { // want `CG104 goroutine loop blocks on a select with no ctx\.Done\(\) case: it cannot be cancelled`
			case v := <-in:
				process(v)
			case <-time.After(time.Second):
				poll()
			}
		}
	}()
	keep(ctx)
}

// Range over a channel (reported on the for line).
func rangeChanLoop(ctx context.Context, in <-chan int) {
	go func() {
		for v := range in { // want `CG104 goroutine loop blocks on a range over a channel without observing ctx\.Done\(\) or ctx\.Err\(\)`
			process(v)
		}
	}()
	keep(ctx)
}

// Range over a ticker's channel.
func rangeTickerLoop(ctx context.Context) {
	go func() {
		ticker := time.NewTicker(time.Second)
		defer ticker.Stop()
		for range ticker.C { // want `CG104 goroutine loop blocks on a range over a channel`
			poll()
		}
	}()
	keep(ctx)
}

// time.Sleep in the loop; the context is a local variable of the enclosing function.
func sleepLoop(parent context.Context) context.CancelFunc {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		for {
			poll()
			time.Sleep(time.Second) // want `CG104 goroutine loop blocks on time\.Sleep without observing ctx\.Done\(\) or ctx\.Err\(\)`
		}
	}()
	keep(ctx)
	return cancel
}

// The function literal has its own context parameter.
func literalParam(parent context.Context, out chan<- int) {
	go func(ctx context.Context) {
		for i := 0; i < 10; i++ {
			out <- i // want `CG104 goroutine loop blocks on a channel send`
		}
	}(parent)
}

// ok: the loop selects on ctx.Done().
func okSelectDone(ctx context.Context, in <-chan int) {
	go func() {
		for {
			select {
			case v := <-in:
				process(v)
			case <-ctx.Done():
				return
			}
		}
	}()
}

// ok: the loop checks ctx.Err().
func okErrCheck(ctx context.Context, out chan<- int) {
	go func() {
		for i := 0; ; i++ {
			if ctx.Err() != nil {
				return
			}
			out <- i
		}
	}()
}

// ok: the loop checks context.Cause(ctx).
func okCauseCheck(ctx context.Context) {
	go func() {
		for {
			if context.Cause(ctx) != nil {
				return
			}
			poll()
			time.Sleep(time.Second)
		}
	}()
}

// ok: done := ctx.Done() outside the loop, <-done inside it.
func okDoneVar(ctx context.Context, out chan<- int) {
	done := ctx.Done()
	go func() {
		for i := 0; ; i++ {
			select {
			case out <- i:
			case <-done:
				return
			}
		}
	}()
}

// ok: the loop has a select with a ctx.Done() case; the send in the other
// case's body does not make it ignore cancellation.
func okSelectDoneWithSendInBody(ctx context.Context, in <-chan int, out chan<- int) {
	go func() {
		for {
			select {
			case v := <-in:
				out <- v * 2
			case <-ctx.Done():
				return
			}
		}
	}()
}

// ok: no context in scope.
func okNoContext(in <-chan int) {
	go func() {
		for v := range in {
			process(v)
		}
	}()
}

// ok: the blocking operation is not in a loop.
func okNotInLoop(ctx context.Context, out chan<- int) {
	go func() {
		out <- compute()
	}()
	keep(ctx)
}

// ok: ranging over a slice does not block.
func okRangeSlice(ctx context.Context, items []int) {
	go func() {
		for _, v := range items {
			process(v)
		}
	}()
	keep(ctx)
}

// ok: a select with a default case does not block.
func okSelectDefault(ctx context.Context, out chan<- int) {
	go func() {
		for i := 0; i < 100; i++ {
			select {
			case out <- i:
			default:
			}
		}
	}()
	keep(ctx)
}

// ok: a blocking loop that is not in a goroutine.
func okNotGoroutine(ctx context.Context, in <-chan int) {
	for v := range in {
		process(v)
	}
	keep(ctx)
}

// ok: a non-blocking Done check (select with default) at the top of the loop.
func okDonePoll(ctx context.Context) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			default:
			}
			poll()
			time.Sleep(time.Second)
		}
	}()
}

// ok: ctx.Err() checked through errors.Is.
func okErrorsIs(ctx context.Context, in <-chan int) {
	go func() {
		for v := range in {
			if errors.Is(ctx.Err(), context.Canceled) {
				return
			}
			process(v)
		}
	}()
}
