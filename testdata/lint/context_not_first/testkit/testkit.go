// Package testkit stands in for test-helper libraries (testify's assert and
// require, gotest.tools, rapid): it only declares their handle types, and
// must produce no finding.
package testkit

// TestingT is the interface testify's assert and require take.
type TestingT interface {
	Errorf(format string, args ...any)
}

// T is a property-based testing handle (as in pgregory.net/rapid).
type T struct{ name string }

// TB is a handle interface shared by tests and benchmarks.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Tester is a test handle under a name that is not a testing name.
type Tester interface {
	Fatalf(format string, args ...any)
}
