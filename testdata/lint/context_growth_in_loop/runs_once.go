package contextgrowthinloop

import "context"

type onceKey struct{}

func onceStep() error { return nil }

// A loop whose every iteration ends in a break runs once, wherever the growth sits.
func onceViaIf(ctx context.Context) context.Context {
	for {
		if err := onceStep(); err != nil {
			ctx = context.WithValue(ctx, onceKey{}, err) // ok: the break after the if ends the loop
		}
		break
	}
	return ctx
}

func onceViaSwitch(ctx context.Context) context.Context {
	for {
		switch err := onceStep(); err {
		case nil:
			ctx = context.WithValue(ctx, onceKey{}, 1) // ok: the break after the switch ends the loop
		}
		break
	}
	return ctx
}

func onceViaSelect(ctx context.Context, ch chan int) context.Context {
	for {
		select {
		case v := <-ch:
			ctx = context.WithValue(ctx, onceKey{}, v) // ok: the break after the select ends the loop
		default:
		}
		break
	}
	return ctx
}

func breakOnlyLeavesSwitch(ctx context.Context, ch chan int) context.Context {
	for v := range ch {
		switch v {
		case 1:
			ctx = context.WithValue(ctx, onceKey{}, v) // want "CG304"
			break
		}
	}
	return ctx
}

func continueBeforeBreak(ctx context.Context, ch chan int) context.Context {
	for v := range ch {
		if v > 0 {
			ctx = context.WithValue(ctx, onceKey{}, v) // want "CG304"
			continue
		}
		break
	}
	return ctx
}
