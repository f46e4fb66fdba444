"""Deliberate detaches: places where a fresh `context.Background()` is the right context, not a leak."""

from __future__ import annotations

import re

from tree_sitter import Node

from ctxguard.gosrc.ctxfacts import CANCELABLE, DERIVATIONS, is_write
from ctxguard.gosrc.done import after_done, climb
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.nochange import bound_to, harmless_argument, outer_parens
from ctxguard.gosrc.scope import Decl
from ctxguard.gosrc.syntax import (
    binary,
    call_args,
    call_name,
    enclosing,
    enclosing_function,
    expression_list,
    statement_of,
    text,
    unparen,
    walk,
)
from ctxguard.gosrc.types import expr_type, strip_pointer

# callees that end or release something the code holds: cleanup that must complete even when the
# caller gave up. A name matches when it is one of these, or starts with one followed by an
# upper-case letter, a digit or `_` (`ReleaseLease`, `CloseSend`, `cleanupMounts`). Not `Wait`:
# a wait under a fresh context is exactly where a leak blocks.
CLEANUP_VERBS = (
    "Abort",
    "Clean",
    "Cleanup",
    "Close",
    "Destroy",
    "Detach",
    "Disconnect",
    "Done",
    "Kill",
    "Release",
    "Rollback",
    "Shutdown",
    "Stop",
    "TearDown",
    "Teardown",
    "Terminate",
    "Unlock",
    "Unmount",
    "Unregister",
)
# verbs that are cleanup only in a cleanup position (an error path, a function named for cleanup):
# elsewhere they are as often the work itself (a DELETE handler's `store.Delete`)
UNDO_VERBS = ("Cancel", "Delete", "Remove", "Revoke")
_CLEANUP_NAME = re.compile(rf"(?:{'|'.join(CLEANUP_VERBS)})(?:[A-Z0-9_]|$)")
_UNDO_NAME = re.compile(rf"(?:{'|'.join(UNDO_VERBS)})(?:[A-Z0-9_]|$)")
# an error variable: err, err2, errs, retErr, rerr, lastError
_ERROR_NAME = re.compile(r"(?i)^err|err(?:or)?$")
# words of a comment that reasons about cancellation: not the bare verb "cancel", which mostly
# names the cancel function next to a WithCancel, nor the noun "cancellation", which as often
# describes what the fresh context cuts ("the client's deadline and cancellation never reach...")
REASON_WORDS = re.compile(
    r"\b(?:un|non-?)?cancel(?:l?ed|l?ing|s|l?able)\b"
    r"|\bdetach|\boutliv|\boutlast|\bsurviv|\bindependent(?:ly)?\s+(?:of|from)\b|\b(?-i:Done)\(\)",
    re.IGNORECASE,
)
# a to-do says the choice is not settled; directives are not prose
_TODO_MARK = re.compile(r"^\s*(?:TODO|FIXME|XXX)\b")
_DIRECTIVE = re.compile(r"^(?:[a-z0-9]+:\S|\s*nolint\b|\s*want\b)")
# lines above the call (and above its statement) whose comments count
_COMMENT_LINES_ABOVE = 2
_SEMAPHORE = "golang.org/x/sync/semaphore"
_NAMED_FUNCS = frozenset({"function_declaration", "method_declaration"})
# how many derivations of the fresh context, and variables holding it, to follow before giving up
_MAX_HOPS = 8


def deliberate_detach(file: GoFile, call: Node, owner: Node | None) -> str | None:
    """Why the fresh context of `call` is a deliberate, correct detach (None when it is not);
    `owner` is the function whose context the call could have used (None: the outermost):
    "defer", "done" (the caller's context is already done there), "cleanup" (it only reaches
    cleanup calls, deferred or after-done code), "owned" (a new scope whose cancel function a
    struct keeps), "semaphore" (an unchecked semaphore Acquire) or "comment" (a comment says why)."""
    if _in_defer(call, owner):
        return "defer"
    if after_done(file, call, owner):
        return "done"
    if _reaches_only_deliberate(file, call, owner, _MAX_HOPS):
        return "cleanup"
    if _owned_lifetime(file, call):
        return "owned"
    if _unchecked_acquire(file, call):
        return "semaphore"
    if _reasoned_comment(file, call):
        return "comment"
    return None


