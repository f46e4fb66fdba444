package backgroundinscope

import (
	. "context"
)

// A dot import: Background() alone is the context package's.
func dotFetch(ctx Context) error {
	return query(Background(), "x") // want `CG201 Background\(\) cuts the caller's deadline and cancellation: use ctx$`
}

// The advice has no qualifier either.
func dotNotify(ctx Context) {
	go func() {
		_ = query(TODO(), "x") // want `use ctx, or WithoutCancel\(ctx\) if this must outlive the caller`
	}()
}

// ok: a dot import with nothing in scope.
func dotLegacy() error {
	return query(Background(), "x") // ok: no context in scope
}
