"""Test code: where it is, and where a test's own context (`t.Context()`, Go 1.24) may be used."""

from __future__ import annotations

import os
import re

from tree_sitter import Node

from ctxguard.gosrc.model import TESTING_TYPES, GoFile
from ctxguard.gosrc.scope import Decl
from ctxguard.gosrc.syntax import text, unparen

_TEST_FUNC = re.compile(r"(?:Test|Benchmark|Fuzz)(?:$|[^a-z])")
_RUNNERS = frozenset({"Run", "Fuzz", "Test"})
_GO_DIRECTIVE = re.compile(rb"(?m)^go\s+(\d+)\.(\d+)")
# t.Context() and friends appeared in Go 1.24
TEST_CONTEXT_SINCE = (1, 24)


def in_test_code(file: GoFile, node: Node) -> bool:
    """Code that only runs under `go test`: anything in a `_test.go` file (tests, benchmarks,
    examples, helpers, fakes), and elsewhere a function, or a closure in one, with a
    `*testing.T`, `*testing.B`, `*testing.F` or `testing.TB` parameter in scope (test support
    packages: shared conformance suites, fixtures taking a `testing.TB`)."""
    if file.path.endswith("_test.go"):
        return True
    if b"testing" not in file.source:
        return False
    scope = file.scope_for(node)
    if scope is None:
        return False
    pos = node.start_byte
    return any(
        d.kind == "param"
        and d.type_node is not None
        and scope.visible(d, pos)
        and file.type_text(d.type_node) in TESTING_TYPES
        for d in scope.decls
    )


def test_entry(fn: Node) -> bool:
    """A test, benchmark or fuzz function, or a callback of t.Run / b.Run / f.Fuzz / synctest.Test.
    Helpers taking a *testing.T are left alone: they are often called from t.Cleanup, when
    t.Context() is already cancelled."""
    if fn.type in ("function_declaration", "method_declaration"):
        return _TEST_FUNC.match(text(fn.child_by_field_name("name"))) is not None
    args = fn.parent
    call = args.parent if args is not None and args.type == "argument_list" else None
    if call is None or call.type != "call_expression":
        return False
    callee = unparen(call.child_by_field_name("function"))  # type: ignore[arg-type]
    return callee.type == "selector_expression" and text(callee.child_by_field_name("field")) in _RUNNERS


def is_test_context(file: GoFile, decl: Decl) -> bool:
    return decl.type_node is not None and file.type_text(decl.type_node) in TESTING_TYPES


def go_at_least(file: GoFile, version: tuple[int, int]) -> bool:
    """The `go` line of the nearest go.mod is at least `version` (assumed when there is none)."""

    def compute() -> tuple[int, int] | None:
        directory = os.path.dirname(os.path.abspath(file.path))
        while True:
            try:
                with open(os.path.join(directory, "go.mod"), "rb") as fh:
                    m = _GO_DIRECTIVE.search(fh.read())
                return (int(m.group(1)), int(m.group(2))) if m else None
            except OSError:
                pass
            parent = os.path.dirname(directory)
            if parent == directory:
                return None
            directory = parent

    found = file.memo("bg.go_version", compute)
    return found is None or found >= version
