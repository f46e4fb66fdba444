package orphanedsend

import (
	"context"
	"sync"
)

// Early return from a range loop over ch; one sender per item.
func firstError(items []int) error {
	ch := make(chan error)
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch <- check(it) // want `CG105 goroutine may block forever sending on ch: the receiver at line 23 can stop receiving`
		}()
	}
	go func() {
		wg.Wait()
		close(ch)
	}()
	for err := range ch {
		if err != nil {
			return err
		}
	}
	return nil
}

// Early return from a counted receive loop.
func collectUntilError(n int) ([]string, error) {
	ch := make(chan result)
	for i := 0; i < n; i++ {
		go func() {
			ch <- work(i) // want `CG105 goroutine may block forever sending on ch: the receiver at line 41 can stop receiving`
		}()
	}
	var out []string
	for i := 0; i < n; i++ {
		r := <-ch
		if r.err != nil {
			return nil, r.err
		}
		out = append(out, r.val)
	}
	return out, nil
}

// break out of a range loop over ch.
func findFirst(items []int, target int) bool {
	ch := make(chan int)
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch <- square(it) // want `CG105 goroutine may block forever sending on ch: the receiver at line 66 can stop receiving`
		}()
	}
	go func() {
		wg.Wait()
		close(ch)
	}()
	found := false
	for v := range ch {
		if v == target {
			found = true
			break
		}
	}
	return found
}

// A select in a loop whose ctx.Done() case returns.
func gatherCtx(ctx context.Context, n int) ([]string, error) {
	ch := make(chan result)
	for i := 0; i < n; i++ {
		go func() {
			ch <- work(i) // want `CG105 goroutine may block forever sending on ch: the receiver at line 86 can stop receiving`
		}()
	}
	var out []string
	for i := 0; i < n; i++ {
		select {
		case r := <-ch:
			out = append(out, r.val)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return out, nil
}

// A labeled break out of a for/select loop.
func squaresUntilDone(ctx context.Context, n int) []int {
	ch := make(chan int)
	for i := range n {
		go func() {
			ch <- square(i) // want `CG105 goroutine may block forever sending on ch: the receiver at line 107 can stop receiving`
		}()
	}
	var out []int
loop:
	for range n {
		select {
		case v := <-ch:
			out = append(out, v)
		case <-ctx.Done():
			break loop
		}
	}
	return out
}

// ok: range over ch without early exit drains every send.
func okDrainAll(items []int) []error {
	ch := make(chan error)
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch <- check(it)
		}()
	}
	go func() {
		wg.Wait()
		close(ch)
	}()
	var errs []error
	for err := range ch {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// ok: the loop receives exactly n times without early exit.
func okReceiveN(n int) int {
	ch := make(chan int)
	for i := 0; i < n; i++ {
		go func() {
			ch <- square(i)
		}()
	}
	total := 0
	for i := 0; i < n; i++ {
		total += <-ch
	}
	return total
}

// ok: buffer sized by a non-literal expression; early return is fine.
func okBufferLen(items []int) error {
	ch := make(chan error, len(items))
	for _, it := range items {
		go func() {
			ch <- check(it)
		}()
	}
	for range items {
		if err := <-ch; err != nil {
			return err
		}
	}
	return nil
}

// ok: select in a loop with ctx.Done(), but the buffer holds every send.
func okGatherBuffered(ctx context.Context, jobs []int) ([]string, error) {
	ch := make(chan result, len(jobs))
	for _, j := range jobs {
		go func() {
			ch <- work(j)
		}()
	}
	var out []string
	for range jobs {
		select {
		case r := <-ch:
			out = append(out, r.val)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return out, nil
}
