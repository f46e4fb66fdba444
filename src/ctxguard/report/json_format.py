"""Machine-readable findings: one JSON document."""

from __future__ import annotations

import json

from ctxguard import __version__
from ctxguard.lint.engine import LintResult
from ctxguard.rules import Rule


def render(result: LintResult, rules: tuple[Rule, ...], color: bool = False) -> str:
    doc = {
        "tool": {"name": "ctxguard", "version": __version__},
        "findings": [
            {
                "code": f.code,
                "name": f.name,
                "severity": f.severity.value,
                "path": f.path,
                "line": f.line,
                "column": f.col,
                "end_line": f.end_line,
                "end_column": f.end_col,
                "message": f.message,
                "function": f.function,
                "fingerprint": f.fingerprint,
            }
            for f in result.findings
        ],
        "summary": {
            "findings": len(result.findings),
            "files": result.files,
            "packages": result.packages,
            "skipped_generated": result.skipped_generated,
            "errors": list(result.errors),
            "rules": [r.code for r in rules],
        },
    }
    return json.dumps(doc, indent=2) + "\n"
