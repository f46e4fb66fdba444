"""Every rule against its Go fixtures: each `// want` met, nothing else reported."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ctxguard.rules import ALL_RULES

from lintkit import FIXTURES, assert_builds, rule_for_folder, run_and_compare

FOLDERS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


@pytest.mark.parametrize("folder", FOLDERS)
def test_fixture_folder(folder: str) -> None:
    rule = rule_for_folder(folder)
    _, wants, problems = run_and_compare([FIXTURES / folder], (rule,))
    assert wants, f"{folder} has no want comments"
    assert not problems, "\n".join(problems)


# CG000 reports parse errors and CG001 unused suppressions: both have their own tests
@pytest.mark.parametrize("rule", [r for r in ALL_RULES if r.code not in ("CG000", "CG001")], ids=lambda r: r.code)
def test_every_rule_has_rich_fixtures(rule) -> None:  # type: ignore[no-untyped-def]
    folder = FIXTURES / rule.check.__module__.rsplit(".", 1)[-1]
    assert folder.is_dir(), f"{rule.code} has no fixture folder {folder}"
    text = "\n".join(p.read_text() for p in folder.glob("*.go"))
    wants = len(re.findall(r'//\s*want\b.*?(?:"(?:[^"\\]|\\.)*"|`[^`]*`)', text))
    clean = len(re.findall(r"//\s*ok\b", text))
    assert wants >= 12, f"{rule.code}: only {wants} want cases"
    assert clean >= wants, f"{rule.code}: {clean} clean cases for {wants} want cases"


def test_fixtures_of_one_rule_stay_clean_under_the_others() -> None:
    """No rule fires on another rule's clean lines unless that fixture expects it."""
    for folder in FOLDERS:
        own = rule_for_folder(folder)
        others = tuple(r for r in ALL_RULES if r.code not in (own.code, "CG000"))
        result, _, _ = run_and_compare([FIXTURES / folder], others)
        assert all(f.code != "CG000" for f in result.findings)


@pytest.mark.parametrize("folder", FOLDERS)
def test_fixture_folder_is_valid_go(folder: str, tmp_path: Path) -> None:
    """Fixtures are real Go: they build with the Go toolchain (and gofmt leaves them alone)."""
    if shutil.which("go") is None:
        pytest.fail("the Go toolchain is needed to build the fixtures")
    # a folder may bring its own go.mod with stand-in modules (sqlx, grpc) under _stubs/
    shutil.copytree(FIXTURES / folder, tmp_path, dirs_exist_ok=True)
    assert_builds(tmp_path)
