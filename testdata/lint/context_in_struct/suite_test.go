package contextinstruct

import (
	"context"
	"testing"
)

// A test suite keeps the test's context for one test.
type suite struct {
	ctx context.Context // ok: test files are not checked
}

func TestSuite(t *testing.T) {
	s := suite{ctx: t.Context()}
	if err := use(s.ctx); err != nil {
		t.Fatal(err)
	}
}
