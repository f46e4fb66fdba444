package defercancelinloop

import (
	"context"
	"time"
)

type crawler struct {
	base    context.Context
	timeout time.Duration
	urls    []string
}

// Pointer-receiver method with a range loop.
func (c *crawler) crawlAll() error {
	for _, u := range c.urls {
		ctx, cancel := context.WithTimeout(c.base, c.timeout)
		defer cancel() // want `CG102 cancel is deferred inside a loop`
		if err := fetch(ctx, u); err != nil {
			return err
		}
	}
	return nil
}

// Value-receiver method with a counted loop.
func (c crawler) retry(n int) error {
	var err error
	for attempt := 0; attempt < n; attempt++ {
		ctx, cancel := context.WithTimeout(c.base, c.timeout)
		defer cancel() // want `CG102 cancel is deferred inside a loop`
		if err = fetch(ctx, c.urls[0]); err == nil {
			return nil
		}
	}
	return err
}

// ok: method that cancels explicitly in every iteration.
func (c *crawler) okCrawlExplicit() error {
	for _, u := range c.urls {
		ctx, cancel := context.WithTimeout(c.base, c.timeout)
		err := fetch(ctx, u)
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// ok: method deriving once before the loop.
func (c *crawler) okCrawlOnce() error {
	ctx, cancel := context.WithTimeout(c.base, c.timeout)
	defer cancel()
	for _, u := range c.urls {
		if err := fetch(ctx, u); err != nil {
			return err
		}
	}
	return nil
}
