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

Allowed before the context: other `context.Context` parameters, and a
leading `*testing.T`, `*testing.B`, `*testing.F` or `testing.TB` (as in test
helpers `func newServer(t *testing.T, ctx context.Context)`).

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
  written in the source (`*http.Request`). The testing types above are
  always allowed.
"""

_CONTEXT_WORD = re.compile(rb"\bContext\b")
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
    return ptype is not None and (file.type_text(ptype) in allowed or text(ptype) in allowed)


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
    options={
        "allow-types-before": "types allowed before the context parameter, as qualified type texts "
        "(*net/http.Request) or as written (*http.Request); *testing.T/B/F and testing.TB always are",
    },
)
