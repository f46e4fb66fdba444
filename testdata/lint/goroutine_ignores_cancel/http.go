package goroutineignorescancel

import (
	"fmt"
	"net/http"
	"time"
)

// A handler's goroutine sends in a loop; r.Context() is available but unused.
func streamHandler(w http.ResponseWriter, r *http.Request) {
	events := make(chan string)
	go func() {
		for {
			events <- time.Now().String() // want `CG104 goroutine loop blocks on a channel send`
		}
	}()
	fmt.Fprintln(w, <-events)
}

// ok: the goroutine observes the request context through ctx := r.Context().
func okStreamHandler(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	events := make(chan string)
	go func() {
		for {
			select {
			case events <- time.Now().String():
			case <-ctx.Done():
				return
			}
		}
	}()
	fmt.Fprintln(w, <-events)
}
