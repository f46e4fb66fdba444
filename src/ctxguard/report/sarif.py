"""SARIF 2.1.0 as GitHub code scanning accepts it.

Relative URIs against %SRCROOT%, 1-based regions (UTF-16 columns, SARIF's
default column kind), and `primaryLocationLineHash` fingerprints so that
re-uploads through the API do not duplicate alerts.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import PurePosixPath
from typing import Any

from ctxguard import __version__
from ctxguard.findings import Severity
from ctxguard.lint.engine import LintResult
from ctxguard.rules import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": "".join(w.capitalize() for w in rule.name.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc.split("## Why", 1)[0].replace("## What it finds", "").strip()},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": ["context", "goroutine-leak", rule.name], "precision": "high"},
    }


def render(result: LintResult, rules: tuple[Rule, ...], color: bool = False) -> str:
    index = {r.code: i for i, r in enumerate(rules)}
    seen: Counter[tuple[str, str]] = Counter()
    results = []
    for f in result.findings:
        seen[(f.path, f.fingerprint)] += 1
        region = {"startLine": f.line, "startColumn": f.col_utf16, "endColumn": f.end_col_utf16}
        if f.end_line != f.line:
            region["endLine"] = f.end_line
        else:  # an empty region (a point) still needs one column for viewers to show it
            region["endColumn"] = max(f.end_col_utf16, f.col_utf16 + 1)
        res: dict[str, Any] = {
            "ruleId": f.code,
            "level": _LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": PurePosixPath(f.path).as_posix(), "uriBaseId": "%SRCROOT%"},
                        "region": region,
                    }
                }
            ],
            "partialFingerprints": {"primaryLocationLineHash": f"{f.fingerprint}:{seen[(f.path, f.fingerprint)]}"},
        }
        if f.code in index:
            res["ruleIndex"] = index[f.code]
        results.append(res)
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ctxguard",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/ctxguard/",
                        "rules": [_rule(r) for r in rules],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The directory ctxguard ran in"}}},
                "results": results,
                "columnKind": "utf16CodeUnits",
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"
