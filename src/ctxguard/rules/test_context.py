"""CG205 test-context (opt-in): context.Background()/TODO() in test code where the test's context is available."""

from __future__ import annotations

from ctxguard.findings import Severity
from ctxguard.rules.background_in_scope import roots_in_scope
from ctxguard.rules.base import Pass, Rule

DOC = """\
## What it finds
CG201's finding, in test code: a `context.Background()` or `context.TODO()`
where the test's context (`t.Context()`, `b.Context()`, `f.Context()`, Go
1.24 and later) or another context is in scope. Test code is:

- anything in a `_test.go` file: tests, benchmarks, fuzz targets, examples,
  helpers, fakes;
- elsewhere, a function or closure with a `*testing.T`, `*testing.B`,
  `*testing.F` or `testing.TB` parameter in scope: test support packages
  (a shared conformance suite, a fixture taking a `testing.TB`).

This rule is **opt-in**: it is test hygiene, not a leak a maintainer must fix
(the test binary's deadline bounds whatever the fresh context starts). Turn it
on with `--select CG205` (or `--extend-select test-context`, `extend-select =
["CG205"]` in the configuration, or `--select ALL`).

Not reported, as in CG201:
- test helpers that take a `*testing.T` or `testing.TB` but are not test
  functions themselves (only `Test*`, `Benchmark*`, `Fuzz*` functions and
  the callbacks of `t.Run`/`b.Run`/`f.Fuzz`/`synctest.Test` count): they are
  often called from `t.Cleanup`, when `t.Context()` is already cancelled;
- the body of a `t.Cleanup(func() { ... })` callback, for the same reason;
- `TestMain(m *testing.M)`: `*testing.M` has no context;
- test contexts when the module's `go.mod` says a Go version before 1.24;
- a local root, a nil guard, a fresh context only handed to a logger or
  tracing lookup or to a function of the package that ignores its context
  parameter, and deliberate detaches (deferred code, cleanup calls, code that
  runs once a context is done, a cancel function a struct keeps, an unchecked
  semaphore `Acquire`, a comment giving the reason): see CG201.

## Why it matters
`t.Context()` is cancelled just before the test's cleanups run: work the test
started under it (servers, goroutines, watches) stops with the test instead of
running into the next one, and a hung call fails the test at its own deadline
instead of the whole binary's. It also carries the test's values.

## Bad
```go
func TestReserve(t *testing.T) {
	srv := newTestServer(t)
	reply, err := srv.Reserve(context.Background(), req)
	...
}
```

## Good
```go
func TestReserve(t *testing.T) {
	srv := newTestServer(t)
	reply, err := srv.Reserve(t.Context(), req)
	...
}
```
"""


def check(p: Pass) -> None:
    for r in roots_in_scope(p.file, tests=True):
        p.report(r.call, f"{r.root} in test code: {r.advice(p.file)}")


RULE = Rule(
    code="CG205",
    name="test-context",
    severity=Severity.INFO,
    summary="context.Background()/TODO() in test code where t.Context() or another context is available",
    doc=DOC,
    check=check,
    needs_imports=frozenset({"context"}),
    default=False,
    tests=True,
)
