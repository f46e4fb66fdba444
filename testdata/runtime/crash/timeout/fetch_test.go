package timeout

import (
	"sync"
	"testing"
)

// TestPipeline leaks goroutines of every kind, then waits for a completion
// signal that never comes: the test binary's -test.timeout fires and the
// testing package panics with every goroutine's stack.
func TestPipeline(t *testing.T) {
	var started sync.WaitGroup

	if _, err := FetchAll(40, &started); err != nil {
		t.Log("fetch:", err)
	}

	cache := &Cache{entries: map[string]int{}}
	_ = cache.Refresh("a", false)
	for i := 0; i < 5; i++ {
		started.Add(1)
		go cache.Get("a", &started)
	}

	b := &Batch{}
	b.Start(3)
	for i := 0; i < 3; i++ {
		started.Add(1)
		go b.Await(&started)
	}

	updates := make(chan string)
	stop := make(chan struct{})
	for i := 0; i < 4; i++ {
		started.Add(1)
		go Watch(updates, stop, &started)
	}

	started.Wait()
	done := make(chan struct{})
	<-done // blocks: test-body
}
