"""CG103 unused-derived-context: a derived context nobody reads."""

from __future__ import annotations

from bisect import bisect_left

from ctxguard.findings import Severity
from ctxguard.gosrc.ctxfacts import Derivation, declared_in, derivations, is_blank, is_write, target_decl
from ctxguard.gosrc.syntax import call_args, enclosing_function, text, unparen, walk
from ctxguard.rules.base import Pass, Rule

DOC = """\
## What it finds
A context derived with `WithCancel`, `WithTimeout`, `WithDeadline` (or a
`Cause` variant) that is bound to `_`, or to a variable that is never read
afterwards on any path.

## Why it leaks
The deadline or cancellation was meant to bound some work, but the work runs
on the old context: a downstream call hangs past the intended timeout and the
goroutines waiting on it pile up. A classic form is the "defer chain": a
cleanup step derives a fresh timeout and then calls something that ignores it.

Not reported: a `WithCancel` (or `WithCancelCause`) context that goes unused
when the function does nothing more with its parent either (or the parent is
`context.Background()`): its cancel has no work to stop, so the pair is dead
code, not a leak. A deadline that protects nothing is always reported.

## Bad
```go
defer func() {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	flush() // ignores ctx: the timeout protects nothing
}()
```

## Good
```go
defer func() {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	flush(ctx)
}()
```
"""


def check(p: Pass) -> None:
    file = p.file
    for d in derivations(file):
        if not d.cancelable:
            continue
        if _cancels_nothing(d):
            continue
        if d.form == "expr" or is_blank(d.ctx_target):
            p.report(
                d.call,
                f"the context returned by context.{d.func} is discarded: its deadline and cancellation protect nothing",
            )
            continue
        decl = target_decl(file, d.ctx_target)
        if decl is None or d.stmt is None or d.function is None or not declared_in(decl, d.function):
            continue
        scope = file.scope_for(d.call)
        graph = file.cfg(d.function)
        if scope is None or graph is None:
            continue
        reads = []
        for ref in scope.refs(decl):
            if is_write(ref):
                continue
            if enclosing_function(ref) != d.function:
                break  # captured by a closure: read whenever that runs
            reads.append(ref.start_byte)
        else:
            reads.sort()
            if decl.kind == "result" and scope.nodes("return_statement", d.function):
                continue  # named results are read by naked returns; too subtle to judge
            if not any(_within(reads, n.start_byte, n.end_byte) for n in graph.reachable_from(d.stmt)):
                p.report(
                    d.call,
                    f"derived context {decl.name} is never used: its deadline and cancellation protect nothing",
                )


def _cancels_nothing(d: Derivation) -> bool:
    """A `WithCancel` context only serves to cancel work done with it; when the function does
    nothing more with the parent either, there is no work its cancel was meant to stop, and the
    pair is dead code (harmless), not a leak."""
    if d.func not in _NO_DEADLINE or d.function is None:
        return False
    args = call_args(d.call)
    parent = unparen(args[0]) if args else None
    if parent is None or parent.type not in ("identifier", "selector_expression"):
        return True  # context.Background(): nothing else runs on it
    name = text(parent)
    return not any(
        n.start_byte >= d.call.end_byte and text(n) == name for n in walk(d.function) if n.type == parent.type
    )


_NO_DEADLINE = frozenset({"WithCancel", "WithCancelCause"})


def _within(sorted_positions: list[int], start: int, end: int) -> bool:
    i = bisect_left(sorted_positions, start)
    return i < len(sorted_positions) and sorted_positions[i] < end


RULE = Rule(
    code="CG103",
    name="unused-derived-context",
    severity=Severity.WARNING,
    summary="derived context discarded or never used",
    doc=DOC,
    check=check,
    needs_imports=frozenset({"context"}),
)
