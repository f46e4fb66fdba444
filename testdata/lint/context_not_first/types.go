package contextnotfirst

import (
	"context"
	"net/http"
)

// An interface method spec.
type Getter interface {
	Get(key string, ctx context.Context) ([]byte, error) // want `context parameter ctx should be the first parameter of interface method Getter\.Get: move it before key$`
	Head(context.Context, string) error                  // ok: context first
}

// An unnamed interface method parameter.
type Putter interface {
	Put(string, []byte, context.Context) error // want `context parameter context\.Context should be the first parameter of interface method Putter\.Put: move it before string$`
}

// A named func type.
type Handler func(w http.ResponseWriter, ctx context.Context) // want `context parameter ctx should be the first parameter of func type Handler: move it before w$`

// ok: a named func type with the context first.
type GoodHandler func(ctx context.Context, w http.ResponseWriter) // ok: context first

// A func-typed struct field.
type hooks struct {
	onStop func(reason string, ctx context.Context) // want `should be the first parameter of this func type: move it before reason$`
	onRun  func(ctx context.Context, reason string) // ok: context first
}

// An anonymous interface in a parameter.
func withLookup(l interface {
	Lookup(name string, ctx context.Context) error // want `should be the first parameter of interface method Lookup: move it before name$`
}) {
	_ = l
}

// ok: an interface whose method takes a func type with a context first.
type Runner interface {
	Run(ctx context.Context, f func(context.Context) error) error // ok: context first everywhere
}

var _ = hooks{}
