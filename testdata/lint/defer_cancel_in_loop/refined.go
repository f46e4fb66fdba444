package defercancelinloop

import (
	"context"
	"time"
)

// ok: the context is derived on the way out of the loop: that branch runs once.
func okDerivedOnExit(ctx context.Context, tick <-chan time.Time) {
	for {
		select {
		case <-tick:
		case <-ctx.Done():
			c, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			defer cancel()
			_ = fetch(c, "final")
			return
		}
	}
}

// A retry loop: every attempt's timer waits for the function to return.
func retry(ctx context.Context, urls []string) error {
	for _, u := range urls {
		rctx, rcancel := context.WithTimeout(ctx, 2*time.Second)
		defer rcancel() // want `CG102 rcancel is deferred inside a loop`
		if err := fetch(rctx, u); err == nil {
			return nil
		}
	}
	return errFail
}

type stream struct{ ctx context.Context }

func open(ctx context.Context) (*stream, error) { return &stream{ctx: ctx}, ctx.Err() }

// ok: the streams opened in the loop are read after it: their contexts must live on.
func okStreamsOutliveTheLoop(ctx context.Context, n int) error {
	streams := make([]*stream, n)
	for i := range streams {
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		s, err := open(sctx)
		if err != nil {
			return err
		}
		streams[i] = s
	}
	for _, s := range streams {
		if err := s.ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// ok: the same, appending to an outer slice.
func okAppendedOutliveTheLoop(ctx context.Context, n int) []*stream {
	var out []*stream
	for range n {
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		s, _ := open(sctx)
		out = append(out, s)
	}
	return out
}
