"""CG101: a cancel that goes with a variable, `if err == nil { cancel() }` at the end of a function
whose every `err = ...` sits next to a `cancel()`: on the path where the check fails, the cancel
has run already, though no path of the function's graph shows it."""

from __future__ import annotations

from tree_sitter import Node

from ctxguard.gosrc.ctxfacts import is_write
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.scope import Decl, ScopeTable
from ctxguard.gosrc.syntax import statements, text, unparen, walk


def correlated_guards(file: GoFile, scope: ScopeTable, function: Node, after: Node, cancel: Decl) -> list[int]:
    """The start bytes of the conditions `V == nil` (after `after`, the derivation) whose block
    calls `cancel`, where V is nil when the derivation runs and each assignment of V after it
    has a `cancel()` in the same block: passing such a condition uses the cancel either way."""
    out: list[int] = []
    for guard in (n for n in walk(function) if n.type == "if_statement"):
        cond = guard.child_by_field_name("condition")
        body = guard.child_by_field_name("consequence")
        if guard.start_byte < after.end_byte or cond is None or body is None:
            continue
        if guard.child_by_field_name("alternative") is not None or guard.child_by_field_name("initializer"):
            continue
        var = _nil_checked(cond)
        decl = file.decl_of(var) if var is not None else None
        if decl is None or not any(_calls(st, cancel, file) for st in statements(body)):
            continue
        if _nil_at(file, scope, decl, after) and _set_with_cancel(file, scope, decl, after, cancel):
            out.append(cond.start_byte)
    return out


def _nil_checked(cond: Node) -> Node | None:
    """`V` of the condition `V == nil`."""
    cond = unparen(cond)
    if cond.type != "binary_expression" or text(cond.child_by_field_name("operator")) != "==":
        return None
    left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
    if left is None or right is None or text(right) != "nil" or unparen(left).type != "identifier":
        return None
    return unparen(left)


def _calls(stmt: Node, cancel: Decl, file: GoFile) -> bool:
    """`stmt` is `cancel()`."""
    call = unparen(stmt.named_children[0]) if stmt.type == "expression_statement" and stmt.named_child_count else None
    fn = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    return fn is not None and fn.type == "identifier" and file.decl_of(fn) == cancel


def _assignments(scope: ScopeTable, decl: Decl) -> list[Node]:
    """The statements that assign `decl` with `=` (its declaration aside)."""
    writes = (ref.parent.parent for ref in scope.refs(decl) if is_write(ref) and ref.parent is not None)
    return [stmt for stmt in writes if stmt is not None and stmt.type == "assignment_statement"]


def _nil_at(file: GoFile, scope: ScopeTable, decl: Decl, after: Node) -> bool:
    """V is nil where the derivation runs: declared after it without a value (`var firstErr
    error`), or declared before it and checked right away (`x, err := f(); if err != nil {
    return ... }`) and not assigned again before it."""
    stmt = decl.ident.parent
    while stmt is not None and stmt.type not in ("var_declaration", "short_var_declaration"):
        stmt = stmt.parent
    if stmt is None:
        return False
    if stmt.start_byte > after.end_byte:
        return stmt.type == "var_declaration" and decl.value is None
    check = stmt.next_named_sibling
    cond = check.child_by_field_name("condition") if check is not None and check.type == "if_statement" else None
    body = check.child_by_field_name("consequence") if check is not None else None
    if cond is None or body is None or text(cond) != f"{decl.name} != nil":
        return False
    last = statements(body)[-1:]
    if not last or last[0].type != "return_statement":
        return False
    return not any(stmt.end_byte <= a.start_byte < after.start_byte for a in _assignments(scope, decl))


def _set_with_cancel(file: GoFile, scope: ScopeTable, decl: Decl, after: Node, cancel: Decl) -> bool:
    """Every assignment of V after the derivation has a `cancel()` in its own block."""
    for a in _assignments(scope, decl):
        if a.start_byte < after.end_byte:
            continue
        block = a.parent
        if block is None or not any(_calls(st, cancel, file) for st in block.named_children):
            return False
    return True
