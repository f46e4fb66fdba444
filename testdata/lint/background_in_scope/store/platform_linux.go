package store

import "context"

// Platform makes its own context on Linux only: which declaration a caller gets depends on the build.
func Platform() error { return query(context.TODO()) }
