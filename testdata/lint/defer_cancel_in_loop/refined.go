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
