"""CG304 context-growth-in-loop: context reassigned from a derivation of itself inside a loop."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tree_sitter import Node

from ctxguard.findings import Fix, Severity
from ctxguard.gosrc.ctxfacts import DERIVATIONS, Derivation, derivations, is_blank, is_write, wrapped_derivations
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.scope import Decl
from ctxguard.gosrc.syntax import (
    break_leaves,
    call_args,
    contains,
    enclosing_function,
    exit_after,
    expression_list,
    has_token,
    loops_between,
    statement_of,
    statements,
    text,
    trip_count,
    unparen,
    walk,
)
from ctxguard.gosrc.types import expr_type
from ctxguard.rules.base import Pass, Rule, replace

DOC = """\
## What it finds
A context variable (a local, a parameter, a package variable or a field such as
`s.ctx`) reassigned with `=` from a derivation of itself (`WithValue`,
`WithCancel`, `WithTimeout`, `WithDeadline`, `WithoutCancel`, the `Cause`
variants) inside a loop, so that every iteration wraps the previous
iteration's context. A package helper whose body is only
`return context.WithValue(ctx, ...)` (or `WithoutCancel`) of its first
parameter counts as the derivation it wraps. A function literal that does so is reported when it sits
in a loop (`t.Run`, `go func(){...}()`, `defer`, a callback per item): each
call wraps the captured variable again.

## Why it leaks
A derived context points to its parent. Reassigning the variable keeps the whole
chain reachable: one layer per iteration, for as long as the loop runs. Every
`Value` lookup walks the chain, so a consumer loop slows down linearly; every
cancelable layer is registered with its parent and a `WithTimeout` layer keeps
a timer. In a long-running loop memory and latency grow until the process is
restarted.

Not reported:
- `ctx := context.WithValue(ctx, ...)` in the loop body: a new variable per
  iteration, derived from the outer context each time;
- a derivation from another variable (`ctx = context.WithValue(parent, ...)`);
- an iteration that first resets the variable unconditionally
  (`ctx = context.Background()`, `ctx = parent`), or resets it at the top level
  of the loop body;
- an assignment followed by `return` or `break`, or next to an assignment of a
  constant to a flag the loop condition tests (`final = true` under `for !final`):
  it runs once;
- building a context from a finite list, where the loop does nothing with the
  context but derive it (`for k, v := range labels { ctx = context.WithValue(ctx, k, v) }`
  over a slice, map or counter): the chain is as long as the list;
- fields of a struct declared inside the loop (a per-iteration copy), and
  function literals that are not inside a loop.

Each variable is reported once per loop, at its first growing assignment.

## Bad
```go
for {
	select {
	case <-ctx.Done():
		return
	case j := <-jobs:
		ctx = context.WithValue(ctx, jobKey{}, j.ID) // one more layer per job
		run(ctx, j)
	}
}
```

## Good
```go
for {
	select {
	case <-ctx.Done():
		return
	case j := <-jobs:
		jctx := context.WithValue(ctx, jobKey{}, j.ID) // a fresh child per job
		run(jctx, j)
	}
}
```

