package ctxtest_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ctxguard.dev/go/ctxtest"
	"ctxguard.dev/go/ctxtrack"
)

// fakeTB stands in for the test given to VerifyNone: it records failures
// instead of failing the real test, and runs the cleanups when told.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	errs     []string
	cleanups []func()
}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Error(args ...any) { f.Errorf("%s", fmt.Sprint(args...)) }

func (f *fakeTB) Fatalf(format string, args ...any) { f.Errorf(format, args...) }

func (f *fakeTB) Fatal(args ...any) { f.Error(args...) }

func (f *fakeTB) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

// finish runs the cleanups, last registered first, as package testing does,
// and returns what they reported.
func (f *fakeTB) finish() string {
	for {
		f.mu.Lock()
		n := len(f.cleanups)
		if n == 0 {
			f.mu.Unlock()
			break
		}
		fn := f.cleanups[n-1]
		f.cleanups = f.cleanups[:n-1]
		f.mu.Unlock()
		fn()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.errs, "\n")
}

var thisFile = func() string { _, f, _, _ := runtime.Caller(0); return f }()

func nextLine() int { _, _, l, _ := runtime.Caller(1); return l + 1 }

func at(line int) string { return fmt.Sprintf("%s:%d", thisFile, line) }

func goid() string {
	var buf [64]byte
	s := string(buf[:runtime.Stack(buf[:], false)])
	s = strings.TrimPrefix(s, "goroutine ")
	return s[:strings.IndexByte(s, ' ')]
}

func TestVerifyNoneCatchesALeakedGoroutineAndContext(t *testing.T) {
	t.Parallel()
	ft := &fakeTB{TB: t}
	ctxtest.VerifyNone(ft)
	ctx := ctxtest.Context(ft)

	block := make(chan struct{})
	defer close(block)
	goLine := nextLine()
	go func() { <-block }()

	ctxLine := nextLine()
	_, cancel := ctxtrack.WithCancel(ctx) // never called
	_ = cancel
	okCtx, okCancel := ctxtrack.WithTimeout(ctx, time.Hour) // cancelled: not reported
	okCancel()
	_ = okCtx

	start := time.Now()
	msg := ft.finish()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a blocked goroutine took %v to report; want at once", d)
	}
	t.Logf("the fake test's report:\n%s", msg)
	for _, want := range []string{
		"[chan receive], blocked",
		at(goLine),
		"created by ctxguard.dev/go/ctxtest_test.TestVerifyNoneCatchesALeakedGoroutineAndContext in goroutine " + goid(),
		fmt.Sprintf("context from ctxtrack.WithCancel at %s (in ctxguard.dev/go/ctxtest_test.TestVerifyNoneCatchesALeakedGoroutineAndContext) never cancelled", at(ctxLine)),
		"(1 goroutine(s))",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("report lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "WithTimeout") {
		t.Errorf("the cancelled context was reported:\n%s", msg)
	}
}

func TestVerifyNoneCatchesDescendantsOfDescendants(t *testing.T) {
	t.Parallel()
	ft := &fakeTB{TB: t}
	ctxtest.VerifyNone(ft)

	block := make(chan struct{})
	defer close(block)
	never := make(chan struct{})
	started := make(chan struct{})
	innerLine := nextLine()
	go func() { // blocked on select, started a grandchild
		go func() { // a grandchild, waiting on a WaitGroup
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { <-block; wg.Done() }()
			close(started)
			wg.Wait()
		}()
		select {
		case <-block:
		case <-never:
		}
	}()
	<-started
	msg := ft.finish()
	if n := strings.Count(msg, ", blocked:"); n != 3 {
		t.Errorf("%d blocked goroutines reported, want 3:\n%s", n, msg)
	}
	if !strings.Contains(msg, at(innerLine)) || !strings.Contains(msg, "[select") {
		t.Errorf("report:\n%s", msg)
	}
}

func TestVerifyNoneReportsStillRunningAtTheBound(t *testing.T) {
	t.Parallel()
	ft := &fakeTB{TB: t}
	ctxtest.VerifyNone(ft, ctxtest.MaxWait(200*time.Millisecond))
	var stop atomic.Bool
	defer stop.Store(true)
	go func() {
		for !stop.Load() {
			runtime.Gosched()
		}
	}()
	start := time.Now()
	msg := ft.finish()
	if d := time.Since(start); d < 200*time.Millisecond || d > 3*time.Second {
		t.Errorf("waited %v, want about 200ms", d)
	}
	if !strings.Contains(msg, "still running after 200ms") {
		t.Errorf("report:\n%s", msg)
	}
}

func TestVerifyNoneWaitsForGoroutinesThatAreFinishing(t *testing.T) {
	t.Parallel()
	ft := &fakeTB{TB: t}
	ctxtest.VerifyNone(ft)
	release := make(chan struct{})
	var spins atomic.Int64
	for i := 0; i < 4; i++ {
		go func() {
			<-release
			for j := 0; j < 1000; j++ { // a little work after the test ends
				spins.Add(1)
				runtime.Gosched()
			}
		}()
	}
	close(release)
	if msg := ft.finish(); msg != "" {
		t.Errorf("finishing goroutines reported:\n%s", msg)
	}
	if spins.Load() != 4000 {
		t.Errorf("check returned before the goroutines finished: %d", spins.Load())
	}
}

