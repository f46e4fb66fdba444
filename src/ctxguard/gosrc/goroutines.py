"""Goroutine facts shared by the rules: what a `go` statement runs, and what blocks in it."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from tree_sitter import Node

from ctxguard.gosrc import index
from ctxguard.gosrc.ctxfacts import decl_is_context, is_context_value
from ctxguard.gosrc.model import TESTING_TYPES, GoFile, base_type_name
from ctxguard.gosrc.scope import Decl
from ctxguard.gosrc.syntax import (
    FUNC_TYPES,
    call_args,
    call_name,
    contains,
    enclosing,
    enclosing_function,
    is_receive,
    repetitions,
    text,
    trip_count,
    unparen,
)

REQUEST_TYPES = frozenset({"*net/http.Request"})
# channels whose receipt means "stop": ctx.Done(), and the conventional names of close-to-stop channels
_STOP_NAME = re.compile(r"(?i)(done|quit|stop|clos|exit|shutdown|cancel|dying|die|term|halt|kill|abort)")


@dataclass(frozen=True)
class Goroutine:
    stmt: Node  # the go statement
    stmt_file: GoFile  # the file holding the go statement
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
        return Goroutine(stmt, file, file, fn, args)
    pkg = file.package
    if pkg is None:
        return None
    operand, name = call_name(call)
    if operand is None and fn.type == "identifier":
        scope = file.scope_for(fn)
        if scope is not None and scope.is_local(fn):
            return None  # a local func variable
        top = pkg.function(name)
        return Goroutine(stmt, file, top.file, top.node, args) if top is not None else None
    if operand is not None and fn.type == "selector_expression":
        methods = pkg.methods(name)
        if operand.type == "identifier" and any(file.refers_to_import(operand, i.path) for i in file.imports):
            return None  # pkg.F: another package
        recv_type = _operand_type(file, operand)
        if recv_type:
            methods = [m for m in methods if m.receiver_type == recv_type] or methods
        if len(methods) == 1:
            return Goroutine(stmt, file, methods[0].file, methods[0].node, args)
    return None


def _operand_type(file: GoFile, operand: Node) -> str | None:
    decl = file.decl_of(operand)
    if decl is None or decl.type_node is None:
        return None
    return base_type_name(file.type_text(decl.type_node))


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
    """The context a goroutine can see and that someone can cancel: its own parameters, or
    what its literal captures (preferring one the body mentions). None when there is none,
    or when the only one is context.Background()/TODO(), which nobody cancels."""
    f = g.file
    body = g.func.child_by_field_name("body")
    decls = [d for d in visible_decls(f, body) if _param_of(d, g.func)] if body is not None else []
    if not decls and g.func.type == "func_literal":
        decls = visible_decls(f, g.stmt)
    decls = [d for d in decls if not _never_cancelled(f, d)]
    scope = f.scope_for(g.func)
    used = [d for d in decls if scope is not None and any(contains(g.func, r) for r in scope.refs(d))]
    return context_name(f, used) or context_name(f, decls)


def _never_cancelled(file: GoFile, decl: Decl) -> bool:
    v = unparen(decl.value) if decl.value is not None and decl.type_node is None else None
    return v is not None and v.type == "call_expression" and file.pkg_call(v, "context") in ("Background", "TODO")


def _param_of(d: Decl, fn: Node) -> bool:
    return d.kind in ("param", "receiver") and fn.start_byte <= d.ident.start_byte < fn.end_byte


def is_stop_channel(file: GoFile, ch: Node) -> bool:
    """`<-ch` here means "give up": ctx.Done(), a variable holding it, or a done/quit/stop channel."""
    ch = unparen(ch)
    if ch.type == "call_expression":
        _, name = call_name(ch)
        return name == "Done" and not call_args(ch)
    if ch.type == "identifier":
        decl = file.decl_of(ch)
        if decl is not None and decl.value is not None and decl.value_index == 0:
            v = unparen(decl.value)
            if v.type == "call_expression" and call_name(v)[1] == "Done":
                return True
        return bool(_STOP_NAME.search(text(ch)))
    if ch.type == "selector_expression":
        return bool(_STOP_NAME.search(text(ch.child_by_field_name("field"))))
    return False


def trips(file: GoFile) -> Callable[[Node], float]:
    """Loop trip counts that also know `for range xs` over `xs := []T{a, b, c}`, and `for range ch`
    over a local channel that only counted sends feed (`for i := 0; i < 5; i++ { ch <- v }`)."""

    def count(loop: Node) -> float:
        n = trip_count(loop)
        clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
        right = clause.child_by_field_name("right") if clause is not None else None
        if n != math.inf or right is None:
            return n
        decl = file.decl_of(right)
        value = unparen(decl.value) if decl is not None and decl.value is not None else None
        if value is not None and value.type == "composite_literal" and decl is not None and decl.kind == "var":
            body = value.child_by_field_name("body")
            return body.named_child_count if body is not None else n
        if value is not None and decl is not None and decl.kind == "var" and _makes_channel(value):
            return _sends_feeding(file, decl, value)
        return n

    return count


def _closes(args: Node) -> bool:
    return args.type == "argument_list" and args.parent is not None and call_name(args.parent) == (None, "close")


def _makes_channel(value: Node) -> bool:
    args = call_args(value) if value.type == "call_expression" else []
    return call_name(value) == (None, "make") and bool(args) and args[0].type == "channel_type"


def _sends_feeding(file: GoFile, decl: Decl, make: Node) -> float:
    """How many values a local channel can carry: the sends on it, each counted by the literal trip
    counts of the loops around it; infinity when it escapes or a send repeats without a count."""
    func = enclosing_function(make)
    scope = file.scope_for(make)
    if func is None or scope is None:
        return math.inf
    total = 0.0
    for ref in scope.refs(decl):
        parent = ref.parent
        if parent is None or ref.id == decl.ident.id:
            continue
        if parent.type == "send_statement" and parent.child_by_field_name("channel") == ref:
            total += repetitions(parent, func)
        elif not (parent.type == "range_clause" or is_receive(parent) or _closes(parent)):
            return math.inf  # passed on, stored or returned: someone else may send
    return total


def is_timer_channel(file: GoFile, ch: Node) -> bool:
    """time.After(d), time.Tick(d), or a timer's or ticker's `.C`."""
    ch = unparen(ch)
    if ch.type == "call_expression":
        return file.pkg_call(ch, "time") in ("After", "Tick")
    return ch.type == "selector_expression" and text(ch.child_by_field_name("field")) == "C"


def observes_cancellation(file: GoFile, region: Node) -> bool:
    """Whether code in `region` watches for cancellation: <-ctx.Done(), ctx.Err(),
    context.Cause(ctx), or a call given the context whose result decides a branch or the
    loop condition (`if err := limiter.Wait(ctx); err != nil { return }`)."""
    scope = file.scope_for(region)
    if scope is None:
        return False
    for call in scope.nodes("call_expression", region):
        operand, name = call_name(call)
        if name == "Err" and operand is not None and not call_args(call) and _contextish(file, operand):
            return True
        if name == "Cause" and file.pkg_call(call, "context") == "Cause":
            return True
        if _decides(call) and any(is_context_value(file, a) for a in call_args(call)):
            return True
    for u in scope.nodes("unary_expression", region):
        if is_receive(u) and is_stop_channel(file, u.child_by_field_name("operand")):  # type: ignore[arg-type]
            return True
    return False


def _decides(call: Node) -> bool:
    """The call sits in an if initializer or condition, or in a for condition."""
    cur = call
    while cur.parent is not None:
        parent = cur.parent
        if parent.type == "if_statement":
            return any(c is not None and c.id == cur.id for c in _header_fields(parent))
        if parent.type == "for_clause":
            cond = parent.child_by_field_name("condition")
            return cond is not None and cond.id == cur.id
        if parent.type == "for_statement":
            return cur.type not in ("block", "range_clause")  # `for ready(ctx) {`
        if parent.type in ("block", "statement_list"):
            return False
        cur = parent
    return False


def _header_fields(stmt: Node) -> tuple[Node | None, Node | None]:
    return stmt.child_by_field_name("initializer"), stmt.child_by_field_name("condition")


def closed_somewhere(file: GoFile, decl: Decl, handed_over: bool = False) -> bool:
    """Some code in the declaring function closes the channel: close(), or a helper whose name
    says it closes (`xioutil.SafeClose(ch)`, `closeAll(ch)`). With `handed_over`, a channel
    handed to a call made there and then (not one started with go or defer) counts too: the
    callee is the producer the goroutine consumes for, and by Go's convention the sender closes."""
    scope = file.scope_for(decl.ident)
    if scope is None:
        return False
    if decl.type_node is not None and decl.type_node.text is not None and decl.type_node.text.startswith(b"<-"):
        handed_over = False  # receive-only: whoever gets it cannot send on it
    for ref in scope.refs(decl):
        args = ref.parent
        call = args.parent if args is not None and args.type == "argument_list" else None
        if call is None:
            continue
        name = call_name(call)[1]
        if "close" in name.lower():  # close(ch), SafeClose(ch), closeAll(ch)
            return True
        started = call.parent is not None and call.parent.type in ("go_statement", "defer_statement")
        if handed_over and not started and name not in _NOT_PRODUCERS:
            return True
    return False


