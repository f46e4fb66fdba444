"""Small helpers over tree-sitter-go nodes, so rules read like Go, not like a grammar."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator

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


def binary(node: Node) -> tuple[str, Node, Node] | None:
    """`a OP b` as (OP, a, b), parentheses peeled; None for anything else."""
    node = unparen(node)
    if node.type != "binary_expression":
        return None
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is None or right is None:
        return None
    return text(node.child_by_field_name("operator")), unparen(left), unparen(right)


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
    """Iterations of a loop when the source says: `for i := 0; i < N; i++` with a literal N,
    `for range N`, or a range over a composite literal; infinity otherwise."""
    rng = next((c for c in loop.named_children if c.type == "range_clause"), None)
    if rng is not None:
        right = rng.child_by_field_name("right")
        right = unparen(right) if right is not None else None
        if right is not None and right.type == "int_literal" and text(right).isdigit():
            return int(text(right))
        if right is not None and right.type == "composite_literal":
            body = right.child_by_field_name("body")
            return body.named_child_count if body is not None else math.inf
        return math.inf
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


_LEAVING_CALLS = re.compile(r"panic|Exit|Goexit|Fatal\w*|FailNow")
_BREAKABLE = frozenset({"for_statement", "expression_switch_statement", "type_switch_statement", "select_statement"})


def statement_of(node: Node) -> Node:
    """The statement holding `node` directly in a statement list."""
    cur = node
    while cur.parent is not None and cur.parent.type not in ("statement_list", "block"):
        cur = cur.parent
    return cur


def exit_after(node: Node) -> str | None:
    """What the code after `node` does unconditionally before the end of the loop iteration or
    function: "return" (leaves the function: return, goto, panic, ...), "break" (an unlabeled
    break), or None (carries on). Climbs out of if/switch/select bodies, not out of loops."""
    stmt = statement_of(node)
    while True:
        sib = stmt.next_named_sibling
        while sib is not None:
            t = sib.type
            if t in ("return_statement", "goto_statement"):
                return "return"
            if t == "break_statement":
                return "return" if any(c.type == "label_name" for c in sib.named_children) else "break"
            if t == "expression_statement" and sib.named_child_count:
                call = sib.named_children[0]
                if call.type == "call_expression" and _LEAVING_CALLS.fullmatch(call_name(call)[1]):
                    return "return"
            if t == "continue_statement":
                return None
            sib = sib.next_named_sibling
        outer = stmt.parent
        while outer is not None and outer.type not in _STATEMENTS:
            outer = outer.parent
        if outer is None or outer.type in ("for_statement", "select_statement") or outer.type in FUNC_TYPES:
            return None  # end of the iteration (a break inside select only leaves the select)
        if outer.type not in ("if_statement", "expression_switch_statement", "type_switch_statement", "block"):
            return None
        if outer.type == "block" and (outer.parent is None or outer.parent.type in ("for_statement", *FUNC_TYPES)):
            return None  # the end of a loop body or of a function
        stmt = statement_of(outer)


_STATEMENTS = frozenset(
    {
        "if_statement",
        "expression_switch_statement",
        "type_switch_statement",
        "select_statement",
        "for_statement",
        "block",
        "function_declaration",
        "method_declaration",
        "func_literal",
    }
)


def repetitions(
    node: Node, stop: Node, outside: Node | None = None, trips: Callable[[Node], float] = trip_count
) -> float:
    """How often `node` can run per run of `stop`: the product of the trip counts of the loops
    around it, skipping loops that also hold `outside` (they re-run it too) and a loop that the
    code right after `node` always leaves."""
    loops = loops_between(node, stop)
    # what follows `node` matters only inside the loop body (not after a loop whose header holds it)
    inner = bool(loops) and statement_of(node).id != loops[0].id
    after = exit_after(node) if inner else None
    if after == "return":
        return 1
    n = 1.0
    for i, loop in enumerate(loops):
        if outside is not None and contains(loop, outside):
            break
        if i == 0 and break_leaves(node, loop):
            continue
        n *= trips(loop)
    return n


def break_leaves(node: Node, loop: Node) -> bool:
    """The first unconditional jump after `node` in this iteration is an unlabeled break that
    leaves `loop`, climbing out of if, switch and select statements (a break inside a switch
    leaves only the switch, one after it leaves the loop)."""
    body = loop.child_by_field_name("body")
    cur = statement_of(node)
    while body is not None and cur.id != body.id:
        sib = cur.next_named_sibling
        while sib is not None:
            if sib.type == "break_statement":
                target = enclosing(sib, _BREAKABLE)
                return not sib.named_children and target is not None and target.id == loop.id
            if sib.type in ("continue_statement", "return_statement", "goto_statement"):
                return False
            sib = sib.next_named_sibling
        parent = cur.parent
        if parent is None or parent.id == body.id or (parent.parent is not None and parent.parent.id == body.id):
            return False  # the end of the loop body: the next iteration starts
        outer = statement_of(parent)
        if outer.type in ("for_statement", *FUNC_TYPES) or outer.id == cur.id:
            return False
        cur = outer
    return False


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
    """The argument expressions (comments between them are named children too)."""
    args = call.child_by_field_name("arguments")
    return [a for a in args.named_children if a.type != "comment"] if args is not None else []


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


def received_channel(case: Node) -> Node | None:
    """The channel a select case receives from (`case v := <-ch:`, `case <-ch:`), as written."""
    comm = case.child_by_field_name("communication") if case.type == "communication_case" else None
    if comm is not None and comm.type == "receive_statement":
        comm = comm.child_by_field_name("right")
    recv = unparen(comm) if comm is not None else None
    return recv.child_by_field_name("operand") if recv is not None and is_receive(recv) else None


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


def specs(decl: Node, kind: str) -> list[Node]:
    """The `var_spec`s (or `const_spec`s, ...) of a declaration, grouped in parentheses or not."""
    out: list[Node] = []
    for c in decl.named_children:
        if c.type == kind:
            out.append(c)
        elif c.type == kind + "_list":
            out.extend(x for x in c.named_children if x.type == kind)
    return out


def call_of_callee(name: Node) -> Node | None:
    """The call whose callee `name` is: `Name(...)` for an identifier, `x.Name(...)` for the
    field identifier of a selector; None for a comment, a string or a declaration's name."""
    if name.type == "field_identifier":
        callee = name.parent
        if callee is None or callee.type != "selector_expression":
            return None
    elif name.type == "identifier":
        callee = name
    else:
        return None
    call = callee.parent
    if call is None or call.type != "call_expression" or call.child_by_field_name("function") != callee:
        return None
    return call


def call_taking(lit: Node) -> Node | None:
    """The call that receives `lit` (a function literal) as one of its arguments."""
    args = lit.parent
    call = args.parent if args is not None and args.type == "argument_list" else None
    return call if call is not None and call.type == "call_expression" else None


def compares_with_nil(name: str, code: str) -> bool:
    """`code` tests `name == nil` or `name != nil` (either way round)."""
    n = re.escape(name)
    return re.search(rf"\b{n}\s*[!=]=\s*nil\b|\bnil\s*[!=]=\s*{n}\b", code) is not None
