"""CG001 unused-suppression: a `//ctxguard:ignore` that silences nothing.

The engine reports it after the other rules ran (see lint/suppress.py): only
then is it known which directives were used.
"""

from __future__ import annotations

from ctxguard.findings import Severity
from ctxguard.rules.base import Pass, Rule

DOC = """\
## What it finds
A `//ctxguard:ignore` directive that suppressed no finding, judged only when
every rule it names ran. `//nolint` directives are never reported: they may be
there for golangci-lint's own findings.

## Why it matters
Stale suppressions hide the next real leak on that line. When the code they
excused is fixed or moved, they should go.

## Bad
```go
ctx, cancel := context.WithTimeout(ctx, time.Second) //ctxguard:ignore CG101 cancelled by the pool
defer cancel()
```

## Good
```go
ctx, cancel := context.WithTimeout(ctx, time.Second)
defer cancel()
```
"""


def check(p: Pass) -> None:
    """Nothing per file: the engine reports unused directives once suppression is done."""


RULE = Rule(
    code="CG001",
    name="unused-suppression",
    severity=Severity.WARNING,
    summary="ctxguard:ignore directive that suppresses nothing",
    doc=DOC,
    check=check,
)
