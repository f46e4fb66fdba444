package unusedderivedcontext

import (
	"context"
	"time"
)

// More ways of reading the derived context. Every function here is clean.

type holder struct {
	ctx    context.Context
	cancel context.CancelFunc
}

var allCtxs []context.Context

func worker(ctx context.Context) { _ = ctx.Err() }

// ok: the derived context is sent on a channel.
func okSent(parent context.Context, out chan<- context.Context) context.CancelFunc {
	ctx, cancel := context.WithCancel(parent)
	out <- ctx
	return cancel
}

// ok: the derived context is appended to a slice.
func okAppended(parent context.Context) context.CancelFunc {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	allCtxs = append(allCtxs, ctx)
	return cancel
}

// ok: the derived context goes into a composite literal.
func okCompositeLiteral(parent context.Context) *holder {
	ctx, cancel := context.WithCancel(parent)
	return &holder{ctx: ctx, cancel: cancel}
}

// ok: a plain receive from ctx.Done().
func okWaitDone(parent context.Context) {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	defer cancel()
	<-ctx.Done()
}

// ok: the derived context is compared.
func okCompared(parent context.Context) bool {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	return ctx == parent
}

// ok: the derived context is passed to a goroutine.
func okGoWorker(parent context.Context) context.CancelFunc {
	ctx, cancel := context.WithCancel(parent)
	go worker(ctx)
	return cancel
}
