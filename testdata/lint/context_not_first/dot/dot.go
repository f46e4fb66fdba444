// Package dot checks a dot-imported context.
package dot

import (
	. "context"
)

// A dot import.
func dotFetch(id string, ctx Context) error { // want `context parameter ctx should be the first parameter of dotFetch: move it before id$`
	_ = id
	return ctx.Err()
}

// ok: dot import, context first.
func dotGood(ctx Context, id string) error { // ok: context first
	_ = id
	return ctx.Err()
}

var _ = Background
