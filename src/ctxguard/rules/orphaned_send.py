"""CG105 orphaned-send: a goroutine sends on a channel its receiver may stop reading."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tree_sitter import Node

from ctxguard.findings import Severity
from ctxguard.gosrc import index
from ctxguard.gosrc.goroutines import Goroutine, go_statements, goroutine, in_nested_func, is_stop_channel
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.scope import Decl, ScopeTable
from ctxguard.gosrc.syntax import (
    call_args,
    call_name,
    enclosing,
    enclosing_function,
    is_receive,
    line_of,
    loops_between,
    repetitions,
    statements,
    text,
    unparen,
)
from ctxguard.rules.base import Pass, Rule

DOC = """\
## What it finds
A goroutine sends on a channel made in the enclosing function without a buffer
(or with a literal buffer smaller than the number of sends), while the
receiving side can stop receiving before every send is consumed: it receives
in a `select` that can take another way out (`ctx.Done()`, a timer, `default`),
returns early from a loop of receives, or receives once from several senders.

## Why it leaks
This is the pattern behind most production goroutine leaks. The handler gives
up on a timeout and returns; the worker finishes later and blocks forever on
`ch <- result`, because nobody will ever receive. Every timed-out request
leaves one goroutine (and everything it references) parked in `chan send`.
A buffer of one slot per send lets every sender finish and exit.

## Bad
```go
ch := make(chan result)
go func() { ch <- slowCall() }()
select {
case r := <-ch:
	return r, nil
case <-ctx.Done():
	return nil, ctx.Err() // the sender above is stuck forever
}
```

