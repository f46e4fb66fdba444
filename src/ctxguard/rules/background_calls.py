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

from ctxguard.gosrc.ctxfacts import ROOTS, available_context
from ctxguard.gosrc.detach import deliberate_detach, runs_detached
from ctxguard.gosrc.facts import declared_key, short_name
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.nochange import changes_nothing
from ctxguard.gosrc.syntax import call_args, call_of_callee, enclosing, text
from ctxguard.gosrc.testcode import in_test_code
from ctxguard.rules.base import FactPass, Pass
from ctxguard.rules.callfacts import (
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
    """`{"root": "context.Background()", "at": "store.go:41", "via": ["load"]}` for each function
    of the package that makes its own context (through `via`, the relaying callees)."""
    export_relayed(fp, _first_root, lambda file, call, decl: deliberate_detach(file, call, decl) is None)


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
        if key == own_key:
            continue  # recursion: the function's own root call is reported where it is
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


def _first_root(file: GoFile, decl: Node) -> dict[str, object] | None:
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
        if changes_nothing(file, call) or deliberate_detach(file, call, decl) is not None:
            continue
        return {"root": f"{text(call.child_by_field_name('function'))}()", "at": where(file, call)}
    return None
