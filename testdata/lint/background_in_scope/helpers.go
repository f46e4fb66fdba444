// Package backgroundinscope holds fixtures for CG201 (background-in-scope).
//
// This file only declares helpers shared by the other fixture files; it
// must produce no finding.
package backgroundinscope

import (
	"context"
	"errors"
	"net/http"
	"time"
)

var errFail = errors.New("fail")

// query stands for any call that takes a context.
func query(ctx context.Context, q string) error {
	_ = q
	return ctx.Err()
}

// store holds a long-lived context of its own.
type store struct {
	ctx    context.Context
	cancel context.CancelFunc
	client *http.Client
}

// ok: package-level code has no caller context.
var rootCtx = context.Background()

// ok: a package-level initialiser calling a function.
var deadline, _ = context.WithTimeout(context.Background(), time.Minute)

// Watch_WatchServer stands in for a protoc-gen-go-grpc server stream.
type Watch_WatchServer interface {
	Context() context.Context
	Send(string) error
}

// Queue_PushServer is a second stand-in stream type.
type Queue_PushServer interface {
	Context() context.Context
}
