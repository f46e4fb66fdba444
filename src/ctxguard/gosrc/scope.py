"""Scope table of one top-level function: which declaration each identifier means.

Built by a single cursor walk over the outermost function (so closures see
the variables they capture), in source order, following Go's rules: a
parameter is scoped to the body, a `:=` name from the end of its statement to
the end of the innermost block or clause, `:=` re-uses a name already declared
in the same scope, a `for`/`if`/`switch` initializer is scoped to its
statement. An identifier that resolves to no local declaration is a package
level name or an import.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass

from tree_sitter import Node, Query, QueryCursor

from ctxguard.gosrc.parse import compile_query
from ctxguard.gosrc.syntax import FUNC_TYPES, expression_list, has_token, text

SCOPE_TYPES = frozenset(
    {
        "block",
        "if_statement",
        "for_statement",
        "expression_switch_statement",
        "type_switch_statement",
        "expression_case",
        "default_case",
        "type_case",
        "communication_case",
        "func_literal",
        "function_declaration",
        "method_declaration",
    }
)

# Node kinds the rules look up by type; collected during the same walk.
INVENTORY_TYPES = frozenset(
    {
        "call_expression",
        "go_statement",
        "defer_statement",
        "send_statement",
        "unary_expression",
        "select_statement",
        "for_statement",
        "func_literal",
        "return_statement",
        "break_statement",
        "assignment_statement",
        "short_var_declaration",
    }
)


@dataclass(frozen=True, eq=False)
class Decl:
    """A local declaration. Identity matters: two `x`s are different variables."""

    name: str
    ident: Node
    kind: str  # param | result | receiver | var | const | range | case
    scope_start: int
    scope_end: int
    visible_from: int
    type_node: Node | None = None
    value: Node | None = None  # the initialising expression, when there is one
    value_index: int = 0  # which result of `value` (for `a, b := f()`)

    @property
    def line(self) -> int:
        return self.ident.start_point[0] + 1


def _scope_of(node: Node) -> Node:
    cur = node.parent
    while cur is not None and cur.type not in SCOPE_TYPES:
        cur = cur.parent
    assert cur is not None
    return cur


class ScopeTable:
    def __init__(self, root: Node) -> None:
        self.root = root
        self.decls: list[Decl] = []
        self._by_scope: dict[tuple[int, str], Decl] = {}
        self._declaring: set[int] = set()
        self._refs: dict[Decl, list[Node]] = defaultdict(list)
        self._resolved: dict[int, Decl] = {}
        self._declared: dict[int, Decl] = {}
        self.inventory: dict[str, list[Node]] = defaultdict(list)
        self._build()

    # -- queries ---------------------------------------------------------
    def resolve(self, ident: Node) -> Decl | None:
        return self._resolved.get(ident.id)

    def refs(self, decl: Decl) -> list[Node]:
        return self._refs.get(decl, [])

    def is_local(self, ident: Node) -> bool:
        return ident.id in self._resolved

    def declared_at(self, ident: Node) -> Decl | None:
        """The declaration an identifier introduces, if it is a declaring identifier."""
        return self._declared.get(ident.id)

    def visible(self, decl: Decl, pos: int) -> bool:
        """`decl`'s name means `decl` at byte `pos`: in its scope and not shadowed by an inner one."""
        if not (decl.scope_start <= pos < decl.scope_end and decl.visible_from <= pos):
            return False
        rank = (decl.scope_start, decl.visible_from)
        return not any(
            d is not decl
            and d.name == decl.name
            and d.scope_start <= pos < d.scope_end
            and d.visible_from <= pos
            and (d.scope_start, d.visible_from) > rank
            for d in self.decls
        )

    def nodes(self, kind: str, within: Node | None = None) -> list[Node]:
        found = self.inventory.get(kind, [])
        if within is None:
            return found
        s, e = within.start_byte, within.end_byte
        return [n for n in found if s <= n.start_byte and n.end_byte <= e]

    # -- construction ----------------------------------------------------
    def _declare(
        self,
        ident: Node,
        kind: str,
        scope: Node,
        visible_from: int,
        type_node: Node | None = None,
        value: Node | None = None,
        value_index: int = 0,
        scope_range: tuple[int, int] | None = None,
    ) -> None:
        self._declaring.add(ident.id)
        name = text(ident)
        if name == "_":
            return
        start, end = scope_range or (scope.start_byte, scope.end_byte)
        d = Decl(name, ident, kind, start, end, visible_from, type_node, value, value_index)
        self.decls.append(d)
        self._declared[ident.id] = d
        self._by_scope[(start, name)] = d

    def _declare_func(self, fn: Node) -> None:
        body = fn.child_by_field_name("body")
        if body is None:
            return
        rng = (body.start_byte, body.end_byte)
        for field, kind in (("receiver", "receiver"), ("parameters", "param"), ("result", "result")):
            plist = fn.child_by_field_name(field)
            if plist is None or plist.type != "parameter_list":
                continue
            for p in plist.named_children:
                if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
                    continue
                ptype = p.child_by_field_name("type")
                for c in p.children_by_field_name("name"):
                    self._declare(c, kind, body, body.start_byte, ptype, scope_range=rng)

    def _short_var(self, stmt: Node) -> None:
        scope = _scope_of(stmt)  # parameters are keyed by the body block, so `:=` re-uses them too
        left = expression_list(stmt.child_by_field_name("left"))
        right = expression_list(stmt.child_by_field_name("right"))
        for i, ident in enumerate(left):
            if ident.type != "identifier":
                continue
            if (scope.start_byte, text(ident)) in self._by_scope:
                continue  # re-used: this is an assignment
            value: Node | None
            if len(right) == len(left):
                value, idx = right[i], 0
            else:
                value, idx = (right[0] if right else None), i
            self._declare(ident, "var", scope, stmt.end_byte, None, value, idx)

    def _var_spec(self, spec: Node, kind: str) -> None:
        decl_stmt = spec.parent
        if decl_stmt is not None and decl_stmt.type in ("var_spec_list", "const_spec_list"):
            decl_stmt = decl_stmt.parent
        assert decl_stmt is not None
        scope = _scope_of(decl_stmt)
        names = spec.children_by_field_name("name")
        values = expression_list(spec.child_by_field_name("value"))
        type_node = spec.child_by_field_name("type")
        for i, ident in enumerate(names):
            value: Node | None
            if len(values) == len(names):
                value, idx = values[i], 0
            else:
                value, idx = (values[0] if values else None), i
            self._declare(ident, kind, scope, spec.end_byte, type_node, value, idx)

    def _build(self) -> None:
        refs: list[Node] = []
        inventory = self.inventory
        # one query in C instead of a Python walk over every node; parents before the
        # identifiers they declare (same start, larger end first)
        found = QueryCursor(_build_query()).captures(self.root).get("n", [])
        found.sort(key=lambda n: (n.start_byte, -n.end_byte))
        for node in found:
            t = node.type
            if t == "identifier":
                if node.id not in self._declaring:
                    refs.append(node)
            else:
                if t in INVENTORY_TYPES:
                    inventory[t].append(node)
                if t in FUNC_TYPES:
                    self._declare_func(node)
                elif t == "short_var_declaration":
                    self._short_var(node)
                elif t == "var_spec":
                    self._var_spec(node, "var")
                elif t == "const_spec":
                    self._var_spec(node, "const")
                elif t == "range_clause" and has_token(node, ":="):
                    loop = node.parent
                    assert loop is not None
                    right = node.child_by_field_name("right")
                    vis = right.end_byte if right is not None else node.end_byte
                    for i, ident in enumerate(expression_list(node.child_by_field_name("left"))):
                        if ident.type == "identifier":
                            self._declare(ident, "range", loop, vis, None, right, i)
                elif t == "receive_statement" and has_token(node, ":="):
                    clause = node.parent
                    assert clause is not None
                    right = node.child_by_field_name("right")
                    for i, ident in enumerate(expression_list(node.child_by_field_name("left"))):
                        if ident.type == "identifier":
                            self._declare(ident, "var", clause, node.end_byte, None, right, i)
                elif t == "type_switch_statement":
                    alias = node.child_by_field_name("alias")
                    value = node.child_by_field_name("value")
                    vis = value.end_byte if value is not None else node.start_byte
                    for ident in expression_list(alias):
                        if ident.type == "identifier":
                            self._declare(ident, "case", node, vis, None, value)
                elif t in ("function_type", "method_elem"):
                    # parameter names of a function type declare nothing
                    for c in _param_names(node):
                        self._declaring.add(c.id)
        self._resolve(refs)

    def _resolve(self, refs: list[Node]) -> None:
        by_name: dict[bytes | None, list[Decl]] = defaultdict(list)
        for d in self.decls:
            by_name[d.name.encode()].append(d)
        for ref in refs:
            cands = by_name.get(ref.text)  # bytes: no decoding per reference
            if not cands:
                continue
            pos = ref.start_byte
            best: Decl | None = None
            for d in cands:
                visible = d.scope_start <= pos < d.scope_end and d.visible_from <= pos
                # the innermost scope wins; within one scope, the latest declaration
                if visible and (
                    best is None or (d.scope_start, d.visible_from) > (best.scope_start, best.visible_from)
                ):
                    best = d
            if best is not None:
                self._resolved[ref.id] = best
                self._refs[best].append(ref)


_BUILD_TYPES = sorted(
    INVENTORY_TYPES
    | FUNC_TYPES
    | {
        "identifier",
        "short_var_declaration",
        "var_spec",
        "const_spec",
        "range_clause",
        "receive_statement",
        "type_switch_statement",
        "function_type",
        "method_elem",
    }
)


@functools.cache
def _build_query() -> Query:
    return compile_query("[" + " ".join(f"({t})" for t in _BUILD_TYPES) + "] @n")


def _param_names(node: Node) -> list[Node]:
    out: list[Node] = []
    for plist in node.named_children:
        if plist.type != "parameter_list":
            continue
        for p in plist.named_children:
            out.extend(p.children_by_field_name("name"))
    return out
