package contextnotfirst

import (
	"context"
	"testing"
)

// A context after another parameter.
func fetch(id string, ctx context.Context) (*Item, error) { // want `CG203 context parameter ctx should be the first parameter of fetch: move it before id$`
	return get(ctx, id)
}

// After several parameters, grouped names count one by one.
func fetchMany(a, b string, n int, ctx context.Context) error { // want `context parameter ctx should be the first parameter of fetchMany: move it before a$`
	_, _, _ = a, b, n
	return use(ctx)
}

// Two misplaced contexts in one group are two findings.
func two(id string, c1, c2 context.Context) error { // want `context parameter c1 should be the first parameter of two` `context parameter c2 should be the first parameter of two`
	_ = id
	return errorsJoin(use(c1), use(c2))
}

// An unnamed parameter list.
func unnamed(string, context.Context) {} // want `context parameter context\.Context should be the first parameter of unnamed: move it before string$`

// A context parameter named _.
func blank(id string, _ context.Context) { _ = id } // want `context parameter _ should be the first parameter of blank`

// A method.
func (s *Store) Get(key string, ctx context.Context) ([]byte, error) { // want `context parameter ctx should be the first parameter of method Store\.Get: move it before key$`
	_ = key
	return nil, use(ctx)
}

// A generic function: type parameters are not parameters.
func Map[T any](xs []T, ctx context.Context) []T { // want `context parameter ctx should be the first parameter of Map: move it before xs$`
	_ = use(ctx)
	return xs
}

// A test type after a non-test one is not a leading one.
func helperLate(name string, t *testing.T, ctx context.Context) { // want `should be the first parameter of helperLate: move it before name$`
	_, _, _ = name, t, ctx
}

// ok: a leading *testing.T.
func helperT(t *testing.T, ctx context.Context, name string) { // ok: *testing.T may lead
	_, _, _ = t, ctx, name
}

// ok: a leading testing.TB.
func helperTB(tb testing.TB, ctx context.Context) { // ok: testing.TB may lead
	_, _ = tb, ctx
}

// ok: a leading *testing.B.
func benchHelper(b *testing.B, ctx context.Context) { // ok: *testing.B may lead
	_, _ = b, ctx
}

// ok: two contexts first.
func merge(parent, other context.Context, name string) context.Context { // ok: contexts may follow contexts
	_, _ = other, name
	return parent
}

// ok: a receiver is not a parameter.
func (s *Store) Put(ctx context.Context, key string, v []byte) error { // ok: ctx is first after the receiver
	_, _ = key, v
	return use(ctx)
}

// ok: a variadic of contexts is not a context parameter.
func firstDone(name string, ctxs ...context.Context) { // ok: ...context.Context is a slice
	_, _ = name, ctxs
}

// ok: a context in the results does not count.
func split(name string) (string, context.Context) { // ok: result, not parameter
	return name, context.Background()
}

// Store is a key-value store.
type Store struct{}

func errorsJoin(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
