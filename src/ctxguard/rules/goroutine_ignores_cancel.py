"""CG104 goroutine-ignores-cancel: a goroutine loop that blocks and never looks at its context."""

from __future__ import annotations

from tree_sitter import Node

from ctxguard.findings import Severity
from ctxguard.gosrc.goroutines import (
    go_statements,
    goroutine,
    goroutine_context,
    in_nested_func,
    is_stop_channel,
    observes_cancellation,
)
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.syntax import call_name, is_receive, text, unparen
from ctxguard.rules.base import Pass, Rule

DOC = """\
## What it finds
A goroutine (a `go` statement running a function literal, or a function or
method of the same package) with a loop that blocks - a channel send or
receive, a `select` with no `ctx.Done()` case, a `range` over a channel or a
ticker, `time.Sleep` in an unbounded loop - while a context is in scope, and
nothing in the loop observes `ctx.Done()`, `ctx.Err()` or `context.Cause`.

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


def _ranges_over_channel(file: GoFile, loop: Node) -> bool:
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
    right = clause.child_by_field_name("right") if clause is not None else None
    if right is None:
        return False
    right = unparen(right)
    if right.type == "selector_expression" and text(right.child_by_field_name("field")) == "C":
        return True  # ticker.C / timer.C
    if right.type == "call_expression":
        return file.pkg_call(right, "time") == "Tick"
    if right.type != "identifier":
        return False
    scope = file.scope_for(right)
    decl = scope.resolve(right) if scope is not None else None
    if decl is None:
        return False
    if decl.type_node is not None:
        return decl.type_node.type == "channel_type"
    v = unparen(decl.value) if decl.value is not None else None
    if v is None or v.type != "call_expression":
        return False
    args = v.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_child_count else None
    return call_name(v)[1] == "make" and first is not None and first.type == "channel_type"


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


def _blocking_ops(file: GoFile, loop: Node, func: Node, ctx: str) -> list[tuple[Node, str]]:
    scope = file.scope_for(loop)
    assert scope is not None
    ops: list[tuple[Node, str]] = []
    if _ranges_over_channel(file, loop):
        ops.append((loop, "a range over a channel"))
    for s in scope.nodes("send_statement", loop):
        if not _in_select_comm(s):
            ops.append((s, "a channel send"))
    for u in scope.nodes("unary_expression", loop):
        if is_receive(u) and not _in_select_comm(u) and not is_stop_channel(file, u.child_by_field_name("operand")):  # type: ignore[arg-type]
            ops.append((u, "a channel receive"))
    for sel in scope.nodes("select_statement", loop):
        cases = [c for c in sel.named_children if c.type in ("communication_case", "default_case")]
        if any(c.type == "default_case" for c in cases):
            continue
        if not any(_stops(file, c) for c in cases):
            ops.append((sel, f"a select without {ctx}.Done()"))
    if _unbounded(loop):
        for call in scope.nodes("call_expression", loop):
            if file.pkg_call(call, "time") == "Sleep":
                ops.append((call, "time.Sleep"))
    return [(n, what) for n, what in ops if not in_nested_func(n, func)]


def _stops(file: GoFile, case: Node) -> bool:
    comm = case.child_by_field_name("communication")
    if comm is None:
        return False
    recv = comm.child_by_field_name("right") if comm.type == "receive_statement" else comm
    recv = unparen(recv) if recv is not None else None
    return recv is not None and is_receive(recv) and is_stop_channel(file, recv.child_by_field_name("operand"))  # type: ignore[arg-type]


def check(p: Pass) -> None:
    reported: set[tuple[str, int]] = set()
    for stmt in go_statements(p.file):
        g = goroutine(p.file, stmt)
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
            for node, what in _blocking_ops(gf, loop, g.func, ctx):
                if any(w.start_byte <= node.start_byte < w.end_byte for w in watching):
                    continue  # an enclosing loop watches for cancellation
                key = (gf.path, node.id)
                if key in reported:
                    continue
                reported.add(key)
                message = (
                    f"goroutine loop blocks on {what} without observing {ctx}.Done() or {ctx}.Err(): "
                    "it cannot be cancelled"
                )
                p.report(_header(node), message, file=gf)


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
)
