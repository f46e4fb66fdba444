package main

import "context"

// fixedConsume runs jobs until ctx ends.
func (s *server) fixedConsume(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-s.jobs:
			// A fresh child of the consumer's context for each job.
			jctx, cancel := context.WithTimeout(context.WithValue(ctx, jobKey{}, j.id), jobBudget)
			j.done <- run(jctx, j)
			cancel() // release the job's timer now, not when the loop ends
		}
	}
}
