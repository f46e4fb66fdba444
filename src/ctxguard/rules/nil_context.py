"""CG204 nil-context: nil passed where a context.Context is expected."""

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
    code="CG204",
    name="nil-context",
    severity=Severity.ERROR,
    summary="nil passed where a context.Context is expected",
    doc=DOC,
    check=check,
    needs_imports=frozenset({"context"}),
)
