package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"ctxguard.dev/go/lifecycle"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		err  error
		want lifecycle.Outcome
	}{
		{nil, lifecycle.Completed},
		{context.Canceled, lifecycle.Cancelled},
		{context.DeadlineExceeded, lifecycle.DeadlineExceeded},
		{fmt.Errorf("query: %w", context.DeadlineExceeded), lifecycle.DeadlineExceeded},
		{errors.New("boom"), lifecycle.Errored},
	}
	for _, c := range cases {
		if got := lifecycle.Classify(c.err); got != c.want {
			t.Errorf("Classify(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

func TestClassifyRequest(t *testing.T) {
	cases := []struct {
		ctxErr           error
		panicked, failed bool
		want             lifecycle.Outcome
	}{
		{nil, false, false, lifecycle.Completed},
		{nil, false, true, lifecycle.Errored},
		{nil, true, false, lifecycle.Errored},
		{context.Canceled, true, false, lifecycle.Errored},
		{context.Canceled, false, true, lifecycle.Cancelled},
		{context.DeadlineExceeded, false, true, lifecycle.DeadlineExceeded},
		{context.DeadlineExceeded, false, false, lifecycle.DeadlineExceeded},
	}
	for _, c := range cases {
		if got := lifecycle.ClassifyRequest(c.ctxErr, c.panicked, c.failed); got != c.want {
			t.Errorf("ClassifyRequest(%v, %v, %v) = %q, want %q", c.ctxErr, c.panicked, c.failed, got, c.want)
		}
	}
	if n := len(lifecycle.Outcomes()); n != 4 {
		t.Errorf("%d outcomes", n)
	}
}

func TestParseTraceparent(t *testing.T) {
	const tid = "4bf92f3577b34da6a3ce929d0e0e4736"
	valid := []string{
		"00-" + tid + "-00f067aa0ba902b7-01",
		"00-" + tid + "-00f067aa0ba902b7-00",
		" 00-" + tid + "-00f067aa0ba902b7-01\t",
		"01-" + tid + "-00f067aa0ba902b7-01",
		"cc-" + tid + "-00f067aa0ba902b7-09-what-the-future-holds",
	}
	for _, s := range valid {
		if got, ok := lifecycle.ParseTraceparent(s); !ok || got != tid {
			t.Errorf("%q: %q %v, want %q", s, got, ok, tid)
		}
	}
	invalid := []string{
		"",
		"00",
		"00-" + tid + "-00f067aa0ba902b7",
		"00-" + tid + "-00f067aa0ba902b7-01-",
		"00-" + tid + "-00f067aa0ba902b7-011",
		"01-" + tid + "-00f067aa0ba902b7-011",
		"ff-" + tid + "-00f067aa0ba902b7-01",
		"0g-" + tid + "-00f067aa0ba902b7-01",
		"00-" + strings.ToUpper(tid) + "-00f067aa0ba902b7-01",
		"00-" + tid + "-00F067AA0BA902B7-01",
		"00-" + tid + "-00f067aa0ba902b7-0x",
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01",
		"00-" + tid + "-0000000000000000-01",
		"00_" + tid + "_00f067aa0ba902b7_01",
		"00-" + tid[:31] + "-00f067aa0ba902b7-01x",
	}
	for _, s := range invalid {
		if got, ok := lifecycle.ParseTraceparent(s); ok {
			t.Errorf("%q: %q, want invalid", s, got)
		}
	}
}

func TestIDs(t *testing.T) {
	ctx := context.Background()
	if lifecycle.RequestID(ctx) != "" || lifecycle.TraceID(ctx) != "" || lifecycle.Traceparent(ctx) != "" {
		t.Fatal("IDs in a bare context")
	}
	const tp = "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more"
	ctx = lifecycle.WithIDs(ctx, "r1", " "+tp)
	if got := lifecycle.RequestID(ctx); got != "r1" {
		t.Errorf("RequestID %q", got)
	}
	if got := lifecycle.TraceID(ctx); got != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("TraceID %q", got)
	}
	if got := lifecycle.Traceparent(ctx); got != tp[:55] {
		t.Errorf("Traceparent %q", got)
	}
	ctx = lifecycle.WithIDs(ctx, "r2", "bogus")
	if lifecycle.RequestID(ctx) != "r2" || lifecycle.TraceID(ctx) != "" || lifecycle.Traceparent(ctx) != "" {
		t.Errorf("after an invalid traceparent: %q %q %q",
			lifecycle.RequestID(ctx), lifecycle.TraceID(ctx), lifecycle.Traceparent(ctx))
	}
}

func TestRequestIDs(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{32}$`)
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		id := lifecycle.NewRequestID()
		if !re.MatchString(id) || seen[id] {
			t.Fatalf("bad or repeated ID %q", id)
		}
		if !lifecycle.ValidRequestID(id) {
			t.Fatalf("generated ID %q not valid", id)
		}
		seen[id] = true
	}
	for _, s := range []string{"", "a b", "é", "a\nb", strings.Repeat("a", lifecycle.MaxRequestIDLen+1)} {
		if lifecycle.ValidRequestID(s) {
			t.Errorf("%q accepted", s)
		}
	}
	for _, s := range []string{"a", "req-1:x/y", strings.Repeat("a", lifecycle.MaxRequestIDLen)} {
		if !lifecycle.ValidRequestID(s) {
			t.Errorf("%q refused", s)
		}
	}
}

type counter struct {
	mu                     sync.Mutex
	started, finished, cut int
	last                   lifecycle.Outcome
	cutc                   chan struct{}
}

func (c *counter) Started(string) { c.mu.Lock(); c.started++; c.mu.Unlock() }
func (c *counter) Finished(_ string, o lifecycle.Outcome, _ float64) {
	c.mu.Lock()
	c.finished++
	c.last = o
	c.mu.Unlock()
}
func (c *counter) Cut(string) {
	c.mu.Lock()
	c.cut++
	c.mu.Unlock()
	if c.cutc != nil {
		c.cutc <- struct{}{}
	}
}
func (c *counter) counts() (int, int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.started, c.finished, c.cut
}

func TestBeginEnd(t *testing.T) {
	t.Run("nil observer", func(t *testing.T) {
		r := lifecycle.Begin(context.Background(), nil, "x", 0)
		if r != nil || r.End(lifecycle.Completed) != 0 || r.Route() != "" {
			t.Fatal("nil observer should give a no-op Request")
		}
	})

	t.Run("ended in time: no cut", func(t *testing.T) {
		c := &counter{}
		ctx, cancel := context.WithCancel(context.Background())
		r := lifecycle.Begin(ctx, c, "x", 30*time.Millisecond)
		if r.Route() != "x" {
			t.Errorf("route %q", r.Route())
		}
		cancel()
		r.End(lifecycle.Cancelled) // within the grace
		time.Sleep(80 * time.Millisecond)
		if s, f, cut := c.counts(); s != 1 || f != 1 || cut != 0 {
			t.Fatalf("started %d finished %d cut %d", s, f, cut)
		}
	})

	t.Run("never done: no cut", func(t *testing.T) {
		c := &counter{}
		r := lifecycle.Begin(context.Background(), c, "x", -1)
		if secs := r.End(lifecycle.Completed); secs < 0 {
			t.Fatal("negative duration")
		}
		if _, _, cut := c.counts(); cut != 0 {
			t.Fatal("cut")
		}
	})

	t.Run("outlived: one cut", func(t *testing.T) {
		for _, grace := range []time.Duration{-1, 10 * time.Millisecond} {
			c := &counter{cutc: make(chan struct{}, 2)}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
			r := lifecycle.Begin(ctx, c, "x", grace)
			select {
			case <-c.cutc:
			case <-time.After(5 * time.Second):
				t.Fatalf("grace %v: no cut", grace)
			}
			r.End(lifecycle.DeadlineExceeded)
			cancel()
			if s, f, cut := c.counts(); s != 1 || f != 1 || cut != 1 {
				t.Fatalf("grace %v: started %d finished %d cut %d", grace, s, f, cut)
			}
		}
	})
}

func TestRefine(t *testing.T) {
	bg := context.Background()
	if got := lifecycle.Refine(bg, lifecycle.Cancelled); got != lifecycle.Cancelled {
		t.Errorf("no deadline: %q", got)
	}
	far, cancel := context.WithTimeout(bg, time.Hour)
	defer cancel()
	if got := lifecycle.Refine(far, lifecycle.Cancelled); got != lifecycle.Cancelled {
		t.Errorf("far deadline: %q", got)
	}
	near, cancel2 := context.WithTimeout(bg, lifecycle.DeadlineSlack/4)
	defer cancel2()
	if got := lifecycle.Refine(near, lifecycle.Cancelled); got != lifecycle.DeadlineExceeded {
		t.Errorf("near deadline: %q", got)
	}
	for _, o := range []lifecycle.Outcome{lifecycle.Completed, lifecycle.Errored, lifecycle.DeadlineExceeded} {
		if got := lifecycle.Refine(near, o); got != o {
			t.Errorf("%q refined to %q", o, got)
		}
	}
}
