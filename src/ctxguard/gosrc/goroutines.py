"""Goroutine facts shared by the rules: what a `go` statement runs, and what blocks in it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from ctxguard.gosrc import index
from ctxguard.gosrc.ctxfacts import decl_is_context, is_context_value
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.scope import Decl
from ctxguard.gosrc.syntax import FUNC_TYPES, call_args, call_name, enclosing, is_receive, text, unparen

REQUEST_TYPES = frozenset({"*net/http.Request"})
# channels whose receipt means "stop": ctx.Done(), and the conventional names of close-to-stop channels
_STOP_NAME = re.compile(r"(?i)(done|quit|stop|clos|exit|shutdown|cancel|dying|die|term|halt|kill|abort)")


@dataclass(frozen=True)
class Goroutine:
    stmt: Node  # the go statement
    file: GoFile  # the file holding the body (may differ for same-package functions)
    func: Node  # function literal or declaration run by the goroutine
    args: tuple[Node, ...]  # arguments of the go call


def go_statements(file: GoFile) -> list[Node]:
    return index.nodes(file, "go")


def goroutine(file: GoFile, stmt: Node) -> Goroutine | None:
    """What `stmt` runs: a function literal, or a function or method of the same package."""
    call = stmt.named_children[0] if stmt.named_child_count else None
    if call is None or call.type != "call_expression":
        return None
    fn = unparen(call.child_by_field_name("function"))  # type: ignore[arg-type]
    args = tuple(call_args(call))
    if fn.type == "func_literal":
        return Goroutine(stmt, file, fn, args)
    pkg = file.package
    if pkg is None:
        return None
    operand, name = call_name(call)
    if operand is None and fn.type == "identifier":
        scope = file.scope_for(fn)
        if scope is not None and scope.is_local(fn):
            return None  # a local func variable
        top = pkg.function(name)
        return Goroutine(stmt, top.file, top.node, args) if top is not None else None
    if operand is not None and fn.type == "selector_expression":
        methods = pkg.methods(name)
        if operand.type == "identifier" and any(file.refers_to_import(operand, i.path) for i in file.imports):
            return None  # pkg.F: another package
        recv_type = _operand_type(file, operand)
        if recv_type:
            methods = [m for m in methods if m.receiver_type == recv_type] or methods
        if len(methods) == 1:
            return Goroutine(stmt, methods[0].file, methods[0].node, args)
    return None


def _operand_type(file: GoFile, operand: Node) -> str | None:
    operand = unparen(operand)
    if operand.type != "identifier":
        return None
    scope = file.scope_for(operand)
    decl = scope.resolve(operand) if scope is not None else None
    if decl is None or decl.type_node is None:
        return None
    return file.type_text(decl.type_node).lstrip("*").split("[")[0]


def visible_decls(file: GoFile, at: Node) -> list[Decl]:
    scope = file.scope_for(at)
    if scope is None:
        return []
    pos = at.start_byte
    return [d for d in scope.decls if d.scope_start <= pos < d.scope_end and d.visible_from <= pos]


def context_name(file: GoFile, decls: list[Decl]) -> str | None:
    """How code at this point would spell its context: `ctx`, or `r.Context()`.

    The most recent declaration wins: after `ctx, cancel := context.WithCancel(parent)`
    the code means `ctx`, not `parent`.
    """
    decls = sorted(decls, key=lambda d: d.visible_from, reverse=True)
    for d in decls:
        if decl_is_context(file, d):
            return d.name
    for d in decls:
        if d.type_node is not None and file.type_text(d.type_node) in REQUEST_TYPES:
            return f"{d.name}.Context()"
    return None


def goroutine_context(g: Goroutine) -> str | None:
    """The context a goroutine can see: its own parameters, or what its literal captures."""
    f = g.file
    body = g.func.child_by_field_name("body")
    own = [d for d in visible_decls(f, body) if _param_of(d, g.func)] if body is not None else []
    name = context_name(f, own)
    if name is None and g.func.type == "func_literal":
        name = context_name(f, visible_decls(f, g.stmt))
    return name


def _param_of(d: Decl, fn: Node) -> bool:
    return d.kind in ("param", "receiver") and fn.start_byte <= d.ident.start_byte < fn.end_byte


def is_stop_channel(file: GoFile, ch: Node) -> bool:
    """`<-ch` here means "give up": ctx.Done(), a variable holding it, or a done/quit/stop channel."""
    ch = unparen(ch)
    if ch.type == "call_expression":
        _, name = call_name(ch)
        return name == "Done" and not call_args(ch)
    if ch.type == "identifier":
        scope = file.scope_for(ch)
        decl = scope.resolve(ch) if scope is not None else None
        if decl is not None and decl.value is not None and decl.value_index == 0:
            v = unparen(decl.value)
            if v.type == "call_expression" and call_name(v)[1] == "Done":
                return True
        return bool(_STOP_NAME.search(text(ch)))
    if ch.type == "selector_expression":
        return bool(_STOP_NAME.search(text(ch.child_by_field_name("field"))))
    return False


def observes_cancellation(file: GoFile, region: Node) -> bool:
    """Whether code in `region` watches for cancellation: <-ctx.Done(), ctx.Err(), context.Cause(ctx)."""
    scope = file.scope_for(region)
    if scope is None:
        return False
    for call in scope.nodes("call_expression", region):
        operand, name = call_name(call)
        if name == "Err" and operand is not None and not call_args(call) and _contextish(file, operand):
            return True
        if name == "Cause" and file.pkg_call(call, "context") == "Cause":
            return True
    for u in scope.nodes("unary_expression", region):
        if is_receive(u) and is_stop_channel(file, u.child_by_field_name("operand")):  # type: ignore[arg-type]
            return True
    return False


def _contextish(file: GoFile, operand: Node) -> bool:
    if is_context_value(file, operand):
        return True
    last = text(operand.child_by_field_name("field")) if operand.type == "selector_expression" else text(operand)
    return bool(re.search(r"(?i)(ctx|context)$", last))


def in_nested_func(node: Node, func: Node) -> bool:
    """`node` sits inside a function literal nested in `func`."""
    f = enclosing(node, FUNC_TYPES)
    return f is not None and f != func
