//go:build !go1.24

package ctxtest

import (
	"context"
	"testing"
)

// baseContext stands in for t.Context(), which Go 1.24 added: a context
// cancelled by the returned function, which Context registers as a cleanup
// and VerifyNone calls before checking.
func baseContext(testing.TB) (context.Context, func()) {
	return context.WithCancel(context.Background())
}
