// Package contextnotfirst holds fixtures for CG203 (context-not-first).
//
// This file only declares helpers shared by the other fixture files; it
// must produce no finding.
package contextnotfirst

import (
	"context"
	"net/http"
)

// Item is a stored thing.
type Item struct{ ID string }

// use reads a context so that it counts as used.
func use(ctx context.Context) error { return ctx.Err() }

// ok: a context first.
func get(ctx context.Context, id string) (*Item, error) { return &Item{ID: id}, use(ctx) }

// ok: a context alone.
func ping(ctx context.Context) error { return use(ctx) }

// ok: no parameters at all, and a context only in the results.
func newCtx() (string, context.Context) { return "", context.Background() }

// serve needs a handler func.
func serve(h http.HandlerFunc) { _ = h }

// register needs a callback whose signature it dictates.
func register(f func(name string, ctx context.Context) error) { _ = f } // want `CG203 context parameter ctx should be the first parameter of this func type: move it before name`
