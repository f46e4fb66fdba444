"""Whether the values of a struct type stay in the function that builds them (CG303's one-shot
exemption): followed through locals, local containers, field and method reads and call arguments,
within the package."""

from __future__ import annotations

import re

from tree_sitter import Node

from ctxguard.gosrc.model import FuncInfo, GoFile, base_type_name
from ctxguard.gosrc.scope import Decl
from ctxguard.gosrc.syntax import (
    call_args,
    call_name,
    enclosing_function,
    expression_list,
    has_token,
    text,
    unparen,
    walk,
)
from ctxguard.gosrc.types import expr_type


def methods_of(file: GoFile, type_name: str) -> list[tuple[GoFile, FuncInfo]]:
    """The methods declared on `type_name` (or on a pointer to it) in the package."""

    def compute() -> dict[str, list[tuple[GoFile, FuncInfo]]]:
        out: dict[str, list[tuple[GoFile, FuncInfo]]] = {}
        for f in file.package.files if file.package is not None else (file,):
            for info in f.functions():
                if info.receiver is not None:
                    out.setdefault(base_type_name(info.receiver.type), []).append((f, info))
        return out

    table = file.package.memo("cg303.methods", compute) if file.package is not None else compute()
    return table.get(type_name, [])


def first_named(node: Node) -> Node | None:
    """The first named child that is not a comment."""
    return next((c for c in node.named_children if c.type != "comment"), None)


# calls whose arguments are only read during the call
_READING_BUILTINS = frozenset({"len", "cap", "print", "println"})
_MAX_CALL_DEPTH = 3


