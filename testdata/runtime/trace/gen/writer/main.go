// Command writer runs a known mix of goroutines under runtime/trace and
// writes the execution trace to the file named by its only argument.
//
// Creation sites (the `go` statements below) and what happens to them:
//   - shortWorker: 3 rounds x 50, all end quickly.
//   - longLived:   4, alive through the whole trace (stopped after trace.Stop).
//   - midLived:    6, created early, end about 1.2 s later (a later generation).
//   - leakSend:    3 rounds x 10, blocked forever on an unbuffered channel send.
//   - leakRecv:    5, blocked forever on a channel receive.
package main

import (
	"os"
	"runtime/trace"
	"time"
)

func shortWorker(i int, done chan<- int) {
	done <- i * i
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

func midLived(stop <-chan struct{}) {
	<-stop
}

func leakSend(ch chan int) {
	ch <- 1 // leaked: nobody ever receives
}

func leakRecv(ch chan int) {
	<-ch // leaked: nobody ever sends
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	stop := make(chan struct{})
	ticker := time.NewTicker(50 * time.Millisecond)
	for i := 0; i < 4; i++ {
		go longLived(stop, ticker.C)
	}
	stopMid := make(chan struct{})
	for i := 0; i < 6; i++ {
		go midLived(stopMid)
	}
	for round := 0; round < 3; round++ {
		done := make(chan int)
		for i := 0; i < 50; i++ {
			go shortWorker(i, done)
		}
		for i := 0; i < 50; i++ {
			<-done
		}
		for i := 0; i < 10; i++ {
			go leakSend(make(chan int))
		}
		time.Sleep(400 * time.Millisecond)
	}
	for i := 0; i < 5; i++ {
		go leakRecv(make(chan int))
	}
	time.Sleep(200 * time.Millisecond)
	close(stopMid)
	time.Sleep(1000 * time.Millisecond)
	trace.Stop()
	close(stop)
	ticker.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
