// Package assert stands in for gotest.tools/v3/assert: Check marks the test
// failed, the others stop it.
package assert

// TestingT is the part of *testing.T the checks use.
type TestingT interface {
	Log(args ...any)
	Fail()
	FailNow()
}

// NilError stops the test if err is not nil.
func NilError(t TestingT, err error, msgAndArgs ...any) {
	if err != nil {
		t.Log(err)
		t.FailNow()
	}
}

// Check marks the test failed if the comparison is false, and reports it.
func Check(t TestingT, ok bool, msgAndArgs ...any) bool {
	if !ok {
		t.Fail()
	}
	return ok
}
