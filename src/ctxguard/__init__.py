"""ctxguard: find and govern context and goroutine leaks in Go services."""

__version__ = "0.1.0"