# builtins and conversions that take a channel without sending on it
_NOT_PRODUCERS = frozenset({"len", "cap", "make", "append", "copy", "print", "println"})


def spawner_decl(g: Goroutine, decl: Decl) -> Decl | None:
    """For `go worker(ch)`, the spawner's variable passed as the parameter `decl`."""
    if decl.kind != "param" or g.func.type == "func_literal":
        return decl
    params = g.file.func_info(g.func).params
    for i, p in enumerate(params):
        if p.node is not None and p.node.id == decl.ident.id and i < len(g.args):
            return g.stmt_file.decl_of(g.args[i])
    return None


def early_exit(file: GoFile, loop: Node, func: Node, skip: Callable[[Node], bool] | None = None) -> Node | None:
    """The first return, or break leaving `loop`, inside it (not in a nested function), leaving
    out those for which `skip` holds.

    Calls that never return (panic, t.Fatal) do not count: after them the process
    or the test is over, and a stranded sender is the least of its problems."""
    scope = file.scope_for(loop)
    if scope is None:
        return None
    exits = list(scope.nodes("return_statement", loop))
    exits += [b for b in scope.nodes("break_statement", loop) if breaks_out_of(b, loop)]
    exits = [n for n in exits if not in_nested_func(n, func) and (skip is None or not skip(n))]
    return min(exits, key=lambda n: n.start_byte) if exits else None


