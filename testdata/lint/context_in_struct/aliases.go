package contextinstruct

import stdctx "context"

// Aliased import.
type aliasHolder struct {
	ctx stdctx.Context // want `CG303 field ctx of aliasHolder`
}

// Aliased import, embedded next to another field.
type aliasCarrier struct {
	stdctx.Context // want `CG303 aliasCarrier embeds context.Context`
	id             int
}

// Aliased import, nothing but the embedded context.
type aliasWrapper struct {
	stdctx.Context // ok: pure context wrapper (aliased import)
}

// Aliased import, lifecycle owner.
type aliasOwner struct {
	ctx    stdctx.Context // ok: stored with its cancel function (aliased import)
	cancel stdctx.CancelFunc
}

// Generic struct.
type box[T any] struct {
	ctx stdctx.Context // want `CG303 field ctx of box`
	v   T
}

// Generic carrier without overrides.
type genericCarrier[K comparable, V any] struct {
	stdctx.Context // want `CG303 genericCarrier embeds context.Context`
	m              map[K]V
}

var (
	_ = aliasHolder{}
	_ = aliasCarrier{}
	_ = aliasWrapper{}
	_ = aliasOwner{}
	_ = box[int]{}
	_ = genericCarrier[string, int]{}
)
