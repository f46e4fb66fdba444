"""Where a context variable's value comes from: a root (`Background()`/`TODO()`), a detach, or the caller."""

from __future__ import annotations

from collections.abc import Callable

from tree_sitter import Node

from ctxguard.gosrc.ctxfacts import ROOTS, is_write
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.scope import Decl
from ctxguard.gosrc.syntax import call_args, expression_list, unparen


def _any_with(func: str) -> bool:
    return func.startswith("With")


def with_value(func: str) -> bool:
    return func == "WithValue"


def origin_of(file: GoFile, decl: Decl, depth: int, follow: Callable[[str], bool] = _any_with) -> str:
    """Where a context variable's value comes from: "root" (Background/TODO), "detached"
    (WithoutCancel), or "caller" (a parameter, r.Context(), a field, a call: anything else),
    following the derivations `follow` accepts (`WithTimeout(context.Background(), d)` is a root
    too). A variable declared without a value (`var ctx context.Context`) is a root when every
    assignment to it is one."""
    if decl.value is None and decl.kind == "var":
        return _assigned_origin(file, decl, depth, follow)
    return _value_origin(file, decl.value, depth, follow)


def _assigned_origin(file: GoFile, decl: Decl, depth: int, follow: Callable[[str], bool]) -> str:
    scope = file.scope_for(decl.ident)
    if scope is None or depth <= 0:
        return "caller"
    origins: set[str] = set()
    for ref in scope.refs(decl):
        if not is_write(ref):
            continue
        stmt = ref.parent.parent  # type: ignore[union-attr]  # is_write: an expression_list in a statement
        assert stmt is not None
        left = expression_list(stmt.child_by_field_name("left"))
        right = expression_list(stmt.child_by_field_name("right"))
        i = next((k for k, x in enumerate(left) if x == ref), -1)
        if len(right) != len(left) or i < 0:
            return "caller"
        origins.add(_value_origin(file, right[i], depth - 1, follow))
    return origins.pop() if len(origins) == 1 else "caller"


def _value_origin(file: GoFile, value: Node | None, depth: int, follow: Callable[[str], bool]) -> str:
    while value is not None and depth > 0:
        depth -= 1
        value = unparen(value)
        if value.type != "call_expression":
            break
        func = file.pkg_call(value, "context")
        if func in ROOTS:
            return "root"
        if func == "WithoutCancel":
            return "detached"
        args = call_args(value)
        if func is None or not follow(func) or not args:
            break
        parent = unparen(args[0])
        if parent.type != "identifier":
            value = parent  # context.WithTimeout(context.Background(), d)
            continue
        pdecl = file.decl_of(parent)
        if pdecl is None or pdecl.kind != "var":
            break
        if pdecl.value is None:
            return _assigned_origin(file, pdecl, depth, follow)
        value = pdecl.value
    return "caller"
