"""The leak lab as static test data: `ctxguard lint lab/` finds exactly the annotated leaks.

Every leaky line of the lab carries `// want "CGnnn"` for each rule that applies;
the fixed twins carry none.
"""

from __future__ import annotations

from ctxguard.rules import ALL_RULES

from lintkit import REPO, run_and_compare


def test_lint_matches_the_lab_annotations() -> None:
    rules = tuple(r for r in ALL_RULES if r.code != "CG000")
    result, _wants, problems = run_and_compare([REPO / "lab"], rules)
    assert not problems, "\n".join(problems)
    leak_codes = {"CG101", "CG102", "CG103", "CG104", "CG105", "CG201", "CG202", "CG302", "CG303", "CG304"}
    assert {f.code for f in result.findings} == leak_codes
    assert all(f.path.endswith("leaky.go") for f in result.findings)
