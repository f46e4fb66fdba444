// Command ctxloop is trap 6 of the leak lab: a context chain grown in a
// long-lived loop (article section 2.5).
//
// POST /jobs?id=N queues a job and waits for its result. A single consumer
// goroutine runs the jobs one by one for the life of the service; each job
// gets its id attached to the context and a time budget of its own.
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"

	"ctxguard.dev/lab/internal/labsrv"
)

const jobBudget = time.Second

type jobKey struct{}

type job struct {
	id   string
	done chan error // buffered: the consumer never waits for the submitter
}

type server struct {
	jobs chan job
}

// run does the job's work: here, it only checks that the job id reached
// the context and that the budget has not run out.
func run(ctx context.Context, j job) error {
	if id, _ := ctx.Value(jobKey{}).(string); id != j.id {
		return fmt.Errorf("job %s ran with id %q", j.id, id)
	}
	return ctx.Err()
}

// submit queues a job and waits for its result, or for the client to go.
func (s *server) submit(w http.ResponseWriter, r *http.Request) {
	j := job{id: r.URL.Query().Get("id"), done: make(chan error, 1)}
	select {
	case s.jobs <- j:
	case <-r.Context().Done():
		return
	}
	select {
	case err := <-j.done:
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		labsrv.WriteJSON(w, map[string]string{"job": j.id, "status": "done"})
	case <-r.Context().Done():
	}
}

func main() {
	life, stop, leaky := labsrv.Setup()
	defer stop()

	s := &server{jobs: make(chan job)}
	if leaky {
		go s.leakyConsume(life)
	} else {
		go s.fixedConsume(life)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /jobs", s.submit)
	if err := labsrv.Serve(life, mux); err != nil {
		log.Fatal(err)
	}
}
