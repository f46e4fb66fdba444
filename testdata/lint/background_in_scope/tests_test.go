package backgroundinscope

import (
	"context"
	"testing"
)

// Test code is CG205's (test-context, opt-in): CG201 leaves it alone.
func TestQuery(t *testing.T) {
	if err := query(context.Background(), "x"); err != nil { // ok: test code, see CG205
		t.Fatal(err)
	}
}

// A fake in a _test.go file is test code too.
type fakeStore struct{}

func (fakeStore) Get(ctx context.Context, key string) error {
	return query(context.TODO(), key) // ok: test code, see CG205
}
