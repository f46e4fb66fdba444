package orphanedsend

import (
	"context"
	"time"
)

// Select with a time.After case, not in a loop.
func fetchTimeout(url string) (string, error) {
	ch := make(chan string)
	go func() {
		ch <- fetch(url) // want `CG105 goroutine may block forever sending on ch: the receiver at line 15 can stop receiving`
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-time.After(time.Second):
		return "", errTimeout
	}
}

// Select with a ctx.Done() case; the context comes from a deferred-cancel derivation.
func fetchCtx(parent context.Context, url string) (string, error) {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	defer cancel()
	ch := make(chan string)
	go func() {
		ch <- fetch(url) // want `CG105 goroutine may block forever sending on ch: the receiver at line 31 can stop receiving`
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Select with a default case polls once.
func fetchNoWait(url string) (string, bool) {
	ch := make(chan string)
	go func() {
		ch <- fetch(url) // want `CG105 goroutine may block forever sending on ch: the receiver at line 45 can stop receiving`
	}()
	select {
	case s := <-ch:
		return s, true
	default:
		return "", false
	}
}

// Select with a timer's channel.
func fetchTimer(url string, d time.Duration) (string, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	ch := make(chan string)
	go func() {
		ch <- fetch(url) // want `CG105 goroutine may block forever sending on ch: the receiver at line 61 can stop receiving`
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-t.C:
		return "", errTimeout
	}
}

// Any other case counts for a select that is not in a loop.
func fetchOrQuit(url string, quit <-chan struct{}) string {
	ch := make(chan string)
	go func() {
		ch <- fetch(url) // want `CG105 goroutine may block forever sending on ch: the receiver at line 75 can stop receiving`
	}()
	select {
	case s := <-ch:
		return s
	case <-quit:
		return ""
	}
}

// An explicit zero buffer is still unbuffered.
func fetchZeroBuffer(url string) (string, error) {
	ch := make(chan string, 0)
	go func() {
		ch <- fetch(url) // want `CG105 goroutine may block forever sending on ch: the receiver at line 89 can stop receiving`
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-time.After(time.Second):
		return "", errTimeout
	}
}

// The goroutine is a named function of this package sending on its
// parameter (senders.go); the finding is on its send statement.
func fetchViaNamed(url string) (string, error) {
	ch := make(chan string)
	go sendFetch(ch, url)
	select {
	case s := <-ch:
		return s, nil
	case <-time.After(time.Second):
		return "", errTimeout
	}
}

// ok: buffer of one for the single send.
func okBuffered(url string) (string, error) {
	ch := make(chan string, 1)
	go func() {
		ch <- fetch(url)
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-time.After(time.Second):
		return "", errTimeout
	}
}

// ok: a plain receive with a single sender always drains.
func okPlainReceive(url string) string {
	ch := make(chan string)
	go func() {
		ch <- fetch(url)
	}()
	return <-ch
}

// ok: the channel is returned; the receiver is unknown.
func okReturned(url string) <-chan string {
	ch := make(chan string)
	go func() {
		ch <- fetch(url)
	}()
	return ch
}

// ok: the channel is passed elsewhere; the receiver is unknown.
func okPassed(url string) {
	ch := make(chan string)
	go func() {
		ch <- fetch(url)
	}()
	consume(ch)
}

// ok: the goroutine receives and F sends (the reverse direction).
func okReverse(n int) {
	ch := make(chan int)
	go func() {
		for v := range ch {
			_ = square(v)
		}
	}()
	for i := 0; i < n; i++ {
		ch <- i
	}
	close(ch)
}

// ok: the goroutine closes a done channel instead of sending on it.
func okCloseNotSend(url string) bool {
	done := make(chan struct{})
	go func() {
		_ = fetch(url)
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(time.Second):
		return false
	}
}

// ok: the named sender's channel has room for its single send.
func okViaNamedBuffered(url string) (string, error) {
	ch := make(chan string, 1)
	go sendFetchBuffered(ch, url)
	select {
	case s := <-ch:
		return s, nil
	case <-time.After(time.Second):
		return "", errTimeout
	}
}
