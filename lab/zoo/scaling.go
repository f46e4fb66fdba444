package main

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"ctxguard.dev/lab/internal/labsrv"
)

const (
	scaleMin   = 4
	scaleMax   = 32
	scaleQueue = 256
	scaleWork  = 20 * time.Millisecond
	scaleCheck = 25 * time.Millisecond
	scaleAfter = 3 // consecutive checks with a backlog before scaling up
)

// scalingPool starts small and, once its queue has stayed backed up for a
// few checks, starts all its remaining workers in one step. It never
// shrinks: after the step the extra workers wait for work like any pool's.
type scalingPool struct {
	*workerPool
	size atomic.Int32
}

func newScalingPool() *scalingPool {
	s := &scalingPool{workerPool: newWorkerPool(scaleMin, scaleQueue, scaleWork)}
	s.size.Store(scaleMin)
	return s
}

func (s *scalingPool) start(ctx context.Context, wg *sync.WaitGroup) {
	s.spawn(ctx, wg, scaleMin)
	wg.Go(func() { s.autoscale(ctx, wg) })
}

// autoscale samples the queue length every scaleCheck until it scales up
// once, then returns.
func (s *scalingPool) autoscale(ctx context.Context, wg *sync.WaitGroup) {
	t := time.NewTicker(scaleCheck)
	defer t.Stop()
	backlogged := 0
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
		if len(s.jobs) == 0 {
			backlogged = 0
			continue
		}
		if backlogged++; backlogged < scaleAfter {
			continue
		}
		s.spawn(ctx, wg, scaleMax-scaleMin)
		s.size.Store(scaleMax)
		return
	}
}

func (s *scalingPool) register(mux *http.ServeMux) {
	mux.HandleFunc("GET /work", s.handleWork)
}

func (s *scalingPool) handleWork(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	res, err := s.submit(r.Context(), n)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	labsrv.WriteJSON(w, struct {
		result
		Workers int32 `json:"workers"`
	}{res, s.size.Load()})
}
