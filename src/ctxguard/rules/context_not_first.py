"""CG203 context-not-first: context.Context parameter that is not the first parameter."""

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
    code="CG203",
    name="context-not-first",
    severity=Severity.INFO,
    summary="context.Context parameter that is not the first parameter",
    doc=DOC,
    check=check,
    needs_imports=frozenset({"context"}),
)
