package orphanedsend

import (
	"fmt"
	"log"
	"sync"
)

// A switch in the receive loop returns early for one kind of value.
func switchEarlyReturn(n int) (int, error) {
	ch := make(chan int)
	for i := 0; i < n; i++ {
		go func() {
			ch <- square(i) - 10 // want `CG105 goroutine may block forever sending on ch: the receiver at line 19 can stop receiving`
		}()
	}
	total := 0
	for i := 0; i < n; i++ {
		v := <-ch
		switch {
		case v < 0:
			return 0, errNeg
		case v == 0:
			fallthrough
		default:
			total += v
		}
	}
	return total, nil
}

// A type switch in a range loop returns early on an error value.
func typeSwitchEarlyReturn(items []int) ([]string, error) {
	ch := make(chan any)
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch <- check(it) // want `CG105 goroutine may block forever sending on ch: the receiver at line 48 can stop receiving`
		}()
	}
	go func() {
		wg.Wait()
		close(ch)
	}()
	var out []string
	for v := range ch {
		switch x := v.(type) {
		case error:
			return nil, x
		case string:
			out = append(out, x)
		}
	}
	return out, nil
}

// ok: goto after the channel has been fully drained.
func okGotoAfterDrain(n int) (int, error) {
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
	if total < 0 {
		goto fail
	}
	return total, nil
fail:
	return 0, errNeg
}

// ok: labeled continue does not stop receiving.
func okLabeledContinue(n int) int {
	ch := make(chan int)
	for i := 0; i < n; i++ {
		go func() {
			ch <- square(i)
		}()
	}
	sum := 0
loop:
	for i := 0; i < n; i++ {
		v := <-ch
		if v%2 == 0 {
			continue loop
		}
		sum += v
	}
	return sum
}

// ok: fallthrough switch after a single plain receive from a single sender.
func okFallthroughSingle(i int) string {
	ch := make(chan int)
	go func() {
		ch <- square(i)
	}()
	switch v := <-ch; {
	case v == 0:
		fallthrough
	case v < 10:
		return "small"
	default:
		return fmt.Sprint(v)
	}
}

// ok: type switch on a single plain receive from a single sender.
func okTypeSwitchSingle(i int) string {
	ch := make(chan any)
	go func() {
		ch <- check(i)
	}()
	switch x := (<-ch).(type) {
	case error:
		return x.Error()
	default:
		return "ok"
	}
}

// ok: a no-return call after the channel has been fully drained.
func okFatalAfterDrain(items []int) {
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
	var failed int
	for err := range ch {
		if err != nil {
			failed++
		}
	}
	if failed > 0 {
		log.Fatalf("%d checks failed", failed)
	}
}
