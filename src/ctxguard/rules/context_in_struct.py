"""CG303 context-in-struct: context.Context stored in a struct field."""

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
    code="CG303",
    name="context-in-struct",
    severity=Severity.WARNING,
    summary="context.Context stored in a struct field",
    doc=DOC,
    check=check,
    needs_imports=frozenset({"context"}),
)
