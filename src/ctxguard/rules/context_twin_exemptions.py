"""Where CG202 leaves a call without its twin: nothing to wait for, or the context arrives another way.

A Unix socket or a loopback literal answers at once; a dial that reads the context's deadline
itself, a call raced against `ctx.Done()` in a goroutine of its own, a request that gets its
context after it is built: in each, passing the caller's context changes nothing.
"""

from __future__ import annotations

from tree_sitter import Node

from ctxguard.gosrc.ctxfacts import AvailableContext
from ctxguard.gosrc.done import done_receive
from ctxguard.gosrc.model import TESTING_TYPES, GoFile
from ctxguard.gosrc.scope import Decl
from ctxguard.gosrc.syntax import (
    FUNC_TYPES,
    call_args,
    call_name,
    call_taking,
    enclosing_function,
    expression_list,
    received_channel,
    statements,
    text,
    unparen,
    walk,
)


def blocking_dial(call: Node) -> bool:
    """`grpc.Dial(addr, grpc.WithBlock())`: waits for the connection with no context to bound it
    (`DialContext` with it does take one)."""
    return call_name(call)[1] == "Dial" and any(b"WithBlock" in a.text for a in call_args(call) if a.text is not None)


def raced_against_done(file: GoFile, call: Node) -> bool:
    """The call runs in a goroutine of its own whose result the spawner races against a context:
    `go func() { errc <- conn.Handshake() }()` then `select { case err := <-errc: ... case
    <-ctx.Done(): conn.Close() }`. The caller already gives up on the context, and the twin
    would change nothing it can see (closing the connection ends the call)."""
    lit = enclosing_function(call)
    if lit is None or lit.type != "func_literal":
        return False
    spawn = lit.parent
    go = spawn.parent if spawn is not None and spawn.type == "call_expression" else None
    if go is None or go.type != "go_statement":
        return False
    channels = {
        text(ch) for send in walk(lit) if send.type == "send_statement" and (ch := send.child_by_field_name("channel"))
    }
    outer = enclosing_function(go)
    if not channels or outer is None:
        return False
    for select in walk(outer):
        if select.type != "select_statement" or select.start_byte < go.end_byte:
            continue
        comms = [c.child_by_field_name("communication") for c in select.named_children]
        received = [ch for c in select.named_children if (ch := received_channel(c)) is not None]
        if any(c is not None and done_receive(c) for c in comms) and any(
            text(unparen(ch)) in channels for ch in received
        ):
            return True
    return False


def closed_on_done(file: GoFile, call: Node, what: str) -> bool:
    """A handshake on a connection the function closes when its context ends, by a watcher set
    up before the call: `context.AfterFunc(ctx, func() { conn.Close() })`, or a goroutine
    `select { case <-done: case <-ctx.Done(): conn.Close() }`. Closing the connection aborts
    the handshake: the context is honoured, the twin would add nothing."""
    if what not in _CONNECTION_IO:
        return False
    outer = file.root_function(call)
    if outer is None:
        return False
    for node in walk(outer):
        if node.start_byte >= call.start_byte:
            break
        if node.type == "go_statement":
            body = node.named_children[0] if node.named_child_count else None
            lit = body.child_by_field_name("function") if body is not None and body.type == "call_expression" else None
            if lit is not None and lit.type == "func_literal" and _closes_on_done(lit):
                return True
        elif node.type == "call_expression" and _is_after_func(file, node):
            args = call_args(node)
            if len(args) == 2 and args[1].type == "func_literal" and _closes(args[1]):
                return True
    return False


_CONNECTION_IO = frozenset({"(*tls.Conn).Handshake"})


def _is_after_func(file: GoFile, call: Node) -> bool:
    operand, name = call_name(call)
    return name == "AfterFunc" and operand is not None and file.refers_to_import(operand, "context")


def _closes(node: Node) -> bool:
    return any(n.type == "call_expression" and call_name(n)[1] == "Close" for n in walk(node))


