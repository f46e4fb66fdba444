"""Small helpers over tree-sitter-go nodes, so rules read like Go, not like a grammar."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from tree_sitter import Node

from ctxguard.gosrc.parse import NEW_STANDIN

FUNC_TYPES = frozenset({"function_declaration", "method_declaration", "func_literal"})
LOOP_TYPES = frozenset({"for_statement"})


def text(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


def unparen(node: Node) -> Node:
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        child = node.named_children[0]
        node = child
    return node


def walk(node: Node) -> Iterator[Node]:
    """Pre-order walk of `node` and its descendants (named and anonymous)."""
    cursor = node.walk()
    while True:
        yield cursor.node  # type: ignore[misc]
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent() or cursor.depth == 0:
                return


def contains(outer: Node, inner: Node) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


def enclosing(node: Node, types: frozenset[str]) -> Node | None:
    cur = node.parent
    while cur is not None:
        if cur.type in types:
            return cur
        cur = cur.parent
    return None


def enclosing_function(node: Node) -> Node | None:
    return enclosing(node, FUNC_TYPES)


def loops_between(node: Node, stop: Node) -> list[Node]:
    """The for statements enclosing `node` inside `stop` (innermost first)."""
    found: list[Node] = []
    cur = node.parent
    while cur is not None and cur != stop:
        if cur.type == "for_statement":
            found.append(cur)
        cur = cur.parent
    return found


def trip_count(loop: Node) -> float:
    """Iterations of `for i := 0; i < N; i++` with a literal N; infinity for any other loop."""
    clause = next((c for c in loop.named_children if c.type == "for_clause"), None)
    if clause is None:
        return math.inf
    init, cond = clause.child_by_field_name("initializer"), clause.child_by_field_name("condition")
    update = clause.child_by_field_name("update")
    if init is None or cond is None or update is None or update.type != "inc_statement":
        return math.inf
    if not re.fullmatch(r"\w+\s*:=\s*0", text(init)):
        return math.inf
    m = re.fullmatch(r"\w+\s*(<=?)\s*(\d+)", text(cond))
    if m is None:
        return math.inf
    return int(m.group(2)) + (1 if m.group(1) == "<=" else 0)


def repetitions(node: Node, stop: Node) -> float:
    """How many times `node` can run per run of `stop`: the product of the enclosing loops' trip counts."""
    n = 1.0
    for loop in loops_between(node, stop):
        n *= trip_count(loop)
    return n


def call_name(call: Node) -> tuple[Node | None, str]:
    """For `pkg.F(...)` or `x.M(...)` return (operand, "F"); for `F(...)` return (None, "F")."""
    fn = call.child_by_field_name("function")
    if fn is None:
        return None, ""
    fn = unparen(fn)
    if fn.type == "selector_expression":
        return fn.child_by_field_name("operand"), text(fn.child_by_field_name("field"))
    if fn.type == "identifier":
        name = text(fn)
        return None, "new" if name == NEW_STANDIN else name
    if fn.type in ("generic_type", "index_expression"):
        inner = fn.named_children[0] if fn.named_child_count else None
        if inner is not None and inner.type == "identifier":
            return None, text(inner)
    return None, ""


def call_args(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    return list(args.named_children) if args is not None else []


def expression_list(node: Node | None) -> list[Node]:
    if node is None:
        return []
    if node.type == "expression_list":
        return [c for c in node.named_children if c.type != "comment"]
    return [node]


def is_receive(node: Node) -> bool:
    """`<-ch` as an expression."""
    if node.type != "unary_expression":
        return False
    op = node.child_by_field_name("operator")
    return op is not None and op.type == "<-"


def has_token(node: Node, token: str) -> bool:
    return any(not c.is_named and c.type == token for c in node.children)


def statements(body: Node | None) -> list[Node]:
    """The statements of a block or case clause, comments dropped."""
    if body is None:
        return []
    if body.type == "block":
        lists = [c for c in body.named_children if c.type == "statement_list"]
        return statements(lists[0]) if lists else []
    if body.type in ("statement_list",):
        return [c for c in body.named_children if c.type != "comment"]
    # case clauses hold their statements in a statement_list child
    out: list[Node] = []
    for c in body.named_children:
        if c.type == "statement_list":
            out.extend(x for x in c.named_children if x.type != "comment")
    return out


def line_of(node: Node) -> int:
    return node.start_point[0] + 1
