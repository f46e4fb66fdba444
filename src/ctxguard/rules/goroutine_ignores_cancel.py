"""CG104 goroutine-ignores-cancel (opt-in): a goroutine loop that blocks and never looks at its context."""

from __future__ import annotations

from tree_sitter import Node

from ctxguard.findings import Severity
from ctxguard.gosrc.goroutines import (
    Goroutine,
    closed_somewhere,
    early_exit,
    go_statements,
    goroutine,
    goroutine_context,
    in_nested_func,
    is_stop_channel,
    is_timer_channel,
    observes_cancellation,
    spawner_decl,
)
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.syntax import (
    call_args,
    call_name,
    contains,
    enclosing_function,
    is_receive,
    received_channel,
    repetitions,
    unparen,
)
from ctxguard.rules import orphaned_send
from ctxguard.rules.base import Pass, Rule

DOC = """\
## What it finds
A goroutine (a `go` statement running a function literal, or a function or
method of the same package) with a loop that blocks - a channel send or
receive, a `select` with no `ctx.Done()` case, a `range` over a channel or a
ticker, `time.Sleep` in an unbounded loop with no `return` or `break` out of
it - while a context is in scope, and nothing in the loop observes
`ctx.Done()`, `ctx.Err()` or `context.Cause`.

Not reported: an operation right before a `return` or a `break` out of the
loop (it runs once: CG105 judges a one-shot send); a `range` over a channel
its owner closes (with `close`, or a helper named for it such as
`SafeClose(ch)`) or hands to a call that feeds it (`scan(ctx, updates)`: by
Go's convention the sender closes); a receive from a channel a call returns
(`<-conn.NotifyClose(...)`: the callee feeds it); `time.Sleep` in a loop that
can return or break (a sleep ends by itself, and a loop that gives up when a
call given the context fails stops soon after the cancellation); sends that a
pipeline or worker pool drains to the end; a bounded loop of selects with a
timer; and a context nobody can cancel (`context.Background()`).

This rule is **opt-in**: whether such a loop leaks depends on code out of the
function's sight (who drains the channel, who closes it, how long the context
lives), and on mature code about as many findings were wrong as worth fixing
(an independent triage over eleven repositories: 5 of 18 worth fixing, 7 wrong).
The sends whose receiver can be seen to give up are CG105's (orphaned-send), on
by default, and so is a channel handed to the caller and fed without watching
the context. Turn it on with `--select CG104` (or `--extend-select
goroutine-ignores-cancel`, or `--select ALL`) to review goroutine lifetimes.

When the receiver of a reported send can also give up (what CG105,
orphaned-send, looks for), the send is reported once, here, and the message
says where the receiver stops: for a loop, watching the context is the fix;
a buffer is not.

## Why it leaks
When the request times out, its handler returns and nobody reads the worker's
results any more; the worker blocks on its next send forever. Each timed-out
request leaves one goroutine parked in `chan send` - the most common shape of
the "million goroutines" outage. A `select` on `ctx.Done()` lets it go.

## Bad
```go
go func() {
	for _, item := range items {
		results <- process(item) // blocks forever once the handler gave up
	}
}()
```

## Good
```go
go func() {
	for _, item := range items {
		select {
		case results <- process(item):
		case <-ctx.Done():
			return
		}
	}
}()
```
"""


def _ranged_channel(file: GoFile, loop: Node) -> Node | None:
    """The channel a `for range` loop receives from, when it provably is one."""
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
    right = clause.child_by_field_name("right") if clause is not None else None
    if right is None:
        return None
    right = unparen(right)
    if is_timer_channel(file, right):
        return right
    decl = file.decl_of(right)
    if decl is None:
        return None
    if decl.type_node is not None:
        return right if decl.type_node.type == "channel_type" else None
    v = unparen(decl.value) if decl.value is not None else None
    if v is None or v.type != "call_expression":
        return None
    args = call_args(v)
    return right if call_name(v)[1] == "make" and args and args[0].type == "channel_type" else None


