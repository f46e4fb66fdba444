//go:build !linux

package store

// Platform makes no context elsewhere.
func Platform() error { return nil }
