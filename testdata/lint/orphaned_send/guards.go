package orphanedsend

import "time"

type dialResult struct {
	conn int
	err  error
}

// raceDial hands on the first connection only: a later winner is turned away before the flag
// is set, so winner gets one send, which its room for one takes.
func raceDial(results <-chan dialResult, n int, deadline <-chan struct{}) (int, bool) {
	winner := make(chan int, 1)
	go func() {
		won := false
		for i := 0; i < n; i++ {
			r := <-results
			if r.err != nil {
				continue
			}
			if won {
				continue
			}
			won = true
			winner <- r.conn // ok: once, guarded by won
		}
	}()
	select {
	case c := <-winner:
		return c, true
	case <-deadline:
		return 0, false
	}
}

// raceDialForgetful sets the flag back: every round may send again.
func raceDialForgetful(results <-chan dialResult, n int, deadline <-chan struct{}) (int, bool) {
	winner := make(chan int, 1)
	go func() {
		won := false
		for i := 0; i < n; i++ {
			r := <-results
			if won {
				continue
			}
			won = true
			winner <- r.conn // want `CG105 goroutine may block forever sending on winner`
			if r.err != nil {
				won = false
			}
		}
	}()
	select {
	case c := <-winner:
		return c, true
	case <-deadline:
		return 0, false
	}
}

// readBanner waits for the first line; whichever way it returns, a deferred goroutine reads
// the rest of the lines to the end, so the reader never blocks.
func readBanner(next func() (string, bool), d time.Duration) string {
	lines := make(chan string)
	go func() {
		defer close(lines)
		for {
			s, ok := next()
			if !ok {
				return
			}
			lines <- s // ok: drained on the way out
		}
	}()
	defer func() {
		go func() {
			for range lines {
			}
		}()
	}()
	select {
	case s := <-lines:
		return s
	case <-time.After(d):
		return ""
	}
}

// readBannerPartly drains only until the first empty line: the rest can still block.
func readBannerPartly(next func() (string, bool), d time.Duration) string {
	lines := make(chan string)
	go func() {
		defer close(lines)
		for {
			s, ok := next()
			if !ok {
				return
			}
			lines <- s // want `CG105 goroutine may block forever sending on lines`
		}
	}()
	defer func() {
		go func() {
			for s := range lines {
				if s == "" {
					return
				}
			}
		}()
	}()
	select {
	case s := <-lines:
		return s
	case <-time.After(d):
		return ""
	}
}
