// Package orphanedsend holds fixtures for CG105 (orphaned-send).
//
// This file only declares helpers; it must produce no finding.
package orphanedsend

import "errors"

var (
	errTimeout = errors.New("timeout")
	errNeg     = errors.New("negative")
)

type result struct {
	val string
	err error
}

func fetch(url string) string  { return url }
func work(i int) result        { return result{val: fetch("x"), err: nil} }
func check(i int) error        { return nil }
func square(i int) int         { return i * i }
func consume(ch <-chan string) { <-ch }
