package main

import "context"

// leakyConsume runs jobs until ctx ends.
func (s *server) leakyConsume(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-s.jobs:
			// ctx itself is reassigned: every job wraps the previous
			// jobs' contexts, so the chain (and every lookup through it)
			// grows with each job.
			ctx = context.WithValue(ctx, jobKey{}, j.id) // want "CG304"
			jctx, cancel := context.WithTimeout(ctx, jobBudget)
			// Deferred in a loop that never returns: the cancels never
			// run and each job's timerCtx stays reachable.
			defer cancel() // want "CG102"
			j.done <- run(jctx, j)
		}
	}
}
