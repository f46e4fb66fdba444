"""Files from Go modules, fetched through the Go module proxy into the module cache (never committed)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest


def module_dir(module: str, version: str) -> Path:
    if shutil.which("go") is None:
        pytest.fail(f"the Go toolchain is needed to download {module}")
    out = subprocess.run(
        ["go", "mod", "download", "-json", f"{module}@{version}"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    return Path(json.loads(out)["Dir"])