def runs_detached(file: GoFile, call: Node, owner: Node | None) -> bool:
    """A call that would not take the caller's context even if it could: deferred, a cleanup
    call (`Close`, `Release`, ...), or run once the caller's context is done."""
    return _in_defer(call, owner) or cleanup_call(call, owner) or after_done(file, call, owner)


def _in_defer(node: Node, owner: Node | None) -> bool:
    """Inside a `defer` statement: the deferred call's arguments, a deferred closure's body and
    whatever it starts."""
    return any(n.type == "defer_statement" for n in climb(node, owner))


def cleanup_call(call: Node, owner: Node | None) -> bool:
    """A call of a function or method named for cleanup (`lease.Release`, `srv.Shutdown`,
    `cleanupMounts`), or for undoing (`Delete`, `Remove`, `Revoke`, `Cancel`) on an error path or in
    a function itself named for cleanup."""
    name = _verb_case(call_name(call)[1])
    if _CLEANUP_NAME.match(name):
        return True
    return _UNDO_NAME.match(name) is not None and (_error_path(call, owner) or in_cleanup_function(call))


def _verb_case(name: str) -> str:
    return name[:1].upper() + name[1:]


def _error_path(node: Node, owner: Node | None) -> bool:
    """Inside `if err != nil { ... }` (a variable whose name starts with `err` or ends with `err` or
    `error`, any case, compared with nil)."""
    for cur in climb(node, owner):
        parent = cur.parent
        if parent is None or parent.type != "if_statement" or parent.child_by_field_name("consequence") != cur:
            continue
        cond = parent.child_by_field_name("condition")
        if cond is not None and _tests_error(cond):
            return True
    return False


def _tests_error(cond: Node) -> bool:
    """`err != nil`, or a conjunction holding it."""
    parts = binary(cond)
    if parts is None:
        return False
    op, left, right = parts
    if op == "&&":
        return _tests_error(left) or _tests_error(right)
    if op != "!=" or "nil" not in (left.type, right.type):
        return False
    other = right if left.type == "nil" else left
    return other.type == "identifier" and _ERROR_NAME.search(text(other)) is not None


def in_cleanup_function(node: Node) -> bool:
    """The function or method declaration holding `node` is itself named for cleanup:
    `func (d *Daemon) Cleanup(ctx context.Context, ...)`."""
    fn = enclosing(node, _NAMED_FUNCS)
    return fn is not None and _CLEANUP_NAME.match(_verb_case(text(fn.child_by_field_name("name")))) is not None


def returns_to_exit(file: GoFile, func: Node) -> bool:
    """`func` is `main.main`, or a function of package main that only `main` calls, once
    (`func main() { if err := run(); err != nil { log.Fatal(err) } }`): when it returns the
    process ends, and a goroutine it leaves blocked ends with it."""
    pkg = file.package
    if file.package_name != "main" or func.type != "function_declaration" or pkg is None:
        return False
    name = text(func.child_by_field_name("name"))
    if name == "main":
        return True
    calls = 0
    for f in pkg.files:
        if f.path.endswith("_test.go") or name.encode() not in f.source:
            continue
        for node in walk(f.root):
            if node.type != "identifier" or text(node) != name or node == func.child_by_field_name("name"):
                continue
            call = node.parent
            if call is None or call.type != "call_expression" or call.child_by_field_name("function") != node:
                return False  # a function value: called who knows where, how often
            caller = enclosing_function(call)
            if caller is None or caller.type != "function_declaration" or caller.child_by_field_name("name") is None:
                return False
            if text(caller.child_by_field_name("name")) != "main":
                return False
            if enclosing(call, _REPEATS_OR_DEFERS) is not None:
                return False  # a restart loop: each round strands another
            calls += 1
    return calls > 0


# between a call and `main`'s body: what runs it more than once, or at another time
_REPEATS_OR_DEFERS = frozenset({"for_statement", "go_statement", "defer_statement", "func_literal"})


