// Package goroutineignorescancel holds fixtures for CG104
// (goroutine-ignores-cancel).
//
// This file only declares helpers; it must produce no finding.
package goroutineignorescancel

import "errors"

var errNeg = errors.New("negative")

func process(v int)   { _ = v }
func poll()           {}
func compute() int    { return 42 }
func keep(v any)      { _ = v }
func handle(s string) { _ = s }
