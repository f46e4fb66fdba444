// Package durable produces goroutine dumps from inside a testing/synctest
// bubble (Go >= 1.25): headers with " (durable)" and ", synctest bubble N".
//
//	DURABLE_DUMP=synctest.txt go test -run TestBubbleDump .
//
// writes runtime.Stack(all) taken inside the bubble to $DURABLE_DUMP, then
// returns with goroutines still blocked, so synctest panics with
// "main bubble goroutine has exited but blocked goroutines remain" and the
// test binary exits with status 2 (that panic is the second fixture).
package durable

import (
	"os"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func recvForever(ch chan int) { <-ch }
func sendForever(ch chan int) { ch <- 1 }
func selectForever(a, b chan int) {
	select {
	case <-a:
	case <-b:
	}
}
func waitGroupForever(wg *sync.WaitGroup) { wg.Wait() }
func sleepForever()                       { time.Sleep(24 * time.Hour) }
func nilRecvForever()                     { var ch chan int; <-ch }
func noCasesForever()                     { select {} }
func condForever(c *sync.Cond) {
	c.L.Lock()
	for {
		c.Wait()
	}
}
func lockBriefly(mu *sync.Mutex) { mu.Lock(); mu.Unlock() }

func TestBubbleDump(t *testing.T) {
	out := os.Getenv("DURABLE_DUMP")
	if out == "" {
		t.Skip("DURABLE_DUMP not set")
	}
	synctest.Test(t, func(t *testing.T) {
		ch := make(chan int)
		go recvForever(ch)
		go sendForever(make(chan int))
		go selectForever(make(chan int), make(chan int))
		var wg sync.WaitGroup
		wg.Add(1)
		go waitGroupForever(&wg)
		go sleepForever()
		go nilRecvForever()
		go noCasesForever()
		go condForever(sync.NewCond(&sync.Mutex{}))
		synctest.Wait() // every goroutine above is now durably blocked

		// A mutex wait is not durable: the dump shows it with the bubble id
		// but without " (durable)".
		var mu sync.Mutex
		mu.Lock()
		go lockBriefly(&mu)
		for i := 0; i < 1000; i++ {
			runtime.Gosched()
		}
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		if err := os.WriteFile(out, buf[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		mu.Unlock()
		synctest.Wait()
		// Return with the durable goroutines still blocked.
	})
}
