package orphanedsend

// A test that gives up on a sender only by failing (t.Fatal, t.FailNow,
// require.*, gotest.tools' assert, t.Error then return) strands it only once
// the test has already failed: not a leak worth a finding. Giving up without
// failing is.

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gotest.tools/v3/assert"
)

// ok: the timeout fails the test.
func TestFetchTimeoutFatal(t *testing.T) {
	ch := make(chan string)
	go func() {
		ch <- fetch("a")
	}()
	select {
	case s := <-ch:
		t.Log(s)
	case <-time.After(time.Second):
		t.Fatal("no answer")
	}
}

// ok: the test's context ends the wait by failing the test.
func TestFetchContextFatalf(t *testing.T) {
	ch := make(chan string)
	go func() {
		ch <- fetch("b")
	}()
	select {
	case s := <-ch:
		t.Log(s)
	case <-t.Context().Done():
		t.Fatalf("cancelled: %v", t.Context().Err())
	}
}

// ok: testify's require stops the test.
func TestFetchRequire(t *testing.T) {
	ch := make(chan error)
	go func() {
		ch <- check(1)
	}()
	select {
	case err := <-ch:
		require.NoError(t, err)
	case <-time.After(time.Second):
		require.Fail(t, "no answer")
	}
}

// ok: gotest.tools' assert stops the test.
func TestFetchGotestTools(t *testing.T) {
	ch := make(chan error)
	go func() {
		ch <- check(2)
	}()
	select {
	case err := <-ch:
		assert.NilError(t, err)
	case <-time.After(time.Second):
		assert.NilError(t, errTimeout)
	}
}

// ok: the test is marked failed, then returns.
func TestFetchErrorReturn(t *testing.T) {
	ch := make(chan string)
	go func() {
		ch <- fetch("c")
	}()
	select {
	case s := <-ch:
		t.Log(s)
	case <-time.After(time.Second):
		t.Error("no answer")
		return
	}
}

// ok: a benchmark gives up with b.FailNow.
func BenchmarkFetchFailNow(b *testing.B) {
	ch := make(chan string)
	go func() {
		ch <- fetch("d")
	}()
	select {
	case s := <-ch:
		b.Log(s)
	case <-time.After(time.Second):
		b.FailNow()
	}
}

// ok: a receive loop that leaves early only on a failed test.
func TestCollectFailFast(t *testing.T) {
	ch := make(chan error)
	for i := range 4 {
		go func() {
			ch <- check(i)
		}()
	}
	for range 4 {
		if err := <-ch; err != nil {
			t.Errorf("check: %v", err)
			return
		}
	}
}

// ok: the early return before the receive follows a failed check.
func TestSetupThenWait(t *testing.T) {
	ch := make(chan error)
	go func() {
		ch <- check(5)
	}()
	if err := step(); err != nil {
		t.Error(err)
		return
	}
	require.NoError(t, <-ch)
}

// ok: t.Fatal before the receive ends the test.
func TestSetupFatalThenWait(t *testing.T) {
	ch := make(chan error)
	go func() {
		ch <- check(6)
	}()
	if err := step(); err != nil {
		t.Fatal(err)
	}
	require.NoError(t, <-ch)
}

// A test that gives up without failing: the sender is stranded in a passing test.
func TestFetchTimeoutMovesOn(t *testing.T) {
	ch := make(chan string)
	go func() {
		ch <- fetch("e") // want `CG105 goroutine may block forever sending on ch: the receiver at line 149 can stop receiving \(select with a timer\)`
	}()
	select {
	case s := <-ch:
		t.Log(s)
	case <-time.After(time.Second):
		t.Log("slow backend, skipping the comparison")
	}
}

// A receive loop in a test that stops at the first value it wants, passing.
func TestFirstSquare(t *testing.T) {
	ch := make(chan int)
	for i := range 4 {
		go func() {
			ch <- square(i) // want `CG105 goroutine may block forever sending on ch: the receiver at line 165 can stop receiving \(return at line 167 leaves the receive loop\)`
		}()
	}
	for range 4 {
		if v := <-ch; v > 1 {
			t.Log("found", v)
			return
		}
	}
}
