"""Go execution trace (Go 1.22+ generation format) reader and goroutine lifetimes."""
