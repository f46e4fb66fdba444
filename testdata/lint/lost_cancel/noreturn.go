package lostcancel

import (
	"context"
	"log"
	"os"
	"runtime"
	"testing"
	"time"
)

// Lost cancel: the panic path ends without an exit, but the other early
// return still leaks.
func panicThenLeak(parent context.Context, mode int) error {
	ctx, cancel := context.WithCancel(parent) // want `CG101 the cancel function is not used on all paths`
	if mode < 0 {
		panic("negative mode")
	}
	if mode == 0 {
		return nil // want `CG101 this return statement may be reached without using the cancel var defined on line 15`
	}
	defer cancel()
	return use(ctx)
}

// Lost cancel: log.Fatal ends one path; a later return still leaks.
func fatalThenLeak(parent context.Context, cfg map[string]string) error {
	ctx, cancel := context.WithTimeout(parent, time.Second) // want `CG101 the cancel function is not used on all paths`
	if cfg == nil {
		log.Fatal("no config")
	}
	if len(cfg) == 0 {
		return errFail // want `CG101 this return statement may be reached without using the cancel var defined on line 28`
	}
	defer cancel()
	return use(ctx)
}

// ok: panic ends the path; it is not a function exit.
func okPanic(parent context.Context, fail bool) error {
	ctx, cancel := context.WithCancel(parent)
	if fail {
		panic("fail")
	}
	defer cancel()
	return use(ctx)
}

// ok: os.Exit ends the path.
func okExit(parent context.Context, code int) error {
	ctx, cancel := context.WithCancel(parent)
	if code != 0 {
		os.Exit(code)
	}
	defer cancel()
	return use(ctx)
}

// ok: log.Fatalf ends the path.
func okLogFatalf(parent context.Context, err error) error {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	if err != nil {
		log.Fatalf("setup: %v", err)
	}
	defer cancel()
	return use(ctx)
}

// ok: log.Panicln ends the path.
func okLogPanic(parent context.Context, err error) error {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	if err != nil {
		log.Panicln("setup:", err)
	}
	defer cancel()
	return use(ctx)
}

// ok: runtime.Goexit ends the path.
func okGoexit(parent context.Context, stop bool) error {
	ctx, cancel := context.WithCancel(parent)
	if stop {
		runtime.Goexit()
	}
	defer cancel()
	return use(ctx)
}

// ok: t.Fatal ends the path.
func okTestFatal(t *testing.T, parent context.Context) {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	if err := use(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
}

// ok: t.FailNow ends the path.
func okTestFailNow(t *testing.T, parent context.Context) {
	ctx, cancel := context.WithCancel(parent)
	if use(ctx) != nil {
		t.FailNow()
	}
	cancel()
}

// ok: t.Skip ends the path.
func okTestSkip(t *testing.T, parent context.Context, short bool) {
	ctx, cancel := context.WithCancel(parent)
	if short {
		t.Skip("short mode")
	}
	defer cancel()
	_ = use(ctx)
}

// ok: b.Fatalf ends the path.
func okBenchFatalf(b *testing.B, parent context.Context) {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	if err := use(ctx); err != nil {
		b.Fatalf("use: %v", err)
	}
	cancel()
}
