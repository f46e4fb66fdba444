"""Committed artifacts of real Go programs, Go 1.19 to 1.27 (testdata/runtime/go1.NN,
made by testdata/runtime/gen): every one decodes, and the goroutine dumps match the
ground truth counted from the raw text when they were made (groundtruth.json)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from ctxguard.runtime.goroutine_text import parse_status
from ctxguard.runtime.load import load_file

OWN_CODE = ("main.", "durable.")  # the generator's packages
ROOT = Path(__file__).resolve().parents[2] / "testdata" / "runtime"
VERSIONS = sorted(p for p in ROOT.glob("go1.*") if p.is_dir())
ARTIFACTS = sorted(
    p
    for v in VERSIONS
    for p in v.iterdir()
    if p.is_file() and p.suffix in (".txt", ".gz", ".pb") and p.name != "RUN.txt"
)


def test_every_version_is_there() -> None:
    assert [v.name for v in VERSIONS] == [f"go1.{n}" for n in range(19, 28)]


@pytest.mark.parametrize("path", ARTIFACTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_artifact_decodes_as_its_ground_truth_says(path: Path) -> None:
    snap = load_file(str(path))
    truth_file = path.parent / "groundtruth.json"
    truth = json.loads(truth_file.read_text()).get(path.name, {}) if truth_file.exists() else {}
    if "goroutines" in truth and snap.format == "goroutine-text":
        assert snap.goroutines == truth["goroutines"]
        if "by_status_and_function" in truth:
            got: Counter[tuple[str, str]] = Counter()
            for g in snap.groups:
                loc = g.stack.location()
                for state, n in g.states:
                    # the ground truth names functions by their last path element
                    got[(state, loc.function.rsplit("/", 1)[-1] if loc else "<stack unavailable>")] += n
            want: Counter[tuple[str, str]] = Counter()
            for row in truth["by_status_and_function"]:  # statuses with their suffixes (minutes, ...)
                if row["function"].startswith(OWN_CODE):  # where the program's own goroutines wait
                    want[(parse_status(row["status"])[0], row["function"])] += row["count"]
            assert {k: got[k] for k in want} == dict(want)
    if snap.format.startswith(("goroutine", "goroutineleak")):
        assert snap.groups and sum(g.count for g in snap.groups) <= snap.goroutines
    elif snap.format.startswith("heap"):
        assert snap.heap
    else:
        assert snap.sched
