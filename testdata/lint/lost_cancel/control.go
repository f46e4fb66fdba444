package lostcancel

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Lost cancel: a labeled break leaves the loop on a path without cancel.
func labeledBreak(parent context.Context, in <-chan int) error {
	ctx, cancel := context.WithCancel(parent) // want `CG101 the cancel function is not used on all paths`
outer:
	for {
		select {
		case v := <-in:
			if v < 0 {
				break outer
			}
			if v == 0 {
				cancel()
				return nil
			}
		case <-ctx.Done():
			cancel()
			return ctx.Err()
		}
	}
	return errors.New("negative") // want `CG101 this return statement may be reached without using the cancel var defined on line 12`
}

// Lost cancel: a labeled continue skips the cancel call of the iteration.
func labeledContinue(parent context.Context, groups [][]int) int {
	total := 0
outer:
	for _, g := range groups {
		ctx, cancel := context.WithCancel(parent) // want `CG101 the cancel function is not used on all paths`
		for _, v := range g {
			if v < 0 {
				continue outer
			}
			total += v
		}
		_ = use(ctx)
		cancel()
	}
	return total // want `CG101 this return statement may be reached without using the cancel var defined on line 37`
}

// Lost cancel: goto jumps to a return that never uses cancel.
func gotoLeak(parent context.Context, n int) error {
	ctx, cancel := context.WithCancel(parent) // want `CG101 the cancel function is not used on all paths`
	if n > 0 {
		goto fail
	}
	cancel()
	return use(ctx)
fail:
	return errors.New("n > 0") // want `CG101 this return statement may be reached without using the cancel var defined on line 52`
}

// Lost cancel: one select case returns without cancel.
func selectLeak(parent context.Context, ch <-chan int) (int, error) {
	ctx, cancel := context.WithTimeout(parent, time.Second) // want `CG101 the cancel function is not used on all paths`
	select {
	case v := <-ch:
		cancel()
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err() // want `CG101 this return statement may be reached without using the cancel var defined on line 64`
	}
}

// Lost cancel: a switch without default lets control skip every case.
func switchNoDefault(parent context.Context, mode int) error {
	ctx, cancel := context.WithTimeout(parent, time.Second) // want `CG101 the cancel function is not used on all paths`
	switch mode {
	case 0:
		defer cancel()
	case 1:
		cancel()
	}
	return use(ctx) // want `CG101 this return statement may be reached without using the cancel var defined on line 76`
}

// Lost cancel: case 1 is reached directly without cancel; case 0 cancels and
// falls through to it.
func switchFallthroughLeak(parent context.Context, mode int) error {
	ctx, cancel := context.WithCancel(parent) // want `CG101 the cancel function is not used on all paths`
	switch mode {
	case 0:
		cancel()
		fallthrough
	case 1:
		return use(ctx) // want `CG101 this return statement may be reached without using the cancel var defined on line 89`
	default:
		cancel()
	}
	return nil
}

// Lost cancel: one type-switch clause returns without cancel.
func typeSwitchLeak(parent context.Context, v any) error {
	ctx, cancel := context.WithCancel(parent) // want `CG101 the cancel function is not used on all paths`
	switch x := v.(type) {
	case int:
		cancel()
		return use(ctx)
	case string:
		return fmt.Errorf("unexpected string %q", x) // want `CG101 this return statement may be reached without using the cancel var defined on line 104`
	}
	cancel()
	return nil
}

// Lost cancel: `if false` is not constant-folded; the branch may or may not run.
func ifFalseNotFolded(parent context.Context) error {
	ctx, cancel := context.WithCancel(parent) // want `CG101 the cancel function is not used on all paths`
	if false {
		cancel()
	}
	return use(ctx) // want `CG101 this return statement may be reached without using the cancel var defined on line 118`
}

// ok: an infinite loop without break never reaches a function exit.
func okForever(parent context.Context, work <-chan int) {
	ctx, cancel := context.WithCancel(parent)
	for {
		v := <-work
		if v < 0 {
			cancel()
		}
		_ = use(ctx)
	}
}

// ok: every iteration cancels before continue and at its end.
func okContinue(parent context.Context, items []int) error {
	for _, it := range items {
		ctx, cancel := context.WithCancel(parent)
		if it < 0 {
			cancel()
			continue
		}
		err := use(ctx)
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// ok: labeled break leaves the loop, cancel is called after it.
func okLabeledBreak(parent context.Context, in <-chan int) int {
	ctx, cancel := context.WithCancel(parent)
	n := 0
loop:
	for {
		select {
		case v := <-in:
			if v < 0 {
				break loop
			}
			n += v
		case <-ctx.Done():
			break loop
		}
	}
	cancel()
	return n
}

// ok: goto jumps to a label that calls cancel.
func okGoto(parent context.Context, n int) error {
	ctx, cancel := context.WithCancel(parent)
	if n > 0 {
		goto done
	}
	n = len(fmt.Sprint(use(ctx)))
done:
	cancel()
	return nil
}

// ok: cancel deferred before the select.
func okSelect(parent context.Context, ch <-chan int) (int, error) {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	defer cancel()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// ok: case 0 falls through into case 1, which cancels; default defers.
func okFallthrough(parent context.Context, mode int) error {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	switch mode {
	case 0:
		fallthrough
	case 1:
		cancel()
		return nil
	default:
		defer cancel()
	}
	return use(ctx)
}

// ok: every type-switch clause, including default, uses cancel.
func okTypeSwitch(parent context.Context, v any) error {
	ctx, cancel := context.WithCancel(parent)
	switch v.(type) {
	case int:
		defer cancel()
	case string:
		cancel()
		return nil
	default:
		register(cancel)
	}
	return use(ctx)
}
