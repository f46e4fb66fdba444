"""CG101 on go vet's own lostcancel test data: every line vet expects, and nothing else.

The data is read from golang.org/x/tools in the Go module cache (downloaded
through the module proxy by `go mod download`), never committed here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ctxguard.rules import BY_CODE

from gomod import module_dir
from lintkit import run_and_compare

TOOLS_VERSION = "v0.52.0"


@pytest.fixture(scope="module")
def lostcancel_testdata() -> Path:
    return module_dir("golang.org/x/tools", TOOLS_VERSION) / "go/analysis/passes/lostcancel/testdata/src"


def test_every_vet_expectation_gets_a_cg101_finding(lostcancel_testdata: Path) -> None:
    result, wants, problems = run_and_compare([lostcancel_testdata], (BY_CODE["CG101"],))
    assert len(wants) == 27  # vet's own count: a fixed point that tells if the data changed
    assert not problems, "\n".join(problems)
    assert len(result.findings) == len(wants)