# testify's require and gotest.tools' assert stop the test (t.FailNow) when a check fails, or
# mark it failed (gotest.tools' assert.Check); testify's assert only fails with Fail/FailNow
_FAILING_ASSERTS = ("github.com/stretchr/testify/require", "gotest.tools/v3/assert", "gotest.tools/assert")
_TESTIFY_ASSERT = "github.com/stretchr/testify/assert"


def fails_test(file: GoFile, stmt: Node) -> bool:
    """`stmt` ends the process or the goroutine (panic, os.Exit, log.Fatal, t.Fatal, t.FailNow),
    or fails the test: t.Error, t.Fail, require.*, assert.Fail, s.Require().X, ..."""
    if stmt.type != "expression_statement":
        return False
    if file.is_no_return(stmt):
        return True
    call = unparen(stmt.named_children[0]) if stmt.named_child_count else None
    if call is None or call.type != "call_expression":
        return False
    operand, name = call_name(call)
    if operand is None:
        return False
    operand = unparen(operand)
    if name in ("Error", "Errorf", "Fail", "FailNow", "Fatal", "Fatalf") and _testing_value(file, operand):
        return True
    if operand.type == "call_expression" and call_name(operand)[1] == "Require":
        return True  # testify suites: s.Require().NoError(err)
    if any(file.pkg_call(call, path) is not None for path in _FAILING_ASSERTS):
        return True
    return file.pkg_call(call, _TESTIFY_ASSERT) in ("Fail", "FailNow")


def _testing_value(file: GoFile, operand: Node) -> bool:
    """A *testing.T/B/F or testing.TB, or a testify suite's s.T()."""
    if operand.type == "call_expression":
        return call_name(operand)[1] == "T" and not call_args(operand)
    decl = file.decl_of(operand) if operand.type == "identifier" else None
    if decl is None or decl.type_node is None:
        return False
    return file.type_text(decl.type_node) in TESTING_TYPES


def failed_before(file: GoFile, node: Node) -> bool:
    """A statement before `node`, in its statement list or in the lists around it up to the
    enclosing function, fails the test: `t.Errorf(...); return` gives up on a failed test."""
    cur = node
    while cur.parent is not None and cur.type not in FUNC_TYPES:
        parent = cur.parent
        if parent.type in ("statement_list", "block"):
            sib = cur.prev_named_sibling
            while sib is not None:
                if fails_test(file, sib):
                    return True
                sib = sib.prev_named_sibling
            if parent.parent is not None and parent.parent.type in ("for_statement", *FUNC_TYPES):
                return False  # the start of a loop body or of the function
        cur = parent
    return False


def breaks_out_of(brk: Node, loop: Node) -> bool:
    label = next((c for c in brk.named_children if c.type == "label_name"), None)
    if label is not None:
        parent = loop.parent
        return (
            parent is not None
            and parent.type == "labeled_statement"
            and text(parent.child_by_field_name("label")) == text(label)
        )
    target = enclosing(
        brk, frozenset({"for_statement", "expression_switch_statement", "type_switch_statement", "select_statement"})
    )
    return target is not None and target.id == loop.id


def _contextish(file: GoFile, operand: Node) -> bool:
    if is_context_value(file, operand):
        return True
    last = text(operand.child_by_field_name("field")) if operand.type == "selector_expression" else text(operand)
    return bool(re.search(r"(?i)(ctx|context)$", last))


def in_nested_func(node: Node, func: Node) -> bool:
    """`node` sits inside a function literal nested in `func`."""
    f = enclosing(node, FUNC_TYPES)
    return f is not None and f != func
