package goroutineignorescancel

import (
	stdctx "context"
	"time"
)

// Aliased import: the context parameter is a stdctx.Context.
func aliasWorker(ctx stdctx.Context, in <-chan int) {
	go func() {
		for v := range in { // want `CG104 goroutine loop blocks on a range over a channel`
			process(v)
		}
	}()
	keep(ctx)
}

// Aliased import, named function started with go.
func aliasPoller(ctx stdctx.Context) {
	for {
		time.Sleep(time.Second) // want `CG104 goroutine loop blocks on time\.Sleep`
	}
}

func startAliasPoller(ctx stdctx.Context) {
	go aliasPoller(ctx)
}

// ok: aliased import, the loop checks ctx.Err().
func okAliasWorker(ctx stdctx.Context, in <-chan int) {
	go func() {
		for {
			if ctx.Err() != nil {
				return
			}
			process(<-in)
		}
	}()
}
