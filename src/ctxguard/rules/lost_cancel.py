"""CG101 lost-cancel: a cancel function dropped, or skipped on some path to a return."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import replace as replace_fields

from tree_sitter import Node

from ctxguard.findings import Fix, Severity
from ctxguard.gosrc.cfg import CFG, Block
from ctxguard.gosrc.ctxfacts import Derivation, bind_results, declared_in, derivations, is_blank, target_decl
from ctxguard.gosrc.detach import kept_in_struct
from ctxguard.gosrc.facts import declared_key, short_name
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.scope import Decl
from ctxguard.gosrc.syntax import (
    contains,
    enclosing,
    enclosing_function,
    expression_list,
    loops_between,
    text,
    unparen,
    walk,
)
from ctxguard.rules.base import FactPass, Pass, Rule, insert, replace
from ctxguard.rules.callfacts import NAMED_FUNCS, calls_with_facts
from ctxguard.rules.cancel_guards import correlated_guards

DOC = """\
## What it finds
The cancel function returned by `context.WithCancel`, `WithTimeout`,
`WithDeadline` or their `Cause` variants is bound to `_`, or there is a path
from the derivation to a return on which the cancel variable is never used
(called, deferred, returned, stored, passed or captured by a closure).
A check `if err == nil { cancel() }` counts as a use on both of its paths when
`err` goes with the cancel: nil where the context is derived (declared after
it without a value, or checked `if err != nil { return ... }` right after its
declaration) and set only in blocks that also call `cancel()`, as in a fan-in
that cancels the others on its first error (go vet's lostcancel, which follows
paths without values, reports these).
The derivations of ctxguard's Go module (`ctxtrack.WithCancel` and the rest,
which record each context for the run-time census) count as context's.

## Across functions and packages
A function of the module that derives a cancelable context and returns its
cancel function (a result of type `context.CancelFunc` or `CancelCauseFunc`)
binds its callers as `context.WithCancel` does: `ctx, _ :=
reqctx.New(r)` is reported, and so is a cancel not used on some path. A helper
that can fail (it also returns an `error`, a `bool` or an error type such as
`*HandlerError`) returns no cancel to call
on failure, so for it only a discarded cancel is reported. A function returning
a cancel function it did not make (one looked up in a map) is not such a helper.

What crosses function and package boundaries is learnt from the module's own
source (see `ctxguard rules` and the README's "Across packages"): packages of
the module being linted (found from `go.mod`), analysed after the packages they
import. Calls the source does not pin to one function are not followed:
interface methods, function values (in variables, maps or struct fields),
reflection, and packages outside the run (the standard library and other
modules, beyond the tables above).

## Why it leaks
A derived context stays registered with its parent (and a `WithTimeout`
context keeps its timer) until it is cancelled or the parent ends. On a
long-lived parent, every forgotten cancel is a `context.cancelCtx` (and a
`time.Timer`) that lives until the process does.

Unlike `go vet`'s lostcancel, handing the cancel off (returning it, storing it
in a struct field or a global, calling it from a closure or goroutine) is not
reported.

## Bad
```go
func fetch(ctx context.Context, id string) (*Item, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	item, err := load(ctx, id)
	if err != nil {
		return nil, err // cancel never called on this path
	}
	cancel()
	return item, nil
}
```

