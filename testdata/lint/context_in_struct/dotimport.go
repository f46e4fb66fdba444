package contextinstruct

import . "context"

// Dot-imported context.
type dotHolder struct {
	c Context // want `CG303 field c of dotHolder`
}

// Dot-imported, lifecycle owner.
type dotOwner struct {
	c      Context // ok: stored with its cancel function (dot import)
	cancel CancelFunc
}

var (
	_ = dotHolder{}
	_ = dotOwner{}
)
