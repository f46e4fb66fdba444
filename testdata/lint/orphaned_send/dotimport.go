package orphanedsend

// This file uses a dot import of "context".

import (
	. "context"
	"time"
)

// Dot import: the context comes from WithTimeout.
func dotFetch(parent Context, url string) (string, error) {
	ctx, cancel := WithTimeout(parent, time.Second)
	defer cancel()
	ch := make(chan string)
	go func() {
		ch <- fetch(url) // want `CG105 goroutine may block forever sending on ch: the receiver at line 19 can stop receiving`
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// ok: dot import, buffered channel of one.
func okDotFetch(parent Context, url string) (string, error) {
	ctx, cancel := WithTimeout(parent, time.Second)
	defer cancel()
	ch := make(chan string, 1)
	go func() {
		ch <- fetch(url)
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