## Fix
When the assignment sits directly in the loop body, the variable is only read
after it in that body (and before the loop), and `:=` would declare new
variables there, the fix turns `=` into `:=`: each iteration then derives a new
variable from the unchanged outer context.
"""


@dataclass(frozen=True)
class _Var:
    """What a growing assignment writes: a variable, or a field path on one (`s.ctx`)."""

    root: Node  # the identifier the path starts from
    decl: Decl | None  # None: a package-level variable
    path: str  # "ctx", "s.ctx", whitespace removed

    @property
    def key(self) -> tuple[object, str]:
        return (self.decl if self.decl is not None else text(self.root), self.path)


def check(p: Pass) -> None:
    file = p.file
    reported: set[tuple[tuple[object, str], int]] = set()
    for d in [*derivations(file), *wrapped_derivations(file)]:
        if d.form != "assign" or d.ctx_target is None or d.stmt is None:
            continue
        var = _var(file, d.ctx_target)
        parent = _parent_context(file, d.call)
        if var is None or parent is None or not _same(file, var, parent):
            continue
        found = _growth_loop(file, d, var)
        if found is None:
            continue
        loop, in_literal = found
        if (var.key, loop.id) in reported or _reset(file, d.stmt, loop, var) or _fold(file, d, loop, var):
            continue
        if _ends_loop(file, d.stmt, loop):
            continue
        reported.add((var.key, loop.id))
        where = "a function literal called in a loop" if in_literal else "a loop"
        remedy = (
            "declare a per-iteration context with := instead"
            if var.decl is not None and var.path == text(var.root)
            else f"derive a per-iteration local from {var.path} instead of reassigning it"
        )
        p.report(
            d.stmt,
            f"{var.path} is re-derived from itself with {d.via or 'context.' + d.func} in {where} "
            f"(line {loop.start_point[0] + 1}): "
            f"the chain grows by {_layer(d)} every iteration and all of it stays reachable; {remedy}",
            fix=None if in_literal else _fix(file, d, loop),
        )


def _layer(d: Derivation) -> str:
    if d.func.startswith(("WithTimeout", "WithDeadline")):
        return "a context with a timer"
    return "a cancelable context" if d.cancelable else "a context"


def _var(file: GoFile, target: Node) -> _Var | None:
    """The variable or field path an assignment writes, if it is one (no index, no call)."""
    target = unparen(target)
    node = target
    while node.type == "selector_expression":
        operand = node.child_by_field_name("operand")
        if operand is None:
            return None
        node = unparen(operand)
    if node.type != "identifier" or is_blank(node):
        return None
    decl = file.decl_of(node)
    if decl is None and file.scope_for(node) is None:
        return None  # a package-level statement: nothing loops there
    return _Var(node, decl, "".join(text(target).split()))


def _same(file: GoFile, var: _Var, expr: Node) -> bool:
    other = _var(file, expr)
    if other is None or other.path != var.path:
        return False
    return other.decl is var.decl


def _parent_context(file: GoFile, call: Node) -> Node | None:
    """The context a derivation wraps, looking through nested derivations
    (`context.WithValue(context.WithValue(ctx, a, 1), b, 2)` wraps ctx)."""
    while True:
        args = call_args(call)
        if not args:
            return None
        first = unparen(args[0])
        if first.type == "call_expression" and file.pkg_call(first, "context") in DERIVATIONS:
            call = first
            continue
        return first


def _persists(loop: Node, decl: Decl | None) -> bool:
    """The variable is the same one from one iteration of `loop` to the next."""
    if decl is None or not contains(loop, decl.ident):
        return True
    # `for ctx := parent; ...; {}`: one variable for the whole loop (copied forward per iteration)
    clause = next((c for c in loop.named_children if c.type == "for_clause"), None)
    init = clause.child_by_field_name("initializer") if clause is not None else None
    return init is not None and contains(init, decl.ident)


def _growth_loop(file: GoFile, d: Derivation, var: _Var) -> tuple[Node, bool] | None:
    """The innermost loop whose iterations each wrap the variable again, and whether a function
    literal lies between it and the assignment."""
    if d.function is None or d.stmt is None:
        return None
    # a local belongs to the function declaring it (parameters included); a package variable to no function
    stop = enclosing_function(var.decl.ident) if var.decl is not None else None
    loops = loops_between(d.call, stop or file.root)
    own = [lp for lp in loops if contains(d.function, lp)]
    inner = bool(own) and statement_of(d.stmt).id != own[0].id
    after = exit_after(d.stmt) if inner else None
    for i, loop in enumerate(loops):
        if not _persists(loop, var.decl):
            return None  # a fresh variable per iteration of this loop and of every loop around it
        if loop in own:
            if after == "return":
                continue  # leaves the function: runs once per run of it
            if i == 0 and break_leaves(d.stmt, loop):
                continue  # the iteration always ends in a break out of this loop: it runs once
            clause = next((c for c in loop.named_children if c.type == "for_clause"), None)
            init = clause.child_by_field_name("initializer") if clause is not None else None
            if init is not None and contains(init, d.call):
                continue  # the loop's initializer runs once
        if trip_count(loop) <= 1:
            continue
        return loop, loop not in own
    return None


def _mentions(file: GoFile, node: Node, var: _Var) -> bool:
    for n in walk(node):
        if n.type == "identifier" and text(n) == text(var.root):
            decl = file.decl_of(n)
            if decl is var.decl:
                return True
    return False


def _resets(file: GoFile, stmt: Node, var: _Var) -> bool:
    """`stmt` assigns the variable something that does not depend on it (`ctx = context.Background()`)."""
    if stmt.type != "assignment_statement" or has_token(stmt, ":=") or not has_token(stmt, "="):
        return False
    left = expression_list(stmt.child_by_field_name("left"))
    right = expression_list(stmt.child_by_field_name("right"))
    for i, target in enumerate(left):
        other = _var(file, target)
        if other is None or other.path != var.path or other.decl is not var.decl:
            continue
        value = right[i] if len(right) == len(left) else (right[0] if right else None)
        return value is not None and not _mentions(file, value, var)
    return False


def _reset(file: GoFile, stmt: Node, loop: Node, var: _Var) -> bool:
    """Every iteration resets the variable: unconditionally before the assignment, or anywhere at
    the top level of the loop body."""
    body = loop.child_by_field_name("body")
    if body is None:
        return False
    cur = stmt
    while cur.id != body.id and cur.parent is not None:
        if cur.parent.type == "statement_list":
            sib = cur.prev_named_sibling
            while sib is not None:
                if _resets(file, sib, var):
                    return True
                sib = sib.prev_named_sibling
        cur = cur.parent
    return any(_resets(file, s, var) for s in statements(body))


def _ends_loop(file: GoFile, stmt: Node, loop: Node) -> bool:
    """The same branch sets a flag the loop condition tests to a constant (`final = true` under
    `for !final`): the loop ends after this iteration."""
    cond = _condition(loop)
    if cond is None:
        return False
    flags = {id(decl) for n in walk(cond) if n.type == "identifier" and (decl := file.decl_of(n)) is not None}
    body = loop.child_by_field_name("body")
    cur = stmt
    while body is not None and cur.id != body.id and cur.parent is not None:
        if cur.parent.type == "statement_list":
            for sib in cur.parent.named_children:
                if sib.type != "assignment_statement" or not has_token(sib, "="):
                    continue
                left = expression_list(sib.child_by_field_name("left"))
                right = expression_list(sib.child_by_field_name("right"))
                for target, value in zip(left, right, strict=False):
                    decl = file.decl_of(target) if target.type == "identifier" else None
                    if decl is not None and id(decl) in flags and value.type in _CONSTANTS:
                        return True
        cur = cur.parent
    return False


def _condition(loop: Node) -> Node | None:
    """`for cond {}` holds the bare expression; `for init; cond; post {}` a for_clause."""
    head = next((c for c in loop.named_children if c.type not in ("block", "comment")), None)
    if head is None or head.type == "range_clause":
        return None
    return head.child_by_field_name("condition") if head.type == "for_clause" else head


_CONSTANTS = frozenset({"true", "false", "int_literal", "nil", "interpreted_string_literal"})


def _fold(file: GoFile, d: Derivation, loop: Node, var: _Var) -> bool:
    """A bounded loop that only builds the context (`for k, v := range m { ctx = WithValue(ctx, k, v) }`)."""
    if var.decl is None or var.path != text(var.root):
        return False
    clause = next((c for c in loop.named_children if c.type in ("for_clause", "range_clause")), None)
    if clause is None:
        return False  # `for {}` or `for cond {}`: unbounded
    if clause.type == "range_clause":
        right = clause.child_by_field_name("right")
        rtype = expr_type(file, right) if right is not None else None
        if rtype is not None and (rtype.startswith("chan") or rtype.startswith("<-chan")):
            return False
    elif trip_count(loop) == math.inf and clause.child_by_field_name("condition") is None:
        return False
    scope = file.scope_for(d.call)
    if scope is None:
        return False
    for ref in scope.refs(var.decl):
        if not contains(loop, ref):
            continue
        stmt = ref
        while stmt.parent is not None and stmt.type != "assignment_statement" and stmt.id != loop.id:
            stmt = stmt.parent
        if stmt.type != "assignment_statement" or not _self_derivation(file, stmt, var):
            return False
    return True


def _self_derivation(file: GoFile, stmt: Node, var: _Var) -> bool:
    right = expression_list(stmt.child_by_field_name("right"))
    left = expression_list(stmt.child_by_field_name("left"))
    if len(right) != 1 or not left or right[0].type != "call_expression":
        return False
    call = unparen(right[0])
    if file.pkg_call(call, "context") not in DERIVATIONS:
        return False
    parent = _parent_context(file, call)
    own = _var(file, left[0])
    return parent is not None and own is not None and own.key == var.key and _same(file, var, parent)


def _fix(file: GoFile, d: Derivation, loop: Node) -> Fix | None:
    """`=` -> `:=` when that compiles and keeps every other read meaning what it meant."""
    stmt, body = d.stmt, loop.child_by_field_name("body")
    if stmt is None or body is None or stmt.parent is None or stmt.parent.parent is None:
        return None
    if stmt.parent.type != "statement_list" or stmt.parent.parent.id != body.id:
        return None  # only directly in the loop body
    if d.function is None or b"goto" in (d.function.text or b""):
        return None  # a goto may jump over the new declaration
    scope = file.scope_for(stmt)
    op = next((c for c in stmt.children if not c.is_named and c.type == "="), None)
    if scope is None or op is None:
        return None
    names: set[str] = set()
    for target in expression_list(stmt.child_by_field_name("left")):
        if is_blank(target):
            continue
        decl = file.decl_of(target) if target.type == "identifier" else None
        if decl is None or decl.kind == "result" or contains(loop, decl.ident):
            return None
        if not _only_local_reads(scope.refs(decl), stmt, body, loop, decl):
            return None
        names.add(decl.name)
    if not names or any(x.name in names and x.scope_start == body.start_byte for x in scope.decls):
        return None  # `:=` would redeclare a name of the loop body
    return Fix("declare a per-iteration context with :=", (replace(op, ":="),))


def _only_local_reads(refs: list[Node], stmt: Node, body: Node, loop: Node, decl: Decl) -> bool:
    """After the fix the outer variable keeps its value: fine if it is only used before the loop (not in a
    closure) and, as the new variable, read after the assignment in the loop body. Both must stay used:
    Go rejects a local variable that is declared and not used."""
    owner = enclosing_function(decl.ident)
    read_after = False  # the new variable is always a local
    outer_read = decl.kind != "var"  # parameters and receivers may go unused
    for ref in refs:
        if contains(stmt, ref):
            outer_read = outer_read or not is_write(ref)  # the right-hand side still reads the outer one
            continue
        if stmt.end_byte <= ref.start_byte and ref.end_byte <= body.end_byte:
            read_after = read_after or not is_write(ref)
            continue
        if ref.end_byte <= loop.start_byte and enclosing_function(ref) == owner:
            outer_read = outer_read or not is_write(ref)
            continue
        return False
    return read_after and outer_read


RULE = Rule(
    code="CG304",
    name="context-growth-in-loop",
    severity=Severity.ERROR,
    summary="context reassigned from a derivation of itself inside a loop",
    doc=DOC,
    check=check,
    needs_imports=frozenset({"context"}),
    needs_text=(b"With",),
)
