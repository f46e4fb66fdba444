"""`path:line:col: CODE message`, one per line, then a summary (as go vet and ruff print)."""

from __future__ import annotations

from collections import Counter

import click

from ctxguard.lint.engine import LintResult
from ctxguard.rules import Rule


def render(result: LintResult, rules: tuple[Rule, ...], color: bool) -> str:
    def style(s: str, **kw: object) -> str:
        return click.style(s, **kw) if color else s  # type: ignore[arg-type]

    lines = []
    for f in result.findings:
        loc = style(f"{f.path}:{f.line}:{f.col}:", bold=True)
        code = style(f.code, fg="red" if f.severity == "error" else "yellow", bold=True)
        mark = " " + style("[*]", fg="cyan") if f.fix is not None else ""  # ruff's mark for a safe fix
        lines.append(f"{loc} {code}{mark} {_one_line(f.message)}")
    lines.append(summary(result))
    fixable = sum(1 for f in result.findings if f.fix is not None)
    if fixable:
        lines.append(f"[*] {fixable} fixable with `ctxguard lint --fix` (preview with --diff).")
    return "\n".join(lines) + "\n"


def _one_line(s: str) -> str:
    return s.replace("\r", " ").replace("\n", " ")


def summary(result: LintResult) -> str:
    n = len(result.findings)
    files = f"{result.files} file{'s' if result.files != 1 else ''}"
    if not n:
        return f"No findings in {files}."
    by_sev = Counter(f.severity.value for f in result.findings)
    parts = ", ".join(
        f"{by_sev[s]} {s}{'s' if by_sev[s] != 1 else ''}" for s in ("error", "warning", "info") if by_sev[s]
    )
    return f"Found {n} finding{'s' if n != 1 else ''} ({parts}) in {files}."
