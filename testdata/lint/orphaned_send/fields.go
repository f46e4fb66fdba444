package orphanedsend

import (
	"context"
	"time"
)

type fetched struct{ v int }

type fetcher struct {
	results chan fetched
	pending chan fetched
	drained chan fetched
	sized   chan fetched
}

func newFetcher(n int) *fetcher {
	return &fetcher{
		results: make(chan fetched),
		pending: make(chan fetched, 1),
		drained: make(chan fetched),
		sized:   make(chan fetched, n),
	}
}

func (f *fetcher) fetch(id int) {
	time.Sleep(time.Millisecond)
	f.results <- fetched{id} // want `CG105 goroutine may block forever sending on f.results: .*the receiver at line 35 can stop receiving \(select on ctx.Done\(\)\)`
}

// Get starts a fetch per call and gives up with its caller: each timed-out call strands one.
func (f *fetcher) Get(ctx context.Context, id int) (fetched, error) {
	go f.fetch(id)
	select {
	case r := <-f.results:
		return r, nil
	case <-ctx.Done():
		return fetched{}, ctx.Err()
	}
}

// Lit sends from a function literal on a field with room for its one send.
func (f *fetcher) Lit(ctx context.Context) (fetched, error) {
	go func() { f.pending <- fetched{1} }() // ok: one send, one slot
	select {
	case r := <-f.pending:
		return r, nil
	case <-ctx.Done():
		return fetched{}, ctx.Err()
	}
}

// Wait gives up on a timer, unbuffered.
func (f *fetcher) Wait() (fetched, bool) {
	go func() {
		f.drained <- fetched{2} // ok: Drain receives from drained too
	}()
	select {
	case r := <-f.drained:
		return r, true
	case <-time.After(time.Second):
		return fetched{}, false
	}
}

// Drain empties the channel: a second receiver of the field.
func (f *fetcher) Drain() {
	for range f.drained {
	}
}

// Sized has a buffer the source does not say.
func (f *fetcher) Sized(ctx context.Context) {
	go func() { f.sized <- fetched{3} }() // ok: the buffer's size is computed
	select {
	case <-f.sized:
	case <-ctx.Done():
	}
}

// Always waits for the fetched: nothing is stranded.
func (f *fetcher) Always(id int) fetched {
	go f.fetch(id) // ok
	return <-f.results
}

// A cacher per chunk, started and waited for in one go: the receive right after the go
// statement takes each send before the loop can leave.
type chunkCacher struct{ cached chan struct{} }

func newChunkCacher() *chunkCacher { return &chunkCacher{cached: make(chan struct{})} }

func (c *chunkCacher) fill() {
	c.cached <- struct{}{} // ok: each is received right after its goroutine starts
}

type chunk struct{ next *chunk }

func cacheChunks(first *chunk, limit int) {
	cached := 0
	for x := first; x != nil; x = x.next {
		if cached >= limit {
			return
		}
		c := newChunkCacher()
		go c.fill()
		<-c.cached
		cached++
	}
}

// The same with a way out between the go statement and the receive.
type lateCacher struct{ warmed chan struct{} }

func newLateCacher() *lateCacher { return &lateCacher{warmed: make(chan struct{})} }

func (c *lateCacher) warm() {
	c.warmed <- struct{}{} // want `CG105 goroutine may block forever sending on c.warmed`
}

func cacheChunksLate(first *chunk, limit int) {
	cached := 0
	for x := first; x != nil; x = x.next {
		c := newLateCacher()
		go c.warm()
		if cached >= limit {
			return
		}
		<-c.warmed
		cached++
	}
}
