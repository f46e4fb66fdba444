"""Checkstyle XML, which Jenkins' warnings-ng, reviewdog and many code review tools read."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from ctxguard.lint.engine import LintResult
from ctxguard.report.xmltext import xml_safe
from ctxguard.rules import Rule


def render(result: LintResult, rules: tuple[Rule, ...], color: bool = False) -> str:
    root = ET.Element("checkstyle", version="5.0")
    for path, group in groupby(result.findings, key=lambda f: f.path):
        file = ET.SubElement(root, "file", name=xml_safe(path))
        for f in group:
            ET.SubElement(
                file,
                "error",
                line=str(f.line),
                column=str(f.col),
                severity=f.severity.value,  # checkstyle's own names: error, warning, info
                message=xml_safe(f.message),
                source=f"ctxguard.{f.code}.{f.name}",
            )
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
