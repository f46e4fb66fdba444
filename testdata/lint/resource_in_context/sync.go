package resourceincontext

import (
	"context"
	"sync"
)

type lockKey struct{}
type wgKey struct{}
type chKey struct{}

// A mutex by pointer.
func storeMutex(ctx context.Context) context.Context {
	var mu sync.Mutex
	return context.WithValue(ctx, lockKey{}, &mu) // want `CG302 .*stores a \*sync\.Mutex: .*goroutine coordination`
}

// A mutex by value: a copy.
func storeMutexValue(ctx context.Context, mu sync.RWMutex) context.Context {
	return context.WithValue(ctx, lockKey{}, mu) // want `CG302 .*stores a sync\.RWMutex`
}

// A wait group.
func storeWaitGroup(ctx context.Context) context.Context {
	wg := &sync.WaitGroup{}
	return context.WithValue(ctx, wgKey{}, wg) // want `CG302 .*stores a \*sync\.WaitGroup`
}

// Channels.
func storeChan(ctx context.Context) context.Context {
	results := make(chan int)
	return context.WithValue(ctx, chKey{}, results) // want `CG302 .*stores a channel chan int`
}

func storeRecvChan(ctx context.Context, done <-chan struct{}) context.Context {
	return context.WithValue(ctx, chKey{}, done) // want `CG302 .*stores a channel <-chan struct\{\}`
}

func storeMadeInline(ctx context.Context) context.Context {
	return context.WithValue(ctx, chKey{}, make(chan error, 1)) // want `CG302 .*channel chan error`
}

// A struct field holding a lock.
type registry struct {
	mu sync.Mutex
}

func (r *registry) attach(ctx context.Context) context.Context {
	return context.WithValue(ctx, lockKey{}, &r.mu) // want `CG302 .*\*sync\.Mutex`
}

// In a closure.
func closureStore(ctx context.Context) func() context.Context {
	var wg sync.WaitGroup
	return func() context.Context {
		return context.WithValue(ctx, wgKey{}, &wg) // want `CG302 .*\*sync\.WaitGroup`
	}
}

// ok: a sync.Once is not a lock handed around.
func okOnce(ctx context.Context) context.Context {
	var once sync.Once
	return context.WithValue(ctx, lockKey{}, &once) // ok: not in the list
}

// ok: a struct that holds a mutex is data with its own methods.
func okRegistry(ctx context.Context, r *registry) context.Context {
	return context.WithValue(ctx, lockKey{}, r) // ok: *registry is the package's own type
}

// ok: a value received from a channel.
func okReceived(ctx context.Context, ch chan string) context.Context {
	return context.WithValue(ctx, chKey{}, <-ch) // ok: a string received from the channel
}

// ok: a func value, not a channel.
func okFunc(ctx context.Context, f func()) context.Context {
	return context.WithValue(ctx, chKey{}, f) // ok: function value
}

// ok: a shadowed mutex name holding a plain value.
func okShadow(ctx context.Context) context.Context {
	mu := 1
	return context.WithValue(ctx, lockKey{}, mu) // ok: mu is an int here
}