def _closes_on_done(lit: Node) -> bool:
    """The goroutine waits for a context's Done and closes something there."""
    for n in walk(lit):
        if n.type == "communication_case":
            comm = n.child_by_field_name("communication")
            if comm is not None and done_receive(comm) and any(_closes(st) for st in statements(n)):
                return True
        elif n.type == "expression_statement" and n.named_child_count and done_receive(n.named_children[0]):
            rest = n.next_named_sibling
            if rest is not None and _closes(rest):
                return True
    return False


SOCKET_CALLS = frozenset({"net.Dial", "net.DialTimeout", "net.Listen", "net.ListenPacket"})


DIALS = SOCKET_CALLS | {"tls.Dial", "tls.DialWithDialer", "(*net.Dialer).Dial", "(*tls.Dialer).Dial"}


def local_network(call: Node) -> bool:
    """A Unix or raw IP socket (`net.Dial("unix", path)`, or `net.Dial(proto, addr)` under
    `case "unix":` of a `switch proto`): no name to resolve and no remote peer to wait for, so a
    context would bound nothing. (A loopback TCP address is still reported, as noctx does: its
    context bounds the name lookup of "localhost".)"""
    args = call_args(call)
    if not args:
        return False
    if args[0].type in ("interpreted_string_literal", "raw_string_literal"):
        return _local_network_name(args[0])
    network = text(args[0])
    cur = call.parent
    while cur is not None and cur.type not in FUNC_TYPES:
        switch = cur.parent
        if cur.type == "expression_case" and switch is not None and switch.type == "expression_switch_statement":
            if text(switch.child_by_field_name("value")) != network:
                return False
            values = expression_list(cur.child_by_field_name("value"))
            return bool(values) and all(
                v.type in ("interpreted_string_literal", "raw_string_literal") and _local_network_name(v)
                for v in values
            )
        cur = cur.parent
    return False


def deadline_carried(file: GoFile, call: Node, avail: AvailableContext) -> bool:
    """The function reads the context's deadline itself (`dialer.Deadline, _ = ctx.Deadline()`):
    the dial is bounded by it already."""
    return f"{avail.expr}.Deadline()".encode() in _function_source(file, call)


# calls whose receiver (or, for DialWithDialer, first argument) carries its own time limit
_TIMED_RECEIVERS = frozenset(
    {
        "(*http.Client).Get",
        "(*http.Client).Head",
        "(*http.Client).Post",
        "(*http.Client).PostForm",
        "(*net.Dialer).Dial",
        "(*tls.Dialer).Dial",
    }
)


def bounded_by_timeout(file: GoFile, what: str, call: Node, recv: Node | None) -> bool:
    """The call has a time limit of its own: an `http.Client` or a `net.Dialer` built with a
    `Timeout` (`&http.Client{Timeout: 10 * time.Second}`, in place, in a variable or a
    package variable), or `tls.DialWithDialer` given such a dialer. It ends by itself; the
    caller's cancellation would only end it sooner."""
    if what in _TIMED_RECEIVERS and recv is not None:
        return _has_timeout(file, recv, 0, call.start_byte)
    if what == "tls.DialWithDialer":
        args = call_args(call)
        return bool(args) and _has_timeout(file, args[0], 0, call.start_byte)
    return False


def _has_timeout(file: GoFile, expr: Node, depth: int, before: int) -> bool:
    expr = unparen(expr)
    if expr.type == "unary_expression" and text(expr.child_by_field_name("operator")) == "&":
        return _has_timeout(file, expr.child_by_field_name("operand"), depth, before)  # type: ignore[arg-type]
    if expr.type == "composite_literal":
        body = expr.child_by_field_name("body")
        return body is not None and any(
            el.type == "keyed_element" and text(el.named_children[0]) == "Timeout" for el in body.named_children
        )
    if expr.type != "identifier" or depth > 2:
        return False
    decl = file.decl_of(expr)
    if decl is not None:
        if _timeout_set_before(file, expr, decl, before):
            return True
        return decl.value is not None and decl.value_index == 0 and _has_timeout(file, decl.value, depth + 1, 0)
    value = _package_var_value(file, text(expr))
    return value is not None and _has_timeout(file, value, depth + 1, 0)


