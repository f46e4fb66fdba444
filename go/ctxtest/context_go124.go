//go:build go1.24

package ctxtest

import (
	"context"
	"testing"
)

// baseContext is t.Context(): cancelled just before the test's cleanups run.
func baseContext(t testing.TB) (context.Context, func()) {
	return t.Context(), nil
}