def _unbounded(loop: Node) -> bool:
    """`for {}`, `for cond {}` and `for i := 0; ; i++ {}`: no range, no counted condition."""
    for c in loop.named_children:
        if c.type == "range_clause":
            return False
        if c.type == "for_clause":
            return c.child_by_field_name("condition") is None
    return True


def _in_select_comm(node: Node) -> bool:
    """A send or receive that is a select case's communication (the select decides, not the op)."""
    cur = node.parent
    while cur is not None and cur.type in ("receive_statement", "expression_list", "parenthesized_expression"):
        cur = cur.parent
    return cur is not None and cur.type == "communication_case"


def _blocking_ops(g: Goroutine, loop: Node, ctx: str) -> list[tuple[Node, str]]:
    """What can park the goroutine for good in one iteration of `loop`."""
    file, func = g.file, g.func
    scope = file.scope_for(loop)
    assert scope is not None
    ops: list[tuple[Node, str]] = []
    ranged = _ranged_channel(file, loop)
    if ranged is not None and not _closed(g, ranged):
        ops.append((loop, "a range over a channel"))
    for s in scope.nodes("send_statement", loop):
        if not _in_select_comm(s) and not _drained(g, s.child_by_field_name("channel")):  # type: ignore[arg-type]
            ops.append((s, "a channel send"))
    for u in scope.nodes("unary_expression", loop):
        operand = u.child_by_field_name("operand")
        if operand is None or not is_receive(u) or _in_select_comm(u) or is_stop_channel(file, operand):
            continue
        if unparen(operand).type == "call_expression":
            continue  # a channel the callee made and feeds (conn.NotifyClose(...)): its sender is out of sight
        ops.append((u, "a channel receive"))
    bounded = not _unbounded(loop)
    for sel in scope.nodes("select_statement", loop):
        cases = [c for c in sel.named_children if c.type in ("communication_case", "default_case")]
        if any(c.type == "default_case" for c in cases) or any(_stops(file, c) for c in cases):
            continue
        if bounded and any(_on_timer(file, c) for c in cases):
            continue  # a timer fires: a bounded loop of these ends
        ops.append((sel, f"a select with no {ctx}.Done() case"))
    # a sleep ends by itself: it keeps the goroutine only in a loop with no way out at all (one
    # that returns when a call given the context fails stops soon after the cancellation)
    if not bounded and early_exit(file, loop, func) is None:
        for call in scope.nodes("call_expression", loop):
            if file.pkg_call(call, "time") == "Sleep":
                ops.append((call, "time.Sleep"))
    # an op right before a return or a break out of the loop runs once: not a loop that blocks
    # (a one-shot send that can strand is CG105's to judge)
    return [
        (n, what)
        for n, what in ops
        if not in_nested_func(n, func) and (n.id == loop.id or repetitions(n, loop.parent or loop) > 1)
    ]


def _closed(g: Goroutine, channel: Node) -> bool:
    """A ranged channel that its owner closes, or hands to a producer, ends the loop
    (producer/consumer pipelines): in the goroutine or where it was declared."""
    decl = g.file.decl_of(channel)
    owner = spawner_decl(g, decl) if decl is not None else None
    if owner is None:
        return False
    return closed_somewhere(g.stmt_file if owner is not decl else g.file, owner, handed_over=True)


def _drained(g: Goroutine, channel: Node) -> bool:
    """The spawner, or a goroutine it starts, ranges over the channel to its end: every send
    is received (a pipeline stage, a worker pool)."""
    decl = g.file.decl_of(channel)
    owner = spawner_decl(g, decl) if decl is not None else None
    spawner = enclosing_function(g.stmt)
    if owner is None or spawner is None:
        return False
    sf = g.stmt_file
    scope = sf.scope_for(spawner)
    assert scope is not None
    for ref in scope.refs(owner):
        clause = ref.parent
        if clause is None or clause.type != "range_clause" or contains(g.func, ref):
            continue
        loop = clause.parent
        if loop is not None and early_exit(sf, loop, enclosing_function(loop) or spawner) is None:
            return True
    return False


def _stops(file: GoFile, case: Node) -> bool:
    ch = received_channel(case)
    return ch is not None and is_stop_channel(file, ch)


