package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync"
	"time"

	"ctxguard.dev/lab/internal/labsrv"
)

const (
	poolWorkers = 64
	poolWork    = 3 * time.Millisecond
)

// A job is one request's unit of work. It carries the request's context so
// the worker stops when the client gives up, and a one-slot reply channel
// so the worker can always deliver and move on.
type job struct {
	ctx   context.Context
	n     int
	reply chan<- result
}

type result struct {
	N      int    `json:"n"`
	Digest string `json:"digest"`
	Err    error  `json:"-"`
}

// workerPool is a fixed set of workers fed by one queue. A worker with
// nothing to do parks in select on the queue and ctx.Done(): that is spare
// capacity waiting for work, not a leak, and every worker returns once the
// service's context ends.
type workerPool struct {
	workers int
	jobs    chan job
	work    time.Duration
}

func newWorkerPool(workers, queue int, work time.Duration) *workerPool {
	return &workerPool{workers: workers, jobs: make(chan job, queue), work: work}
}

func (p *workerPool) start(ctx context.Context, wg *sync.WaitGroup) {
	p.spawn(ctx, wg, p.workers)
}

func (p *workerPool) spawn(ctx context.Context, wg *sync.WaitGroup, k int) {
	for range k {
		wg.Go(func() { p.worker(ctx) })
	}
}

func (p *workerPool) worker(ctx context.Context) {
	for {
		select {
		case j := <-p.jobs:
			j.reply <- p.process(j)
		case <-ctx.Done():
			return
		}
	}
}

// process hashes n after a short wait standing in for a few milliseconds
// of real work.
func (p *workerPool) process(j job) result {
	if err := pause(j.ctx, p.work); err != nil {
		return result{N: j.n, Err: err}
	}
	sum := sha256.Sum256([]byte(strconv.Itoa(j.n)))
	return result{N: j.n, Digest: hex.EncodeToString(sum[:8])}
}

// submit queues a job and waits for its result, or for ctx to end.
func (p *workerPool) submit(ctx context.Context, n int) (result, error) {
	reply := make(chan result, 1)
	select {
	case p.jobs <- job{ctx: ctx, n: n, reply: reply}:
	case <-ctx.Done():
		return result{}, ctx.Err()
	}
	select {
	case res := <-reply:
		return res, res.Err
	case <-ctx.Done():
		return result{}, ctx.Err()
	}
}

func (p *workerPool) register(mux *http.ServeMux) {
	mux.HandleFunc("GET /work", p.handleWork)
}

func (p *workerPool) handleWork(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	res, err := p.submit(r.Context(), n)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	labsrv.WriteJSON(w, res)
}
