package goroutineignorescancel

import (
	"context"
	"fmt"
	"log"
	"sync"
	"time"
)

// Labeled break leaves the loop only on a negative value.
func labeledBreak(ctx context.Context, in <-chan int) {
	go func() {
	loop:
		for {
			v := <-in // want `CG104 goroutine loop blocks on a channel receive`
			if v < 0 {
				break loop
			}
			process(v)
		}
	}()
	keep(ctx)
}

// Labeled continue skips negative values; the send still blocks.
func labeledContinue(ctx context.Context, out chan<- int) {
	go func() {
	loop:
		for i := 0; ; i++ {
			if i%2 == 0 {
				continue loop
			}
			out <- i // want `CG104 goroutine loop blocks on a channel send`
		}
	}()
	keep(ctx)
}

// goto leaves the loop.
func gotoExit(ctx context.Context, in <-chan int) {
	go func() {
		for {
			v, ok := <-in // want `CG104 goroutine loop blocks on a channel receive`
			if !ok {
				goto done
			}
			process(v)
		}
	done:
		poll()
	}()
	keep(ctx)
}

// time.Sleep inside a switch case reached by fallthrough.
func fallthroughSleep(ctx context.Context, modes []int) {
	go func() {
		for i := 0; ; i++ {
			switch modes[i%len(modes)] {
			case 0:
				fallthrough
			case 1:
				time.Sleep(time.Millisecond) // want `CG104 goroutine loop blocks on time\.Sleep`
			}
		}
	}()
	keep(ctx)
}

// A receive followed by a type switch on the received value.
func typeSwitchAfterReceive(ctx context.Context, in <-chan any) {
	go func() {
		for {
			msg := <-in // want `CG104 goroutine loop blocks on a channel receive`
			switch m := msg.(type) {
			case string:
				handle(m)
			case int:
				process(m)
			}
		}
	}()
	keep(ctx)
}

// defer in the goroutine does not observe cancellation.
func withDefer(ctx context.Context, in <-chan int, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		for v := range in { // want `CG104 goroutine loop blocks on a range over a channel`
			process(v)
		}
	}()
	keep(ctx)
}

// A no-return call in the loop does not observe cancellation.
func withFatal(ctx context.Context, in <-chan int) {
	go func() {
		for v := range in { // want `CG104 goroutine loop blocks on a range over a channel`
			if v < 0 {
				log.Fatal("negative value")
			}
			process(v)
		}
	}()
	keep(ctx)
}

// ok: goto out of the loop when ctx.Err() is set.
func okGotoErr(ctx context.Context, in <-chan int) {
	go func() {
		for {
			if ctx.Err() != nil {
				goto done
			}
			v := <-in
			process(v)
		}
	done:
		poll()
	}()
}

// ok: labeled break from a select with a ctx.Done() case.
func okLabeledSelect(ctx context.Context, in <-chan int) {
	go func() {
	loop:
		for {
			select {
			case v := <-in:
				process(v)
			case <-ctx.Done():
				break loop
			}
		}
		poll()
	}()
}

// ok: switch inside the loop, Done observed in a select of the same loop.
func okSwitchSelect(ctx context.Context, in <-chan string) {
	go func() {
		for {
			select {
			case s := <-in:
				switch s {
				case "":
					fallthrough
				case "skip":
					continue
				}
				fmt.Println(s)
			case <-ctx.Done():
				return
			}
		}
	}()
}

// ok: panic on cancellation still observes ctx.Err().
func okPanicOnCancel(ctx context.Context, out chan<- int) {
	go func() {
		for i := 0; ; i++ {
			if ctx.Err() != nil {
				panic(ctx.Err())
			}
			out <- i
		}
	}()
}
