package orphanedsend

import "sync"

// A walker fans out one reader per item, waits for all of them, then says it is done: when the
// receiver returns on done, every send on results has been taken.
func walkAll(items []int, read func(int) int) []int {
	results := make(chan int)
	done := make(chan bool)
	go func() {
		var wg sync.WaitGroup
		for _, it := range items {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results <- read(it) // ok: done comes only after every reader has sent
			}()
		}
		wg.Wait()
		done <- true
	}()
	var out []int
	for {
		select {
		case r := <-results:
			out = append(out, r)
		case <-done:
			return out
		}
	}
}

// A sender that sends everything, then says it is done, as its last act.
func listAll(items []int) []int {
	results := make(chan int)
	done := make(chan struct{})
	go func() {
		for _, it := range items {
			results <- it // ok: done is sent after the last of these was taken
		}
		done <- struct{}{}
	}()
	var out []int
	for {
		select {
		case r := <-results:
			out = append(out, r)
		case <-done:
			return out
		}
	}
}

// The same walker without waiting for its readers: done can come before their sends.
func walkAllUnwaited(items []int, read func(int) int) []int {
	results := make(chan int)
	done := make(chan bool)
	go func() {
		for _, it := range items {
			go func() {
				results <- read(it) // want `CG105 goroutine may block forever sending on results`
			}()
		}
		done <- true
	}()
	var out []int
	for {
		select {
		case r := <-results:
			out = append(out, r)
		case <-done:
			return out
		}
	}
}

// A walker that waits on one group while its readers leave through another.
func walkAllOtherGroup(items []int, read func(int) int, other *sync.WaitGroup) []int {
	results := make(chan int)
	done := make(chan bool)
	go func() {
		var wg sync.WaitGroup
		for _, it := range items {
			wg.Add(1)
			go func() {
				defer other.Done()
				results <- read(it) // want `CG105 goroutine may block forever sending on results`
			}()
		}
		wg.Wait()
		done <- true
	}()
	var out []int
	for {
		select {
		case r := <-results:
			out = append(out, r)
		case <-done:
			return out
		}
	}
}
