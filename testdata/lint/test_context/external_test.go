package testcontext_test

import (
	"context"
	"testing"

	testcontext "fixture"
)

// An external test package is test code too.
func TestExternal(t *testing.T) {
	if err := testcontext.Serve(context.TODO()); err != nil { // want `CG205 context\.TODO\(\) in test code: use t\.Context\(\)$`
		t.Fatal(err)
	}
}

// ok: the same with the test's context.
func TestExternalGood(t *testing.T) {
	if err := testcontext.Serve(t.Context()); err != nil { // ok: uses t.Context()
		t.Fatal(err)
	}
}