def _timeout_set_before(file: GoFile, expr: Node, decl: Decl, before: int) -> bool:
    """`d.Timeout = timeout` on the variable before the call (`d := ProbeDialer()`, then set)."""
    scope = file.scope_for(expr)
    for ref in scope.refs(decl) if scope is not None else []:
        sel = ref.parent
        if ref.start_byte >= before or sel is None or sel.type != "selector_expression":
            continue
        left = sel.parent
        stmt = left.parent if left is not None and left.type == "expression_list" else None
        if (
            text(sel.child_by_field_name("field")) == "Timeout"
            and stmt is not None
            and stmt.type == "assignment_statement"
            and stmt.child_by_field_name("left") == left
        ):
            return True
    return False


def _package_var_value(file: GoFile, name: str) -> Node | None:
    """The value a package variable is given where it is declared or assigned at package level
    or in an init function (`onDemandAskClient = &http.Client{...}`), when there is one."""
    pkg = file.package
    for f in pkg.files if pkg is not None else (file,):
        if name.encode() not in f.source:
            continue
        for node in walk(f.root):
            if node.type not in ("var_spec", "assignment_statement"):
                continue
            targets = (
                node.children_by_field_name("name")
                if node.type == "var_spec"
                else expression_list(node.child_by_field_name("left"))
            )
            values = expression_list(node.child_by_field_name("value" if node.type == "var_spec" else "right"))
            for target, value in zip(targets, values, strict=False):
                if text(target) == name and (node.type == "var_spec" or f.decl_of(target) is None):
                    return value
    return None


def _function_source(file: GoFile, node: Node) -> bytes:
    """The bytes of the outermost function holding `node` (closures included)."""
    root = file.root_function(node)
    return file.source[root.start_byte : root.end_byte] if root is not None else b""


def _local_network_name(literal: Node) -> bool:
    return text(literal).strip('"`').startswith(("unix", "ip"))


def borrowed(file: GoFile, avail: AvailableContext) -> bool:
    """The context at hand is not the caller's to pass on: a test's (`t.Context()`, directly or
    through a derived variable), where the twin buys little (test code runs under the test
    binary's deadline and t.Context() is cancelled before Cleanup runs), or that of an
    `*http.Request` variable that is not this function's own request (a request being built,
    or one captured by a fake transport)."""
    decl = avail.decl
    if decl.type_node is not None:
        tt = file.type_text(decl.type_node)
        return tt in TESTING_TYPES or (tt == "*net/http.Request" and decl.kind not in ("param", "receiver"))
    return _test_context_value(file, decl.value, 0)


def _test_context_value(file: GoFile, value: Node | None, depth: int) -> bool:
    """`t.Context()`, or a context derived from one (`context.WithTimeout(t.Context(), d)`)."""
    if value is None or depth > 4:
        return False
    value = unparen(value)
    if value.type == "identifier":
        decl = file.decl_of(value)
        if decl is None:
            return False
        if decl.type_node is not None:
            return file.type_text(decl.type_node) in TESTING_TYPES
        return decl.value_index == 0 and _test_context_value(file, decl.value, depth + 1)
    if value.type != "call_expression":
        return False
    operand, name = call_name(value)
    if operand is None:
        return False
    if name == "Context":
        return _test_context_value(file, operand, depth + 1)
    if file.pkg_call(value, "context") is not None:
        args = call_args(value)
        return bool(args) and _test_context_value(file, args[0], depth + 1)
    return False


def runs_late(call: Node, avail: AvailableContext) -> bool:
    """Between the context's declaration and the call: a defer, or a callback run at cleanup."""
    decl = avail.decl.ident
    cur: Node | None = call
    while cur is not None and not (cur.start_byte <= decl.start_byte and decl.end_byte <= cur.end_byte):
        if cur.type == "defer_statement":
            return True
        if cur.type == "func_literal" and _is_late_callback(cur):
            return True
        cur = cur.parent
    return False


def _is_late_callback(lit: Node) -> bool:
    call = call_taking(lit)
    return call is not None and call_name(call)[1] in _LATE_CALLBACKS


# where a callback runs late, typically once the context is done
_LATE_CALLBACKS = frozenset({"Cleanup", "AfterFunc"})
