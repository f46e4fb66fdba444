"""Where CG202 leaves a built request alone (`http.NewRequest`): it gets its context later, or it
is never sent through net/http, so a context on it would never be read."""

from __future__ import annotations

import re

from tree_sitter import Node

from ctxguard.gosrc.ctxfacts import is_context_value, is_write
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.scope import Decl, ScopeTable
from ctxguard.gosrc.syntax import call_args, call_name, expression_list, text, unparen

# results that can get their context after the call
REQUEST_LIKE = frozenset({"http.NewRequest", "httptest.NewRequest"})


def request_needs_no_context(file: GoFile, call: Node) -> bool:
    """The request built by `call` gets its context later, or is never sent through net/http."""
    return handled_later(file, call) or not_for_http(file, call) or never_sent(file, call)


def not_for_http(file: GoFile, call: Node) -> bool:
    """`http.NewRequest(m, u.String(), nil)` for a URL whose scheme is not http or https
    (`u := url.URL{Scheme: "kafka", ...}`, or a literal `"kafka://..."`): net/http cannot send
    it, so it is built to be signed or inspected (kafka-go's AWS MSK presigning)."""
    args = call_args(call)
    if len(args) < 2:
        return False
    target = unparen(args[1])
    if target.type in ("interpreted_string_literal", "raw_string_literal"):
        return _foreign_scheme(text(target).strip('"`').partition("://"))
    if target.type != "call_expression" or call_name(target)[1] != "String":
        return False
    operand = call_name(target)[0]
    decl = file.decl_of(operand) if operand is not None and operand.type == "identifier" else None
    value = unparen(decl.value) if decl is not None and decl.value is not None else None
    if value is not None and value.type == "unary_expression":
        value = value.child_by_field_name("operand")
    body = value.child_by_field_name("body") if value is not None and value.type == "composite_literal" else None
    for el in body.named_children if body is not None else []:
        if el.type == "keyed_element" and text(el.named_children[0]) == "Scheme":
            scheme = el.named_children[-1]
            if scheme.type == "literal_element" and scheme.named_child_count:
                scheme = scheme.named_children[0]  # the grammar wraps keyed values
            if unparen(scheme).type == "interpreted_string_literal":
                return _foreign_scheme((text(scheme).strip('"'), "://", ""))
    return False


def _foreign_scheme(parts: tuple[str, str, str]) -> bool:
    scheme, sep, _ = parts
    return bool(sep) and scheme.lower() not in ("http", "https", "")


def handled_later(file: GoFile, call: Node) -> bool:
    """What the code does with the result shows the missing context is dealt with: the request
    gets one later (`req.WithContext(ctx)`, `req.Clone(ctx)`, maybe after `s.req = req`, or it is
    handed over together with a context, `do(ctx, req)`: noctx's best-known false positive)."""
    bound = _bound_variable(file, call)
    if bound is None:
        return False
    decl, scope = bound
    holders = {decl.name}
    methods: set[str] = set()
    for ref in scope.refs(decl):
        up = ref.parent
        if up is None:
            continue
        if up.type == "argument_list" and any(is_context_value(file, a) for a in up.named_children if a.id != ref.id):
            return True  # handed over together with a context
        if up.type == "selector_expression" and up.parent is not None and up.parent.type == "call_expression":
            methods.add(text(up.child_by_field_name("field")))
        if up.type == "expression_list" and up.parent is not None:
            assign = up.parent
            if assign.type == "assignment_statement" and assign.child_by_field_name("right") == up:
                holders.update(text(x) for x in expression_list(assign.child_by_field_name("left")))
    if methods & {"Write", "WriteProxy"}:
        return True  # written to a connection by hand: nothing reads its context
    kept = holders - {decl.name}  # `t.req = req`: the variable's own references were read above
    for other in scope.nodes("call_expression"):
        args = call_args(other)
        if kept and any(text(a) in kept for a in args) and any(is_context_value(file, a) for a in args):
            return True  # kept, then handed over with a context: `ctxhttp.Do(ctx, c, t.req)`
        fn = unparen(other.child_by_field_name("function"))  # type: ignore[arg-type]
        if fn.type != "selector_expression" or text(fn.child_by_field_name("field")) not in ("WithContext", "Clone"):
            continue
        holder = text(fn.child_by_field_name("operand"))
        # `req.WithContext(context.WithValue(req.Context(), k, v))` re-wraps the request's own
        # Background context: that attaches nothing
        if holder in holders and f"{holder}.Context()" not in text(other.child_by_field_name("arguments")):
            return True
    return False


def _bound_variable(file: GoFile, call: Node) -> tuple[Decl, ScopeTable] | None:
    """The local variable the call's (first) result is bound to, `x, err := call`."""
    parent = call.parent
    stmt = parent.parent if parent is not None and parent.type == "expression_list" else None
    if stmt is None or stmt.type not in ("short_var_declaration", "assignment_statement", "var_spec"):
        return None
    if stmt.type == "var_spec":
        left = stmt.children_by_field_name("name")
    else:
        left = expression_list(stmt.child_by_field_name("left"))
    if not left or left[0].type != "identifier":
        return None
    decl = file.decl_of(left[0])
    scope = file.scope_for(call)
    return None if decl is None or scope is None else (decl, scope)


# what a request's holder does with it that puts a context on it, or sends it
_SENDING_USES = frozenset({"WithContext", "Clone", "Write", "WriteProxy"})
# functions that fill a request in rather than send it (`FillStreamRequest(req, ...)`,
# `signRequest(req)`); not Set or Add: `queue.Add(req)` hands it on to be sent
_FILLING = re.compile(r"^(?:fill|sign|decorate|inject|populate)(?:[A-Z_]|$)", re.IGNORECASE)


def never_sent(file: GoFile, call: Node) -> bool:
    """The request is only taken apart: every use of it reads a field or calls an accessor
    (`req.URL.String()`, `req.Header`, `req.Cookies()`) or hands it to a function that fills it
    in (`FillStreamRequest(req, ...)`, `signRequest(req)`). It never reaches a client, a transport,
    a return or a field, so nothing would read its context (Xray's browser dialer: the URL,
    headers and cookies go to a WebSocket dial)."""
    bound = _bound_variable(file, call)
    if bound is None:
        return False
    decl, scope = bound
    refs = [r for r in scope.refs(decl) if r.id != decl.ident.id]
    if not refs:
        return False
    for ref in refs:
        up = ref.parent
        if up is None or is_write(ref):
            return False
        if up.type == "selector_expression" and up.child_by_field_name("operand") == ref:
            if text(up.child_by_field_name("field")) in _SENDING_USES:
                return False
            continue
        callee = up.parent if up.type == "argument_list" else None
        name = call_name(callee)[1] if callee is not None else None
        if not name or not _FILLING.match(name):
            return False
    return True
