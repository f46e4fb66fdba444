package backgroundinscope

import (
	"context"
	"testing"
)

// RunStoreSuite is a conformance suite other packages run from their tests: test code, although
// it is not in a _test.go file (a *testing.T is in scope).
func RunStoreSuite(t *testing.T, s *store) {
	t.Run("get", func(t *testing.T) {
		if _, err := s.Get(context.Background(), "k"); err != nil { // ok: test code, see CG205
			t.Fatal(err)
		}
	})
}
