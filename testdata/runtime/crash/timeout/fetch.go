// Package timeout is a small fan-out fetcher with four classic goroutine leaks.
// Its test (fetch_test.go) never finishes, so `go test -timeout` kills it with a
// goroutine dump: tests/runtime/test_crash_logs.py checks ctxguard against it.
//
// Every line where goroutines end up parked is marked `// blocks: NAME`; the
// test finds those lines by scanning the sources.
package timeout

import (
	"errors"
	"sync"
)

var (
	errShard = errors.New("shard unavailable")
	errQuota = errors.New("quota exceeded")
)

// FetchAll asks every shard for its part, but checks the caller's quota
// first and returns on error: the shards, already started, stay blocked on the
// unbuffered results channel that nobody will receive from.
func FetchAll(shards int, started *sync.WaitGroup) (int, error) {
	results := make(chan int)
	errs := make(chan error, 1)
	for i := 0; i < shards; i++ {
		started.Add(1)
		go fetchShard(i, results, started)
	}
	go func() { errs <- checkQuota(shards) }()
	if err := <-errs; err != nil {
		return 0, err
	}
	sum := 0
	for i := 0; i < shards; i++ {
		sum += <-results
	}
	return sum, nil
}

func checkQuota(n int) error {
	if n > 10 {
		return errQuota
	}
	return nil
}

func fetchShard(i int, results chan<- int, started *sync.WaitGroup) {
	v := i * i
	started.Done()
	results <- v // blocks: shard-send
}

// Cache guards its entries with a mutex that an error path forgets to release.
type Cache struct {
	mu      sync.Mutex
	entries map[string]int
}

func (c *Cache) Refresh(key string, ok bool) error {
	c.mu.Lock()
	if !ok {
		return errShard // returns with c.mu still held
	}
	c.entries[key]++
	c.mu.Unlock()
	return nil
}

func (c *Cache) Get(key string, started *sync.WaitGroup) int {
	started.Done()
	c.mu.Lock() // blocks: cache-lock
	defer c.mu.Unlock()
	return c.entries[key]
}

// Batch waits for workers of which one returns without calling Done.
type Batch struct {
	wg sync.WaitGroup
}

func (b *Batch) Start(workers int) {
	for i := 0; i < workers; i++ {
		b.wg.Add(1)
		go func(i int) {
			if i == 0 {
				return // forgets b.wg.Done()
			}
			b.wg.Done()
		}(i)
	}
}

func (b *Batch) Await(started *sync.WaitGroup) {
	started.Done()
	b.wg.Wait() // blocks: batch-wait
}

// Watch waits for an update or a stop signal; neither is ever sent.
func Watch(updates <-chan string, stop <-chan struct{}, started *sync.WaitGroup) string {
	started.Done()
	select { // blocks: watch-select
	case u := <-updates:
		return u
	case <-stop:
		return ""
	}
}
