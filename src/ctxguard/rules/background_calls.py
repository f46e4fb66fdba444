"""CG201 across functions: a call, where a caller context is in scope, of a function that makes its own.

The fact, exported per package for the packages importing it: a function or method with no
context of its own (no `context.Context` parameter, no request, no gRPC stream) that starts
from `context.Background()`/`TODO()`, directly or through callees that only relay (a function
without a context calling one with the fact). The same exemptions as CG201's own apply to
the root call (deliberate detaches, lookups for which a context changes nothing), and to the
call site (deferred or cleanup calls, code that runs once the caller's context is done).
"""

from __future__ import annotations

import re

from tree_sitter import Node

from ctxguard.gosrc.ctxfacts import ROOTS, available_context, is_context_type_text, is_write
from ctxguard.gosrc.detach import deliberate_detach, runs_detached
from ctxguard.gosrc.facts import declared_key, short_name
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.nochange import IgnoredArgument, changes_nothing, harmless_argument, outer_parens
from ctxguard.gosrc.syntax import call_args, call_of_callee, enclosing, text
from ctxguard.gosrc.testcode import in_test_code
from ctxguard.rules.base import FactPass, Pass
from ctxguard.rules.callfacts import (
    MAX_ROUNDS,
    NAMED_FUNCS,
    calls_with_facts,
    entry_point,
    every_call_runs,
    export_relayed,
    via_text,
    where,
)

_ROOT_CALL = re.compile(rb"\b(?:Background|TODO)\s*\(\s*\)")


def export_facts(fp: FactPass) -> None:
    """Two kinds of facts, by function:
    - `{"ignores": [0]}`: the context parameters (by position) that the function only hands to
      calls for which a caller's context changes nothing (a logger lookup, or another such
      function), or declares unused (`_`, unnamed): a fresh context passed there cuts nothing;
    - `{"root": "context.Background()", "at": "store.go:41", "via": [...]}`: the function makes
      its own context (through `via`, the relaying callees)."""
    _export_ignoring(fp)
    export_relayed(
        fp,
        lambda file, decl: _first_root(file, decl, _ignored_by(fp, file)),
        lambda file, call, decl: deliberate_detach(file, call, decl) is None,
    )


def ignored_by(p: Pass) -> IgnoredArgument:
    """The facts' `ignores` as changes_nothing reads them, for the file of `p`."""

    def ignored(call: Node, index: int) -> bool:
        found = p.fact(call)
        return found is not None and index in _ignores(found[1])

    return ignored


def _ignored_by(fp: FactPass, file: GoFile) -> IgnoredArgument:
    def ignored(call: Node, index: int) -> bool:
        found = fp.lookup(file, call)
        return found is not None and index in _ignores(found[1])

    return ignored


def _ignores(fact: object) -> list[int]:
    value = fact.get("ignores") if isinstance(fact, dict) else None
    return [i for i in value if isinstance(i, int)] if isinstance(value, list) else []


def _export_ignoring(fp: FactPass) -> None:
    """`ignores` for the package's functions, to a fixed point (one that hands its context only to
    another that ignores it ignores it too)."""
    candidates: list[tuple[GoFile, Node, str, list[tuple[int, str]]]] = []
    for file in fp.package.files:
        if b"Context" not in file.source:
            continue
        for decl in file.root.named_children:
            params = decl.child_by_field_name("parameters")
            if decl.type not in NAMED_FUNCS or params is None or b"Context" not in (params.text or b""):
                continue
            key = declared_key(file, decl)
            info = file.func_info(decl)
            named = [(i, p.name) for i, p in enumerate(info.params) if is_context_type_text(file, p.type)]
            if key is None or info.body is None or not named:
                continue
            candidates.append((file, decl, key, named))
    for _ in range(MAX_ROUNDS):
        changed = False
        for file, decl, key, named in candidates:
            found = sorted(i for i, name in named if _only_harmless(fp, file, decl, name))
            if found and found != _ignores(fp.fact(key)):
                fp.export(file, key, {"ignores": found})
                changed = True
        if not changed:
            break


def _only_harmless(fp: FactPass, file: GoFile, decl: Node, name: str) -> bool:
    """Parameter `name` is unused by declaration, or read only as an argument for which a
    caller's context would change nothing."""
    if name in ("", "_"):
        return True
    scope = file.scope_for(decl)
    param = next((d for d in scope.decls if d.kind == "param" and d.name == name), None) if scope else None
    if scope is None or param is None:
        return False
    reads = [r for r in scope.refs(param) if not is_write(r)]
    ignored = _ignored_by(fp, file)
    return bool(reads) and all(harmless_argument(file, outer_parens(r), ignored) for r in reads)


def check(p: Pass) -> None:
    """Report calls of functions that make their own context from code that has one to pass."""
    file = p.file
    seen: set[tuple[int, str]] = set()
    for call in calls_with_facts(file, frozenset(p.facts)):
        found = p.fact(call)
        outer = enclosing(call, NAMED_FUNCS)
        if found is None or outer is None or in_test_code(file, call) or entry_point(file, outer):
            continue
        key, fact = found
        own_key = declared_key(file, outer) or ""
        if key == own_key or not isinstance(fact, dict) or "root" not in fact:
            continue  # recursion (the function's own root call is reported where it is), or another fact
        if (outer.id, key) in seen:
            continue  # one finding per calling function and callee: the fix is one parameter
        seen.add((outer.id, key))
        avail = available_context(file, call)
        if avail is None or avail.decl.kind != "param" or runs_detached(file, call, outer):
            continue
        assert isinstance(fact, dict)
        p.report(
            call.child_by_field_name("function") or call,
            f"{short_name(key, own_key)} makes its own context{via_text(fact, own_key)} "
            f"({fact['root']} at {fact['at']}): "
            f"give it a context parameter and pass {avail.expr}",
        )


def _bounded(file: GoFile, call: Node) -> bool:
    """`context.WithTimeout(context.Background(), d)`: the function bounds its own work."""
    args = call.parent
    outer = args.parent if args is not None and args.type == "argument_list" else None
    return outer is not None and file.pkg_call(outer, "context") in _TIMEOUTS and call_args(outer)[:1] == [call]


_TIMEOUTS = frozenset({"WithTimeout", "WithDeadline", "WithTimeoutCause", "WithDeadlineCause"})


def _first_root(file: GoFile, decl: Node, ignored: IgnoredArgument) -> dict[str, object] | None:
    """The first `Background()`/`TODO()` that runs whenever the function does (see
    every_call_runs), is not a deliberate detach, not a context for which the caller's would
    change nothing, and not the parent of a timeout the function sets itself."""
    for m in _ROOT_CALL.finditer(file.source, decl.start_byte, decl.end_byte):
        name = file.root.descendant_for_byte_range(m.start(), m.start() + 1)
        call = call_of_callee(name) if name is not None else None
        if call is None or file.pkg_call(call, "context") not in ROOTS:
            continue
        if not every_call_runs(call, decl) or _bounded(file, call):
            continue
        if changes_nothing(file, call, ignored) or deliberate_detach(file, call, decl) is not None:
            continue
        return {"root": f"{text(call.child_by_field_name('function'))}()", "at": where(file, call)}
    return None
