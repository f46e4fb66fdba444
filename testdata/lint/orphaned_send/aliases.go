package orphanedsend

import (
	stdctx "context"
)

// Aliased import: select with ctx.Done().
func aliasFetch(ctx stdctx.Context, url string) (string, error) {
	ch := make(chan string)
	go func() {
		ch <- fetch(url) // want `CG105 goroutine may block forever sending on ch: the receiver at line 14 can stop receiving`
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// ok: aliased import, buffered channel of one.
func okAliasFetch(ctx stdctx.Context, url string) (string, error) {
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