def _on_timer(file: GoFile, case: Node) -> bool:
    ch = received_channel(case)
    return ch is not None and is_timer_channel(file, ch)


def check(p: Pass) -> None:
    orphaned = orphaned_send.orphans(p.file) if orphaned_send.RULE.applies_to(p.file) else {}
    for node, what, ctx, gf, covered in _blocking(p.file):
        if node.type == "select_statement":
            message = f"goroutine loop blocks on {what}: it cannot be cancelled"
        else:
            message = (
                f"goroutine loop blocks on {what} without observing {ctx}.Done() or {ctx}.Err(): it cannot be cancelled"
            )
        # CG105 finds this send too: one finding, here, saying why it blocks
        orphan = next((o for n in covered for s in _sends_of(n) if (o := orphaned.get((gf.path, s.start_byte)))), None)
        if orphan is not None:
            message += f", and {orphan.reason}"
        p.report(_header(node), message, file=gf)


def reported_sends(file: GoFile) -> frozenset[tuple[str, int]]:
    """The sends this rule reports for goroutines started in `file`, by (path, start byte): a
    send, or a send case of a select it reports."""
    return frozenset(
        (gf.path, s.start_byte) for _, _, _, gf, covered in _blocking(file) for n in covered for s in _sends_of(n)
    )


def _sends_of(node: Node) -> list[Node]:
    if node.type == "send_statement":
        return [node]
    if node.type != "select_statement":
        return []
    comms = (c.child_by_field_name("communication") for c in node.named_children if c.type == "communication_case")
    return [c for c in comms if c is not None and c.type == "send_statement"]


Blocking = tuple[Node, str, str, GoFile, tuple[Node, ...]]


def _blocking(file: GoFile) -> list[Blocking]:
    """What this rule reports for goroutines started in `file`: the operation, what it is, the
    context the goroutine ignores, the file holding the goroutine's body, and every blocking
    operation of the loop (one finding covers them all)."""

    def compute() -> list[Blocking]:
        out: list[Blocking] = []
        reported: set[tuple[str, int]] = set()
        for stmt in go_statements(file):
            g = goroutine(file, stmt)
            if g is None:
                continue
            ctx = goroutine_context(g)
            if ctx is None:
                continue
            gf = g.file
            scope = gf.scope_for(g.func)
            if scope is None:
                continue
            loops = [lp for lp in scope.nodes("for_statement", g.func) if not in_nested_func(lp, g.func)]
            watching = [lp for lp in loops if observes_cancellation(gf, lp)]
            for loop in loops:
                ops = [
                    (node, what)
                    for node, what in _blocking_ops(g, loop, ctx)
                    # not where an enclosing loop watches for cancellation
                    if not any(w.start_byte <= node.start_byte < w.end_byte for w in watching)
                ]
                keys = {(gf.path, node.id) for node, _ in ops}
                if not ops or not keys.isdisjoint(reported):
                    continue  # nothing blocks, or an enclosing loop was reported for it
                reported |= keys
                node, what = ops[0]  # one finding per loop: the fix (watch the context) is one
                out.append((node, what, ctx, gf, tuple(n for n, _ in ops)))
        return out

    return file.memo("cg104.blocking", compute)


def _header(node: Node) -> Node:
    """For a loop or select, report the keyword only, not the whole body."""
    if node.type in ("for_statement", "select_statement") and node.child_count:
        return node.children[0]
    return node


RULE = Rule(
    code="CG104",
    name="goroutine-ignores-cancel",
    severity=Severity.WARNING,
    summary="goroutine loop blocks without observing ctx.Done()",
    doc=DOC,
    check=check,
    needs_imports=frozenset({"context", "net/http"}),
    needs_text=(b"go ",),
    # worth a look, not a default finding: on eleven mature repositories an independent triage
    # judged 5 of 18 findings worth fixing and 7 wrong (the channel was drained, or its buffer
    # held every send, out of this function's sight); the sends whose receiver visibly gives up
    # are CG105's, on by default
    default=False,
)
