// Command deadlock is a batch job that deadlocks: main waits for its workers
// before draining their results, the workers wait for main to receive, and
// every other goroutine waits on something nobody will ever do. The runtime
// notices that all goroutines are asleep and dies with
// `fatal error: all goroutines are asleep - deadlock!` and their stacks.
//
// Build it with CGO_ENABLED=0: with cgo linked in the deadlock detector may
// not fire. Lines where goroutines end up parked are marked `// blocks: NAME`.
package main

import (
	"fmt"
	"sync"
)

type result struct {
	id  int
	sum int
}

type ledger struct {
	mu     sync.Mutex
	totals map[int]int
}

// begin takes the lock for a transaction; the failing path never commits.
func (l *ledger) begin(id int) bool {
	l.mu.Lock()
	if id < 0 {
		return false // returns with l.mu held
	}
	l.totals[id]++
	l.mu.Unlock()
	return true
}

func (l *ledger) record(r result) {
	l.mu.Lock() // blocks: ledger-lock
	l.totals[r.id] += r.sum
	l.mu.Unlock()
}

func worker(id int, results chan<- result, wg *sync.WaitGroup) {
	defer wg.Done()
	sum := 0
	for i := 0; i <= id; i++ {
		sum += i
	}
	results <- result{id, sum} // blocks: send-result
}

func reporter(name string, wg *sync.WaitGroup) {
	wg.Wait() // blocks: report-wait
	fmt.Println(name, "done")
}

func janitor(evict <-chan int, quit <-chan struct{}) {
	for {
		select { // blocks: janitor-select
		case k := <-evict:
			_ = k
		case <-quit:
			return
		}
	}
}

func main() {
	l := &ledger{totals: map[int]int{}}
	l.begin(-1)
	for i := 0; i < 6; i++ {
		go l.record(result{id: i})
	}

	evict := make(chan int)
	quit := make(chan struct{})
	for i := 0; i < 4; i++ {
		go janitor(evict, quit)
	}

	results := make(chan result)
	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go worker(i, results, &wg)
	}
	for _, name := range []string{"metrics", "audit", "billing"} {
		go reporter(name, &wg)
	}

	wg.Wait() // blocks: main-wait
	close(results)
	for r := range results {
		l.record(r)
	}
}
