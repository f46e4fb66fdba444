"""CG201 background-in-scope: context.Background()/TODO() where a caller context is available."""

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
    code="CG201",
    name="background-in-scope",
    severity=Severity.WARNING,
    summary="context.Background()/TODO() where a caller context is available",
    doc=DOC,
    check=check,
    needs_imports=frozenset({"context"}),
)
