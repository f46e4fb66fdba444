"""CG105 orphaned-send: a goroutine sends on a channel its receiver may stop reading."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tree_sitter import Node

from ctxguard.findings import Severity
from ctxguard.gosrc import index
from ctxguard.gosrc.goroutines import (
    Goroutine,
    early_exit,
    go_statements,
    goroutine,
    in_nested_func,
    is_stop_channel,
    trips,
)
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.scope import Decl, ScopeTable
from ctxguard.gosrc.syntax import (
    call_args,
    call_name,
    contains,
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
    repeats: bool  # can run more than once per run of its goroutine (it sits in a loop)
    prefix: float  # the most sends of the goroutine along one path up to and including this one


@dataclass(frozen=True)
class _Sender:
    stmt: Node  # the go statement
    sends: list[_Send]
    starts: float  # goroutines this statement starts per run of the function (inf in an open loop)
    times: float  # sends they can make in all: starts x the most sends along one path of one


@dataclass(frozen=True)
class Orphan:
    """A send CG105 reports: where, and why it can block for ever."""

    node: Node
    file: GoFile
    message: str
    reason: str  # the receiver's side: "the receiver at line N can stop receiving (...)"


def check(p: Pass) -> None:
    # a send that CG104 reports (a goroutine loop that never watches its context) is reported
    # once, by CG104, with this rule's reason in its message
    from ctxguard.rules import goroutine_ignores_cancel as cg104

    ignored = cg104.reported_sends(p.file) if cg104.RULE.applies_to(p.file) else frozenset()
    for o in orphans(p.file):
        if (o.file.path, o.node.start_byte) not in ignored:
            p.report(o.node, o.message, file=o.file)


def orphans(file: GoFile) -> dict[tuple[str, int], Orphan]:
    """Every send this rule finds for channels made in `file`, by (path, start byte) of the send."""

    def compute() -> dict[tuple[str, int], Orphan]:
        found: dict[tuple[str, int], Orphan] = {}
        for make in index.nodes(file, "makechan"):
            for o in _check_channel(file, make):
                found.setdefault((o.file.path, o.node.start_byte), o)
        return found

    return file.memo("orphaned-send", compute)


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
    return file.decl_of(names[[v.id for v in values].index(make.id)])


def _check_channel(file: GoFile, make: Node) -> list[Orphan]:
    buffer = _buffer(make)
    func = enclosing_function(make)
    if buffer is None or func is None:
        return []
    decl = _channel_decl(file, make)
    scope = file.scope_for(make)
    if decl is None or scope is None:
        return []
    # Each goroutine that sends, with its sends and how many it can make along one path.
    senders: list[_Sender] = []
    sender_bodies: list[Node] = []
    passed_to_sender: set[int] = set()
    count_trips = trips(file)
    for stmt in go_statements(file):
        if not (func.start_byte <= stmt.start_byte < func.end_byte) or in_nested_func(stmt, func):
            continue
        g = goroutine(file, stmt)
        if g is None:
            continue
        found = _sends_in(g, decl, scope, passed_to_sender)
        if not found:
            continue
        sender_bodies.append(g.func)
        gfile = g.file
        found = [s for s in found if not _guarded(gfile, s)]
        if found:
            sends, per_run = _count_sends(g, found)
            starts = repetitions(stmt, func, outside=make, trips=count_trips)
            senders.append(_Sender(stmt, sends, starts, starts * per_run))
    if not senders:
        return []
    # The receiving side: every other reference to the channel in `func`.
    receives: list[Node] = []
    for ref in scope.refs(decl):
        if not (func.start_byte <= ref.start_byte < func.end_byte):
            continue
        if any(b.start_byte <= ref.start_byte < b.end_byte for b in sender_bodies) or ref.id in passed_to_sender:
            continue
        use = _use_of(ref)
        if use == "escapes":
            return []  # returned, stored or passed on: the receiver is somewhere else
        if use == "receive":
            receives.append(ref)
    total = _pending(senders, receives)
    if not receives or total <= buffer:
        return []
    why = _gives_up(file, func, make, receives, senders, total, buffer)
    if why is None:
        return []
    at, how = why
    reason = f"the receiver at line {at} can stop receiving ({how})"
    # One goroutine alone: only the sends that can overflow the buffer block (a send in a loop,
    # or one that comes after others on the same path). Several: any of them may be the one left.
    alone = len(senders) == 1 and senders[0].starts <= 1
    out: list[Orphan] = []
    for sender in senders:
        for s in sender.sends:
            if alone and not s.repeats and s.prefix <= buffer:
                continue
            why_send = ""
            if alone and buffer > 0:
                if s.repeats:
                    more = "a second time" if buffer == 1 else f"more than {int(buffer)} times"
                    why_send = f"it sends in a loop and may send {more} into a channel with room for {int(buffer)}, and "
                else:
                    why_send = (
                        f"this can be its {_nth(s.prefix)} send along one path, into a channel with room for "
                        f"{int(buffer)}, and "
                    )
            message = f"goroutine may block forever sending on {decl.name}: {why_send}{reason}"
            out.append(Orphan(s.node, s.file, message, reason))
    return out


def _nth(n: float) -> str:
    k = int(n)
    return {2: "second", 3: "third", 4: "fourth"}.get(k, f"{k}th")


def _count_sends(g: Goroutine, nodes: list[Node]) -> tuple[list[_Send], float]:
    """The sends of one goroutine, each with whether it repeats and the most sends along a path up
    to it; and the most sends along any path through the goroutine (inf when one repeats in an
    open loop). Counted on the goroutine's control-flow graph: `errc <- err; return` in several
    branches is one send, not several; a send in a loop that does not leave is many."""
    gfile = g.file
    cfg = gfile.cfg(g.func)
    count_trips = trips(gfile)
    if cfg is None:
        sends = [_Send(n, gfile, True, math.inf) for n in nodes]
        return sends, math.inf
    comps = components(cfg)
    comp_of = {b.index: i for i, comp in enumerate(comps) for b in comp}
    where: dict[int, tuple[int, int]] = {}  # send id -> (block index, position in block)
    for n in nodes:
        hit = cfg.locate(n)
        if hit is not None:
            where[n.id] = (hit[0].index, hit[1])
    weight = [0.0] * len(comps)  # sends a run through the component can make
    once = [0.0] * len(comps)  # ... counting only sends that cannot repeat
    repeating: set[int] = set()
    for i, comp in enumerate(comps):
        blocks = {b.index for b in comp}
        inside = [n for n in nodes if n.id in where and where[n.id][0] in blocks]
        if is_cycle(comp):
            for n in inside:
                repeating.add(n.id)
                reps = repetitions(n, g.func, trips=count_trips)
                weight[i] += reps if reps > 1 else math.inf  # a loop of goto or one the syntax misses
        else:
            weight[i] = once[i] = len(inside)
    # longest paths over the components, in topological order, from the entry's
    best = [-math.inf] * len(comps)
    best_once = [-math.inf] * len(comps)
    before_once = [-math.inf] * len(comps)  # one-shot sends on a path before entering the component
    if comps:
        before_once[0] = 0.0
        best[0], best_once[0] = weight[0], once[0]
    incoming = [-math.inf] * len(comps)
    if comps:
        incoming[0] = 0.0
    for i, comp in enumerate(comps):
        if incoming[i] == -math.inf:
            continue
        best[i] = incoming[i] + weight[i]
        best_once[i] = before_once[i] + once[i]
        for b in comp:
            for succ in b.succs:
                j = comp_of.get(succ.index)
                if j is None or j == i:
                    continue
                incoming[j] = max(incoming[j], best[i])
                before_once[j] = max(before_once[j], best_once[i])
    sends: list[_Send] = []
    for n in nodes:
        if n.id not in where:
            sends.append(_Send(n, gfile, True, math.inf))  # not placed: assume the worst
            continue
        block, pos = where[n.id]
        i = comp_of.get(block)
        if i is None or before_once[i] == -math.inf:
            continue  # unreachable code never sends
        if n.id in repeating:
            sends.append(_Send(n, gfile, True, math.inf))
            continue
        earlier = sum(1 for m in nodes if m.id in where and where[m.id][0] == block and where[m.id][1] < pos)
        sends.append(_Send(n, gfile, False, before_once[i] + earlier + 1))
    per_run = max((x for x in best if x != -math.inf), default=0.0)
    return sends, per_run


def _pending(senders: list[_Sender], receives: list[Node]) -> float:
    """The most sends that can be outstanding at once.

    Goroutines started one after another, with a receive of the channel in between,
    are phases of one exchange (a buffered channel re-used step by step): only the
    largest phase needs room.
    """
    phases: list[float] = []
    last: Node | None = None
    for sender in sorted(senders, key=lambda s: s.stmt.start_byte):
        stmt, times = sender.stmt, sender.times
        if last is None or any(last.end_byte <= r.start_byte < stmt.start_byte for r in receives):
            phases.append(times)
        elif _exclusive(last, stmt):
            phases[-1] = max(phases[-1], times)  # `if a { go ... } else { go ... }`: one runs
        else:
            phases[-1] += times
        last = stmt
    return max(phases)


def _exclusive(a: Node, b: Node) -> bool:
    """`a` and `b` sit in different branches of one if/else chain."""
    cur = a.parent
    while cur is not None and not contains(cur, b):
        cur = cur.parent
    if cur is None or cur.type != "if_statement":
        return False
    cons = cur.child_by_field_name("consequence")
    alt = cur.child_by_field_name("alternative")
    return cons is not None and alt is not None and contains(cons, a) != contains(cons, b)


def _guarded(send: _Send) -> bool:
    """The send is a select case that can give way (default, ctx.Done(), a timer, a stop channel)."""
    case = send.node.parent
    if case is None or case.type != "communication_case" or case.parent is None:
        return False
    return any(
        other.id != case.id and (other.type == "default_case" or _case_reason(send.file, other) != "another case")
        for other in case.parent.named_children
        if other.type in ("communication_case", "default_case")
    )


def _sends_in(g: Goroutine, decl: Decl, scope: ScopeTable, passed: set[int]) -> list[_Send]:
    """Sends on the channel `decl` performed by goroutine `g`."""
    if g.func.type == "func_literal" and g.file is not None:
        body_refs = [r for r in scope.refs(decl) if g.func.start_byte <= r.start_byte < g.func.end_byte]
        return [_Send(s, g.file, repetitions(s, g.func)) for r in body_refs if (s := _send_of(r)) is not None]
    # go f(ch): the parameter in the same position receives the channel
    for i, arg in enumerate(g.args):
        arg = unparen(arg)
        if arg.type == "identifier" and g.stmt_file.decl_of(arg) is decl:
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
                if not _leaves(other) and (in_loop or _received_after(receives, select)):
                    continue  # the receiver stays, or receives again after this select
                reason = _case_reason(file, other)
                return line_of(ref), "select with another case" if reason == "another case" else reason
    for ref in receives:
        loops = loops_between(ref, func)
        if loops and sends - buffer > 1:  # one receive happened; the others may be stranded
            exit_stmt = early_exit(file, loops[-1], func)
            if exit_stmt is not None and not _drained_after(receives, loops[-1]):
                keyword = text(exit_stmt).split()[0]
                return line_of(ref), f"{keyword} at line {line_of(exit_stmt)} leaves the receive loop"
    received = sum(repetitions(r, func) for r in receives)
    if sends - received > buffer:
        n = "many" if math.isinf(sends) else str(int(sends))
        return line_of(receives[0]), f"receives {int(received)} of {n} sends"
    return None


def _received_after(receives: list[Node], node: Node) -> bool:
    return any(r.start_byte >= node.end_byte for r in receives)


def _drained_after(receives: list[Node], loop: Node) -> bool:
    """After leaving `loop` early, the function drains the channel with `for range ch`."""
    return any(
        r.start_byte >= loop.end_byte and r.parent is not None and r.parent.type == "range_clause" for r in receives
    )


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
    return "another case"


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


RULE = Rule(
    code="CG105",
    name="orphaned-send",
    severity=Severity.ERROR,
    summary="goroutine sends on a channel whose receiver can give up",
    doc=DOC,
    check=check,
    needs_text=(b"go ", b"make(chan"),
)
