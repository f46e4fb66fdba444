"""A channel a function returns to its caller (CG105): whether every caller reads it to the
end, and the sends of a generator that never watches its context."""

from __future__ import annotations

import re

from tree_sitter import Node

from ctxguard.gosrc.goroutines import early_exit, goroutine_context, observes_cancellation
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.scope import Decl
from ctxguard.gosrc.syntax import call_of_callee, enclosing_function, expression_list, text
from ctxguard.rules.goroutine_sends import Send, Sender


def returned(ref: Node, func: Node) -> bool:
    """`return ch` (or `return ch, nil`) of `func` itself, not of a closure inside it."""
    parent = ref.parent
    if parent is not None and parent.type == "expression_list":
        parent = parent.parent
    return parent is not None and parent.type == "return_statement" and enclosing_function(parent) == func


def read_to_the_end(file: GoFile, func: Node) -> bool:
    """Every caller of `func`, an unexported function or method (its callers are all in the
    package), reads the channel it returns to the end: `for x := range ch` with no way out
    of the loop. A caller that never stops reading never strands the goroutine feeding it."""
    name = text(func.child_by_field_name("name"))
    pkg = file.package
    if func.type not in ("function_declaration", "method_declaration") or not name[:1].islower() or pkg is None:
        return False
    pattern = re.compile(rb"\b" + re.escape(name.encode()) + rb"\s*\(")
    calls = 0
    for f in pkg.files:
        for m in pattern.finditer(f.source):
            node = f.root.descendant_for_byte_range(m.start(), m.start() + 1)
            call = call_of_callee(node) if node is not None else None
            if call is None:
                continue  # the declaration, a comment, a method value
            calls += 1
            if not _ranged_to_the_end(f, call):
                return False
    return calls > 0


def _ranged_to_the_end(file: GoFile, call: Node) -> bool:
    """`for x := range call`, or `ch, err := call` (or `ch := call`) whose channel is only ever
    ranged over; to the end."""
    owner = enclosing_function(call)
    if call.parent is not None and call.parent.type == "range_clause" and owner is not None:
        loop = call.parent.parent
        return loop is not None and early_exit(file, loop, owner) is None
    values = call.parent
    stmt = values.parent if values is not None and values.type == "expression_list" else None
    if stmt is None or stmt.type not in ("short_var_declaration", "assignment_statement"):
        return False
    left = expression_list(stmt.child_by_field_name("left"))
    decl = file.decl_of(left[0]) if left and left[0].type == "identifier" else None
    scope = file.scope_for(call)
    if decl is None or scope is None or owner is None:
        return False
    reads = [r for r in scope.refs(decl) if r.id != left[0].id]
    for r in reads:
        clause = r.parent
        loop = clause.parent if clause is not None and clause.type == "range_clause" else None
        if loop is None or clause.child_by_field_name("right") != r:  # type: ignore[union-attr]
            return False
        if early_exit(file, loop, owner) is not None:
            return False
    return bool(reads)


def generator_sends(decl: Decl, senders: list[Sender], buffer: float) -> list[tuple[Send, str, str]]:
    """A channel handed to the caller, fed by a goroutine loop that never watches the context:
    a caller that stops reading once its context is done (the usual way to give up on a
    stream) leaves the goroutine blocked on its next send. Each such send, with the message
    and the receiver's side of it."""
    out: list[tuple[Send, str, str]] = []
    for sender in senders:
        g = sender.g
        if g is None:
            continue  # a function of another package: its context is not known here
        ctx = goroutine_context(g)
        if ctx is None or observes_cancellation(g.file, g.func):
            continue
        for s in sender.sends:
            if s.repeats:
                reason = f"the caller receives from the returned channel and can stop reading once {ctx} is done"
                into = f"a channel with room for {buffer:g}" if buffer else "an unbuffered channel"
                message = (
                    f"goroutine may block forever sending on {decl.name}: it sends in a loop into {into} "
                    f"without watching {ctx}, and {reason}"
                )
                out.append((s, message, reason))
    return out
