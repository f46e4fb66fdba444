package contextnotfirst

import (
	"context"
	"testing"

	"fixture/testkit"
)

// TestingT is the package's own interface around *testing.T and *testing.B.
type TestingT interface {
	Name() string
	Cleanup(func())
	Failed() bool
}

// ok: the package's own TestingT interface leads a test helper.
func setTestContext(t TestingT, ctx context.Context) { // ok: TestingT may lead
	_, _ = t, ctx
}

// ok: testify's assert.TestingT / require.TestingT.
func assertReady(t testkit.TestingT, ctx context.Context, name string) { // ok: a qualified TestingT may lead
	_, _, _ = t, ctx, name
}

// ok: a property-based testing handle *rapid.T.
func checkProperty(t *testkit.T, ctx context.Context) { // ok: a qualified *T may lead
	_, _ = t, ctx
}

// ok: another package's TB.
func withTB(tb testkit.TB, ctx context.Context) { // ok: a qualified TB may lead
	_, _ = tb, ctx
}

// ok: a leading *testing.F.
func fuzzHelper(f *testing.F, ctx context.Context) { // ok: *testing.F may lead
	_, _ = f, ctx
}

// ok: a func type of test helpers, and an interface method.
type stepFunc func(t TestingT, ctx context.Context) error // ok: TestingT may lead

type checker interface {
	Check(t testkit.TestingT, ctx context.Context) bool // ok: a qualified TestingT may lead
}

// ok: a test handle and then a testing type, both before the context.
func twoHandles(t TestingT, b *testing.B, ctx context.Context) { // ok: both may lead
	_, _, _ = t, b, ctx
}

// A test handle under a name that is no testing name: reported.
func withTester(t testkit.Tester, ctx context.Context) { // want `should be the first parameter of withTester: move it before t$`
	_, _ = t, ctx
}

// A test handle after another parameter is not a leading one.
func lateHandle(name string, t TestingT, ctx context.Context) { // want `should be the first parameter of lateHandle: move it before name$`
	_, _, _ = name, t, ctx
}

// A type named like a test handle but neither an interface nor a testing type.
type TB struct{ n int }

func withLocalTB(tb TB, ctx context.Context) { // want `should be the first parameter of withLocalTB: move it before tb$`
	_, _ = tb, ctx
}

// A type parameter named T is not a test handle.
func firstOf[T any](v T, ctx context.Context) T { // want `should be the first parameter of firstOf: move it before v$`
	_ = ctx
	return v
}

var (
	_ stepFunc
	_ checker
)
