"""One pass per file for the nodes several rules start from.

A tree-sitter query walks the whole tree in C: one per fact costs a third of
the parse each, and even one combined query costs more than the rules that
read it. Most files hold a few of these nodes, so a regular expression finds
where they may be (its leading literal lets the engine skip ahead) and the
tree at each hit confirms them: comments and strings do not parse as calls.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tree_sitter import Node

from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.syntax import call_args, call_of_callee

DERIVATIONS = frozenset(
    {
        "WithCancel",
        "WithTimeout",
        "WithDeadline",
        "WithCancelCause",
        "WithTimeoutCause",
        "WithDeadlineCause",
        "WithValue",
        "WithoutCancel",
    }
)


def _derivation(name: Node) -> Node | None:
    """`context.WithCancel(...)` or a dot-imported `WithCancel(...)` (any `x.WithX` of an
    identifier: which package `x` is, the rules decide)."""
    call = call_of_callee(name)
    if call is None or name.text is None or name.text.decode() not in DERIVATIONS:
        return None
    if name.type == "field_identifier":
        operand = name.parent.child_by_field_name("operand") if name.parent is not None else None
        if operand is None or operand.type != "identifier":
            return None
    return call


def _go_statement(keyword: Node) -> Node | None:
    parent = keyword.parent
    return parent if keyword.type == "go" and parent is not None and parent.type == "go_statement" else None


def _make_chan(name: Node) -> Node | None:
    call = call_of_callee(name) if name.type == "identifier" and name.text == b"make" else None
    args = call_args(call) if call is not None else []
    return call if args and args[0].type == "channel_type" else None


# name -> (where the node may start, with the hit's group 1 on the token to confirm; confirmation)
PATTERNS: dict[str, tuple[re.Pattern[bytes], Callable[[Node], Node | None]]] = {
    "derivation": (
        re.compile(rb"(With(?:out)?(?:Cancel|Timeout|Deadline|Value)(?:Cause)?)\s*[(\[]"),
        _derivation,
    ),
    "go": (re.compile(rb"(go)[ \t]"), _go_statement),
    "makechan": (re.compile(rb"(make)\(\s*(?:<-\s*)?chan\b"), _make_chan),
}


def nodes(file: GoFile, name: str) -> list[Node]:
    """The nodes of pattern `name` in `file`, in source order."""
    known: dict[str, list[Node]] = file.memo("index", dict)
    if name not in known:
        known[name] = _find(file, *PATTERNS[name])
    return known[name]


def _find(file: GoFile, probe: re.Pattern[bytes], confirm: Callable[[Node], Node | None]) -> list[Node]:
    found: list[Node] = []
    root = file.root
    for m in probe.finditer(file.source):
        start, end = m.span(1)
        token = root.descendant_for_byte_range(start, end)
        node = confirm(token) if token is not None and token.start_byte == start else None
        if node is not None:
            found.append(node)
    return found
