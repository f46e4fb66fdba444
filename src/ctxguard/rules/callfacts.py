"""What the rules that export facts about functions share: relays to a fixed point, and finding the calls.

A fact of this kind says "calling this function does X" (makes its own context, calls an API
without its context twin). A function without a context of its own that calls one with the
fact does X too, through it: `via` names the callees in between. Within a package that is
a fixed point over its functions; across packages the importer reads the facts its imports
exported.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Mapping

from tree_sitter import Node

from ctxguard.gosrc.ctxfacts import CARRIERS, is_context_type_text
from ctxguard.gosrc.facts import declared_key, short_name
from ctxguard.gosrc.model import TESTING_TYPES, GoFile
from ctxguard.gosrc.syntax import call_of_callee, text
from ctxguard.rules.base import FactPass

NAMED_FUNCS = frozenset({"function_declaration", "method_declaration"})
# relays are followed to a fixed point; a bound keeps a pathological package cheap
MAX_ROUNDS = 16
# a chain longer than this is too far from the call for its caller to act on (measured: chains
# of 6 to 12 calls through error and cleanup paths on nats-server and moby)
MAX_VIA = 2

# what a function does itself: the fact's value without `via`, or None
Direct = Callable[[GoFile, Node], dict[str, object] | None]
# whether a call of a function with the fact, inside a relaying function, passes it on
Relays = Callable[[GoFile, Node, Node], bool]


def export_relayed(fp: FactPass, direct: Direct, relays: Relays) -> None:
    """Export `direct`'s fact for each function of the package without a context of its own
    (outside test code and entry points), then, to a fixed point, the same fact with `via` for
    the functions that call one that has it."""
    candidates: list[tuple[GoFile, Node, str]] = []
    functions = [
        (file, decl, key)
        for file in fp.package.files
        for decl in file.root.named_children
        if decl.type in NAMED_FUNCS and (key := declared_key(file, decl)) is not None
    ]
    # declared in several files (one per platform, by build tags): which one a caller gets is
    # not known here
    declared = Counter(key for _, _, key in functions)

    def exempt(file: GoFile, decl: Node) -> bool:
        # asked only of a function about to get the fact: most functions never do, and reading
        # a signature's parameters costs more than finding that nothing calls an API
        return has_own_context(file, decl) or entry_point(file, decl) or _test_function(file, decl)

    for file, decl, key in functions:
        if declared[key] > 1:
            continue
        found = direct(file, decl)
        if found is None:
            candidates.append((file, decl, key))
        elif not exempt(file, decl):
            fp.export(file, key, {**found, "via": []})
    imported = relayable(fp.imported)
    for _ in range(MAX_ROUNDS):
        if not candidates:
            break
        # the calls that may reach a function with the fact, found once per file and round by
        # name (most functions call none): not every call of every function resolved
        names = imported | relayable(fp.exported)
        by_file: dict[int, list[Node]] = {}
        changed = False
        left: list[tuple[GoFile, Node, str]] = []
        for file, decl, key in candidates:
            if id(file) not in by_file:
                by_file[id(file)] = calls_with_facts(file, names)
            calls = [c for c in by_file[id(file)] if decl.start_byte <= c.start_byte < decl.end_byte]
            relayed = _first_relay(fp, file, decl, key, relays, calls) if calls else None
            if relayed is None:
                left.append((file, decl, key))
            elif not exempt(file, decl):
                fp.export(file, key, relayed)
                changed = True
        candidates = left
        if not changed:
            break


def _first_relay(
    fp: FactPass, file: GoFile, decl: Node, key: str, relays: Relays, calls: list[Node]
) -> dict[str, object] | None:
    for call in calls:
        found = fp.lookup(file, call)
        if found is None or found[0] == key or not every_call_runs(call, decl) or not relays(file, call, decl):
            continue
        callee, fact = found
        if not isinstance(fact, dict) or "via" not in fact:
            continue  # another kind of fact the rule keeps in the same table
        via = fact.get("via")
        chain = [callee, *(via if isinstance(via, list) else [])]
        if len(chain) > MAX_VIA:
            continue
        return {**fact, "via": chain}
    return None


# a gRPC streaming handler's stream: `stream.Context()` (protoc-gen-go-grpc's `Svc_MethodServer`)
_STREAM = re.compile(r"(?:^|\.)[A-Za-z0-9]+_[A-Za-z0-9]+Server$|^google\.golang\.org/grpc\.\w*Server\b")


# nodes whose body runs only sometimes, or later, for the function holding them
_CONDITIONAL = frozenset(
    {
        "expression_case",
        "type_case",
        "default_case",
        "communication_case",
        "func_literal",
        "go_statement",
        "defer_statement",
    }
)


def every_call_runs(node: Node, decl: Node) -> bool:
    """`node` runs whenever `decl` runs to it: not in a branch of an `if` (its initialiser and
    condition do run), a case of a `switch` or `select`, a closure, a goroutine or a defer. A
    fact about a function is about what calling it does, not what one of its branches may do
    (a `Background()` only in the branch for an invalid status code is not the caller's to fix)."""
    cur = node
    while cur.parent is not None and cur.id != decl.id:
        parent = cur.parent
        if cur.type in _CONDITIONAL:
            return False
        if parent.type == "if_statement" and cur in (
            parent.child_by_field_name("consequence"),
            parent.child_by_field_name("alternative"),
        ):
            return False
        cur = parent
    return True


def relayable(facts: Mapping[str, object]) -> frozenset[str]:
    """The keys of the facts that relay (those with `via`): a rule may keep other kinds of facts
    in the same table (CG201's `ignores`), which no relay follows."""
    return frozenset(k for k, v in facts.items() if isinstance(v, dict) and "via" in v)


def has_own_context(file: GoFile, decl: Node) -> bool:
    """A context parameter, a request, a gRPC stream: a context the function was given (read
    from the signature: no scope table)."""
    body = decl.child_by_field_name("body")
    if body is None:
        return True
    if not any(m in file.source[decl.start_byte : body.start_byte] for m in _CARRIER_MARKERS):
        return False  # most functions: the signature cannot name a carrier
    return any(
        p.type in CARRIERS or is_context_type_text(file, p.type) or _STREAM.search(p.type)
        for p in file.func_info(decl).params
    )


# what a signature must spell for a parameter to carry a context (a context.Context, also
# dot-imported or aliased, an *http.Request, a gRPC stream, a *testing.T)
_CARRIER_MARKERS = (b"Context", b"Request", b"Server", b"testing", b"TB")


def _test_function(file: GoFile, decl: Node) -> bool:
    """Test code, read from the file name and the signature (as in_test_code, without a scope table)."""
    if file.path.endswith("_test.go"):
        return True
    body = decl.child_by_field_name("body")
    head = file.source[decl.start_byte : body.start_byte if body is not None else decl.end_byte]
    return b"testing" in head and any(p.type in TESTING_TYPES for p in file.func_info(decl).params)


def entry_point(file: GoFile, decl: Node) -> bool:
    """`main.main` and `init`: nothing calls them with a context."""
    name = text(decl.child_by_field_name("name"))
    return decl.type == "function_declaration" and (name == "init" or (name == "main" and file.package_name == "main"))


def calls_with_facts(file: GoFile, facts: frozenset[str]) -> list[Node]:
    """The calls of the file whose callee is named as one of the functions with facts (found
    from the bytes, confirmed by the tree); whether the callee is that function is the caller's
    to check with the call's key."""
    if not facts:
        return []
    pattern = _name_pattern(frozenset(k.rpartition("#")[2].rpartition(".")[2] for k in facts))
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


def via_text(fact: dict[str, object], from_key: str) -> str:
    """ " through a.b -> c", the relaying callees (keys in the fact) as the reader at `from_key` names them."""
    via = fact.get("via")
    if not isinstance(via, list) or not via:
        return ""
    return f" through {' -> '.join(short_name(str(v), from_key) for v in via)}"


def where(file: GoFile, node: Node) -> str:
    return f"{file.path.rsplit('/', 1)[-1]}:{node.start_point[0] + 1}"
