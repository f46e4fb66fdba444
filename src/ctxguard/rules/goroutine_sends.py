"""The sends of a goroutine, counted along its paths; and, as facts, those of functions other packages start.

CG105 asks how often a goroutine can send on a channel before its receiver gives up.
For a goroutine running a function of another package of the module (`go work.Probe(ch)`),
the answer comes from that package's facts: for each channel parameter the function
sends on, its sends with whether they repeat and the most along one path.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from tree_sitter import Node

from ctxguard.gosrc.cfg import components, is_cycle
from ctxguard.gosrc.facts import callee_key, declared_key, short_name
from ctxguard.gosrc.goroutines import Goroutine, in_nested_func, is_stop_channel, trips
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.syntax import (
    LOOP_TYPES,
    call_args,
    call_name,
    contains,
    enclosing,
    is_receive,
    received_channel,
    repetitions,
    statements,
    text,
    unparen,
    walk,
)
from ctxguard.rules.base import FactPass
from ctxguard.rules.callfacts import NAMED_FUNCS

_SENDING_CHANNEL = ("chan ", "chan<- ")


def export_facts(fp: FactPass) -> None:
    """`{"0": {"sends": [[line, repeats, prefix, makes_room]], "per_run": n}}` per function of the
    package that sends on a channel parameter (keyed by the parameter's position): what a
    goroutine started on it elsewhere (`go work.Probe(ch)`) does with the channel it is given."""
    for file in fp.package.files:
        if b"chan" not in file.source or b"<-" not in file.source:
            continue
        for decl in file.root.named_children:
            params = decl.child_by_field_name("parameters")
            if decl.type not in NAMED_FUNCS or params is None or b"chan" not in (params.text or b""):
                continue
            summary = _channel_params(file, decl)
            key = declared_key(file, decl)
            if summary and key is not None:
                fp.export(file, key, summary)


def _channel_params(file: GoFile, decl: Node) -> dict[str, object]:
    info = file.func_info(decl)
    out: dict[str, object] = {}
    scope = None
    for i, param in enumerate(info.params):
        if not param.name or param.node is None or not param.type.startswith(_SENDING_CHANNEL):
            continue
        scope = scope or file.scope_for(decl)
        pdecl = scope.declared_at(param.node) if scope is not None else None
        if scope is None or pdecl is None:
            continue
        found = [s for r in scope.refs(pdecl) if (s := send_of(r)) is not None and not in_nested_func(s, decl)]
        found = [s for s in found if not guarded(file, s)]
        if not found:
            continue
        g = Goroutine(decl, file, file, decl, ())
        sends, per_run = count_sends(g, found)
        rows = [[s.node.start_point[0] + 1, s.repeats, s.prefix, makes_room(s.node)] for s in sends]
        out[str(i)] = {"sends": rows, "per_run": per_run, "file": file.path.rsplit("/", 1)[-1]}
    return out


@dataclass(frozen=True)
class SendsElsewhere:
    """What a goroutine running another package's function sends on one channel it was given."""

    sends: list[Send]  # placed at the go statement
    per_run: float  # the most along one run
    arg: Node  # the argument that passed the channel
    channels: frozenset[str]  # every argument (by its text) the function sends on


def sends_elsewhere(
    file: GoFile, stmt: Node, channel: object, buffer: float, facts: Mapping[str, object]
) -> SendsElsewhere | None:
    """For `go pkg.F(..., ch, ...)` with F in another package of the module: its sends on `ch`
    that can fill a channel with `buffer` slots. `channel` is the channel's declaration; None
    when the facts say nothing."""
    call = stmt.named_children[0] if stmt.named_child_count else None
    if not facts or call is None or call.type != "call_expression":
        return None
    key = callee_key(file, call)
    fact = facts.get(key) if key is not None else None
    if not isinstance(fact, dict) or key is None:
        return None
    args = [unparen(a) for a in call_args(call)]
    channels = frozenset(text(a) for i, a in enumerate(args) if str(i) in fact)
    for i, arg in enumerate(args):
        summary = fact.get(str(i))
        if arg.type != "identifier" or file.decl_of(arg) is not channel or not isinstance(summary, dict):
            continue
        outer = enclosing(stmt, NAMED_FUNCS)
        shown = short_name(key, (declared_key(file, outer) or "") if outer is not None else "")
        sends = [
            Send(stmt, file, bool(repeats), float(prefix), f"{shown} at {summary['file']}:{line}")
            for line, repeats, prefix, room in summary["sends"]
            if not (buffer and room)
        ]
        return SendsElsewhere(sends, float(summary["per_run"]), arg, channels)
    return None


@dataclass(frozen=True)
class Send:
    node: Node  # the send statement (the go statement for a send in another package)
    file: GoFile
    repeats: bool  # can run more than once per run of its goroutine (it sits in a loop)
    prefix: float  # the most sends along one path up to and including this one, of those that cannot repeat
    elsewhere: str = ""  # for a send in another package: where it is ("work.Probe, probe.go:12")


def count_sends(g: Goroutine, nodes: list[Node]) -> tuple[list[Send], float]:
    """The sends of one goroutine, each with whether it repeats and the most sends along a path up
    to it; and the most sends along any path through the goroutine (inf when one repeats in an
    open loop). Counted on the goroutine's control-flow graph: `errc <- err; return` in several
    branches is one send, not several; a send in a loop that does not leave is many."""
    gfile = g.file
    # a send in a deferred `if r := recover(); r != nil` runs only when the goroutine panics,
    # instead of the rest: one send, on a path of its own
    on_panic = [n for n in nodes if _on_panic(n, g.func)]
    if on_panic:
        rest, per_run = count_sends(g, [n for n in nodes if n not in on_panic])
        return [*rest, *(Send(n, gfile, False, 1.0) for n in on_panic)], max(per_run, 1.0)
    cfg = gfile.cfg(g.func)
    count_trips = trips(gfile)
    if cfg is None:
        return [Send(n, gfile, True, math.inf) for n in nodes], math.inf
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
                if _once_by_flag(n, g.func):
                    weight[i] += 1
                    once[i] += 1
                    continue
                repeating.add(n.id)
                reps = repetitions(n, g.func, trips=count_trips)
                weight[i] += reps if reps > 1 else math.inf  # a loop of goto or one the syntax misses
        else:
            weight[i] = once[i] = len(inside)
    # longest paths over the components, in topological order, from the entry's
    best = [-math.inf] * len(comps)  # the most sends along a path ending in the component
    best_once = [-math.inf] * len(comps)
    incoming = [-math.inf] * len(comps)  # ... along a path up to entering it
    before_once = [-math.inf] * len(comps)
    if comps:
        incoming[0] = before_once[0] = 0.0
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
    sends: list[Send] = []
    for n in nodes:
        if n.id not in where:
            sends.append(Send(n, gfile, True, math.inf))  # not placed: assume the worst
            continue
        block, pos = where[n.id]
        ci = comp_of.get(block)
        if ci is None or incoming[ci] == -math.inf:
            continue  # unreachable code never sends
        if n.id in repeating:
            sends.append(Send(n, gfile, True, math.inf))
            continue
        earlier = sum(1 for m in nodes if m.id in where and where[m.id][0] == block and where[m.id][1] < pos)
        sends.append(Send(n, gfile, False, before_once[ci] + earlier + 1))
    per_run = max((x for x in best if x != -math.inf), default=0.0)
    return sends, per_run


def _on_panic(send: Node, func: Node) -> bool:
    """The send sits in a function deferred by `func` under `if r := recover(); r != nil`, or
    under `if r != nil` after `r := recover()` in that function."""
    cur = send.parent
    recovering = False
    conditions: list[bytes] = []
    while cur is not None and cur.id != func.id:
        if cur.type == "if_statement":
            head = cur.child_by_field_name("initializer") or cur.child_by_field_name("condition")
            recovering = recovering or (head is not None and b"recover()" in (head.text or b""))
            condition = cur.child_by_field_name("condition")
            conditions.append(condition.text or b"" if condition is not None else b"")
        if cur.type == "func_literal":
            call = cur.parent
            if call is None or call.parent is None or call.parent.type != "defer_statement":
                return False
            recovered = {m.group(1) for m in _RECOVERED.finditer(cur.text or b"")}
            return recovering or any(re.search(rb"\b" + v + rb"\b", c) for v in recovered for c in conditions)
        cur = cur.parent
    return False


# `r := recover()`, `err = recover()`: the variable holding what a deferred function recovered
_RECOVERED = re.compile(rb"\b(\w+)\s*:?=\s*recover\(\)")


def _once_by_flag(send: Node, func: Node) -> bool:
    """A send in a loop under `if ... !got ... {`, whose block sets `got = true` and nothing in
    the function sets it back: it happens once (frp's forward-address reader). Or the same
    written with an early way out: `if got { ...; continue }; got = true; ch <- v` (netbird's
    race dialer)."""
    if _after_flag_check(send, func):
        return True
    guard = enclosing(send, _IF)
    body = guard.child_by_field_name("consequence") if guard is not None else None
    cond = guard.child_by_field_name("condition") if guard is not None else None
    if guard is None or body is None or cond is None or not contains(func, guard):
        return False
    loop = enclosing(send, LOOP_TYPES)
    if loop is not None and contains(guard, loop):
        return False  # `if !got { for { ch <- v } }`: the loop repeats the send
    flags = {
        text(n.child_by_field_name("operand"))
        for n in walk(cond)
        if n.type == "unary_expression" and text(n.child_by_field_name("operator")) == "!"
    }
    sets = {
        text(left): text(right)
        for st in statements(body)
        if st.type == "assignment_statement"
        and (left := st.child_by_field_name("left")) is not None
        and (right := st.child_by_field_name("right")) is not None
    }
    flag = next((f for f in flags if sets.get(f) == "true"), None)
    return flag is not None and _never_reset(flag, func)


def _never_reset(flag: str, func: Node) -> bool:
    """Nothing in `func` sets `flag` to anything but true."""
    return not any(
        n.type == "assignment_statement"
        and text(n.child_by_field_name("left")) == flag
        and text(n.child_by_field_name("right")) != "true"
        for n in walk(func)
    )


_IF = frozenset({"if_statement"})
_LEAVES = frozenset({"continue_statement", "return_statement", "break_statement"})


def _after_flag_check(send: Node, func: Node) -> bool:
    """Before the send, in its own block: `if got { ...; continue }` (or return, break) and then
    `got = true`, and nothing in the function sets `got` back."""
    flag = None
    sib = send.prev_named_sibling
    while sib is not None:
        if sib.type == "assignment_statement" and text(sib.child_by_field_name("right")) == "true":
            flag = flag or text(sib.child_by_field_name("left"))
        elif flag is not None and sib.type == "if_statement" and sib.child_by_field_name("alternative") is None:
            cond = sib.child_by_field_name("condition")
            body = statements(sib.child_by_field_name("consequence"))
            if cond is not None and text(cond) == flag and body and body[-1].type in _LEAVES:
                return _never_reset(flag, func)
        sib = sib.prev_named_sibling
    return False


def guarded(file: GoFile, send: Node) -> bool:
    """The send is a select case that can give way (default, ctx.Done(), a timer, a stop channel)."""
    case = send.parent
    if case is None or case.type != "communication_case" or case.parent is None:
        return False
    return any(
        other.id != case.id and (other.type == "default_case" or case_reason(file, other) != "another case")
        for other in case.parent.named_children
        if other.type in ("communication_case", "default_case")
    )


def makes_room(send: Node) -> bool:
    """`<-ch` right before `ch <- v`: with a buffer, the goroutine takes a value out before it
    puts one in (a token handed back), so the send always has room."""
    prev = send.prev_named_sibling
    while prev is not None and prev.type == "comment":
        prev = prev.prev_named_sibling
    if prev is None or prev.type != "expression_statement" or not prev.named_child_count:
        return False
    taken = unparen(prev.named_children[0])
    operand = taken.child_by_field_name("operand") if is_receive(taken) else None
    channel = send.child_by_field_name("channel")
    return operand is not None and channel is not None and text(unparen(operand)) == text(unparen(channel))


def send_of(ref: Node) -> Node | None:
    parent = ref.parent
    if parent is not None and parent.type == "send_statement" and parent.child_by_field_name("channel") == ref:
        return parent
    return None


def case_reason(file: GoFile, case: Node) -> str:
    if case.type == "default_case":
        return "select with default"
    received = received_channel(case)
    if received is not None:
        ch = unparen(received)
        if ch.type == "call_expression" and call_name(ch)[1] == "Done":
            return f"select on {text(ch)}"
        if ch.type == "call_expression" and call_name(ch)[1] in ("After", "Tick"):
            return "select with a timer"
        if ch.type == "selector_expression" and text(ch.child_by_field_name("field")) == "C":
            return "select with a timer"
        if is_stop_channel(file, ch):
            return f"select on {text(ch)}"
    return "another case"


@dataclass(frozen=True)
class Sender:
    """A `go` statement whose goroutines send on the channel being judged, and how often."""

    stmt: Node  # the go statement
    g: Goroutine | None  # None: a function of another package, known by its facts
    sends: list[Send]
    starts: float  # goroutines this statement starts per run of the function (inf in an open loop)
    times: float  # sends they can make in all: starts x the most sends along one path of one
    channels: frozenset[str] = frozenset()  # for another package's function: the arguments it sends on


def buffer_of(make: Node) -> float | None:
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


def exclusive(a: Node, b: Node) -> bool:
    """`a` and `b` sit in different branches of one if/else chain, or in different cases of one
    switch (none falling through) or select."""
    cur = a.parent
    while cur is not None and not contains(cur, b):
        cur = cur.parent
    if cur is not None and cur.type in _BRANCHING:
        cases = [c for c in cur.named_children if c.type in _CASES]
        case_a = next((c for c in cases if contains(c, a)), None)
        case_b = next((c for c in cases if contains(c, b)), None)
        falls = any(st.type == "fallthrough_statement" for c in cases for st in statements(c))
        return case_a is not None and case_b is not None and case_a.id != case_b.id and not falls
    if cur is None or cur.type != "if_statement":
        return False
    cons = cur.child_by_field_name("consequence")
    alt = cur.child_by_field_name("alternative")
    return cons is not None and alt is not None and contains(cons, a) != contains(cons, b)


_BRANCHING = frozenset({"expression_switch_statement", "type_switch_statement", "select_statement"})
_CASES = frozenset({"expression_case", "type_case", "default_case", "communication_case"})


def ancestors(node: Node, stop: Node) -> list[Node]:
    """The nodes between `node` and `stop`, innermost first (neither included)."""
    out: list[Node] = []
    cur = node.parent
    while cur is not None and cur.id != stop.id:
        out.append(cur)
        cur = cur.parent
    return out