class _Flow:
    """Where the values of one struct type go, within the package: do they stay in the function
    that builds them (locals, fields and methods read, arguments of calls), and is the context
    field set where they are built?"""

    def __init__(self, file: GoFile, type_name: str, ctx_fields: frozenset[str]) -> None:
        self.file = file
        self.type_name = type_name
        self.ctx_fields = ctx_fields
        self.method_names = {info.name.rsplit(".", 1)[-1] for _, info in methods_of(file, type_name)}
        self.ctx_set = False  # a construction, or a write through a local, sets the context field
        self.ctx_writes = 0  # writes of the context field through a followed value (`v.ctx = ...`)
        self._tracked: set[int] = set()

    def stays(self, f: GoFile, node: Node, depth: int) -> bool:
        """The value of expression `node` (in `f`) never leaves its function."""
        cur = node
        while True:
            parent = cur.parent
            if parent is None:
                return False
            t = parent.type
            if t in ("parenthesized_expression", "keyed_element", "literal_element", "literal_value"):
                cur = parent  # an element flows into the literal that holds it
                continue
            if t == "composite_literal":
                if parent.child_by_field_name("body") != cur:
                    return False
                cur = parent
                continue
            if t == "unary_expression":
                op = parent.child_by_field_name("operator")
                if op is None or op.type not in ("&", "*"):
                    return False
                cur = parent
                continue
            if t in ("index_expression", "slice_expression"):
                if parent.child_by_field_name("operand") != cur:
                    return False  # used as an index: not possible for a struct
                cur = parent  # an element of a local container
                continue
            if t == "selector_expression":
                return self._selected(parent)
            if t == "argument_list":
                return self._argument(f, parent, cur, depth)
            if t in ("expression_list", "assignment_statement", "short_var_declaration", "var_spec"):
                return self._bound(f, parent, cur, depth)
            if t == "range_clause":
                return self._ranged(f, parent, cur, depth)
            # discarded or compared; anything else (returned, sent, captured, converted) may outlive the call
            return t in ("expression_statement", "binary_expression")

    def _selected(self, sel: Node) -> bool:
        """`v.f` or `v.m(...)`: a field read or written, a method called (not in a `go` statement)."""
        name = text(sel.child_by_field_name("field"))
        up = sel.parent
        if up is not None and up.type == "call_expression" and up.child_by_field_name("function") == sel:
            return up.parent is None or up.parent.type != "go_statement"
        if name in self.method_names:
            return False  # a method value keeps the receiver
        if name in self.ctx_fields and _assigned(sel):
            self.ctx_set = True
            self.ctx_writes += 1
        return True

    def _argument(self, f: GoFile, args: Node, arg: Node, depth: int) -> bool:
        """An argument of a call: used during the call, unless the callee, when the package
        declares it, lets the parameter escape."""
        call = args.parent
        if (
            call is None
            or call.type != "call_expression"
            or (call.parent is not None and call.parent.type == "go_statement")
        ):
            return False
        operand, name = call_name(call)
        if operand is None and name in _READING_BUILTINS:
            return True
        if operand is None and name == "append":
            return self.stays(f, call, depth)  # into the slice append returns
        index = next((i for i, a in enumerate(call_args(call)) if a.id == arg.id), -1)
        callees = self._callees(f, call, operand, name)
        if callees is None:
            return True  # another package's function: it uses the value during the call
        if depth >= _MAX_CALL_DEPTH or index < 0:
            return False
        return all(self._param_stays(cf, fn, index, depth + 1) for cf, fn in callees)

    def _callees(self, f: GoFile, call: Node, operand: Node | None, name: str) -> list[tuple[GoFile, Node]] | None:
        """The package's functions that `call` may run; None when it runs another package's code."""
        fnode = unparen(call.child_by_field_name("function") or call)
        pkg = f.package
        if operand is None:
            ident = fnode if fnode.type == "identifier" else None
            if ident is None:
                return []  # a generic instantiation or an expression: unknown, keep it
            decl = f.decl_of(ident)
            if decl is not None:
                lit = unparen(decl.value) if decl.value is not None and decl.type_node is None else None
                return [(f, lit)] if lit is not None and lit.type == "func_literal" else []
            top = pkg.function(name) if pkg is not None else None
            return [(top.file, top.node)] if top is not None else None
        operand = unparen(operand)
        if operand.type == "identifier" and f.decl_of(operand) is None and f.import_path_of(text(operand)):
            return None  # pkg.F(...)
        methods = pkg.methods(name) if pkg is not None else []
        recv = expr_type(f, operand)
        if recv is not None:
            base = base_type_name(recv)
            if "." in base:
                return None  # a method of another package's type
            # its own methods; for an interface of the package, every method of that name
            methods = [m for m in methods if m.receiver_type == base] or methods
        return [(m.file, m.node) for m in methods] or None

    def _param_stays(self, f: GoFile, fn: Node, index: int, depth: int) -> bool:
        params = f.func_info(fn).params
        if not params:
            return False
        param = params[min(index, len(params) - 1)]
        if param.type.startswith("..."):
            return False  # collected in a slice: not followed
        if param.name in ("", "_"):
            return True
        scope = f.scope_for(fn)
        decl = scope.declared_at(param.node) if scope is not None and param.node is not None else None
        return decl is not None and self.var_stays(f, decl, fn, depth)

    def _bound(self, f: GoFile, parent: Node, cur: Node, depth: int) -> bool:
        """The value on the right of `:=`, `=` or `var`: kept in a local variable, or stored in an
        element or field of a local container built in the function."""
        stmt = parent if parent.type != "expression_list" else parent.parent
        if stmt is None or stmt.type not in ("assignment_statement", "short_var_declaration", "var_spec"):
            return False  # `return v`, a send, a multi-value elsewhere
        field = "value" if stmt.type == "var_spec" else "right"
        right = expression_list(stmt.child_by_field_name(field))
        if not any(r.id == cur.id for r in right):
            return True  # the left side: overwritten, not read
        names = stmt.children_by_field_name("name") if stmt.type == "var_spec" else None
        left = names if names is not None else expression_list(stmt.child_by_field_name("left"))
        if len(left) != len(right):
            return False
        target = left[next(i for i, r in enumerate(right) if r.id == cur.id)]
        root = target
        while root.type in ("index_expression", "selector_expression"):
            root = unparen(root.child_by_field_name("operand") or root)
        if root.type != "identifier":
            return False
        if text(root) == "_":
            return target is root
        decl = f.decl_of(root)
        if decl is None or decl.kind not in ("var", "range"):
            return False  # a package variable, a parameter, a named result
        if root is not target and not _fresh(decl):
            return False  # stored in a container that may come from elsewhere
        return self.var_stays(f, decl, enclosing_function(decl.ident), depth)

    def _ranged(self, f: GoFile, clause: Node, cur: Node, depth: int) -> bool:
        """`for _, v := range local`: the elements flow into v."""
        if clause.child_by_field_name("right") != cur:
            return False
        left = expression_list(clause.child_by_field_name("left"))
        if len(left) < 2:
            return True
        if not has_token(clause, ":="):
            return False
        decl = f.decl_of(left[1])
        return decl is None or self.var_stays(f, decl, enclosing_function(decl.ident), depth)

    def var_stays(self, f: GoFile, decl: Decl, home: Node | None, depth: int) -> bool:
        """Every use of a local variable (or parameter) keeps its value in the function."""
        if decl.ident.id in self._tracked:
            return True
        self._tracked.add(decl.ident.id)
        scope = f.scope_for(decl.ident)
        if scope is None or home is None:
            return False
        return all(_closure_ok(ref, home) and self.stays(f, ref, depth) for ref in scope.refs(decl))

    def method_receivers_stay(self) -> bool:
        """The methods keep their receiver: never returned, stored, sent or handed to a goroutine,
        and none of them sets the context field (the context comes with the value)."""
        for f, info in methods_of(self.file, self.type_name):
            recv = info.receiver
            if recv is None or recv.name in ("", "_") or recv.node is None:
                continue
            scope = f.scope_for(info.node)
            decl = scope.declared_at(recv.node) if scope is not None else None
            if decl is None:
                return False
            before = self.ctx_writes
            if not self.var_stays(f, decl, info.node, 0) or self.ctx_writes != before:
                return False
        return True


