// Command sigquit is a long-running service with leaked goroutines next to
// healthy ones (a ticker loop and an idle HTTP server). It prints `ready` once
// everything is parked; kill it with SIGQUIT for the runtime's goroutine dump
// (default GOTRACEBACK). Lines where leaked goroutines end up parked are marked
// `// blocks: NAME`, the healthy goroutines' lines `// healthy: NAME`.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

type reply struct{ body string }

// request sends a query to a backend that answers on reply channels; the
// caller's deadline is short, so the backend goroutine exits first and the
// waiter is left alone on its channel.
func request(id int, started *sync.WaitGroup) {
	ch := make(chan reply)
	go backend(id, ch)
	started.Done()
	r := <-ch // blocks: await-reply
	fmt.Println(r.body)
}

func backend(id int, ch chan<- reply) {
	if id >= 0 {
		return // the deadline passed: never answers
	}
	ch <- reply{"ok"}
}

var (
	sessionsMu sync.Mutex
	sessions   = map[string]int{}
)

func openSession(user string) error {
	sessionsMu.Lock()
	if user == "" {
		return fmt.Errorf("empty user") // returns with sessionsMu held
	}
	sessions[user]++
	sessionsMu.Unlock()
	return nil
}

func touchSession(user string, started *sync.WaitGroup) {
	started.Done()
	sessionsMu.Lock() // blocks: session-lock
	sessions[user]++
	sessionsMu.Unlock()
}

func drain(pending *sync.WaitGroup, started *sync.WaitGroup) {
	started.Done()
	pending.Wait() // blocks: drain-wait
}

func subscribe(events <-chan string, closed <-chan struct{}, started *sync.WaitGroup) {
	started.Done()
	select { // blocks: subscribe-select
	case e := <-events:
		fmt.Println(e)
	case <-closed:
	}
}

// heartbeat is healthy: it wakes up every 50ms.
func heartbeat(n *int) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for range t.C { // healthy: heartbeat
		*n++
	}
}

func main() {
	var started sync.WaitGroup

	for i := 0; i < 25; i++ {
		started.Add(1)
		go request(i, &started)
	}

	_ = openSession("")
	for i := 0; i < 6; i++ {
		started.Add(1)
		go touchSession("bob", &started)
	}

	var pending sync.WaitGroup
	pending.Add(1) // the flush that would call Done was never started
	for i := 0; i < 3; i++ {
		started.Add(1)
		go drain(&pending, &started)
	}

	events := make(chan string)
	closed := make(chan struct{})
	for i := 0; i < 8; i++ {
		started.Add(1)
		go subscribe(events, closed, &started)
	}

	beats := 0
	go heartbeat(&beats)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go http.Serve(ln, http.NotFoundHandler()) // healthy: http-serve

	started.Wait()
	time.Sleep(200 * time.Millisecond) // let the last ones park
	fmt.Println("ready", ln.Addr())
	select {} // healthy: main-park
}