func TestVerifyNoneWaitsForASleepingGoroutine(t *testing.T) {
	t.Parallel()
	ft := &fakeTB{TB: t}
	ctxtest.VerifyNone(ft)
	var done atomic.Bool
	go func() {
		time.Sleep(50 * time.Millisecond) // a last pause before exiting, as in a retry loop
		done.Store(true)
	}()
	if msg := ft.finish(); msg != "" {
		t.Errorf("a goroutine about to wake reported:\n%s", msg)
	}
	if !done.Load() {
		t.Error("check returned before the sleeping goroutine finished")
	}
}

// others runs functions in goroutines that no test started.
var others = func() chan func() {
	c := make(chan func())
	go func() {
		for f := range c {
			go f()
		}
	}()
	return c
}()

func TestVerifyNoneIgnoresOtherGoroutines(t *testing.T) {
	t.Parallel()
	ft := &fakeTB{TB: t}
	ctxtest.VerifyNone(ft,
		ctxtest.IgnoreTopFunction("ctxguard.dev/go/ctxtest_test.ignoredTop"),
		ctxtest.IgnoreCreatedBy("ctxguard.dev/go/ctxtest_test.startIgnored"))
	block := make(chan struct{})
	defer close(block)
	others <- func() { <-block } // not the test's
	go ignoredTop(block)
	startIgnored(block)
	time.AfterFunc(time.Millisecond, func() { <-block }) // a timer's: not attributable
	time.Sleep(10 * time.Millisecond)
	if msg := ft.finish(); msg != "" {
		t.Errorf("reported:\n%s", msg)
	}
}

//go:noinline
func ignoredTop(block chan struct{}) { <-block }

//go:noinline
func startIgnored(block chan struct{}) { go func() { <-block }() }

func TestContextIsTheTestsAndCarriesAScope(t *testing.T) {
	t.Parallel()
	ctx := ctxtest.Context(t)
	if ctxtest.Context(t) != ctx {
		t.Error("Context(t) changed between calls")
	}
	if ctx.Err() != nil {
		t.Errorf("Context(t) done during the test: %v", ctx.Err())
	}
	// Whatever the sampling of the tracker, the scope records.
	tr := ctxtrack.New(ctxtrack.Options{SampleRate: 1e-12})
	ft := &fakeTB{TB: t}
	ctxtest.VerifyNone(ft)
	fctx := ctxtest.Context(ft)
	line := nextLine()
	_, cancel := tr.WithDeadline(fctx, time.Now().Add(time.Hour))
	msg := ft.finish()
	cancel()
	if !strings.Contains(msg, "ctxtrack.WithDeadline at "+at(line)) {
		t.Errorf("report:\n%s", msg)
	}
}

// valueTB is a fake that is not a pointer: VerifyNone cannot find Context's
// scope through it, so Context reports its own leaks.
type valueTB struct{ *fakeTB }

func TestContextWithAnUnkeyableTBReportsItself(t *testing.T) {
	t.Parallel()
	ft := valueTB{&fakeTB{TB: t}}
	ctx := ctxtest.Context(ft)
	line := nextLine()
	_, cancel := ctxtrack.WithCancelCause(ctx)
	msg := ft.finish()
	cancel(nil)
	if !strings.Contains(msg, "ctxtrack.WithCancelCause at "+at(line)) {
		t.Errorf("report:\n%s", msg)
	}
}

// TestCleanParallel is the clean twin: run it with
// go test -run TestCleanParallel -count=1000 -race; it must never fail.
func TestCleanParallel(t *testing.T) {
	t.Parallel()
	ctxtest.VerifyNone(t)
	ctx := ctxtest.Context(t)

	// Goroutines the test waits for.
	var wg sync.WaitGroup
	results := make(chan int, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c, cancel := ctxtrack.WithTimeout(ctx, time.Minute)
			defer cancel()
			select {
			case results <- i:
			case <-c.Done():
			}
		}(i)
	}
	wg.Wait()

	// A goroutine released only by a deferred close: it is runnable or
	// running when the check starts, and must be waited for, not reported.
	stop := make(chan struct{})
	defer close(stop)
	c, cancel := ctxtrack.WithCancel(ctx)
	go func() {
		defer cancel()
		select {
		case <-stop:
		case <-c.Done():
		}
		for i := 0; i < 10; i++ {
			runtime.Gosched()
		}
	}()

	// A worker pool shut down by the deferred calls.
	jobs := make(chan int)
	var pool sync.WaitGroup
	for i := 0; i < 3; i++ {
		pool.Add(1)
		go func() {
			defer pool.Done()
			for range jobs {
			}
		}()
	}
	defer pool.Wait()
	defer close(jobs)
	for i := 0; i < 10; i++ {
		jobs <- i
	}
}

func TestCleanSerial(t *testing.T) {
	ctxtest.VerifyNone(t)
	ctx, cancel := ctxtrack.WithCancel(ctxtest.Context(t))
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); <-ctx.Done() }()
	cancel()
	<-done
}

func TestSubtestsParallel(t *testing.T) {
	ctxtest.VerifyNone(t)
	for i := 0; i < 4; i++ {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			ctxtest.VerifyNone(t)
			ctx, cancel := context.WithTimeout(ctxtest.Context(t), time.Minute)
			defer cancel()
			go func() { <-ctx.Done() }()
		})
	}
}
