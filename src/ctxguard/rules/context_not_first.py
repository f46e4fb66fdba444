"""CG203 context-not-first: context.Context parameter that is not the first parameter."""

from __future__ import annotations

import re

from tree_sitter import Node

from ctxguard.findings import Severity
from ctxguard.gosrc.ctxfacts import is_context_type
from ctxguard.gosrc.model import TESTING_TYPES, GoFile
from ctxguard.gosrc.syntax import text, unparen
from ctxguard.rules.base import Pass, Rule

DOC = """\
## What it finds
A `context.Context` parameter that is not the first parameter, in function
and method declarations, function literals, named and anonymous func types
(`type Handler func(...)`, a `func(...)` parameter or field) and interface
method specs. Only the parameters count, not the receiver or the results.

Allowed before the context: other `context.Context` parameters, and the
test handles that lead a test helper's parameters by convention (`func
newServer(t *testing.T, ctx context.Context)`):
- `*testing.T`, `*testing.B`, `*testing.F` and `testing.TB`;
- interfaces standing for them, recognised by their name: a type whose name
  ends in `TestingT` or `TestingTB` (testify's `assert.TestingT` and
  `require.TestingT`, gotest.tools' `poll.TestingT`, a package's own `type
  TestingT interface{ ... }`);
- a type named `T` or `TB` from another package (`*rapid.T`, `testkit.TB`), or
  declared by the package itself as an interface or as one of the testing
  types above (`type TB = testing.TB`); a type parameter named `T` is not one.

A pointer to any of these counts as well.

Not reported: a function literal whose signature is dictated by where it
goes (an argument of a call, a value assigned to a field, an element of a
composite literal, a returned value, a variable of a declared type): the
finding belongs to the func type it must match, which is reported where it
is declared if it is in this code.

## Why it matters
Go's convention (the `context` package documentation, and `revive`'s
`context-as-argument`) is that a context is the first parameter, named
`ctx`. Call sites read uniformly, a missing context is easy to spot in
review, and tools that thread contexts through call chains rely on the
position.

## Bad
```go
func fetch(id string, ctx context.Context) (*Item, error)

type Store interface {
	Get(key string, ctx context.Context) ([]byte, error)
}
```

## Good
```go
func fetch(ctx context.Context, id string) (*Item, error)

type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
}
```

## Options
- `allow-types-before`: types that may precede the context, as qualified
  type texts (`*net/http.Request`, `example.com/app/log.Logger`) or as
  written in the source (`*http.Request`). The test handles above are
  always allowed.
"""

_CONTEXT_WORD = re.compile(rb"\bContext\b")
# test-helper interfaces named after testing.T: testify's assert/require.TestingT, gotest.tools' poll.TestingT
_TESTING_T_NAME = re.compile(r"TestingTB?$")
# short names that mean a test handle when qualified (`*rapid.T`) or declared as one by the package
_SHORT_TEST_NAMES = frozenset({"T", "TB"})
_TESTING_BASES = frozenset(t.lstrip("*") for t in TESTING_TYPES)
# the nodes whose `parameters` field lists what CG203 checks
_SIGNATURES = frozenset({"function_declaration", "method_declaration", "func_literal", "function_type", "method_elem"})


def check(p: Pass) -> None:
    file = p.file
    allowed = TESTING_TYPES | frozenset(p.options.get("allow-types-before", ()))
    seen: set[int] = set()
    for plist in _candidate_lists(file):
        if plist.id in seen:
            continue
        seen.add(plist.id)
        owner = plist.parent
        if owner is None or (owner.type == "func_literal" and not _free_signature(owner)):
            continue
        _check_list(p, file, plist, owner, allowed)


def _candidate_lists(file: GoFile) -> list[Node]:
    """Parameter lists holding a parameter typed `Context`, found from the bytes: a query over
    every parameter list of every file would cost more than the rest of the rule."""
    out: list[Node] = []
    for m in _CONTEXT_WORD.finditer(file.source):
        name = file.root.descendant_for_byte_range(m.start(), m.end())
        if name is None or name.type != "type_identifier":
            continue
        typ = name.parent
        if typ is not None and typ.type == "qualified_type":
            decl = typ.parent
        else:
            decl, typ = typ, name  # a dot import: `ctx Context`
        if decl is None or decl.type != "parameter_declaration" or decl.child_by_field_name("type") != typ:
            continue
        plist = decl.parent
        owner = plist.parent if plist is not None else None
        if plist is None or owner is None or owner.type not in _SIGNATURES:
            continue
        if owner.child_by_field_name("parameters") == plist:  # not the receiver, not the results
            out.append(plist)
    return out


def _check_list(p: Pass, file: GoFile, plist: Node, owner: Node, allowed: frozenset[str]) -> None:
    before: Node | None = None  # the first parameter that a context must not follow
    for decl in plist.named_children:
        if decl.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        ptype = decl.child_by_field_name("type")
        is_ctx = decl.type == "parameter_declaration" and ptype is not None and is_context_type(file, ptype)
        if is_ctx and before is not None:
            names = decl.children_by_field_name("name")
            for target in names or [decl]:
                label = f"context parameter {text(target)}" if names else f"context parameter {text(ptype)}"
                p.report(
                    target if len(names) > 1 else decl,
                    f"{label} should be the first parameter of {_describe(file, owner)}: "
                    f"move it before {_param_text(before)}",
                )
        elif not is_ctx and before is None and not _allowed(file, ptype, allowed):
            before = decl


