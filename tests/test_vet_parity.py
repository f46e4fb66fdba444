"""CG101 on go vet's own lostcancel test data: every line vet expects, and nothing else.

The data is read from golang.org/x/tools in the Go module cache (downloaded
through the module proxy by `go mod download`), never committed here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from ctxguard.rules import BY_CODE
from lintkit import run_and_compare

TOOLS_VERSION = "v0.52.0"


@pytest.fixture(scope="module")
def lostcancel_testdata() -> Path:
    if shutil.which("go") is None:
        pytest.fail("the Go toolchain is needed to download golang.org/x/tools test data")
    out = subprocess.run(
        ["go", "mod", "download", "-json", f"golang.org/x/tools@{TOOLS_VERSION}"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    return Path(json.loads(out)["Dir"]) / "go/analysis/passes/lostcancel/testdata/src"


def test_every_vet_expectation_gets_a_cg101_finding(lostcancel_testdata: Path) -> None:
    result, wants, problems = run_and_compare([lostcancel_testdata], (BY_CODE["CG101"],))
    assert len(wants) == 27  # vet's own count: a fixed point that tells if the data changed
    assert not problems, "\n".join(problems)
    assert len(result.findings) == len(wants)
