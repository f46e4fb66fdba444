"""`--statistics`: how many findings per rule (as ruff prints it), biggest first."""

from __future__ import annotations

import json
from collections import Counter

from ctxguard.lint.engine import LintResult


def render(result: LintResult, as_json: bool) -> str:
    counts = Counter((f.code, f.name) for f in result.findings)
    fixable = Counter((f.code, f.name) for f in result.findings if f.fix is not None)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if as_json:
        doc = [{"code": c, "name": n, "count": k, "fixable": fixable[(c, n)]} for (c, n), k in rows]
        return json.dumps(doc, indent=2) + "\n"
    width = max((len(str(k)) for _, k in rows), default=1)
    lines = [f"{k:>{width}}\t{c}\t{n}" + ("\t[*]" if fixable[(c, n)] else "") for (c, n), k in rows]
    if fixable:
        lines.append(f"[*] {sum(fixable.values())} fixable with `ctxguard lint --fix`.")
    return "\n".join(lines) + ("\n" if lines else "")
