package backgroundinscope

import (
	"context"
	"net/http"
)

type ctxKey struct{}

// A context variable declared without a value and assigned only roots is a local root.
func typedRoot(id string) error {
	var ctx context.Context
	if id == "" {
		ctx = context.Background() // ok: no caller context
	} else {
		ctx = context.TODO() // ok: no caller context
	}
	_ = query(ctx, id)
	return query(context.TODO(), id) // ok: ctx only ever holds roots, and nothing else is in scope
}

// ... looked past, at the caller's context declared before it.
func typedRootInHandler(w http.ResponseWriter, r *http.Request) {
	var ctx context.Context
	ctx = context.Background() // want `use r\.Context\(\)$`
	_ = query(ctx, r.URL.Path)
	_ = query(context.TODO(), "b") // want `use r\.Context\(\)$`
	w.WriteHeader(http.StatusOK)
}

// A variable that may hold the caller's context is one to use.
func mixedOrigin(r *http.Request, fast bool) error {
	var ctx context.Context
	if fast {
		ctx = r.Context()
	} else {
		ctx = context.TODO() // want `use r\.Context\(\)$`
	}
	_ = query(ctx, "a")
	return query(context.Background(), "b") // want `use ctx$`
}

// Values added to a root leave a root.
func valuesOnRoot() error {
	ctx := context.WithValue(context.Background(), ctxKey{}, "v") // ok: no caller context
	_ = query(ctx, "a")
	return query(context.TODO(), "b") // ok: ctx is a root with values, and nothing else is in scope
}
