// Package contextgrowthinloop holds fixtures for CG304 (context-growth-in-loop).
//
// This file only declares helpers; it must produce no finding.
package contextgrowthinloop

import (
	"context"
	"errors"
)

type jobKey struct{}

type job struct {
	id   int
	done chan error
}

var errFail = errors.New("fail")

func use(ctx context.Context) error { return ctx.Err() }

func run(ctx context.Context, j job) error {
	if j.id < 0 {
		return errFail
	}
	return ctx.Err()
}

func fetch(ctx context.Context, url string) error {
	if url == "" {
		return errFail
	}
	return ctx.Err()
}

func done() bool { return false }

// subtest stands in for t.Run: it calls f once.
func subtest(name string, f func()) {
	if name != "" {
		f()
	}
}
