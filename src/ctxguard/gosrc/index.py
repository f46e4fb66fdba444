"""One query pass per file for the nodes several rules start from.

A tree-sitter query walks the whole tree in C; running one per fact costs a
third of the parse each. So the facts share one combined query, and a cheap
byte-level check first drops the patterns a file cannot match (most files
never derive a context or start a goroutine).
"""

from __future__ import annotations

import re

from tree_sitter import Node

from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.parse import matches

_WITH = " ".join(
    f'"{name}"'
    for name in (
        "WithCancel",
        "WithTimeout",
        "WithDeadline",
        "WithCancelCause",
        "WithTimeoutCause",
        "WithDeadlineCause",
        "WithValue",
        "WithoutCancel",
    )
)

# name -> (bytes that must occur, query whose first capture is @name)
PATTERNS: dict[str, tuple[re.Pattern[bytes], str]] = {
    "derivation": (
        re.compile(rb"With(?:out)?(?:Cancel|Timeout|Deadline|Value)"),
        f"""
        (call_expression
          function: (selector_expression operand: (identifier) field: (field_identifier) @fn)
          (#any-of? @fn {_WITH})) @derivation
        (call_expression function: (identifier) @fn (#any-of? @fn {_WITH})) @derivation
        """,
    ),
    "go": (re.compile(rb"\bgo\s"), "(go_statement) @go"),
    "makechan": (
        re.compile(rb"\bmake\(\s*(?:<-\s*)?chan\b"),
        '(call_expression function: (identifier) @f arguments: (argument_list . (channel_type)) (#eq? @f "make"))'
        " @makechan",
    ),
}


def nodes(file: GoFile, name: str) -> list[Node]:
    """The nodes of pattern `name` in `file`, from the file's single combined query."""
    return file.memo("index", lambda: _build(file)).get(name, [])


def _build(file: GoFile) -> dict[str, list[Node]]:
    wanted = [n for n, (probe, _) in PATTERNS.items() if probe.search(file.source)]
    out: dict[str, list[Node]] = {n: [] for n in wanted}
    if not wanted:
        return out
    query = "\n".join(PATTERNS[n][1] for n in wanted)
    for _, caps in matches(query, file.root):
        for name in wanted:
            if name in caps:
                out[name].append(caps[name][0])
                break
    for found in out.values():
        found.sort(key=lambda n: n.start_byte)
    return out
