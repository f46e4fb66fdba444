package backgroundinscope

import (
	"context"
	"net/http"
)

// fakeContext has methods named like the context package's functions.
type fakeContext struct{}

func (fakeContext) Background() context.Context { return rootCtx }
func (fakeContext) TODO() context.Context       { return rootCtx }

// ok: a local variable named context shadows the import.
func shadowedPackage(ctx context.Context) error {
	context := fakeContext{}
	return query(context.Background(), "x") // ok: not the context package
}

// ok: a parameter named context shadows the import.
func shadowParam(context fakeContext, r *http.Request) error {
	_ = r
	return query(context.TODO(), "x") // ok: not the context package
}

// ok: a method named Background on some value.
func methodNamedBackground(ctx context.Context, f fakeContext) error {
	_ = ctx
	return query(f.Background(), "x") // ok: a method, not context.Background
}

// A request shadowed by a non-request: the outer request is hidden.
func shadowedRequest(r *http.Request) {
	for _, r := range []string{"a"} {
		_ = query(context.Background(), r) // ok: r is a string here and nothing else is in scope
	}
}

// The inner context wins.
func innermost(outer context.Context, reqs []*http.Request) {
	_ = outer
	for _, req := range reqs {
		func(r *http.Request) {
			_ = query(context.Background(), r.URL.Path) // want `use r\.Context\(\)$`
		}(req)
	}
}

// Before the shadowing declaration the name still means the package.
func shadowAfterUse(ctx context.Context) error {
	err := query(context.Background(), "x") // want `use ctx$`
	context := fakeContext{}
	_ = context
	return err
}
