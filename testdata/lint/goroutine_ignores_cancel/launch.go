package goroutineignorescancel

import (
	"context"
	"io"
	"time"
)

// launch starts the named workers of workers.go and methods.go; the findings
// are reported inside those functions, not here.
func launch(ctx context.Context, in <-chan int, out chan<- int) {
	go produce(ctx, out)
	go consume(ctx, in)
	go drain(ctx, in)
	go poller(ctx, time.Second)
	go multiplex(ctx, in, in)
	// ok: produceNoCtx has no context parameter.
	go produceNoCtx(out)
	// ok: produceObserving watches ctx.Done().
	go produceObserving(ctx, out)
	// ok: called synchronously, not as a goroutine.
	consumeSync(ctx, in)
}

// ok: a goroutine calling a function from another package.
func okOtherPackage(ctx context.Context, dst io.Writer, src io.Reader) {
	go io.Copy(dst, src)
	keep(ctx)
}