def _reaches_only_deliberate(file: GoFile, node: Node, owner: Node | None, depth: int) -> bool:
    """The fresh context (`node`: the root call, or a read of a variable holding it) only reaches
    places where a fresh one is right: a cleanup call's argument, deferred or after-done code, a
    logger lookup; directly, through a derivation of it (`context.WithTimeout(context.Background(),
    d)`), or through a variable whose every read does."""
    if depth <= 0:
        return False
    node = outer_parens(node)
    if node.type != "call_expression" and (_in_defer(node, owner) or after_done(file, node, owner)):
        return True  # a read of the variable (the root call itself was checked before)
    parent = node.parent
    if parent is not None and parent.type == "argument_list":
        call = parent.parent
        if call is None or call.type != "call_expression":
            return False
        args = call_args(call)
        index = next((i for i, a in enumerate(args) if a == node), -1)
        if index < 0:
            return False
        if cleanup_call(call, owner) or harmless_argument(file, node):
            return True
        if index == 0 and file.pkg_call(call, "context") in DERIVATIONS:
            return _reaches_only_deliberate(file, call, owner, depth - 1)
        return False
    decl = _bound_var(file, node)
    scope = file.scope_for(node)
    if decl is None or scope is None:
        return False
    reads = [r for r in scope.refs(decl) if not is_write(r)]
    return bool(reads) and all(_reaches_only_deliberate(file, r, owner, depth - 1) for r in reads)


def _bound_var(file: GoFile, value: Node) -> Decl | None:
    """The variable a declaration binds `value` (or, for `ctx, cancel := context.WithTimeout(...)`,
    its first result) to: `ctx := value`, `var ctx = value`."""
    decl = bound_to(file, value)
    if decl is not None:
        return decl
    values = value.parent
    stmt = values.parent if values is not None and values.type == "expression_list" else None
    if stmt is None or value.type != "call_expression" or len(expression_list(values)) != 1:
        return None
    if stmt.type == "short_var_declaration" and stmt.child_by_field_name("right") == values:
        left = expression_list(stmt.child_by_field_name("left"))
    elif stmt.type == "var_spec" and stmt.child_by_field_name("value") == values:
        left = stmt.children_by_field_name("name")
    else:
        return None
    if not left or left[0].type != "identifier" or text(left[0]) == "_":
        return None
    return file.decl_of(left[0])


def _owned_lifetime(file: GoFile, call: Node) -> bool:
    """`s.ctx, s.cancel = context.WithCancel(context.Background())`: a new cancelable scope whose
    cancel function a struct keeps (a field, a composite literal, appended to a field): an object
    owns that lifetime and ends it in its own Close or Stop."""
    node = outer_parens(call)
    args = node.parent
    derivation = args.parent if args is not None and args.type == "argument_list" else None
    if derivation is None or file.pkg_call(derivation, "context") not in CANCELABLE:
        return False
    if call_args(derivation)[:1] != [node]:
        return False
    values = outer_parens(derivation).parent
    stmt = values.parent if values is not None and values.type == "expression_list" else None
    if stmt is None or len(expression_list(values)) != 1:
        return False
    if stmt.type in ("short_var_declaration", "assignment_statement") and stmt.child_by_field_name("right") == values:
        left = expression_list(stmt.child_by_field_name("left"))
    elif stmt.type == "var_spec" and stmt.child_by_field_name("value") == values:
        left = stmt.children_by_field_name("name")
    else:
        return False
    if len(left) != 2:
        return False
    cancel = unparen(left[1])
    if _field(cancel):
        return True
    decl = file.decl_of(cancel) if cancel.type == "identifier" else None
    scope = file.scope_for(cancel)
    if decl is None or scope is None:
        return False
    return any(kept_in_struct(r) for r in scope.refs(decl) if not is_write(r))


def kept_in_struct(ref: Node) -> bool:
    """`T{cancel: cancel}`, `s.cancel = cancel`, `s.cancels = append(s.cancels, cancel)`."""
    node = outer_parens(ref)
    for _ in range(2):
        parent = node.parent
        if parent is None:
            return False
        if parent.type == "literal_element":
            return _struct_field_value(parent)
        if parent.type == "argument_list":
            call = parent.parent
            if call is None or call.type != "call_expression" or call_name(call) != (None, "append"):
                return False
            node = outer_parens(call)
            continue
        stmt = parent.parent if parent.type == "expression_list" else None
        if stmt is None or stmt.type != "assignment_statement" or stmt.child_by_field_name("right") != parent:
            return False
        left = expression_list(stmt.child_by_field_name("left"))
        right = expression_list(parent)
        i = next((k for k, x in enumerate(right) if x == node), -1)
        return len(left) == len(right) and i >= 0 and _field(left[i])
    return False