def _assigned(sel: Node) -> bool:
    """`sel` is written: on the left of `=` (or `:=`)."""
    parent = sel.parent
    stmt = parent.parent if parent is not None and parent.type == "expression_list" else parent
    if stmt is None or stmt.type != "assignment_statement":
        return False
    left = stmt.child_by_field_name("left")
    return left is not None and any(e.id == sel.id for e in expression_list(left))


def _fresh(decl: Decl) -> bool:
    """A local declared empty or from a literal, `make` or `new`: a container the function built."""
    if decl.value is None:
        return decl.kind == "var"
    value = unparen(decl.value)
    if value.type == "unary_expression" and value.named_child_count:
        value = unparen(value.named_children[-1])
    if value.type == "composite_literal":
        return True
    return value.type == "call_expression" and call_name(value) in ((None, "make"), (None, "new"))


def _closure_ok(ref: Node, home: Node) -> bool:
    """A reference from inside a function literal: only one called on the spot (or deferred),
    never one run by a goroutine or kept as a callback."""
    cur = enclosing_function(ref)
    while cur is not None and cur != home:
        if cur.type != "func_literal":
            return False
        call = cur.parent
        while call is not None and call.type == "parenthesized_expression":
            call = call.parent
        if call is None or call.type != "call_expression" or call.parent is None:
            return False
        if call.parent.type == "go_statement":
            return False
        cur = enclosing_function(cur)
    return cur == home


