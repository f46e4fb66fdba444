"""CG102 defer-cancel-in-loop: a per-iteration context whose cancel only runs at function exit."""

from __future__ import annotations

from tree_sitter import Node

from ctxguard.findings import Severity
from ctxguard.gosrc.ctxfacts import Derivation, declared_in, derivations, target_decl
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.syntax import (
    call_name,
    contains,
    enclosing_function,
    exit_after,
    expression_list,
    loops_between,
    unparen,
)
from ctxguard.rules.base import Pass, Rule

DOC = """\
## What it finds
A cancelable context derived inside a loop body whose cancel function is only
ever used by `defer cancel()` in the same function.

## Why it leaks
Deferred calls run when the function returns, not when the iteration ends.
A loop over 100 000 items keeps 100 000 contexts, and for `WithTimeout` 100 000
timers, alive until the loop is done; in a long-running consumer loop they are
never released.

## Bad
```go
for _, job := range jobs {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	process(ctx, job)
}
```

## Good
```go
for _, job := range jobs {
	func() {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		process(ctx, job)
	}()
}
```
or call `cancel()` at the end of each iteration.
"""


def _deferred_call_of(ref: Node) -> Node | None:
    """The `defer cancel()` statement whose call is exactly `ref`, if any."""
    call = ref.parent
    while call is not None and call.type == "parenthesized_expression":
        call = call.parent
    if call is None or call.type != "call_expression" or unparen(call.child_by_field_name("function")) != ref:  # type: ignore[arg-type]
        return None
    stmt = call.parent
    return stmt if stmt is not None and stmt.type == "defer_statement" else None


def check(p: Pass) -> None:
    file = p.file
    for d in derivations(file):
        if not d.cancelable or d.function is None or not loops_between(d.call, d.function):
            continue
        if exit_after(d.call) == "return":
            continue  # derived on the way out: this branch runs once
        decl = target_decl(file, d.cancel_target)
        scope = file.scope_for(d.call)
        if decl is None or scope is None or not declared_in(decl, d.function):
            continue
        defers: list[Node] = []
        other = False
        for ref in scope.refs(decl):
            if d.stmt is not None and d.stmt.start_byte <= ref.start_byte < d.stmt.end_byte:
                continue  # the binding itself
            stmt = _deferred_call_of(ref)
            if stmt is not None and enclosing_function(stmt) == d.function:
                defers.append(stmt)
            else:
                other = True
        if defers and not other and not _outlives_iteration(file, d):
            for stmt in defers:
                p.report(
                    stmt,
                    f"{decl.name} is deferred inside a loop: every iteration's context and timer stay alive "
                    f"until the function returns; call {decl.name}() at the end of the iteration or move the "
                    "body into a function",
                )


def _outlives_iteration(file: GoFile, d: Derivation) -> bool:
    """What the iteration built with the context is kept beyond it (`streams[i] = s`,
    `watches = append(watches, w)`, `x.f = ...`): then the context must live on too,
    and deferring its cancel to the end of the function is the point."""
    loop = loops_between(d.call, d.function)[0] if d.function is not None else None
    scope = file.scope_for(d.call)
    ctx = target_decl(file, d.ctx_target)
    if loop is None or scope is None or ctx is None:
        return False
    tainted = {ctx}
    for ref in scope.refs(ctx):
        if not contains(loop, ref):
            continue
        stmt = ref.parent
        while stmt is not None and stmt.type not in ("short_var_declaration", "assignment_statement", "block"):
            stmt = stmt.parent
        if stmt is not None and stmt.type != "block":
            for target in expression_list(stmt.child_by_field_name("left")):
                decl = target_decl(file, target)
                if decl is not None:
                    tainted.add(decl)
    for stmt in scope.nodes("assignment_statement", loop):
        right = stmt.child_by_field_name("right")
        if right is None or not any(contains(right, r) for t in tainted for r in scope.refs(t)):
            continue
        for target in expression_list(stmt.child_by_field_name("left")):
            if target.type in ("index_expression", "selector_expression"):
                return True
            decl = target_decl(file, target)
            appended = any(call_name(c)[1] == "append" for c in expression_list(right) if c.type == "call_expression")
            if appended and decl is not None and not contains(loop, decl.ident):
                return True  # appended to an outer slice
    return False


RULE = Rule(
    code="CG102",
    name="defer-cancel-in-loop",
    severity=Severity.WARNING,
    summary="cancel of a context derived in a loop is only deferred",
    doc=DOC,
    check=check,
    needs_imports=frozenset({"context"}),
    needs_text=(b"defer",),
)
