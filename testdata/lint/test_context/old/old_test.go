package old

import (
	"context"
	"testing"
)

// ok: go 1.23 has no t.Context().
func TestOld(t *testing.T) {
	_ = query(context.Background(), "x") // ok: the module's Go version predates t.Context()
}
