package store

import (
	"context"

	"go.opencensus.io/stats"
	"go.opencensus.io/tag"
)

// Count records a metric: the fresh context only carries tags to the recorder.
func Count() {
	ctx, _ := tag.New(context.Background())
	stats.Record(ctx)
}

// Later hands back work that makes its own context when it runs: not what calling Later does.
func Later() func() error {
	return func() error { return query(context.Background()) }
}

// Schedule starts the work in a goroutine of its own.
func Schedule() {
	go func() { _ = FetchAll() }()
}
