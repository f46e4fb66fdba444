"""CG304 context-growth-in-loop: context reassigned from a derivation of itself inside a loop."""

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
    code="CG304",
    name="context-growth-in-loop",
    severity=Severity.ERROR,
    summary="context reassigned from a derivation of itself inside a loop",
    doc=DOC,
    check=check,
    needs_imports=frozenset({"context"}),
)
