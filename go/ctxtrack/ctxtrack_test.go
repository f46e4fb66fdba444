package ctxtrack_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"ctxguard.dev/go/ctxtrack"
)

// thisFile is the path of this file, as creation sites report it.
var thisFile = func() string { _, f, _, _ := runtime.Caller(0); return f }()

// nextLine returns the line after the one it is called on.
func nextLine() int { _, _, l, _ := runtime.Caller(1); return l + 1 }

// siteAt returns the site of this file at line, if the report has one.
func siteAt(r ctxtrack.Report, line int) (ctxtrack.Site, bool) {
	for _, s := range r.Sites {
		if s.File == thisFile && s.Line == line {
			return s, true
		}
	}
	return ctxtrack.Site{}, false
}

// mustSite returns the site at line or fails the test.
func mustSite(t *testing.T, r ctxtrack.Report, line int) ctxtrack.Site {
	t.Helper()
	s, ok := siteAt(r, line)
	if !ok {
		t.Fatalf("no site at %s:%d in %+v", thisFile, line, r.Sites)
	}
	return s
}

// waitFor runs the garbage collector and reports until cond holds, for at
// most 5 s: cleanups and finalizers run asynchronously after a collection.
func waitFor(t *testing.T, tr *ctxtrack.Tracker, line int, what string, cond func(ctxtrack.Site) bool) ctxtrack.Site {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		s, ok := siteAt(tr.Report(), line)
		if ok && cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 5 s, site at line %d is %+v (found %v); want %s", line, s, ok, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// gcSettle runs a few collections and gives cleanups time to run.
func gcSettle() {
	for i := 0; i < 3; i++ {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
}

// detachedParent returns a cancellable parent; callers drop it without
// cancelling it, to let it and its children be collected.
func detachedParent() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}

// leakUnder derives from parent and drops both the context and the CancelFunc.
//
//go:noinline
func leakUnder(tr *ctxtrack.Tracker, parent context.Context) int {
	l := nextLine()
	_, _ = tr.WithCancel(parent)
	return l
}

// leakDetached derives from a parent that is dropped too, uncancelled.
//
//go:noinline
func leakDetached(tr *ctxtrack.Tracker) int {
	parent, stop := detachedParent()
	_ = stop
	l := nextLine()
	_, _ = tr.WithCancel(parent)
	return l
}

func TestNeverCancelledUnderLiveParentIsLiveOverMaxAge(t *testing.T) {
	t.Parallel()
	tr := ctxtrack.New(ctxtrack.Options{MaxAge: 20 * time.Millisecond})
	parent, stop := context.WithCancel(context.Background())
	defer stop()

	leak := leakUnder(tr, parent)

	// The clean twin: cancelled right away.
	clean := nextLine()
	_, cancel := tr.WithCancel(parent)
	cancel()

	time.Sleep(40 * time.Millisecond)
	gcSettle() // the parent still lists the leaked context: it cannot be collected
	r := tr.Report()
	s := mustSite(t, r, leak)
	if s.Live != 1 || s.OverMaxAge != 1 || s.CollectedUncancelled != 0 || s.Created != 1 || s.Cancelled != 0 {
		t.Errorf("leaked site = %+v, want live 1, over max age 1, nothing collected", s)
	}
	if s.OldestAgeS < 0.04 {
		t.Errorf("oldest age %v s, want >= 0.04", s.OldestAgeS)
	}
	if s.Kind != "WithCancel" || !strings.HasSuffix(s.Function, ".leakUnder") {
		t.Errorf("site kind %q function %q", s.Kind, s.Function)
	}
	c := mustSite(t, r, clean)
	if c.Live != 0 || c.Cancelled != 1 || c.OverMaxAge != 0 || c.OldestAgeS != 0 {
		t.Errorf("clean twin = %+v, want nothing live, one cancelled", c)
	}
	if r.Sites[0].Line != leak {
		t.Errorf("first site is line %d, want the live one at %d", r.Sites[0].Line, leak)
	}

	// Cancelling the parent does not call the child's CancelFunc: once the
	// parent forgets the child, the child can be collected, uncancelled.
	stop()
	waitFor(t, tr, leak, "collected after the parent's cancel", func(s ctxtrack.Site) bool {
		return s.CollectedUncancelled == 1 && s.Live == 0
	})
}

func TestNeverCancelledWithDroppedParentIsCollected(t *testing.T) {
	t.Parallel()
	tr := ctxtrack.New(ctxtrack.Options{})
	leak := leakDetached(tr)
	s := waitFor(t, tr, leak, "one collected uncancelled", func(s ctxtrack.Site) bool {
		return s.CollectedUncancelled == 1
	})
	if s.Live != 0 || s.Cancelled != 0 || s.Created != 1 {
		t.Errorf("site = %+v", s)
	}

	// Clean twin: cancelled, then dropped; never counted as collected.
	clean := func() int {
		parent, stop := detachedParent()
		defer stop()
		l := nextLine()
		_, cancel := tr.WithCancel(parent)
		cancel()
		return l
	}()
	tr.Report()
	gcSettle()
	c := mustSite(t, tr.Report(), clean)
	if c.Live != 0 || c.Cancelled != 1 || c.CollectedUncancelled != 0 {
		t.Errorf("clean twin = %+v", c)
	}
}

// leakTimeout derives a context with a deadline and drops its CancelFunc.
//
//go:noinline
func leakTimeout(tr *ctxtrack.Tracker, parent context.Context, d time.Duration) int {
	l := nextLine()
	_, _ = tr.WithTimeout(parent, d)
	return l
}

func TestDeadlineNeverReached(t *testing.T) {
	t.Parallel()
	tr := ctxtrack.New(ctxtrack.Options{MaxAge: 10 * time.Millisecond})
	// Even under context.Background the pending timer keeps it alive.
	leak := leakTimeout(tr, context.Background(), time.Hour)

	clean := func() int {
		l := nextLine()
		ctx, cancel := tr.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		<-time.After(time.Millisecond)
		_ = ctx
		return l
	}()

	time.Sleep(20 * time.Millisecond)
	gcSettle()
	r := tr.Report()
	s := mustSite(t, r, leak)
	if s.Live != 1 || s.OverMaxAge != 1 || s.Kind != "WithTimeout" || s.CollectedUncancelled != 0 {
		t.Errorf("leaked timeout = %+v", s)
	}
	if c := mustSite(t, r, clean); c.Live != 0 || c.Cancelled != 1 {
		t.Errorf("clean twin = %+v", c)
	}
}

func TestDeadlineReachedButNeverCancelledIsCollected(t *testing.T) {
	t.Parallel()
	tr := ctxtrack.New(ctxtrack.Options{})
	leak := leakTimeout(tr, context.Background(), time.Millisecond)
	s := waitFor(t, tr, leak, "collected after its deadline", func(s ctxtrack.Site) bool {
		return s.CollectedUncancelled == 1
	})
	if s.Live != 0 || s.Cancelled != 0 {
		t.Errorf("site = %+v", s)
	}
}

func TestDerivedInALoop(t *testing.T) {
	t.Parallel()
	tr := ctxtrack.New(ctxtrack.Options{MaxAge: time.Hour})
	parent, stop := context.WithCancel(context.Background())
	defer stop()

	const n = 100
	var kept []context.Context
	var leak int
	for i := 0; i < n; i++ {
		leak = nextLine()
		ctx, cancel := tr.WithCancel(parent)
		_ = cancel // never called
		kept = append(kept, ctx)
	}
	var clean int
	for i := 0; i < n; i++ {
		clean = nextLine()
		ctx, cancel := tr.WithCancel(parent)
		kept = append(kept, ctx)
		cancel()
	}

	r := tr.Report()
	if s := mustSite(t, r, leak); s.Live != n || s.Created != n || s.OverMaxAge != 0 || s.OldestAgeS <= 0 {
		t.Errorf("loop site = %+v, want %d live", s, n)
	}
	if c := mustSite(t, r, clean); c.Live != 0 || c.Cancelled != n || c.Created != n {
		t.Errorf("clean loop = %+v", c)
	}
	runtime.KeepAlive(kept)
}

// worker stores its context and CancelFunc, as long-lived services do.
type worker struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func (w *worker) Close() { w.cancel() }

func TestStoredInAStruct(t *testing.T) {
	t.Parallel()
	tr := ctxtrack.New(ctxtrack.Options{MaxAge: time.Millisecond})
	parent, stop := context.WithCancel(context.Background())
	defer stop()

	leaky := &worker{}
	leak := nextLine()
	leaky.ctx, leaky.cancel = tr.WithCancel(parent)

	clean := &worker{}
	cleanLine := nextLine()
	clean.ctx, clean.cancel = tr.WithCancel(parent)
	clean.Close()

	time.Sleep(5 * time.Millisecond)
	gcSettle()
	r := tr.Report()
	if s := mustSite(t, r, leak); s.Live != 1 || s.OverMaxAge != 1 {
		t.Errorf("stored site = %+v", s)
	}
	if c := mustSite(t, r, cleanLine); c.Live != 0 || c.Cancelled != 1 {
		t.Errorf("closed twin = %+v", c)
	}
	runtime.KeepAlive(leaky)
}

func TestCancelCountedOnce(t *testing.T) {
	t.Parallel()
	tr := ctxtrack.New(ctxtrack.Options{})
	var old context.CancelFunc
	var line int
	var live []context.CancelFunc
	for i := 0; i < 3; i++ {
		line = nextLine()
		_, cancel := tr.WithCancel(context.Background())
		if i == 0 {
			old = cancel
			// Concurrent calls: one counts.
			var wg sync.WaitGroup
			for j := 0; j < 8; j++ {
				wg.Add(1)
				go func() { defer wg.Done(); cancel() }()
			}
			wg.Wait()
			continue
		}
		live = append(live, cancel)
	}
	// The first node was reused by the next derivation; a late call of the
	// old CancelFunc must not touch it.
	old()
	s := mustSite(t, tr.Report(), line)
	if s.Created != 3 || s.Cancelled != 1 || s.Live != 2 {
		t.Errorf("site = %+v, want created 3, cancelled 1, live 2", s)
	}
	for _, c := range live {
		c()
		c()
	}
	s = mustSite(t, tr.Report(), line)
	if s.Cancelled != 3 || s.Live != 0 {
		t.Errorf("site = %+v, want cancelled 3, live 0", s)
	}
}

func TestKindsAndSemantics(t *testing.T) {
	t.Parallel()
	tr := ctxtrack.New(ctxtrack.Options{})
	type key struct{}
	parent, stop := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	cause := errors.New("the cause")
	far := time.Now().Add(time.Hour)

	var lines = map[string]int{}
	var cancels []func()

	lines["WithCancel"] = nextLine()
	c1, f1 := tr.WithCancel(parent)
	cancels = append(cancels, f1)
	lines["WithCancelCause"] = nextLine()
	c2, f2 := tr.WithCancelCause(parent)
	cancels = append(cancels, func() { f2(cause) })
	lines["WithTimeout"] = nextLine()
	c3, f3 := tr.WithTimeout(parent, time.Hour)
	cancels = append(cancels, f3)
	lines["WithTimeoutCause"] = nextLine()
	c4, f4 := tr.WithTimeoutCause(parent, time.Hour, cause)
	cancels = append(cancels, f4)
	lines["WithDeadline"] = nextLine()
	c5, f5 := tr.WithDeadline(parent, far)
	cancels = append(cancels, f5)
	lines["WithDeadlineCause"] = nextLine()
	c6, f6 := tr.WithDeadlineCause(parent, far, cause)
	cancels = append(cancels, f6)

	r := tr.Report()
	for k, l := range lines {
		if s := mustSite(t, r, l); s.Kind != k || s.Live != 1 || !strings.HasSuffix(s.Function, ".TestKindsAndSemantics") {
			t.Errorf("%s: site %+v", k, s)
		}
	}
	ctxs := []context.Context{c1, c2, c3, c4, c5, c6}
	for i, c := range ctxs {
		if c.Value(key{}) != "v" {
			t.Errorf("context %d lost its parent's value", i)
		}
		if c.Err() != nil {
			t.Errorf("context %d done early: %v", i, c.Err())
		}
		if _, ok := c.Deadline(); ok != (i >= 2) {
			t.Errorf("context %d: deadline set %v", i, ok)
		}
	}
	// A grandchild made by package context is cancelled with its tracked parent.
	gc, gcancel := context.WithCancel(c1)
	defer gcancel()

	f2(cause)
	if context.Cause(c2) != cause {
		t.Errorf("Cause(c2) = %v", context.Cause(c2))
	}
	stop() // cancels the rest through the parent; their CancelFuncs are not called
	for i, c := range ctxs {
		select {
		case <-c.Done():
		case <-time.After(5 * time.Second):
			t.Fatalf("context %d not cancelled with its parent", i)
		}
	}
	<-gc.Done()
	r = tr.Report()
	if s := mustSite(t, r, lines["WithCancelCause"]); s.Cancelled != 1 || s.Live != 0 {
		t.Errorf("cause site %+v", s)
	}
	if s := mustSite(t, r, lines["WithCancel"]); s.Cancelled != 0 || s.Live != 1 {
		t.Errorf("parent-cancelled site %+v: its CancelFunc was not called, it is still live", s)
	}
	for _, f := range cancels {
		f()
	}
	for k, l := range lines {
		if s := mustSite(t, tr.Report(), l); s.Live != 0 || s.Cancelled != 1 {
			t.Errorf("%s after cancel: %+v", k, s)
		}
	}
}

func TestPackageFunctionsUseDefault(t *testing.T) {
	// Not parallel: it reads Default.
	lines := map[string]int{}
	var fs []func()
	lines["WithCancel"] = nextLine()
	_, f1 := ctxtrack.WithCancel(context.Background())
	lines["WithCancelCause"] = nextLine()
	_, f2 := ctxtrack.WithCancelCause(context.Background())
	lines["WithTimeout"] = nextLine()
	_, f3 := ctxtrack.WithTimeout(context.Background(), time.Hour)
	lines["WithTimeoutCause"] = nextLine()
	_, f4 := ctxtrack.WithTimeoutCause(context.Background(), time.Hour, nil)
	lines["WithDeadline"] = nextLine()
	_, f5 := ctxtrack.WithDeadline(context.Background(), time.Now().Add(time.Hour))
	lines["WithDeadlineCause"] = nextLine()
	_, f6 := ctxtrack.WithDeadlineCause(context.Background(), time.Now().Add(time.Hour), nil)
	fs = append(fs, f1, func() { f2(nil) }, f3, f4, f5, f6)
	r := ctxtrack.Default.Report()
	for k, l := range lines {
		if s := mustSite(t, r, l); s.Kind != k || s.Live != 1 {
			t.Errorf("%s: %+v", k, s)
		}
	}
	for _, f := range fs {
		f()
	}
	r = ctxtrack.Default.Report()
	for k, l := range lines {
		// Counts accumulate over -count runs: compare them with each other.
		if s := mustSite(t, r, l); s.Live != 0 || s.Cancelled != s.Created || s.Created < 1 {
			t.Errorf("%s: %+v", k, s)
		}
	}
}

func TestSampling(t *testing.T) {
	t.Parallel()
	tr := ctxtrack.New(ctxtrack.Options{SampleRate: 0.1})
	const n = 10000
	for i := 0; i < n; i++ {
		_, cancel := tr.WithCancel(context.Background())
		cancel()
	}
	r := tr.Report()
	if r.SampleRate != 0.1 {
		t.Errorf("sample rate %v", r.SampleRate)
	}
	var created, cancelled int64
	for _, s := range r.Sites {
		created += s.Created
		cancelled += s.Cancelled
	}
	// Binomial(10000, 0.1): mean 1000, standard deviation 30. Six standard
	// deviations either side fail about once in 500 million runs.
	if created < 820 || created > 1180 {
		t.Errorf("created %d of %d at rate 0.1, want 1000 ± 180", created, n)
	}
	if cancelled != created {
		t.Errorf("cancelled %d, created %d", cancelled, created)
	}
}

func TestOptionsDefaults(t *testing.T) {
	t.Parallel()
	for _, o := range []ctxtrack.Options{{}, {SampleRate: -1, MaxAge: -1}, {SampleRate: 2}} {
		r := ctxtrack.New(o).Report()
		if r.SampleRate != 1 || r.MaxAgeS != 60 || r.Version != 1 || len(r.Sites) != 0 || r.Sites == nil {
			t.Errorf("New(%+v).Report() = %+v", o, r)
		}
		if r.GoVersion != runtime.Version() || time.Since(r.Time) > time.Minute {
			t.Errorf("report header %+v", r)
		}
	}
}

func TestConfigureConcurrently(t *testing.T) {
	// Not parallel: it changes Default.
	defer ctxtrack.Configure(ctxtrack.Options{})
	var wg sync.WaitGroup
	stopc := make(chan struct{})
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stopc:
					return
				default:
				}
				_, cancel := ctxtrack.WithTimeout(context.Background(), time.Hour)
				cancel()
			}
		}()
	}
	for i := 0; i < 200; i++ {
		ctxtrack.Configure(ctxtrack.Options{SampleRate: float64(i%10+1) / 10, MaxAge: time.Duration(i+1) * time.Second})
		_ = ctxtrack.Default.Report()
	}
	ctxtrack.Configure(ctxtrack.Options{SampleRate: 0.5, MaxAge: 3 * time.Second})
	close(stopc)
	wg.Wait()
	r := ctxtrack.Default.Report()
	if r.SampleRate != 0.5 || r.MaxAgeS != 3 {
		t.Errorf("after Configure: rate %v, max age %v", r.SampleRate, r.MaxAgeS)
	}
}

