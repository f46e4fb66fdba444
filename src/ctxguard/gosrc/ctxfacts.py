"""Context-specific facts about a file, computed once and shared by the rules.

- where contexts are derived (`context.WithCancel` & co) and what the results are bound to;
- which variables hold a context, and where a loop observes `ctx.Done()`/`ctx.Err()`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from tree_sitter import Node

from ctxguard.gosrc import index
from ctxguard.gosrc.model import CONTEXT_DROP_INS, GoFile, Package
from ctxguard.gosrc.scope import Decl
from ctxguard.gosrc.syntax import call_args, call_of_callee, enclosing_function, expression_list, text, unparen

CANCELABLE = frozenset(
    {"WithCancel", "WithTimeout", "WithDeadline", "WithCancelCause", "WithTimeoutCause", "WithDeadlineCause"}
)
DERIVATIONS = CANCELABLE | {"WithValue", "WithoutCancel"}
ROOTS = frozenset({"Background", "TODO"})
CONTEXT_TYPES = frozenset({"context.Context"})


@dataclass(frozen=True)
class Derivation:
    """One `context.WithX(...)` call and where its results go."""

    call: Node
    func: str  # "WithTimeout"
    stmt: Node | None  # the statement that binds the results
    form: str  # define (:=) | assign (=) | var | expr (results dropped) | nested (inside another expression)
    ctx_target: Node | None  # left-hand expression receiving the context
    cancel_target: Node | None  # left-hand expression receiving the cancel function
    function: Node | None  # innermost enclosing function
    via: str = ""  # a package function wrapping the derivation (`withTenant(ctx)`), when there is one

    @property
    def cancelable(self) -> bool:
        return self.func in CANCELABLE

    @property
    def line(self) -> int:
        return self.call.start_point[0] + 1


def derivations(file: GoFile) -> list[Derivation]:
    return file.memo("ctx.derivations", lambda: _find_derivations(file))


@dataclass(frozen=True)
class StoredValue:
    """One `context.WithValue(parent, key, value)` call."""

    derivation: Derivation
    key: Node
    value: Node


def stored_values(file: GoFile) -> list[StoredValue]:
    out: list[StoredValue] = []
    for d in derivations(file):
        if d.func == "WithValue":
            args = call_args(d.call)
            if len(args) == 3:
                out.append(StoredValue(d, args[1], args[2]))
    return out


def wrapped_derivations(file: GoFile) -> list[Derivation]:
    """Calls of package functions that return `context.WithX(their first parameter, ...)`, such as
    `func withTenant(ctx context.Context, id string) context.Context { return context.WithValue(ctx, ...) }`:
    a helper in the middle hides nothing about how a chain grows."""
    return file.memo("ctx.wrapped", lambda: _find_wrapped(file))


def _find_wrapped(file: GoFile) -> list[Derivation]:
    wrappers = _wrappers(file)
    if not wrappers:
        return []
    out: list[Derivation] = []
    names = "|".join(re.escape(n) for n in wrappers)
    for m in re.finditer(rf"\b({names})\s*\(".encode(), file.source):
        ident = file.root.descendant_for_byte_range(m.start(), m.start() + 1)
        call = call_of_callee(ident) if ident is not None and ident.type == "identifier" else None
        if ident is None or call is None:
            continue
        if file.root_function(call) is None or file.decl_of(ident) is not None:
            continue  # package-level code, or a local function value of the same name
        name = text(ident)
        d = _binding(call, wrappers[name])
        out.append(replace(d, via=name))
    return out


def _wrappers(file: GoFile) -> dict[str, str]:
    """Package function name -> the context function it wraps."""
    pkg = file.package
    if pkg is None or not file.names_for("context"):
        return {}
    return pkg.memo("ctx.wrappers", lambda: _package_wrappers(pkg))


def _package_wrappers(pkg: Package) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in pkg.files:
        for decl in f.root.named_children:
            result = decl.child_by_field_name("result") if decl.type == "function_declaration" else None
            if result is None or b"Context" not in (result.text or b""):
                continue  # most functions: no need to look closer
            info = f.func_info(decl)
            if not info.params or len(info.results) != 1 or info.body is None:
                continue
            first = info.params[0]
            if not (is_context_type_text(f, first.type) and is_context_type_text(f, info.results[0].type)):
                continue
            wrapped = _returned_derivation(f, info.body, first.name)
            if wrapped is not None:
                out[info.name] = wrapped
    return out


def _returned_derivation(file: GoFile, body: Node, param: str) -> str | None:
    """The body is a single `return context.WithX(param, ...)`."""
    stmts = [s for s in body.named_children if s.type != "comment"]
    if len(stmts) == 1 and stmts[0].type == "statement_list":
        stmts = [s for s in stmts[0].named_children if s.type != "comment"]
    if len(stmts) != 1 or stmts[0].type != "return_statement" or not param:
        return None
    values = expression_list(stmts[0].named_children[0]) if stmts[0].named_child_count else []
    if len(values) != 1 or unparen(values[0]).type != "call_expression":
        return None
    call = unparen(values[0])
    fn = file.pkg_call(call, "context")
    args = call_args(call)
    if fn not in DERIVATIONS or fn in CANCELABLE or not args or text(unparen(args[0])) != param:
        return None  # a wrapper returning only the context of a cancelable one leaks its own cancel
    return fn


def _find_derivations(file: GoFile) -> list[Derivation]:
    if not file.names_for("context") and not file.imports_any(CONTEXT_DROP_INS.keys()):
        return []
    out: list[Derivation] = []
    for call in index.nodes(file, "derivation"):
        fn = file.pkg_call(call, "context")
        if fn is None or fn not in DERIVATIONS:
            continue
        out.append(_binding(call, fn))
    return out


def bind_results(call: Node, fn: str, cancel_index: int = 1) -> Derivation:
    """Where the results of a call returning a context and a cancel function go; the cancel is
    result `cancel_index` (1 for `context.WithX`, another for a helper that returns one)."""
    d = _binding(call, fn)
    if d.stmt is None or d.form not in ("define", "assign", "var") or cancel_index == 1:
        return d
    if d.stmt.type == "var_spec":
        left = d.stmt.children_by_field_name("name")
    else:
        left = expression_list(d.stmt.child_by_field_name("left"))
    cancel = left[cancel_index] if cancel_index < len(left) else None
    return replace(d, ctx_target=left[0] if cancel_index != 0 and left else None, cancel_target=cancel)


def _binding(call: Node, fn: str) -> Derivation:
    func = enclosing_function(call)
    parent = call.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    if parent is not None and parent.type == "expression_statement":
        return Derivation(call, fn, parent, "expr", None, None, func)
    if parent is not None and parent.type == "expression_list":
        stmt = parent.parent
        if stmt is not None and len(expression_list(parent)) == 1:
            if stmt.type in ("short_var_declaration", "assignment_statement") and (
                stmt.child_by_field_name("right") == parent
            ):
                left = expression_list(stmt.child_by_field_name("left"))
                form = "define" if stmt.type == "short_var_declaration" else "assign"
                return _targets(call, fn, stmt, form, left, func)
            if stmt.type == "var_spec":
                left = stmt.children_by_field_name("name")
                return _targets(call, fn, stmt, "var", left, func)
    return Derivation(call, fn, None, "nested", None, None, func)


def _targets(call: Node, fn: str, stmt: Node, form: str, left: list[Node], func: Node | None) -> Derivation:
    ctx_t = left[0] if left else None
    cancel_t = left[1] if len(left) > 1 else None
    return Derivation(call, fn, stmt, form, ctx_t, cancel_t, func)


def is_blank(node: Node | None) -> bool:
    return node is not None and node.type == "identifier" and text(node) == "_"


def target_decl(file: GoFile, target: Node | None) -> Decl | None:
    """The local variable a left-hand identifier binds, declared or re-assigned."""
    if target is None or is_blank(target):
        return None
    return file.decl_of(target)


def declared_in(decl: Decl, function: Node | None) -> bool:
    """Whether `decl` belongs to `function` itself (not to an enclosing function)."""
    owner = enclosing_function(decl.ident)
    return owner is not None and function is not None and owner.id == function.id


def is_write(ref: Node) -> bool:
    """`ref` is assigned to (left of `=` or a re-used name left of `:=`), not read."""
    parent = ref.parent
    if parent is None or parent.type != "expression_list":
        return False
    stmt = parent.parent
    return (
        stmt is not None
        and stmt.type in ("assignment_statement", "short_var_declaration")
        and stmt.child_by_field_name("left") == parent
        and not any(not c.is_named and c.type in ("+=", "-=", "|=", "&=") for c in stmt.children)
    )


def is_context_value(file: GoFile, expr: Node) -> bool:
    """An expression that evaluates to a context: ctx vars, r.Context(), context.Background(), ..."""
    expr = unparen(expr)
    if expr.type == "identifier":
        decl = file.decl_of(expr)
        return decl is not None and decl_is_context(file, decl)
    if expr.type == "call_expression":
        fn = file.pkg_call(expr, "context")
        if fn in ROOTS or fn in DERIVATIONS:
            return True
        fnode = unparen(expr.child_by_field_name("function"))  # type: ignore[arg-type]
        return fnode.type == "selector_expression" and text(fnode.child_by_field_name("field")) == "Context"
    return False


def is_context_type(file: GoFile, type_node: Node) -> bool:
    return is_context_type_text(file, file.type_text(type_node))


def is_context_type_text(file: GoFile, type_text: str) -> bool:
    """`type_text` (as `type_text` renders it) is context.Context, qualified or dot-imported."""
    return type_text in CONTEXT_TYPES or (type_text == "Context" and "." in file.names_for("context"))


def decl_is_context(file: GoFile, decl: Decl) -> bool:
    if decl.type_node is not None:
        return is_context_type(file, decl.type_node)
    if decl.value is not None and decl.kind != "range" and decl.value_index == 0:
        return is_context_value(file, decl.value)
    return False


# parameter types that carry a context: the expression that yields it, given the parameter's name
CARRIERS = {
    "context.Context": "{}",
    "*net/http.Request": "{}.Context()",
    # testing.T.Context and friends exist since Go 1.24
    "*testing.T": "{}.Context()",
    "*testing.B": "{}.Context()",
    "*testing.F": "{}.Context()",
    "testing.TB": "{}.Context()",
}


@dataclass(frozen=True)
class AvailableContext:
    """A context the code at some point could use instead of starting a new one."""

    expr: str  # what to write there: "ctx", "r.Context()", "t.Context()"
    decl: Decl  # the variable or parameter it comes from


def _outgoing_request(file: GoFile, node: Node, name: str) -> bool:
    """The function sends the request `name` (`client.Do(name)`, `RoundTrip(name)`): a request
    going out, whose Context() is whatever its builder set, not a caller's."""
    root = file.root_function(node)
    if root is None:
        return False
    body = file.source[root.start_byte : root.end_byte]
    n = re.escape(name.encode())
    return re.search(rb"\.(?:Do|RoundTrip)\(\s*" + n + rb"\s*\)", body) is not None


def available_context(file: GoFile, node: Node) -> AvailableContext | None:
    """The innermost context visible at `node`: a context variable or parameter, or a
    request or test whose Context() gives one. Closures see their enclosing function's."""
    scope = file.scope_for(node)
    if scope is None:
        return None
    pos = node.start_byte
    best: tuple[tuple[int, int], AvailableContext] | None = None
    for d in scope.decls:
        if d.kind in ("result", "case") or not scope.visible(d, pos):
            continue
        found: str | None = None
        if d.type_node is not None:
            tt = file.type_text(d.type_node)
            if tt == "Context" and "." in file.names_for("context"):
                tt = "context.Context"
            pattern = CARRIERS.get(tt)
            found = pattern.format(d.name) if pattern else None
            if found and tt == "*net/http.Request" and _outgoing_request(file, node, d.name):
                found = None
        elif decl_is_context(file, d):
            found = d.name
        if found is None:
            continue
        rank = (d.scope_start, d.visible_from)
        if best is None or rank > best[0]:
            best = (rank, AvailableContext(found, d))
    return None if best is None else best[1]