def _struct_field_value(element: Node) -> bool:
    """`element` is the value of a keyed field in a struct literal: `job{cancel: cancel}`, not a map's
    or a slice's element."""
    keyed = element.parent
    if keyed is None or keyed.type != "keyed_element" or keyed.named_children[-1] != element:
        return False
    key = keyed.named_children[0]
    if (
        key == element
        or key.named_child_count != 1
        or key.named_children[0].type not in ("identifier", "field_identifier")
    ):
        return False
    body = keyed.parent
    literal = body.parent if body is not None else None
    if literal is None or literal.type != "composite_literal":
        return True  # an element of an outer literal, keyed by a field name: `[]job{{cancel: cancel}}`
    kind = literal.child_by_field_name("type")
    return kind is None or kind.type not in ("map_type", "slice_type", "array_type", "implicit_length_array_type")


def _field(target: Node) -> bool:
    """An assignment target in a struct: `s.cancel`, `s.cancels[id]`."""
    target = unparen(target)
    if target.type == "index_expression":
        target = unparen(target.child_by_field_name("operand"))  # type: ignore[arg-type]
    return target.type == "selector_expression"


def _unchecked_acquire(file: GoFile, call: Node) -> bool:
    """`_ = sem.Acquire(context.Background(), 1)` on a golang.org/x/sync/semaphore.Weighted, its
    error discarded: the code is written for an Acquire that cannot fail. Given ctx, a cancelled
    Acquire returns without the permit, and the unconditional Release then panics."""
    node = outer_parens(call)
    args = node.parent
    acquire = args.parent if args is not None and args.type == "argument_list" else None
    if acquire is None or acquire.type != "call_expression" or call_args(acquire)[:1] != [node]:
        return False
    operand, name = call_name(acquire)
    if name != "Acquire" or operand is None:
        return False
    stmt = outer_parens(acquire).parent
    if stmt is None:
        return False
    if stmt.type == "expression_list":
        assign = stmt.parent
        if assign is None or assign.type != "assignment_statement" or assign.child_by_field_name("right") != stmt:
            return False
        if [text(x) for x in expression_list(assign.child_by_field_name("left"))] != ["_"]:
            return False
    elif stmt.type != "expression_statement":
        return False
    operand = unparen(operand)
    t = expr_type(file, operand)
    if t is not None:
        return strip_pointer(t) == f"{_SEMAPHORE}.Weighted"
    decl = file.decl_of(operand) if operand.type == "identifier" else None
    value = unparen(decl.value) if decl is not None and decl.value is not None else None
    return value is not None and file.pkg_call(value, _SEMAPHORE) == "NewWeighted"


def _reasoned_comment(file: GoFile, call: Node) -> bool:
    """A comment in the function's body, on the call's line or on the two lines above it or above
    its statement, that reasons about cancellation (REASON_WORDS); none of those comments a to-do.
    The function's doc comment describes the function, not the call."""
    fn = enclosing_function(call)
    body = fn.child_by_field_name("body") if fn is not None else None
    if body is None:
        return False
    row = call.start_point[0]
    first = statement_of(call).start_point[0]
    rows = {row} | {r for top in (row, first) for r in range(top - _COMMENT_LINES_ABOVE, top) if r >= 0}
    comments = [c for r in sorted(rows) for c in _line_comments(file, r) if c.start_byte > body.start_byte]
    bodies = [b for b in (_comment_body(c) for c in comments) if not _DIRECTIVE.match(b)]
    if any(_TODO_MARK.match(b) for b in bodies):
        return False
    return any(REASON_WORDS.search(b) for b in bodies)


def _line_comments(file: GoFile, row: int) -> list[Node]:
    """The comments starting on line `row` (0-based)."""
    lines = file.memo("bg.line_starts", lambda: _line_starts(file.source))
    if row >= len(lines):
        return []
    start = lines[row]
    end = lines[row + 1] if row + 1 < len(lines) else len(file.source)
    out: list[Node] = []
    line = file.source[start:end]
    for m in re.finditer(rb"//|/\*", line):
        pos = start + m.start()
        node = file.root.descendant_for_byte_range(pos, pos + 1)
        if node is not None and node.type == "comment" and node.start_byte == pos and node not in out:
            out.append(node)
    return out


def _line_starts(source: bytes) -> list[int]:
    return [0] + [m.end() for m in re.finditer(rb"\n", source)]


def _comment_body(comment: Node) -> str:
    body = text(comment)
    if body.startswith("//"):
        return body[2:]
    return body[2:-2] if body.startswith("/*") else body
