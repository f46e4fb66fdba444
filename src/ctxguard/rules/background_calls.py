"""CG201 across functions: a call, where a caller context is in scope, of a function that makes its own.

The fact, exported per package for the packages importing it: a function or method with no
context of its own (no `context.Context` parameter, no request, no gRPC stream) that starts
from `context.Background()`/`TODO()`, directly or through callees that only relay (a function
without a context calling one with the fact). The same exemptions as CG201's own apply to
the root call (deliberate detaches, lookups for which a context changes nothing), and to the
call site (deferred or cleanup calls, code that runs once the caller's context is done).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from tree_sitter import Node

from ctxguard.gosrc.ctxfacts import ROOTS, available_context
from ctxguard.gosrc.detach import deliberate_detach
from ctxguard.gosrc.facts import declared_key, short_name
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.nochange import changes_nothing
from ctxguard.gosrc.syntax import call_of_callee, enclosing, text, walk
from ctxguard.gosrc.testcode import in_test_code
from ctxguard.rules.base import FactPass, Pass

_ROOT_CALL = re.compile(rb"\b(?:Background|TODO)\s*\(\s*\)")
_NAMED = frozenset({"function_declaration", "method_declaration"})
# relays are followed to a fixed point; a bound keeps a pathological package cheap
_MAX_ROUNDS = 16


def export_facts(fp: FactPass) -> None:
    """`{"root": "context.Background()", "at": "store.go:41", "via": ["load"]}` for each function
    of the package that makes its own context (through `via`, the relaying callees)."""
    candidates: list[tuple[GoFile, Node, str]] = []
    for file in fp.package.files:
        for decl in file.root.named_children:
            if decl.type not in _NAMED or _has_own_context(file, decl) or _entry_point(file, decl):
                continue
            key = declared_key(file, decl)
            if key is None or in_test_code(file, decl):
                continue
            root = _first_root(file, decl)
            if root is not None:
                fp.export(file, key, root)
            else:
                candidates.append((file, decl, key))
    for _ in range(_MAX_ROUNDS):
        changed = False
        for file, decl, key in candidates:
            if fp.fact(key) is not None:
                continue
            relayed = _first_relay(fp, file, decl, key)
            if relayed is not None:
                fp.export(file, key, relayed)
                changed = True
        if not changed:
            break


def check(p: Pass) -> None:
    """Report calls of functions that make their own context from code that has one to pass."""
    if not p.facts:
        return
    file = p.file
    own_key = ""
    for call in _calls_of(file, frozenset(p.facts)):
        found = p.fact(call)
        if found is None or in_test_code(file, call):
            continue
        key, fact = found
        outer = enclosing(call, _NAMED)
        if outer is None:
            continue
        own_key = declared_key(file, outer) or ""
        if key == own_key:
            continue  # recursion: the function's own root call is reported where it is
        avail = available_context(file, call)
        if avail is None or avail.decl.kind != "param" or _entry_point(file, outer):
            continue
        if deliberate_detach(file, call, outer) is not None:
            continue
        name = short_name(key, own_key)
        assert isinstance(fact, dict)
        via = [str(v) for v in fact.get("via", [])]
        through = f" through {' -> '.join(via)}" if via else ""
        p.report(
            call.child_by_field_name("function") or call,
            f"{name} makes its own context{through} ({fact['root']} at {fact['at']}): "
            f"give it a context parameter and pass {avail.expr}",
        )


def _has_own_context(file: GoFile, decl: Node) -> bool:
    body = decl.child_by_field_name("body")
    return body is None or available_context(file, body) is not None


def _entry_point(file: GoFile, decl: Node) -> bool:
    name = text(decl.child_by_field_name("name"))
    return decl.type == "function_declaration" and (name == "init" or (name == "main" and file.package_name == "main"))


def _first_root(file: GoFile, decl: Node) -> dict[str, object] | None:
    """The first `Background()`/`TODO()` of the function that is not a deliberate detach nor a
    context for which the caller's would change nothing; closures count (they run for it)."""
    source = file.source
    for m in _ROOT_CALL.finditer(source, decl.start_byte, decl.end_byte):
        name = file.root.descendant_for_byte_range(m.start(), m.start() + 1)
        call = call_of_callee(name) if name is not None else None
        if call is None or file.pkg_call(call, "context") not in ROOTS:
            continue
        if available_context(file, call) is not None:
            continue  # a closure with a context parameter of its own
        if changes_nothing(file, call) or deliberate_detach(file, call, decl) is not None:
            continue
        root = f"{text(call.child_by_field_name('function'))}()"
        return {"root": root, "at": f"{_base(file.path)}:{call.start_point[0] + 1}", "via": []}
    return None


def _first_relay(fp: FactPass, file: GoFile, decl: Node, key: str) -> dict[str, object] | None:
    """The first call in the function of one that makes its own context (not itself)."""
    for call in _calls_in(decl):
        found = fp.lookup(file, call)
        if found is None or found[0] == key or deliberate_detach(file, call, decl) is not None:
            continue
        callee, fact = found
        assert isinstance(fact, dict)
        via = [short_name(callee, key), *fact.get("via", [])]
        return {"root": fact["root"], "at": fact["at"], "via": via}
    return None


def _calls_in(node: Node) -> Iterator[Node]:
    return (n for n in walk(node) if n.type == "call_expression")


def _calls_of(file: GoFile, keys: frozenset[str]) -> list[Node]:
    """Calls by one of the names the facts hold, found from the bytes and confirmed by the tree."""
    pattern = _name_pattern(frozenset(k.rpartition("#")[2].rpartition(".")[2] for k in keys))
    out: list[Node] = []
    for m in pattern.finditer(file.source):
        node = file.root.descendant_for_byte_range(m.start("name"), m.end("name"))
        call = call_of_callee(node) if node is not None else None
        if call is not None:
            out.append(call)
    return out


@functools.lru_cache(maxsize=64)
def _name_pattern(names: frozenset[str]) -> re.Pattern[bytes]:
    alternatives = b"|".join(re.escape(n.encode()) for n in sorted(names, key=lambda n: (-len(n), n)))
    return re.compile(rb"\b(?P<name>" + alternatives + rb")\s*[(\[]")


def _base(path: str) -> str:
    return path.rsplit("/", 1)[-1]