## Good
```go
ch := make(chan result, 1) // the send always completes
go func() { ch <- slowCall() }()
select {
case r := <-ch:
	return r, nil
case <-ctx.Done():
	return nil, ctx.Err()
}
```
"""


@dataclass(frozen=True)
class _Send:
    node: Node  # the send statement
    file: GoFile
    count: float  # how many times it can run per goroutine (math.inf inside an open loop)


def check(p: Pass) -> None:
    file = p.file
    for make in index.nodes(file, "makechan"):
        _check_channel(p, file, make)


def _buffer(make: Node) -> float | None:
    """The buffer size if it is a literal (0 without one); None when sized by an expression."""
    args = call_args(make)
    if len(args) < 2:
        return 0
    arg = unparen(args[1])
    if arg.type == "int_literal":
        try:
            return int(text(arg).replace("_", ""), 0)
        except ValueError:
            return None
    return None


def _channel_decl(file: GoFile, make: Node) -> Decl | None:
    parent = make.parent
    if parent is None or parent.type != "expression_list":
        return None
    stmt = parent.parent
    if stmt is None or stmt.type not in ("short_var_declaration", "var_spec", "assignment_statement"):
        return None
    left = stmt.child_by_field_name("left")
    names = stmt.children_by_field_name("name") if stmt.type == "var_spec" else (left.named_children if left else [])
    values = parent.named_children
    if len(names) != len(values):
        return None
    ident = names[[v.id for v in values].index(make.id)]
    if ident.type != "identifier":
        return None
    scope = file.scope_for(ident)
    if scope is None:
        return None
    return scope.declared_at(ident) or scope.resolve(ident)


def _check_channel(p: Pass, file: GoFile, make: Node) -> None:
    buffer = _buffer(make)
    func = enclosing_function(make)
    if buffer is None or func is None:
        return
    decl = _channel_decl(file, make)
    scope = file.scope_for(make)
    if decl is None or scope is None:
        return
    sends: list[_Send] = []
    total = 0.0
    sender_bodies: list[Node] = []
    passed_to_sender: set[int] = set()
    for stmt in go_statements(file):
        if not (func.start_byte <= stmt.start_byte < func.end_byte) or in_nested_func(stmt, func):
            continue
        g = goroutine(file, stmt)
        if g is None:
            continue
        found = _sends_in(g, decl, scope, passed_to_sender)
        if found:
            sends.extend(found)
            sender_bodies.append(g.func)
            # distinct send statements of one goroutine are usually alternatives (error path, result
            # path): a goroutine sends once, unless a send repeats in a loop
            total += repetitions(stmt, func) * max(s.count for s in found)
    if not sends:
        return
    if total <= buffer:
        return
    # The receiving side: every other reference to the channel in `func`.
    receives: list[Node] = []
    for ref in scope.refs(decl):
        if not (func.start_byte <= ref.start_byte < func.end_byte):
            continue
        if any(b.start_byte <= ref.start_byte < b.end_byte for b in sender_bodies) or ref.id in passed_to_sender:
            continue
        use = _use_of(ref)
        if use == "escapes":
            return  # returned, stored or passed on: the receiver is somewhere else
        if use == "receive":
            receives.append(ref)
    if not receives:
        return
    why = _gives_up(file, func, receives, total, buffer)
    if why is None:
        return
    at, reason = why
    name = decl.name
    for s in sends:
        message = (
            f"goroutine may block forever sending on {name}: the receiver at line {at} can stop receiving ({reason})"
        )
        p.report(s.node, message, file=s.file)


def _sends_in(g: Goroutine, decl: Decl, scope: ScopeTable, passed: set[int]) -> list[_Send]:
    """Sends on the channel `decl` performed by goroutine `g`."""
    if g.func.type == "func_literal" and g.file is not None:
        body_refs = [r for r in scope.refs(decl) if g.func.start_byte <= r.start_byte < g.func.end_byte]
        return [_Send(s, g.file, repetitions(s, g.func)) for r in body_refs if (s := _send_of(r)) is not None]
    # go f(ch): the parameter in the same position receives the channel
    for i, arg in enumerate(g.args):
        arg = unparen(arg)
        if arg.type == "identifier" and scope.resolve(arg) is decl:
            passed.add(arg.id)
            params = g.file.func_info(g.func).params
            if i >= len(params) or not params[i].name:
                continue
            fscope = g.file.scope_for(g.func)
            pdecl = next((d for d in fscope.decls if d.ident.id == params[i].node.id), None) if fscope else None  # type: ignore[union-attr]
            if pdecl is None or fscope is None:
                continue
            return [
                _Send(s, g.file, repetitions(s, g.func))
                for r in fscope.refs(pdecl)
                if (s := _send_of(r)) is not None and not in_nested_func(s, g.func)
            ]
    return []


def _send_of(ref: Node) -> Node | None:
    parent = ref.parent
    if parent is not None and parent.type == "send_statement" and parent.child_by_field_name("channel") == ref:
        return parent
    return None


def _use_of(ref: Node) -> str:
    """How the enclosing function uses the channel: receive, close/len/cap, or escapes."""
    parent = ref.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    if parent is None:
        return "other"
    if is_receive(parent):
        return "receive"
    if parent.type == "range_clause" and parent.child_by_field_name("right") == ref:
        return "receive"
    if parent.type == "argument_list":
        call = parent.parent
        fn = call_name(call)[1] if call is not None else ""
        return "other" if fn in ("close", "len", "cap") else "escapes"
    if parent.type == "send_statement":
        return "other"
    if parent.type in ("expression_list", "return_statement", "keyed_element", "literal_element", "composite_literal"):
        return "escapes"
    if parent.type in ("binary_expression", "if_statement"):
        return "other"  # ch == nil
    return "escapes"


def _gives_up(file: GoFile, func: Node, receives: list[Node], sends: float, buffer: float) -> tuple[int, str] | None:
    """Where and why the receiver can stop before consuming every send."""
    for ref in receives:
        case = enclosing(ref, frozenset({"communication_case"}))
        if case is not None and not in_nested_func(case, func) and case.parent is not None:
            select = case.parent
            in_loop = bool(loops_between(select, func))
            for other in select.named_children:
                if other.id == case.id or other.type not in ("communication_case", "default_case"):
                    continue
                if in_loop and not _leaves(other):
                    continue
                return line_of(ref), _case_reason(file, other)
    for ref in receives:
        loops = loops_between(ref, func)
        if loops and sends - buffer > 1:  # one receive happened; the others may be stranded
            exit_stmt = _early_exit(file, loops[-1], func)
            if exit_stmt is not None:
                keyword = text(exit_stmt).split()[0]
                return line_of(ref), f"{keyword} at line {line_of(exit_stmt)} leaves the receive loop"
    received = sum(repetitions(r, func) for r in receives)
    if sends - received > buffer:
        n = "many" if math.isinf(sends) else str(int(sends))
        return line_of(receives[0]), f"receives {int(received)} of {n} sends"
    return None


def _case_reason(file: GoFile, case: Node) -> str:
    if case.type == "default_case":
        return "select with default"
    comm = case.child_by_field_name("communication")
    recv = comm.child_by_field_name("right") if comm is not None and comm.type == "receive_statement" else comm
    recv = unparen(recv) if recv is not None else None
    if recv is not None and is_receive(recv):
        ch = unparen(recv.child_by_field_name("operand"))  # type: ignore[arg-type]
        if ch.type == "call_expression" and call_name(ch)[1] == "Done":
            return f"select on {text(ch)}"
        if ch.type == "call_expression" and call_name(ch)[1] in ("After", "Tick"):
            return "select with a timer"
        if ch.type == "selector_expression" and text(ch.child_by_field_name("field")) == "C":
            return "select with a timer"
        if is_stop_channel(file, ch):
            return f"select on {text(ch)}"
    return "select with another case"


def _leaves(case: Node) -> bool:
    """The case body returns, breaks out, jumps away or ends the goroutine."""
    for stmt in statements(case):
        if stmt.type in ("return_statement", "goto_statement"):
            return True
        if stmt.type == "break_statement" and any(c.type == "label_name" for c in stmt.named_children):
            return True
        if stmt.type == "expression_statement":
            fn = (
                call_name(stmt.named_children[0])[1]
                if stmt.named_child_count and stmt.named_children[0].type == "call_expression"
                else ""
            )
            if fn in ("panic", "Exit", "Goexit", "Fatal", "Fatalf"):
                return True
    return False


def _early_exit(file: GoFile, loop: Node, func: Node) -> Node | None:
    """The first return, or break leaving `loop`, inside it (not in a nested function)."""
    scope = file.scope_for(loop)
    if scope is None:
        return None
    exits = list(scope.nodes("return_statement", loop))
    exits += [b for b in scope.nodes("break_statement", loop) if _breaks_out_of(b, loop)]
    exits = [n for n in exits if not in_nested_func(n, func)]
    return min(exits, key=lambda n: n.start_byte) if exits else None


def _breaks_out_of(brk: Node, loop: Node) -> bool:
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


RULE = Rule(
    code="CG105",
    name="orphaned-send",
    severity=Severity.ERROR,
    summary="goroutine sends on a channel whose receiver can give up",
    doc=DOC,
    check=check,
    needs_text=(b"go ", b"make(chan"),
)