def local_one_shot(file: GoFile, type_name: str, ctx_fields: frozenset[str]) -> bool:
    """An unexported type whose values are all built with the context in a function and never
    leave it: kept in locals (and local containers), used through their fields and methods, or
    handed to calls; never returned, stored in a field, a global or a parameter's element, sent on
    a channel, captured by a goroutine or a callback. Its methods keep their receiver too."""
    if not type_name or not (type_name[0].islower() or type_name[0] == "_") or not ctx_fields:
        return False

    def compute() -> bool:
        flow = _Flow(file, type_name, ctx_fields)
        sites = 0
        for f in file.package.files if file.package is not None else (file,):
            for site in _constructions(f, type_name):
                if site is None:
                    return False  # built where the value cannot be followed (a global, a field)
                sites += 1
                if site.type == "var_spec":
                    for name in site.children_by_field_name("name"):
                        decl = f.decl_of(name)
                        if decl is None or not flow.var_stays(f, decl, enclosing_function(name), 0):
                            return False
                    continue
                if site.type == "composite_literal" and _sets_fields(site, ctx_fields):
                    flow.ctx_set = True
                if not flow.stays(f, site, 0):
                    return False
        if sites == 0:
            return False
        set_at_construction = flow.ctx_set
        return set_at_construction and flow.method_receivers_stay()

    key = f"cg303.one-shot.{type_name}"
    return file.package.memo(key, compute) if file.package is not None else file.memo(key, compute)


def _constructions(file: GoFile, type_name: str) -> list[Node | None]:
    """Where values of `type_name` come into being in `file`: composite literals (also of slices
    and maps of it), `new`/`make` calls, conversions and local `var v T` declarations. None for
    a place that cannot be followed: a package-level `var v T`, a struct field holding a T."""
    out: list[Node | None] = []
    for m in re.finditer(rb"\b" + re.escape(type_name.encode()) + rb"\b", file.source):
        node = file.root.descendant_for_byte_range(m.start(), m.end())
        if node is None:
            continue
        if node.type == "identifier":
            call = node.parent
            if (
                call is not None
                and call.type == "call_expression"
                and call.child_by_field_name("function") == node
                and file.decl_of(node) is None
            ):
                out.append(call)  # a conversion T(x)
            continue
        if node.type != "type_identifier":
            continue
        typ = node
        by_value = True  # the value itself, not through a pointer, slice or map
        while typ.parent is not None and typ.parent.type in (
            "pointer_type",
            "slice_type",
            "array_type",
            "map_type",
            "parenthesized_type",
            "generic_type",
            "type_arguments",
            "type_elem",
            "channel_type",
        ):
            if typ.parent.type in ("pointer_type", "slice_type", "map_type", "channel_type", "type_arguments"):
                by_value = False
            typ = typ.parent
        top = typ.parent
        if top is None:
            continue
        if top.type == "composite_literal" and top.child_by_field_name("type") == typ:
            out.append(top)
        elif (
            top.type == "argument_list"
            and top.parent is not None
            and call_name(top.parent)
            in (
                (None, "new"),
                (None, "make"),
            )
        ):
            out.append(top.parent)
        elif top.type == "var_spec" and top.child_by_field_name("type") == typ:
            if top.child_by_field_name("value") is not None or not by_value:
                continue  # the values are followed where they are built
            out.append(top if enclosing_function(top) is not None else None)
        elif top.type == "field_declaration" and top.child_by_field_name("type") == typ and by_value:
            out.append(None)  # built with every value of the outer struct
    return out


def _sets_fields(lit: Node, fields: frozenset[str]) -> bool:
    """The literal sets one of `fields` by name, or all fields by position."""
    body = lit.child_by_field_name("body")
    typ = lit.child_by_field_name("type")
    if body is None or typ is None:
        return False
    elems = [c for c in body.named_children if c.type != "comment"]
    if typ.type in ("type_identifier", "generic_type") and elems and all(e.type == "literal_element" for e in elems):
        return True  # `T{a, b}`: every field, by position
    for keyed in (n for n in walk(body) if n.type == "keyed_element"):
        key = first_named(keyed)
        if key is not None and text(key) in fields:
            return True
    return False
