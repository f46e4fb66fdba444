"""Code that only runs once a context is done: `case <-ctx.Done():`, after `<-ctx.Done()`, `if ctx.Err() != nil`."""

from __future__ import annotations

from tree_sitter import Node

from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.scope import Decl
from ctxguard.gosrc.syntax import binary, call_args, call_name, expression_list, is_receive, text, unparen

_CANCEL_ERRORS = frozenset({"Canceled", "DeadlineExceeded"})


def climb(node: Node, owner: Node | None) -> list[Node]:
    """`node` and its ancestors, up to (not including) `owner`."""
    out: list[Node] = []
    cur: Node | None = node
    while cur is not None and (owner is None or cur.id != owner.id):
        out.append(cur)
        cur = cur.parent
    return out


def after_done(file: GoFile, node: Node, owner: Node | None) -> bool:
    """Code that only runs once a context is done: in `case <-ctx.Done():`, after a `<-ctx.Done()`
    statement of an enclosing block, in the body of `if ctx.Err() != nil` (or `errors.Is(err,
    context.Canceled)`, ...) or of a tagless switch case testing that."""
    for cur in climb(node, owner):
        parent = cur.parent
        if parent is None:
            break
        t = parent.type
        if t == "communication_case":
            comm = parent.child_by_field_name("communication")
            if comm is not None and comm != cur and done_receive(comm):
                return True
        elif t == "if_statement" and parent.child_by_field_name("consequence") == cur:
            cond = parent.child_by_field_name("condition")
            if cond is not None and _done_test(file, cond, parent.child_by_field_name("initializer")):
                return True
        elif t == "expression_case" and cur.type == "statement_list":
            switch = parent.parent
            values = expression_list(parent.child_by_field_name("value"))
            if (
                switch is not None
                and switch.child_by_field_name("value") is None
                and values
                and all(_done_test(file, v, switch.child_by_field_name("initializer")) for v in values)
            ):
                return True
        elif t == "statement_list":
            sib = cur.prev_named_sibling
            while sib is not None:
                if sib.type == "expression_statement" and any(done_receive(c) for c in sib.named_children):
                    return True
                sib = sib.prev_named_sibling
    return False


def done_receive(node: Node) -> bool:
    """`<-x.Done()` (as an expression or a select case's receive)."""
    if node.type == "receive_statement":
        if node.child_by_field_name("left") is not None:
            return False
        right = node.child_by_field_name("right")
        if right is None:
            return False
        node = right
    node = unparen(node)
    if not is_receive(node):
        return False
    operand = node.child_by_field_name("operand")
    if operand is None:
        return False
    operand = unparen(operand)
    return operand.type == "call_expression" and call_name(operand)[1] == "Done" and not call_args(operand)


def _done_test(file: GoFile, cond: Node, init: Node | None) -> bool:
    """A condition that holds only once a context is done: `ctx.Err() != nil`, `context.Cause(ctx)
    != nil`, `err != nil` after `err := ctx.Err()`, `errors.Is(err, context.Canceled)`, `err ==
    context.DeadlineExceeded`; a conjunction with one of these, a disjunction of only these."""
    cond = unparen(cond)
    if cond.type == "call_expression":
        args = call_args(cond)
        return call_name(cond)[1] == "Is" and len(args) == 2 and _cancel_error(file, args[1])
    parts = binary(cond)
    if parts is None:
        return False
    op, left, right = parts
    if op == "&&":
        return _done_test(file, left, init) or _done_test(file, right, init)
    if op == "||":
        return _done_test(file, left, init) and _done_test(file, right, init)
    if op == "==":
        return _cancel_error(file, left) or _cancel_error(file, right)
    if op != "!=" or "nil" not in (left.type, right.type):
        return False
    other = right if left.type == "nil" else left
    if _context_error(file, other):
        return True
    if other.type != "identifier" or init is None or init.type != "short_var_declaration":
        return False
    names = expression_list(init.child_by_field_name("left"))
    values = expression_list(init.child_by_field_name("right"))
    return any(
        text(n) == text(other) and i < len(values) and len(values) == len(names) and _context_error(file, values[i])
        for i, n in enumerate(names)
    )


def _context_error(file: GoFile, expr: Node) -> bool:
    """`x.Err()` or `context.Cause(x)`."""
    expr = unparen(expr)
    if expr.type != "call_expression":
        return False
    if file.pkg_call(expr, "context") == "Cause":
        return True
    operand, name = call_name(expr)
    return operand is not None and name == "Err" and not call_args(expr)


def _cancel_error(file: GoFile, expr: Node) -> bool:
    """`context.Canceled` or `context.DeadlineExceeded`."""
    expr = unparen(expr)
    if expr.type == "identifier":
        return text(expr) in _CANCEL_ERRORS and "." in file.names_for("context") and file.decl_of(expr) is None
    if expr.type != "selector_expression":
        return False
    operand = unparen(expr.child_by_field_name("operand"))  # type: ignore[arg-type]
    return (
        text(expr.child_by_field_name("field")) in _CANCEL_ERRORS
        and operand.type == "identifier"
        and file.refers_to_import(operand, "context")
    )


def done_before(file: GoFile, call: Node, decl: Decl) -> bool:
    """`<-ctx.Done()` (or `<-r.Context().Done()`) runs before `call` in the code."""
    scope = file.scope_for(call)
    if scope is None:
        return False
    for ref in scope.refs(decl):
        if ref.start_byte >= call.start_byte:
            break
        node = ref
        while node.parent is not None and node.parent.type in ("selector_expression", "call_expression"):
            node = node.parent
        parent = node.parent
        if (
            parent is not None
            and parent.type == "unary_expression"
            and text(parent.child_by_field_name("operator")) == "<-"
            and text(node).endswith(".Done()")
        ):
            return True
    return False
