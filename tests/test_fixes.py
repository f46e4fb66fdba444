"""Safe fixes against their golden files: `<fixture>.go.golden` is the fixture after `--fix`."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from ctxguard.findings import Edit, Fix
from ctxguard.lint.discovery import Discovery, discover
from ctxguard.lint.fixes import FileFix, apply_edits, plan_fixes
from ctxguard.lint.run import lint

from lintkit import FIXTURES, assert_builds, rule_for_folder

GOLDENS = sorted(FIXTURES.glob("*/**/*.go.golden"))
FIX_FOLDERS = sorted({g.relative_to(FIXTURES).parts[0] for g in GOLDENS})


def _plans(folder: Path) -> list[FileFix]:
    units = discover([str(folder)], Discovery(include_testdata=True))
    result = lint(units, (rule_for_folder(folder.name),), jobs=1)
    return plan_fixes(result.findings, units)


@pytest.mark.parametrize("folder", FIX_FOLDERS)
def test_fixes_match_golden_files(folder: str) -> None:
    plans = {Path(p.disk_path).resolve(): p for p in _plans(FIXTURES / folder)}
    goldens = {g.with_suffix("").resolve(): g for g in (FIXTURES / folder).rglob("*.go.golden")}
    fixed = {path for path, p in plans.items() if p.applied}
    assert fixed == set(goldens), "every fixed fixture has a golden file and every golden file is fixed"
    for path, golden in goldens.items():
        plan = plans[path]
        assert not plan.rejected, f"{path.name}: fixes that did not verify: {[f.line for f in plan.rejected]}"
        assert plan.fixed.decode() == golden.read_text(), f"{path.name} differs from {golden.name}"


@pytest.mark.parametrize("folder", FIX_FOLDERS)
def test_fixed_fixtures_build(folder: str, tmp_path: Path) -> None:
    """The fixed code is valid, gofmt-clean Go: fixes never break a build."""
    shutil.copytree(FIXTURES / folder, tmp_path, dirs_exist_ok=True)
    for golden in tmp_path.rglob("*.go.golden"):
        golden.replace(golden.with_suffix(""))
    assert_builds(tmp_path)


def test_every_fix_capable_rule_has_golden_files() -> None:
    for folder in ("lost_cancel", "non_context_call", "nil_context", "context_growth_in_loop"):
        assert folder in FIX_FOLDERS, f"{folder} has no .go.golden file"


def test_overlapping_edits_keep_the_first() -> None:
    src = b"0123456789"
    assert apply_edits(src, [Edit(2, 4, "ab"), Edit(3, 5, "zz"), Edit(8, 8, "!")]) == b"01ab456789"[:8] + b"!89"


def test_a_fix_that_does_not_help_is_rejected(tmp_path: Path) -> None:
    """A fix whose result still has the finding (here: one that changes nothing) is not applied."""
    src = (FIXTURES / "lost_cancel" / "basic.go").read_text()
    (tmp_path / "basic.go").write_text(src)
    units = discover([str(tmp_path)], Discovery())
    result = lint(units, (rule_for_folder("lost_cancel"),), jobs=1)
    noop = [replace(f, fix=Fix("no-op", (Edit(0, 0, ""),))) for f in result.findings]
    plans = plan_fixes(noop, units)
    assert plans and all(not p.applied and p.rejected for p in plans)
