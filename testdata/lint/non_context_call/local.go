package noncontextcall

import (
	"context"
	"time"
)

// The package's own APIs with a twin declared next to them.
func Fetch(key string) string { return FetchContext(context.Background(), key) }

func FetchContext(ctx context.Context, key string) string {
	if ctx.Err() != nil {
		return ""
	}
	return key
}

func OpenStore(name string, timeout time.Duration) error { return nil }

func OpenStoreWithContext(ctx context.Context, name string, timeout time.Duration) error {
	return ctx.Err()
}

type Cache struct{ data map[string]string }

func (c *Cache) Load(key string) string { return c.LoadContext(context.Background(), key) }

func (c *Cache) LoadContext(ctx context.Context, key string) string {
	done := make(chan string, 1)
	go func() { done <- c.Load(key) }() // ok: the twin built on its plain variant
	select {
	case v := <-done:
		return v
	case <-ctx.Done():
		return ""
	}
}

// Save's would-be twin takes other parameters: not a twin.
func (c *Cache) Save(key, value string) {}

func (c *Cache) SaveContext(ctx context.Context, key string) {}

type service struct {
	*Cache
	timeout time.Duration
}

func (s *service) handle(ctx context.Context, key string) error {
	_ = Fetch(key) // want `CG202 Fetch has no context: use FetchContext\(ctx, \.\.\.\)`

	_ = s.Load(key) // want `CG202 \(\*Cache\)\.Load has no context: use LoadContext\(ctx, \.\.\.\)`

	_ = s.Cache.Load(key) // want `CG202 \(\*Cache\)\.Load has no context`

	s.Save(key, "v")           // ok: SaveContext is no twin of Save
	_ = FetchContext(ctx, key) // ok: the twin

	return OpenStore("main", s.timeout) // want `CG202 OpenStore has no context: use OpenStoreWithContext\(ctx, \.\.\.\)`
}

func shadowedFetch(ctx context.Context) {
	Fetch := func(string) string { return "" }
	_ = Fetch("k") // ok: a local func value, not the package's Fetch
}

func noContextHere(c *Cache) string {
	return c.Load("k") // ok: no context at hand
}
