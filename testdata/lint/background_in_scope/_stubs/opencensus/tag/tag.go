// Package tag stands in for OpenCensus' tag package.
package tag

import "context"

// Mutator changes a tag map.
type Mutator struct{}

// New returns a context with tags.
func New(ctx context.Context, m ...Mutator) (context.Context, error) { return ctx, nil }
