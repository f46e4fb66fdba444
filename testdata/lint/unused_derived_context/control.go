package unusedderivedcontext

import (
	"context"
	"log"
	"time"
)

// goto: nothing after the derivation reads ctx.
func gotoNoRead(ctx context.Context, n int) int {
	ctx, cancel := context.WithTimeout(ctx, time.Second) // want `CG103 derived context ctx is never used`
	defer cancel()
	if n > 0 {
		goto done
	}
	n = -n
done:
	return n
}

// select on other channels only.
func selectNoRead(ctx context.Context, a, b <-chan int) int {
	ctx, cancel := context.WithTimeout(ctx, time.Second) // want `CG103 derived context ctx is never used`
	defer cancel()
	select {
	case v := <-a:
		return v
	case v := <-b:
		return v
	}
}

// switch with fallthrough, no read of ctx.
func switchNoRead(ctx context.Context, mode int) int {
	ctx, cancel := context.WithTimeout(ctx, time.Second) // want `CG103 derived context ctx is never used`
	defer cancel()
	switch mode {
	case 0:
		fallthrough
	case 1:
		return 1
	}
	return 0
}

// A labeled loop that never reads ctx.
func labeledLoopNoRead(ctx context.Context, groups [][]int) int {
	ctx, cancel := context.WithTimeout(ctx, time.Minute) // want `CG103 derived context ctx is never used`
	defer cancel()
	total := 0
outer:
	for _, g := range groups {
		for _, v := range g {
			if v < 0 {
				continue outer
			}
			if v > 100 {
				break outer
			}
			total += v
		}
	}
	return total
}

// A no-return call on one path; no read on any path.
func fatalNoRead(ctx context.Context, err error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second) // want `CG103 derived context ctx is never used`
	defer cancel()
	if err != nil {
		log.Fatal(err)
	}
	_ = cleanup()
}

// Type switch on something else; several results.
func typeSwitchNoRead(ctx context.Context, v any) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second) // want `CG103 derived context ctx is never used`
	defer cancel()
	switch x := v.(type) {
	case string:
		return x, nil
	default:
		return "", errFail
	}
}

// ok: goto to a label that reads ctx.
func okGotoRead(ctx context.Context, n int) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if n > 0 {
		goto check
	}
	n++
check:
	return use(ctx)
}

// ok: select with a ctx.Done() case.
func okSelectDone(ctx context.Context, a <-chan int) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	select {
	case v := <-a:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// ok: read in the case reached by fallthrough.
func okFallthroughRead(ctx context.Context, mode int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	switch mode {
	case 0:
		fallthrough
	case 1:
		return use(ctx)
	}
	return nil
}

// ok: type switch on the derived context itself.
func okTypeSwitchOnCtx(parent context.Context) string {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	switch ctx.(type) {
	case interface{ Deadline() (time.Time, bool) }:
		return "deadline"
	default:
		return "other"
	}
}

// ok: labeled loop that checks ctx.Err().
func okLabeledLoopRead(ctx context.Context, groups [][]int) int {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	total := 0
outer:
	for _, g := range groups {
		for _, v := range g {
			if ctx.Err() != nil {
				break outer
			}
			total += v
		}
	}
	return total
}

// ok: read after a no-return branch.
func okReadAfterFatal(ctx context.Context, err error) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err != nil {
		log.Fatal(err)
	}
	return cleanupCtx(ctx)
}
