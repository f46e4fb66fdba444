"""JUnit XML: one test suite per file, one failing test case per finding (as golangci-lint writes it),
so CI systems that only read test reports still show the findings."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from ctxguard.lint.engine import LintResult
from ctxguard.report.xmltext import xml_safe
from ctxguard.rules import Rule


def render(result: LintResult, rules: tuple[Rule, ...], color: bool = False) -> str:
    root = ET.Element("testsuites", name="ctxguard", tests=str(len(result.findings)))
    root.set("failures", str(len(result.findings)))
    for path, group in groupby(result.findings, key=lambda f: f.path):
        found = list(group)
        where = xml_safe(path)
        suite = ET.SubElement(root, "testsuite", name=where, tests=str(len(found)), failures=str(len(found)))
        for f in found:
            loc, msg = f"{where}:{f.line}:{f.col}", xml_safe(f.message)
            case = ET.SubElement(suite, "testcase", name=f"{f.code} {f.name}", classname=loc)
            fail = ET.SubElement(case, "failure", message=f"{loc}: {msg}", type=f.code)
            fail.text = f"{f.severity.value}: {f.code} {f.name}\n{loc}\n{msg}"
    if not result.findings:  # an empty report still needs a suite for some CI parsers
        suite = ET.SubElement(root, "testsuite", name="ctxguard", tests="1", failures="0")
        ET.SubElement(suite, "testcase", name="lint", classname="ctxguard")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
