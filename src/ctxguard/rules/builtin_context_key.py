"""CG301 builtin-context-key: context.WithValue key of a built-in type."""

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
    code="CG301",
    name="builtin-context-key",
    severity=Severity.WARNING,
    summary="context.WithValue key of a built-in type",
    doc=DOC,
    check=check,
    needs_imports=frozenset({"context"}),
)
