package builtincontextkey

import "context"

type sliceHolder struct {
	parts []string
}

type plainHolder struct {
	name string
}

func incomparableKeys(ctx context.Context, b []byte, m map[string]int, f func()) {
	_ = context.WithValue(ctx, []byte("k"), 1)    // want "CG301 .*not comparable: WithValue panics"
	_ = context.WithValue(ctx, b, 1)              // want "CG301 .*not comparable"
	_ = context.WithValue(ctx, m, 1)              // want "CG301 .*not comparable"
	_ = context.WithValue(ctx, f, 1)              // want "CG301 .*not comparable"
	_ = context.WithValue(ctx, sliceHolder{}, 1)  // want "CG301 .*sliceHolder, which is not comparable"
	_ = context.WithValue(ctx, plainHolder{}, 1)  // ok: a comparable package struct
	_ = context.WithValue(ctx, &sliceHolder{}, 1) // ok: pointers are comparable
}