def _allowed(file: GoFile, ptype: Node | None, allowed: frozenset[str]) -> bool:
    if ptype is None:
        return False
    return file.type_text(ptype) in allowed or text(ptype) in allowed or _test_handle(file, ptype)


def _test_handle(file: GoFile, ptype: Node) -> bool:
    """A test-helper handle standing for *testing.T: `TestingT`, `assert.TestingT`, `*rapid.T`,
    or the package's own `T`/`TB` declared as an interface or a testing type."""
    node = ptype.named_children[0] if ptype.type == "pointer_type" and ptype.named_child_count else ptype
    if node.type == "qualified_type":
        name = text(node.child_by_field_name("name"))
        return bool(_TESTING_T_NAME.search(name)) or name in _SHORT_TEST_NAMES
    if node.type != "type_identifier":
        return False
    name = text(node)
    if _TESTING_T_NAME.search(name):
        return True
    return name in _SHORT_TEST_NAMES and name in _package_test_handles(file) and not _type_parameter(node, name)


def _package_test_handles(file: GoFile) -> frozenset[str]:
    """Names among T and TB that the package declares at package level as an interface or as a
    testing type (`type T interface{ Helper(); Fatalf(string, ...any) }`, `type TB = testing.TB`)."""

    def compute() -> frozenset[str]:
        out: set[str] = set()
        for f in file.package.files if file.package is not None else (file,):
            for decl in f.root.named_children:
                if decl.type != "type_declaration":
                    continue
                for spec in decl.named_children:
                    if spec.type not in ("type_spec", "type_alias"):
                        continue
                    name = text(spec.child_by_field_name("name"))
                    body = spec.child_by_field_name("type")
                    if name not in _SHORT_TEST_NAMES or body is None:
                        continue
                    if body.type == "interface_type" or f.type_text(body).lstrip("*") in _TESTING_BASES:
                        out.add(name)
        return frozenset(out)

    if file.package is not None:
        return file.package.memo("cg203.test-handles", compute)
    return file.memo("cg203.test-handles", compute)


def _type_parameter(node: Node, name: str) -> bool:
    """`name` is a type parameter of a declaration enclosing `node` (`func F[T any](v T, ...)`,
    `type H[T any] func(T, ...)`, or a method of a generic type: `func (s *S[T]) M(v T, ...)`)."""
    cur = node.parent
    while cur is not None:
        if cur.type in ("function_declaration", "type_spec"):
            tparams = cur.child_by_field_name("type_parameters")
            for decl in tparams.named_children if tparams is not None else []:
                if any(text(n) == name for n in decl.children_by_field_name("name")):
                    return True
        elif cur.type == "method_declaration":
            recv = cur.child_by_field_name("receiver")
            if recv is not None and re.search(rf"\[[^\]]*\b{re.escape(name)}\b", text(recv)):
                return True
        cur = cur.parent
    return False


def _param_text(decl: Node) -> str:
    names = decl.children_by_field_name("name")
    if names:
        return text(names[0])
    return text(decl.child_by_field_name("type"))


def _free_signature(lit: Node) -> bool:
    """A literal whose parameter list its author chose: called on the spot (`func(...){...}()`,
    `go func(...){...}(...)`) or bound by `:=` or an untyped `var`. Anywhere else (an argument,
    a field, a return value, `f = func...`) it must match a type declared elsewhere."""
    parent = lit.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    if parent is None:
        return False
    if parent.type == "call_expression":
        fn = parent.child_by_field_name("function")
        return fn is not None and unparen(fn) == lit
    stmt = parent.parent if parent.type == "expression_list" else None
    if stmt is None:
        return False
    if stmt.type == "short_var_declaration":
        return stmt.child_by_field_name("right") == parent
    return stmt.type == "var_spec" and stmt.child_by_field_name("type") is None


def _describe(file: GoFile, owner: Node) -> str:
    t = owner.type
    if t in ("function_declaration", "method_declaration"):
        name = file.func_info(owner).name
        return f"method {name}" if t == "method_declaration" else name
    if t == "func_literal":
        return "this function literal"
    if t == "method_elem":
        iface = _type_name(owner)
        method = text(owner.child_by_field_name("name"))
        return f"interface method {iface}.{method}" if iface else f"interface method {method}"
    name = _type_name(owner)
    return f"func type {name}" if name else "this func type"


def _type_name(node: Node) -> str:
    """The name of the type declaration `node` sits directly in (`type Handler func(...)`)."""
    cur = node.parent
    if node.type == "method_elem" and cur is not None and cur.type == "interface_type":
        cur = cur.parent
    if cur is not None and cur.type == "type_spec":
        return text(cur.child_by_field_name("name"))
    return ""


RULE = Rule(
    code="CG203",
    name="context-not-first",
    severity=Severity.INFO,
    summary="context.Context parameter that is not the first parameter",
    doc=DOC,
    check=check,
    needs_imports=frozenset({"context"}),
    needs_text=(b"Context",),
    default=False,  # style: the convention, not a leak
    options={
        "allow-types-before": "types allowed before the context parameter, as qualified type texts "
        "(*net/http.Request) or as written (*http.Request); *testing.T/B/F, testing.TB and "
        "test-helper handles (TestingT, assert.TestingT, *rapid.T) always are",
    },
)
