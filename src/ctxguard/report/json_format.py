"""Machine-readable findings: one JSON document."""

from __future__ import annotations

import json

from ctxguard import __version__
from ctxguard.findings import Finding
from ctxguard.lint.engine import LintResult
from ctxguard.rules import Rule


def finding_dict(f: Finding) -> dict[str, object]:
    d: dict[str, object] = {
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
    if f.fix is not None:
        d["fix"] = {
            "description": f.fix.description,
            "edits": [{"start_byte": e.start, "end_byte": e.end, "text": e.text} for e in f.fix.edits],
        }
    return d


def render(result: LintResult, rules: tuple[Rule, ...], color: bool = False) -> str:
    doc = {
        "tool": {"name": "ctxguard", "version": __version__},
        "findings": [finding_dict(f) for f in result.findings],
        "summary": {
            "findings": len(result.findings),
            "files": result.files,
            "packages": result.packages,
            "skipped_generated": result.skipped_generated,
            "errors": list(result.errors),
            "cached_packages": result.cached_packages,
            "suppressed": result.suppressed,
            "rules": [r.code for r in rules],
        },
    }
    return json.dumps(doc, indent=2) + "\n"


def render_lines(result: LintResult, rules: tuple[Rule, ...], color: bool = False) -> str:
    """One JSON object per finding per line, nothing else: for streaming into jq or a log pipeline."""
    return "".join(json.dumps(finding_dict(f), separators=(",", ":")) + "\n" for f in result.findings)
