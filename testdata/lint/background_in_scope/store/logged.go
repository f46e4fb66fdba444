package store

import (
	"context"

	"github.com/containerd/log"
)

// Named only logs with its context: a fresh one passed here cuts nothing.
func Named(ctx context.Context, key string) error {
	log.G(ctx).Info(key)
	return nil
}

// Relay hands its context only to Named.
func Relay(ctx context.Context, key string) error { return Named(ctx, key) }

// Quiet makes a context only for Named: calling Quiet cuts nothing either.
func Quiet() error { return Named(context.TODO(), "quiet") }
