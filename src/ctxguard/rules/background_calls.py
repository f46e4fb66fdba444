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

from ctxguard.gosrc.ctxfacts import ROOTS, available_context, is_context_type_text
from ctxguard.gosrc.detach import deliberate_detach, runs_detached
from ctxguard.gosrc.facts import declared_key, short_name
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.nochange import LOOKUP_NAMES, IgnoredArgument, changes_nothing, harmless_argument, outer_parens
from ctxguard.gosrc.syntax import call_args, call_name, call_of_callee, enclosing, text
from ctxguard.gosrc.testcode import in_test_code
from ctxguard.rules.base import FactPass, Pass
from ctxguard.rules.callfacts import (
    MAX_ROUNDS,
    NAMED_FUNCS,
    calls_with_facts,
    entry_point,
    every_call_runs,
    export_relayed,
    relayable,
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


def _harmless_callees(fp: FactPass) -> frozenset[str]:
    """The names of the calls a context may reach without mattering: the lookups, the functions
    with an `ignores` fact, and WithoutCancel (a cheap filter before resolving the callee)."""
    known = {k.rpartition("#")[2].rpartition(".")[2] for k, v in {**fp.imported, **fp.exported}.items() if _ignores(v)}
    return frozenset(known) | LOOKUP_NAMES


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
        callees = _harmless_callees(fp)
        for file, decl, key, named in candidates:
            found = sorted(i for i, name in named if _only_harmless(fp, file, decl, name, callees))
            if found and found != _ignores(fp.fact(key)):
                fp.export(file, key, {"ignores": found})
                changed = True
        if not changed:
            break


def _only_harmless(fp: FactPass, file: GoFile, decl: Node, name: str, callees: frozenset[str]) -> bool:
    """Parameter `name` is unused by declaration, or read only as an argument for which a
    caller's context would change nothing.

    Every identifier `name` in the body counts, whatever it resolves to: no scope table is
    built (most functions of a module take a context). A shadowing variable can only make
    the answer "no" where a scope table would say "yes", never the other way round."""
    if name in ("", "_"):
        return True
    body = decl.child_by_field_name("body")
    if body is None:
        return False
    ignored = _ignored_by(fp, file)
    uses = 0
    for m in re.finditer(
        rb"(?<![\w.])" + re.escape(name.encode()) + rb"\b", file.source[body.start_byte : body.end_byte]
    ):
        start = body.start_byte + m.start()
        node = file.root.descendant_for_byte_range(start, start + len(name))
        if node is None or node.type != "identifier":
            continue  # in a string or a comment
        uses += 1
        arg = outer_parens(node)
        args = arg.parent
        call = args.parent if args is not None and args.type == "argument_list" else None
        if call is None or call.type != "call_expression" or call_name(call)[1] not in callees:
            return False  # used otherwise than as an argument of a call that could ignore it
        if not harmless_argument(file, arg, ignored):
            return False
    return uses > 0


def check(p: Pass) -> None:
    """Report calls of functions that make their own context from code that has one to pass."""
    file = p.file
    seen: set[tuple[int, str]] = set()
    for call in calls_with_facts(file, relayable(p.facts)):
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
