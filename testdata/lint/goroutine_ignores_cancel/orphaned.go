package goroutineignorescancel

// A send that CG105 (orphaned-send) also finds is reported once, here: the
// goroutine loop never watches its context, and the message says why the
// send blocks for ever (where the receiver gives up).

import (
	"context"
	"time"
)

// The receiver selects on ctx.Done(); the worker never does.
func quotes(ctx context.Context, symbols []string) []int {
	out := make(chan int)
	go func() {
		for _, s := range symbols {
			out <- len(s) // want `CG104 goroutine loop blocks on a channel send without observing ctx\.Done\(\) or ctx\.Err\(\): it cannot be cancelled, and the receiver at line 23 can stop receiving \(select on ctx\.Done\(\)\)`
		}
	}()
	var got []int
	for range symbols {
		select {
		case q := <-out:
			got = append(got, q)
		case <-ctx.Done():
			return got
		}
	}
	return got
}

// The receiver times out; the worker loops on without looking at ctx.
func firstTick(ctx context.Context) int {
	ticks := make(chan int)
	go func() {
		for i := 0; ; i++ {
			ticks <- i // want `CG104 goroutine loop blocks on a channel send without observing ctx\.Done\(\) or ctx\.Err\(\): it cannot be cancelled, and the receiver at line 41 can stop receiving \(select with a timer\)`
		}
	}()
	select {
	case i := <-ticks:
		return i
	case <-time.After(time.Second):
		return -1
	}
}

// ok: the worker's sends give way to ctx.Done(): neither rule reports them.
func okQuotesWatching(ctx context.Context, symbols []string) []int {
	out := make(chan int)
	go func() {
		for _, s := range symbols {
			select {
			case out <- len(s):
			case <-ctx.Done():
				return
			}
		}
	}()
	var got []int
	for range symbols {
		select {
		case q := <-out:
			got = append(got, q)
		case <-ctx.Done():
			return got
		}
	}
	return got
}

// ok: a single send before return is not a loop that blocks (CG105 judges it).
func okOneShot(ctx context.Context) int {
	res := make(chan int, 1)
	go func() {
		for {
			res <- compute()
			return
		}
	}()
	select {
	case v := <-res:
		return v
	case <-ctx.Done():
		return 0
	}
}

// A select that sends or takes more input, neither case watching ctx: one
// finding, on the select, with the reason its send case can block for ever.
func relay(ctx context.Context, in <-chan int) int {
	out := make(chan int)
	go func() {
		v := 0
		for {
			select { // want `CG104 goroutine loop blocks on a select with no ctx\.Done\(\) case: it cannot be cancelled, and the receiver at line 103 can stop receiving \(select on ctx\.Done\(\)\)`
			case out <- v:
			case v = <-in:
			}
		}
	}()
	select {
	case v := <-out:
		return v
	case <-ctx.Done():
		return 0
	}
}