## Good
```go
func fetch(ctx context.Context, id string) (*Item, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return load(ctx, id)
}
```
"""


def _callee(d: Derivation) -> str:
    """`context.WithTimeout` as the source names it (`ctxtrack.WithTimeout` for a drop-in; a dot
    import still reads `context.WithTimeout`)."""
    fn = d.call.child_by_field_name("function")
    name = text(unparen(fn)) if fn is not None else ""
    return name if "." in name else f"context.{d.func}"


def check(p: Pass) -> None:
    file = p.file
    found = [(d, _callee(d), True) for d in derivations(file) if d.cancelable]
    for d, returned_by, every_path in sorted([*found, *_helper_calls(p)], key=lambda x: x[0].call.start_byte):
        if d.form == "expr" or is_blank(d.cancel_target):
            p.report(
                d.call,
                f"the cancel function returned by {returned_by} should be called, not discarded, "
                "to avoid a context leak",
                fix=None if d.via else _name_and_defer(file, d),
            )
            continue
        decl = target_decl(file, d.cancel_target)
        if not every_path:
            continue  # a helper that can fail returns no cancel to call when it does
        if decl is None or d.stmt is None or d.function is None or not declared_in(decl, d.function):
            continue  # stored in a field, a global or a captured variable: handed off
        if _is_main(file.package_name, d.function):
            continue  # returning from main.main ends the process, and every context with it
        graph = file.cfg(d.function)
        scope = file.scope_for(d.call)
        if graph is None or scope is None:
            continue
        refs = [r.start_byte for r in scope.refs(decl)]
        exit_node = _lost_path(graph, d.stmt, decl, sorted(refs))
        if exit_node is not None:
            # a `if err == nil { cancel() }` whose variable goes with the cancel counts as a use
            guards = correlated_guards(file, scope, d.function, d.stmt, decl)
            exit_node = _lost_path(graph, d.stmt, decl, sorted([*refs, *guards])) if guards else exit_node
        if exit_node is None:
            continue
        stmt = d.stmt.parent if d.stmt.type == "var_spec" and d.stmt.parent is not None else d.stmt
        while stmt.type == "var_spec_list" and stmt.parent is not None:
            stmt = stmt.parent
        p.report(stmt, f"the {decl.name} function is not used on all paths (possible context leak)")
        p.report(
            exit_node,
            f"this return statement may be reached without using the {decl.name} var defined on line {d.line}",
        )


def export_facts(fp: FactPass) -> None:
    """`{"cancel": 1, "fails": false}` for each function of the package that derives a cancelable
    context and hands its cancel function (result 1 here) to the caller to call; `fails` when it
    also returns an error or a success flag."""
    for file in fp.package.files:
        if b"Cancel" not in file.source:
            continue
        made = [d for d in derivations(file) if d.cancelable and d.function is not None]
        for decl in file.root.named_children:
            if decl.type not in NAMED_FUNCS or not any(d.function == decl for d in made):
                continue
            results = file.func_info(decl).results
            index = next((i for i, r in enumerate(results) if r.type in _CANCEL_TYPES), None)
            key = declared_key(file, decl)
            if index is None or key is None or not _hands_over_cancel(file, decl, index, made):
                continue
            # (ctx, cancel, err) or (ctx, cancel, ok): on failure there is no cancel to call
            fails = any(_failure_result(r.type) for r in results)
            fp.export(file, key, {"cancel": index, "fails": fails})


def _failure_result(type_text: str) -> bool:
    """`error`, `bool`, or an error type of the package's or a library's own: `*HandlerError`,
    `*nexus.HandlerError`, `errs.Err` (temporal's SDK helper returns one)."""
    name = type_text.lstrip("*").rpartition(".")[2]
    return type_text in ("error", "bool") or name.endswith(("Error", "Err"))


def _hands_over_cancel(file: GoFile, decl: Node, index: int, made: list[Derivation]) -> bool:
    """Some return of `decl` gives its caller the cancel of a derivation it made and keeps nowhere
    else (`return context.WithTimeout(...)`, `return ctx, cancel`): not a cancel looked up in
    a map, or one a struct keeps and its own Stop calls."""
    own = [d for d in made if d.function == decl]
    cancels = {id(decl_): decl_ for d in own if (decl_ := target_decl(file, d.cancel_target)) is not None}
    scope = file.scope_for(decl)
    for ret in walk(decl):
        if ret.type != "return_statement" or enclosing_function(ret) != decl or not ret.named_child_count:
            continue
        values = expression_list(ret.named_children[0])
        if len(values) == 1 and any(d.call == unparen(values[0]) for d in own):
            return True  # return context.WithCancel(parent)
        value = unparen(values[index]) if index < len(values) else None
        found = file.decl_of(value) if value is not None and value.type == "identifier" else None
        if found is not None and id(found) in cancels and scope is not None:
            return not any(kept_in_struct(r) for r in scope.refs(found))
    return False


_CANCEL_TYPES = frozenset({"context.CancelFunc", "context.CancelCauseFunc"})


def _helper_calls(p: Pass) -> list[tuple[Derivation, str, bool]]:
    """Calls of functions that return a cancel function their caller must call, as derivations,
    each with whether the cancel must be used on every path (not when the helper can fail)."""
    out: list[tuple[Derivation, str, bool]] = []
    for call in calls_with_facts(p.file, frozenset(p.facts)):
        found = p.fact(call)
        if found is None:
            continue
        key, fact = found
        if not isinstance(fact, dict):
            continue
        outer = enclosing(call, NAMED_FUNCS)
        if outer is not None and declared_key(p.file, outer) == key:
            continue  # recursion
        name = short_name(key, declared_key(p.file, outer) or "" if outer is not None else "")
        d = bind_results(call, "WithCancel", int(fact.get("cancel", 1)))
        out.append((replace_fields(d, via=name), name, not fact.get("fails")))
    return out


def _name_and_defer(file: GoFile, d: Derivation) -> Fix | None:
    """`ctx, _ := context.WithX(...)` -> `ctx, cancel := ...` and `defer cancel()` on the next line.

    Only for a `:=` statement of a block outside any loop (a defer in a loop is CG102's leak),
    with a name nobody in the function uses yet."""
    stmt, target = d.stmt, d.cancel_target
    if d.form != "define" or stmt is None or target is None or d.function is None:
        return None
    if stmt.parent is None or stmt.parent.type not in ("statement_list", "block"):
        return None
    if loops_between(stmt, d.function) or not _stays_local(file, d):
        return None
    scope = file.scope_for(stmt)
    taken = {decl.name for decl in scope.decls} if scope is not None else set()
    pkg = file.package
    name = next(
        n
        for n in ("cancel", *(f"cancel{i}" for i in range(2, 100)))
        if n not in taken and (pkg is None or (pkg.function(n) is None and pkg.var_type(n) is None))
    )
    call = f"{name}(nil)" if d.func == "WithCancelCause" else f"{name}()"  # a CancelCauseFunc takes the cause
    line_start = file.source.rfind(b"\n", 0, stmt.start_byte) + 1
    indent = file.source[line_start : stmt.start_byte].decode()
    if indent.strip():
        return None  # not alone on its line
    line_end = file.source.find(b"\n", stmt.end_byte)
    at = len(file.source) if line_end < 0 else line_end
    newline = "\n"
    if line_end > 0 and file.source[line_end - 1 : line_end] == b"\r":
        at, newline = line_end - 1, "\r\n"  # keep a CRLF file CRLF
    return Fix(
        f"name the cancel function and defer {call}",
        (replace(target, name), insert(at, f"{newline}{indent}defer {call}")),
    )


_ESCAPES = frozenset({"go_statement", "func_literal", "send_statement", "keyed_element", "literal_element"})
# results that cannot carry the context out of the function
_PLAIN = frozenset({"error", "bool", "string", "int", "int64", "int32", "uint", "uint64", "float64", "[]byte"})


def _stays_local(file: GoFile, d: Derivation) -> bool:
    """The derived context is only used inside this call of the function: a deferred cancel
    cannot cut short anything that outlives it (a returned, stored or spawned context)."""
    decl = target_decl(file, d.ctx_target)
    scope = file.scope_for(d.call)
    if decl is None or scope is None or d.function is None:
        return False
    plain_results = all(r.type in _PLAIN for r in file.func_info(d.function).results)
    for ref in scope.refs(decl):
        cur = ref.parent
        while cur is not None and cur != d.function:
            if cur.type in _ESCAPES or (cur.type == "return_statement" and not plain_results):
                return False
            if cur.type == "assignment_statement" and not contains(cur.child_by_field_name("left") or cur, ref):
                return False
            cur = cur.parent
    return True


def _is_main(package: str, function: Node) -> bool:
    name = function.child_by_field_name("name")
    return package == "main" and function.type == "function_declaration" and name is not None and name.text == b"main"


def _uses(node: Node, refs: list[int]) -> bool:
    i = bisect_left(refs, node.start_byte)
    return i < len(refs) and refs[i] < node.end_byte


def _returns_named(ret: Node, decl: Decl) -> bool:
    """A naked return reads every named result."""
    return decl.kind == "result" and ret.named_child_count == 0


def _lost_path(graph: CFG, stmt: Node, decl: Decl, refs: list[int]) -> Node | None:
    """A return (or the closing brace) reachable from `stmt` without using `decl`."""
    located = graph.locate(stmt)
    if located is None:
        return None
    block, idx = located

    def exit_of(b: Block, nodes: list[Node]) -> tuple[bool, Node | None]:
        for n in nodes:
            if _uses(n, refs) or (b.ret is not None and n.id == b.ret.id and _returns_named(n, decl)):
                return True, None
        if b.ret is not None:
            return False, b.ret
        if b.falls_off:
            closing = graph.body.children[-1] if graph.body.child_count else graph.body
            return False, closing
        return False, None

    used, found = exit_of(block, block.nodes[idx + 1 :])
    if used:
        return None
    if found is not None:
        return found
    seen = {block.index}
    stack = list(reversed(block.succs))
    while stack:
        b = stack.pop()
        if b.index in seen:
            continue
        seen.add(b.index)
        used, found = exit_of(b, b.nodes)
        if used:
            continue
        if found is not None:
            return found
        stack.extend(reversed(b.succs))
    return None


RULE = Rule(
    code="CG101",
    name="lost-cancel",
    severity=Severity.ERROR,
    summary="cancel function discarded, or not used on every path to return",
    doc=DOC,
    check=check,
    # no needs_imports: a caller of a helper returning a cancel need not import context
    export_facts=export_facts,
)
