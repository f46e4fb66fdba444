package ctxtest_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"ctxguard.dev/go/ctxtest"
	"ctxguard.dev/go/ctxtrack"
)

// leakyTest is a test that forgets a goroutine and a CancelFunc. In a test
// file it would be func TestLeaky(t *testing.T).
func leakyTest(t testing.TB) {
	ctxtest.VerifyNone(t)
	ctx := ctxtest.Context(t)

	results := make(chan int)
	go func() { results <- 42 }() // nobody receives: blocked forever

	ctx, cancel := ctxtrack.WithTimeout(ctx, time.Minute)
	_ = cancel // never called
	_ = ctx
}

// cleanTest is its fixed version.
func cleanTest(t testing.TB) {
	ctxtest.VerifyNone(t)
	ctx, cancel := ctxtrack.WithTimeout(ctxtest.Context(t), time.Minute)
	defer cancel()

	results := make(chan int, 1)
	go func() { results <- 42 }()
	select {
	case <-results:
	case <-ctx.Done():
	}
}

func ExampleVerifyNone() {
	fmt.Println("leaky:")
	fmt.Print(summary(runTest(leakyTest)))
	fmt.Println("clean:")
	fmt.Print(summary(runTest(cleanTest)))
	// Output:
	// leaky:
	// goroutine [chan send], blocked:
	// context from ctxtrack.WithTimeout never cancelled: its CancelFunc was not called
	// clean:
}

// summary keeps the report's headlines, without goroutine numbers and paths.
func summary(report string) string {
	var b strings.Builder
	for _, line := range strings.Split(report, "\n") {
		switch {
		case strings.HasPrefix(line, "goroutine "):
			b.WriteString(regexp.MustCompile(`^goroutine \d+ `).ReplaceAllString(line, "goroutine ") + "\n")
		case strings.HasPrefix(line, "context from "):
			b.WriteString(regexp.MustCompile(` at .* never`).ReplaceAllString(line, " never") + "\n")
		}
	}
	return b.String()
}

// exampleT stands in for the *testing.T of a real test: it keeps what the
// test reports, and its cleanups.
type exampleT struct {
	testing.TB // not set: only the methods below are used
	ctx        context.Context
	stop       context.CancelFunc
	report     strings.Builder
	cleanups   []func()
}

func (t *exampleT) Helper()                           {}
func (t *exampleT) Name() string                      { return "TestExample" }
func (t *exampleT) Context() context.Context          { return t.ctx }
func (t *exampleT) Cleanup(f func())                  { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Errorf(format string, args ...any) { fmt.Fprintf(&t.report, format+"\n", args...) }

// runTest runs test as package testing does: in a goroutine of its own; when
// the test returns, its context is cancelled and its cleanups run, last first.
func runTest(test func(testing.TB)) string {
	t := &exampleT{}
	t.ctx, t.stop = context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		test(t)
		t.stop()
		for i := len(t.cleanups) - 1; i >= 0; i-- {
			t.cleanups[i]()
		}
	}()
	<-done
	return t.report.String()
}
