"""GitHub Actions workflow commands: an annotation per finding, then a summary.

GitHub shows at most 10 error and 10 warning annotations per step, so the
summary line (a plain log line) always gives the full count.
"""

from __future__ import annotations

import os

from ctxguard.lint.engine import LintResult
from ctxguard.report.text import summary
from ctxguard.rules import Rule

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def _workspace_path(path: str) -> str:
    """Annotations name files relative to the checkout (GITHUB_WORKSPACE), whatever directory ran."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return path
    rel = os.path.relpath(os.path.abspath(path), workspace)
    return path if rel.startswith("..") else rel.replace(os.sep, "/")


def render(result: LintResult, rules: tuple[Rule, ...], color: bool = False) -> str:
    out = []
    for f in result.findings:
        props = [f"file={_prop(_workspace_path(f.path))}", f"line={f.line}", f"endLine={f.end_line}"]
        if f.end_line == f.line:  # columns only make sense within one line
            props += [f"col={f.col}", f"endColumn={f.end_col}"]
        props.append(f"title={_prop(f'{f.code} {f.name}')}")
        out.append(f"::{_LEVEL[f.severity.value]} {','.join(props)}::{_data(f.message)}")
    out.append(summary(result))
    return "\n".join(out) + "\n"
