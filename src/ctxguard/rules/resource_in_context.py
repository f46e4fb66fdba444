"""CG302 resource-in-context: connection, handle, lock, channel or file stored as a context value."""

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
    code="CG302",
    name="resource-in-context",
    severity=Severity.WARNING,
    summary="connection, handle, lock, channel or file stored as a context value",
    doc=DOC,
    check=check,
    needs_imports=frozenset({"context"}),
)
