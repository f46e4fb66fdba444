package backgroundinscope

import (
	"context"
	"net/http"
	"time"
)

// A closure sees its enclosing function's context.
func closure(ctx context.Context, ids []string) {
	each := func(id string) error {
		return query(context.Background(), id) // want `use ctx, or context\.WithoutCancel\(ctx\)`
	}
	for _, id := range ids {
		_ = each(id)
	}
}

// An immediately invoked literal is not a callback.
func invoked(ctx context.Context) error {
	return func() error {
		return query(context.TODO(), "x") // want `use ctx$`
	}()
}

// A handler defined inline sees its own request (the literal is the handler, not a callback of it).
func routes(mux *http.ServeMux) {
	mux.HandleFunc("/x", func(w http.ResponseWriter, r *http.Request) {
		_ = query(context.Background(), r.URL.Path) // want `use r\.Context\(\)$`
	})
}

// ok: a handler literal with no context of its own and none around it.
var plain = func(id string) error {
	return query(context.Background(), id) // ok: no context in scope
}

// A variable built from the request's context.
func derived(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	_ = query(ctx, "a")
	_ = query(context.Background(), "b") // want `use ctx$`
}

// A bounded sub-scope under another name: suggest the caller's context, not the sub-scope.
func subScope(ctx context.Context) error {
	waitCtx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_ = query(waitCtx, "wait")
	return query(context.TODO(), "next") // want `use ctx$`
}

// A local root built from Background: look past it, at what was in scope before.
func localRoot(r *http.Request) error {
	bg := context.Background() // want `use r\.Context\(\)$`
	_ = query(bg, "a")
	return query(context.TODO(), "b") // want `use r\.Context\(\)$`
}

// ok: only a local root is in scope, and no caller context before it.
func onlyLocalRoot() error {
	bg, cancel := context.WithCancel(context.Background()) // ok: no caller context
	defer cancel()
	_ = query(bg, "a")
	return query(context.TODO(), "b") // ok: bg was built from Background, and nothing else is in scope
}
