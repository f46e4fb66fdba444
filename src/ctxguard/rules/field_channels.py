"""Channels kept in struct fields that a goroutine sends on and only its spawner receives from (CG105).

`go s.fetch(id)` (or `go func() { ... s.results <- r }()`) sending on `s.results`, in a method
that then waits for `<-s.results` in a `select` that can give up: each call that gives up
leaves its goroutine blocked, like a local channel, unless another function of the package
receives from a `results` field in a loop (a worker, a Stop that empties it: they drain it).
The field's buffer comes from where the package makes it (`results: make(chan R, 1)` or
`s.results = make(chan R)`); made nowhere it can see, or with a computed size, the channel is
not judged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from ctxguard.gosrc.goroutines import Goroutine, go_statements, goroutine, in_nested_func
from ctxguard.gosrc.model import GoFile, Package
from ctxguard.gosrc.scope import Decl
from ctxguard.gosrc.syntax import call_args, enclosing_function, is_receive, loops_between, text, unparen, walk


@dataclass(frozen=True)
class FieldChannel:
    """One goroutine sending on `holder.field`, started by `func`, which also uses the field."""

    func: Node  # the spawning function
    stmt: Node  # the go statement
    goroutine: Goroutine
    name: str  # as the spawner writes it: "s.results"
    sends: tuple[Node, ...]  # the goroutine's send statements on the field
    uses: tuple[Node, ...]  # every `holder.field` of the spawner outside the goroutine
    buffer: float


def field_channels(file: GoFile) -> list[FieldChannel]:
    return file.memo("cg105.fields", lambda: list(_find(file)))


def _find(file: GoFile) -> Iterator[FieldChannel]:
    pkg = file.package
    if pkg is None or b"<-" not in file.source:
        return
    for stmt in go_statements(file):
        func = enclosing_function(stmt)
        g = goroutine(file, stmt)
        if func is None or g is None:
            continue
        for holder, field, sends in _field_sends(file, stmt, g):
            uses = tuple(
                u
                for u in _selectors(func, field)
                if file.decl_of(_operand(u)) is holder and not (g.func.type == "func_literal" and _inside(u, g.func))
            )
            if not uses or _received_elsewhere(pkg, field, func, g.func):
                continue
            buffer = _field_buffer(pkg, field)
            if buffer is not None:
                yield FieldChannel(func, stmt, g, f"{holder.name}.{field}", tuple(sends), uses, buffer)


def _field_sends(file: GoFile, stmt: Node, g: Goroutine) -> list[tuple[Decl, str, list[Node]]]:
    """(the spawner's variable holding the struct, the field, the sends on it) for a function
    literal capturing the variable, or a method started on it (`go s.fetch()`: its receiver)."""
    by_key: dict[tuple[int, str], tuple[Decl, str, list[Node]]] = {}
    receiver: str | None = None
    holder: Decl | None = None
    if g.func.type == "method_declaration":
        call = stmt.named_children[0]
        fn = unparen(call.child_by_field_name("function"))  # type: ignore[arg-type]
        operand = fn.child_by_field_name("operand") if fn.type == "selector_expression" else None
        info = g.file.func_info(g.func)
        if operand is None or unparen(operand).type != "identifier" or info.receiver is None:
            return []
        holder = file.decl_of(unparen(operand))
        receiver = info.receiver.name
        if holder is None or not receiver:
            return []
    elif g.func.type != "func_literal":
        return []
    for send in walk(g.func):
        if send.type != "send_statement" or in_nested_func(send, g.func):
            continue
        channel = unparen(send.child_by_field_name("channel"))  # type: ignore[arg-type]
        if channel.type != "selector_expression":
            continue
        operand = unparen(channel.child_by_field_name("operand"))  # type: ignore[arg-type]
        field = text(channel.child_by_field_name("field"))
        if operand.type != "identifier":
            continue
        if receiver is not None:
            decl = holder if text(operand) == receiver and g.file.decl_of(operand) is not None else None
        else:
            decl = file.decl_of(operand)
            if decl is not None and _inside(decl.ident, g.func):
                decl = None  # the literal's own variable, not the spawner's
        if decl is not None:
            by_key.setdefault((id(decl), field), (decl, field, []))[2].append(send)
    return list(by_key.values())


def _selectors(node: Node, field: str) -> Iterator[Node]:
    """`x.field` expressions with an identifier operand inside `node`."""
    for n in walk(node):
        if (
            n.type == "selector_expression"
            and text(n.child_by_field_name("field")) == field
            and unparen(n.child_by_field_name("operand")).type == "identifier"  # type: ignore[arg-type]
        ):
            yield n


def _operand(selector: Node) -> Node:
    return unparen(selector.child_by_field_name("operand"))  # type: ignore[arg-type]


def _inside(node: Node, outer: Node) -> bool:
    return outer.start_byte <= node.start_byte < outer.end_byte


def _received_elsewhere(pkg: Package, field: str, func: Node, body: Node) -> bool:
    """Another function of the package receives from a field of that name in a loop (a worker,
    a Stop that empties it): it drains what the spawner left. A one-off receive elsewhere does
    not: it takes one value, and its own goroutine's is left in turn."""
    needle = field.encode()
    for f in pkg.files:
        if needle not in f.source:
            continue
        for sel in _selectors(f.root, field):
            if _inside(sel, func) or _inside(sel, body):
                continue
            parent = sel.parent
            while parent is not None and parent.type == "parenthesized_expression":
                parent = parent.parent
            if parent is not None and parent.type == "range_clause":
                return True
            owner = enclosing_function(sel) or f.root
            if parent is not None and is_receive(parent) and loops_between(parent, owner):
                return True
    return False


def _field_buffer(pkg: Package, field: str) -> float | None:
    """The largest literal buffer the package gives the field where it makes it (`field:
    make(chan T, n)` or `x.field = make(chan T)`); None when it makes it nowhere it can see, or
    with a size it cannot read."""
    sizes: list[float] = []
    for f in pkg.files:
        if b"make(chan" not in f.source:
            continue
        for node in walk(f.root):
            if node.type != "call_expression" or text(node.child_by_field_name("function")) != "make":
                continue
            args = call_args(node)
            if not args or args[0].type != "channel_type" or not _made_for(node, field):
                continue
            if len(args) < 2:
                sizes.append(0)
                continue
            size = unparen(args[1])
            if size.type != "int_literal":
                return None
            try:
                sizes.append(int(text(size).replace("_", ""), 0))
            except ValueError:
                return None
    return max(sizes) if sizes else None


def _made_for(make: Node, field: str) -> bool:
    """`field: make(...)` in a composite literal, or `x.field = make(...)`."""
    parent = make.parent
    if parent is not None and parent.type == "literal_element":
        keyed = parent.parent
        key = keyed.named_children[0] if keyed is not None and keyed.type == "keyed_element" else None
        return key is not None and key.id != parent.id and text(key) == field
    if parent is not None and parent.type == "expression_list":
        stmt = parent.parent
        if stmt is not None and stmt.type == "assignment_statement" and stmt.child_by_field_name("right") == parent:
            values = parent.named_children
            targets = stmt.child_by_field_name("left")
            left = targets.named_children if targets is not None else []
            if len(left) == len(values):
                target = unparen(left[[v.id for v in values].index(make.id)])
                return target.type == "selector_expression" and text(target.child_by_field_name("field")) == field
    return False
