// Package old is a module before Go 1.24: tests have no t.Context() there.
package old

import "context"

func query(ctx context.Context, q string) error {
	_ = q
	return ctx.Err()
}
