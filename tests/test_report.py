"""Reporters: SARIF valid against the official 2.1.0 schema, JSON and text as documented."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from ctxguard.findings import Finding, Severity
from ctxguard.lint.discovery import Discovery, discover
from ctxguard.lint.engine import LintResult
from ctxguard.lint.run import lint
from ctxguard.report import json_format, sarif, text
from ctxguard.rules import ALL_RULES

from gomod import module_dir
from lintkit import FIXTURES

# gosec keeps a copy of the OASIS schema in its test data; the Go module proxy serves it
GOSEC = ("github.com/securego/gosec/v2", "v2.26.1")


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, object]:
    path = module_dir(*GOSEC) / "report/sarif/testdata/sarif-schema-2.1.0.json"
    schema: dict[str, object] = json.loads(path.read_text())
    assert "sarif-schema-2.1.0" in str(schema["id"])
    return schema


@pytest.fixture(scope="module")
def fixtures_result() -> LintResult:
    return lint(discover([str(FIXTURES)], Discovery(include_testdata=True)), ALL_RULES, jobs=1)


def test_sarif_validates_against_the_official_schema(sarif_schema: dict[str, object], fixtures_result) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(sarif.render(fixtures_result, ALL_RULES))
    jsonschema.Draft4Validator(sarif_schema).validate(doc)
    run = doc["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [r.code for r in ALL_RULES]
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert "## Bad" in rule["help"]["markdown"] or rule["id"] == "CG000"
    results = run["results"]
    assert len(results) == len(fixtures_result.findings) > 100
    for res in results:
        loc = res["locations"][0]["physicalLocation"]
        assert not loc["artifactLocation"]["uri"].startswith("/")
        assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1
        assert res["partialFingerprints"]["primaryLocationLineHash"].count(":") == 1
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]
    assert len(set(hashes)) == len(hashes)


def _finding(path: str, line: int, message: str, col: int = 5) -> Finding:
    return Finding(
        "CG101", "lost-cancel", Severity.ERROR, path, line, col, line, col + 3, message, "f", "abc", col, col + 3
    )


def test_sarif_columns_are_utf16_and_lines_span() -> None:
    f = Finding("CG105", "orphaned-send", Severity.ERROR, "a.go", 3, 9, 5, 2, "m", "g", "h", 6, 2)
    res = json.loads(sarif.render(LintResult((f,), 1, 1, 0, ()), ALL_RULES))["runs"][0]["results"][0]
    assert res["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3,
        "startColumn": 6,
        "endLine": 5,
        "endColumn": 2,
    }


def test_text_keeps_one_finding_per_line() -> None:
    result = LintResult((_finding("a.go", 1, "two\nlines"),), 1, 1, 0, ())
    assert text.render(result, ALL_RULES, color=False).splitlines()[0] == "a.go:1:5: CG101 two lines"


def test_json_contract(fixtures_result: LintResult) -> None:
    doc = json.loads(json_format.render(fixtures_result, ALL_RULES))
    assert doc["summary"]["findings"] == len(doc["findings"])
    first = doc["findings"][0]
    assert set(first) == {
        "code",
        "name",
        "severity",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "function",
        "fingerprint",
    }
    assert Path(first["path"]).parts[:2] == ("testdata", "lint")


def test_fingerprint_survives_moving_a_line(tmp_path: Path) -> None:
    src = (FIXTURES / "lost_cancel" / "basic.go").read_text()
    (tmp_path / "a.go").write_text(src)
    before = lint(discover([str(tmp_path)], Discovery()), ALL_RULES, jobs=1).findings
    (tmp_path / "a.go").write_text(src.replace("package lostcancel\n", "package lostcancel\n\n// moved\n\n", 1))
    after = lint(discover([str(tmp_path)], Discovery()), ALL_RULES, jobs=1).findings
    assert [f.line + 3 for f in before] == [f.line for f in after]
    assert [f.fingerprint for f in before] == [f.fingerprint for f in after]
