package builtincontextkey

import "context"

var sharedEmpty struct{}

type ownEmpty struct{}

func emptyStructKeys(ctx context.Context) {
	_ = context.WithValue(ctx, struct{}{}, 1)  // want "CG301 .*empty anonymous struct"
	_ = context.WithValue(ctx, sharedEmpty, 1) // want "CG301 .*empty anonymous struct"
	var local struct{}
	_ = context.WithValue(ctx, local, 1)                      // want "CG301 .*empty anonymous struct"
	_ = context.WithValue(ctx, ownEmpty{}, 1)                 // ok: a named type is the package's own key
	_ = context.WithValue(ctx, struct{ name string }{"k"}, 1) // ok: fields make it a different type per use
}
