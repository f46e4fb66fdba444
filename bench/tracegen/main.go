// Command tracegen writes a Go execution trace of about -mb megabytes from a
// goroutine stress load: waves of short-lived goroutines from several `go`
// statements (channel replies, fan-out with a WaitGroup, a mutex, yields,
// small writes to /dev/null, goroutines that start their own child), a few
// goroutines that live through the whole trace, and a trickle of leaked ones
// (blocked forever on a channel send, a channel receive, or a select).
//
// Usage: go run . -o stress.trace -mb 100 -rate 10
//
// The load is paced to write about -rate MB of trace per second (0: as fast as
// it can), so that the trace spans several generations (the runtime starts a
// new one about every second) as a busy server's would. It stops tracing once
// the trace reaches the requested size and prints a summary (goroutines
// started, leaked per kind) on stderr.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

// countingWriter counts the bytes the runtime has handed over.
type countingWriter struct {
	w io.Writer
	n atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	return c.w.Write(p)
}

var (
	started    atomic.Int64
	leakedSend atomic.Int64
	leakedRecv atomic.Int64
	leakedSel  atomic.Int64
	devNull    *os.File
	mu         sync.Mutex
	shared     int
)

func reply(i int, out chan<- int) {
	out <- i * i
}

func fanOut(i int, wg *sync.WaitGroup) {
	defer wg.Done()
	mu.Lock()
	shared += i
	mu.Unlock()
}

func yielder(wg *sync.WaitGroup) {
	defer wg.Done()
	for k := 0; k < 3; k++ {
		runtime.Gosched()
	}
}

func writer(wg *sync.WaitGroup) {
	defer wg.Done()
	_, _ = devNull.Write([]byte("x"))
}

func parent(wg *sync.WaitGroup) {
	defer wg.Done()
	done := make(chan struct{})
	go child(done)
	<-done
}

func child(done chan<- struct{}) {
	close(done)
}

func leakSend() {
	ch := make(chan int)
	ch <- 1 // leaked: nobody receives
}

func leakRecv(ch <-chan int) {
	<-ch // leaked: nobody sends
}

func leakSelect(a, b <-chan int) {
	select { // leaked: neither channel is ever ready
	case <-a:
	case <-b:
	}
}

func longLived(stop <-chan struct{}, tick <-chan time.Time) {
	for {
		select {
		case <-stop:
			return
		case <-tick:
		}
	}
}

// wave runs one round of short-lived goroutines from every site and, now and
// then, leaks one.
func wave(round int) {
	out := make(chan int)
	for i := 0; i < 16; i++ {
		go reply(i, out)
	}
	for i := 0; i < 16; i++ {
		<-out
	}
	var wg sync.WaitGroup
	wg.Add(8 + 2 + 1 + 2)
	for i := 0; i < 8; i++ {
		go fanOut(i, &wg)
	}
	for i := 0; i < 2; i++ {
		go yielder(&wg)
	}
	go writer(&wg)
	for i := 0; i < 2; i++ {
		go parent(&wg)
	}
	wg.Wait()
	started.Add(16 + 8 + 2 + 1 + 2*2)
	if round%40 == 7 {
		go leakSend()
		leakedSend.Add(1)
	}
	if round%200 == 13 {
		go leakRecv(make(chan int))
		leakedRecv.Add(1)
	}
	if round%500 == 101 {
		go leakSelect(make(chan int), nil)
		leakedSel.Add(1)
	}
}

func main() {
	out := flag.String("o", "stress.trace", "trace file to write")
	mb := flag.Float64("mb", 100, "stop once the trace has about this many megabytes")
	rate := flag.Float64("rate", 10, "megabytes of trace per second to aim for (0: no pacing)")
	flag.Parse()
	var err error
	if devNull, err = os.OpenFile(os.DevNull, os.O_WRONLY, 0); err != nil {
		panic(err)
	}
	f, err := os.Create(*out)
	if err != nil {
		panic(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	cw := &countingWriter{w: bw}
	if err := trace.Start(cw); err != nil {
		panic(err)
	}
	start := time.Now()
	stop := make(chan struct{})
	ticker := time.NewTicker(10 * time.Millisecond)
	for i := 0; i < 4; i++ {
		go longLived(stop, ticker.C)
	}
	target := int64(*mb * 1e6)
	var rounds atomic.Int64
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := cw.n.Load(); n < target; n = cw.n.Load() {
				if *rate > 0 && float64(n) > *rate*1e6*time.Since(start).Seconds() {
					time.Sleep(time.Millisecond) // ahead of the pace
					continue
				}
				wave(int(rounds.Add(1)))
			}
		}()
	}
	wg.Wait()
	trace.Stop()
	close(stop)
	ticker.Stop()
	if err := bw.Flush(); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
	fmt.Fprintf(os.Stderr, "tracegen: %.1f MB in %.1fs, %d rounds, %d short-lived goroutines, leaked %d send + %d receive + %d select\n",
		float64(cw.n.Load())/1e6, time.Since(start).Seconds(), rounds.Load(), started.Load(),
		leakedSend.Load(), leakedRecv.Load(), leakedSel.Load())
}
