"""CG000 syntax-error: the part of a file tree-sitter-go could not parse."""

from __future__ import annotations

from ctxguard.findings import Severity
from ctxguard.rules.base import Pass, Rule

DOC = """\
## What it finds
A region of a Go file that does not parse: a syntax error, or syntax newer
than the bundled tree-sitter-go grammar understands (for example Go 1.26's
`new(expr)`).

## Why it matters
ctxguard still analyses the rest of the file, but findings inside the broken
region may be missing. One finding is reported per file, at the first error.

## Bad
```go
func handler(w http.ResponseWriter, r *http.Request {   // missing ")"
```

## Good
```go
func handler(w http.ResponseWriter, r *http.Request) {
```
"""

_ERRORS = "(ERROR) @e (MISSING) @e"


def check(p: Pass) -> None:
    root = p.file.root
    if not root.has_error:
        return
    nodes = [caps["e"][0] for _, caps in p.file.query(_ERRORS)]
    if not nodes:
        return
    first = min(nodes, key=lambda n: n.start_byte)
    what = "missing " + first.type if first.is_missing else "unexpected syntax"
    more = f" ({len(nodes)} error regions)" if len(nodes) > 1 else ""
    p.report_at(
        first.start_point,
        first.start_point,
        f"could not parse this file here: {what}{more}; the rest of the file was analysed",
        first,
    )


RULE = Rule(
    code="CG000",
    name="syntax-error",
    severity=Severity.WARNING,
    summary="part of the file could not be parsed",
    doc=DOC,
    check=check,
)
