// Package require stands in for github.com/stretchr/testify/require: every
// check stops the test when it fails.
package require

// TestingT is the part of *testing.T the checks use.
type TestingT interface {
	Errorf(format string, args ...any)
	FailNow()
}

// NoError stops the test if err is not nil.
func NoError(t TestingT, err error, msgAndArgs ...any) {
	if err != nil {
		t.Errorf("unexpected error: %v", err)
		t.FailNow()
	}
}

// Fail stops the test.
func Fail(t TestingT, failureMessage string, msgAndArgs ...any) {
	t.Errorf("%s", failureMessage)
	t.FailNow()
}
