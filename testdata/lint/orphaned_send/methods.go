package orphanedsend

import (
	"context"
	"sync"
	"time"
)

type client struct {
	timeout time.Duration
	base    string
}

// Method F: select with ctx.Done().
func (c *client) get(ctx context.Context, path string) (string, error) {
	ch := make(chan string)
	go func() {
		ch <- fetch(c.base + path) // want `CG105 goroutine may block forever sending on ch: the receiver at line 21 can stop receiving`
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Value-receiver method F: early return from a range loop.
func (c client) all(paths []string) ([]string, error) {
	ch := make(chan result)
	var wg sync.WaitGroup
	for i := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch <- work(i) // want `CG105 goroutine may block forever sending on ch: the receiver at line 44 can stop receiving`
		}()
	}
	go func() {
		wg.Wait()
		close(ch)
	}()
	var out []string
	for r := range ch {
		if r.err != nil {
			return nil, r.err
		}
		out = append(out, r.val)
	}
	return out, nil
}

// ok: method with a buffered channel of one and a timeout.
func (c *client) okGet(path string) (string, error) {
	ch := make(chan string, 1)
	go func() {
		ch <- fetch(c.base + path)
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-time.After(c.timeout):
		return "", errTimeout
	}
}

// ok: method that drains with a range loop.
func (c client) okAll(paths []string) []string {
	ch := make(chan string)
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch <- fetch(c.base + p)
		}()
	}
	go func() {
		wg.Wait()
		close(ch)
	}()
	var out []string
	for s := range ch {
		out = append(out, s)
	}
	return out
}
