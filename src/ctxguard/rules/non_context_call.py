"""CG202 non-context-call: call without context that has a context-aware twin."""

from __future__ import annotations

from ctxguard.findings import Severity
from ctxguard.rules.base import Pass, Rule

DOC = """\
## What it finds
TODO
"""


def check(p: Pass) -> None:
    return


RULE = Rule(
    code="CG202",
    name="non-context-call",
    severity=Severity.WARNING,
    summary="call without context where a context-aware twin exists and a context is available",
    doc=DOC,
    check=check,
    needs_imports=frozenset({"context"}),
)