func TestScopeRecordsWhateverTheSampling(t *testing.T) {
	t.Parallel()
	tr := ctxtrack.New(ctxtrack.Options{SampleRate: 1e-12}) // tracks almost nothing
	sc := ctxtrack.NewScope()
	defer sc.Close()
	ctx := sc.Context(context.Background())

	leak := nextLine()
	_, cancel := tr.WithTimeout(ctx, time.Hour)
	child, cancel2 := tr.WithCancel(ctx)
	grandLine := nextLine()
	_, cancel3 := ctxtrack.WithCancelCause(child) // any tracker: the scope rides on the context
	cancel2()

	u := sc.Uncancelled()
	if len(u) != 2 {
		t.Fatalf("uncancelled = %+v, want 2", u)
	}
	if u[0].Line != leak || u[0].Kind != "WithTimeout" || u[0].File != thisFile || u[1].Line != grandLine || u[1].Kind != "WithCancelCause" {
		t.Errorf("uncancelled = %+v", u)
	}
	if !strings.HasSuffix(u[0].Function, ".TestScopeRecordsWhateverTheSampling") || u[0].Age <= 0 {
		t.Errorf("uncancelled[0] = %+v", u[0])
	}
	cancel()
	cancel3(nil)
	if u := sc.Uncancelled(); len(u) != 0 {
		t.Errorf("after cancel: %+v", u)
	}
	sc.Close()
	_, cancel4 := tr.WithCancel(ctx)
	defer cancel4()
	if u := sc.Uncancelled(); len(u) != 0 {
		t.Errorf("closed scope recorded %+v", u)
	}
}

func TestManyGoroutinesOneSite(t *testing.T) {
	t.Parallel()
	tr := ctxtrack.New(ctxtrack.Options{})
	parent, stop := context.WithCancel(context.Background())
	defer stop()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var keep []context.CancelFunc
	var line int
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				l := nextLine()
				_, cancel := tr.WithCancel(parent)
				if i%5 == 0 {
					mu.Lock()
					keep = append(keep, cancel)
					line = l
					mu.Unlock()
				} else {
					cancel()
				}
				if i%100 == 0 {
					tr.Report()
				}
			}
		}(g)
	}
	wg.Wait()
	s := mustSite(t, tr.Report(), line)
	if s.Created != 4000 || s.Live != int64(len(keep)) || s.Cancelled != 4000-int64(len(keep)) {
		t.Errorf("site %+v, kept %d", s, len(keep))
	}
	for _, c := range keep {
		c()
	}
	if s := mustSite(t, tr.Report(), line); s.Live != 0 || s.Cancelled != 4000 {
		t.Errorf("site %+v", s)
	}
}
