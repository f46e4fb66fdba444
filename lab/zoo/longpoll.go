package main

import (
	"context"
	"net/http"
	"sync"
	"time"

	"ctxguard.dev/lab/internal/labsrv"
)

const (
	eventEvery  = 2 * time.Second
	pollTimeout = 10 * time.Second
)

type event struct {
	Seq int       `json:"seq"`
	At  time.Time `json:"at"`
}

// broadcaster publishes an event every eventEvery to whoever is long
// polling. Each poll parks its handler until the next event, its own
// timeout or the client's departure, whichever comes first: clients that
// poll again at once keep a constant number of handlers parked, each
// bounded in time.
type broadcaster struct {
	mu   sync.Mutex
	last event
	next chan struct{} // closed when the next event is published, then replaced
}

func newBroadcaster() *broadcaster {
	return &broadcaster{next: make(chan struct{})}
}

func (b *broadcaster) start(ctx context.Context, wg *sync.WaitGroup) {
	wg.Go(func() { every(ctx, eventEvery, b.publish) })
}

func (b *broadcaster) publish(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last = event{Seq: b.last.Seq + 1, At: now}
	close(b.next)
	b.next = make(chan struct{})
}

// current returns the latest event and the channel closed by the next one.
func (b *broadcaster) current() (event, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last, b.next
}

func (b *broadcaster) register(mux *http.ServeMux) {
	mux.HandleFunc("GET /poll", b.handlePoll)
}

func (b *broadcaster) handlePoll(w http.ResponseWriter, r *http.Request) {
	_, next := b.current()
	timeout := time.NewTimer(pollTimeout)
	defer timeout.Stop()
	select {
	case <-next:
		ev, _ := b.current()
		labsrv.WriteJSON(w, ev)
	case <-timeout.C:
		w.WriteHeader(http.StatusNoContent)
	case <-r.Context().Done():
	}
}
