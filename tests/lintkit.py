"""Shared helpers for lint tests: run rules over a folder and compare with `// want` comments."""

from __future__ import annotations

from pathlib import Path

from ctxguard.lint.discovery import Discovery, discover
from ctxguard.lint.engine import LintResult, load_package
from ctxguard.lint.expect import Expectation, compare, expectations
from ctxguard.lint.run import lint
from ctxguard.rules import ALL_RULES, Rule

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "testdata" / "lint"


def rule_for_folder(folder: str) -> Rule:
    """testdata/lint/<module>/ holds the fixtures of rules/<module>.py."""
    for r in ALL_RULES:
        if r.check.__module__.rsplit(".", 1)[-1] == folder:
            return r
    raise LookupError(f"no rule module named {folder}")


def run_and_compare(
    paths: list[str | Path], rules: tuple[Rule, ...], jobs: int = 1
) -> tuple[LintResult, list[Expectation], list[str]]:
    units = discover([str(p) for p in paths], Discovery(include_testdata=True))
    result = lint(units, rules, jobs=jobs)
    wants: list[Expectation] = []
    for u in units:
        packages, _, _ = load_package(u)
        for pkg in packages:
            for f in pkg.files:
                wants.extend(expectations(f))
    problems = compare(result.findings, wants, [r.code for r in rules])
    return result, wants, problems


def assert_builds(folder: Path) -> None:
    """`folder` (a copy of a fixture folder) is a Go module that builds and is gofmt-clean."""
    import os
    import subprocess

    if not (folder / "go.mod").exists():
        (folder / "go.mod").write_text("module fixture\n\ngo 1.26\n")
    env = {**os.environ, "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local"}
    build = subprocess.run(["go", "build", "./..."], cwd=folder, capture_output=True, text=True, env=env)
    assert build.returncode == 0, build.stderr
    fmt = subprocess.run(["gofmt", "-l", "."], cwd=folder, capture_output=True, text=True)
    assert fmt.stdout == "", f"not gofmt'ed: {fmt.stdout}"
