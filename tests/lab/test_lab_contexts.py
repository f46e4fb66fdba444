"""The leak lab's cancelmw with ctxguard's Go module (-ctxtrack): a middleware whose cancel is never
called parks no goroutine, yet `ctxguard capture` + `profile` name the line that derives the leaked
contexts from the service's context census, and the fixed twin shows requests in flight only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import capture_and_profile

pytestmark = pytest.mark.lab

TRACKED_LEAKY_GO = Path(__file__).resolve().parents[2] / "lab" / "cancelmw" / "tracked_leaky.go"
LOAD = ["-rate", "40", "-timeout", "2s", "-duration", "30s"]
CAPTURE = ["--every", "1s", "--count", "8", "--dumps", "2"]


def _tracked_line() -> int:
    lines = TRACKED_LEAKY_GO.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if re.search(r"ctxtrack\.WithCancel\(", line))


def _profile(svc, lab_bin: Path, out: Path) -> dict:  # type: ignore[no-untyped-def]
    report = capture_and_profile(svc, lab_bin, out, "/items", LOAD, CAPTURE)
    assert len(list(out.glob("*-contexts.json"))) == 8, sorted(p.name for p in out.iterdir())
    return report


def test_census_names_the_line_of_the_lost_cancel(start_service, lab_bin: Path, tmp_path: Path) -> None:
    flags = ("-ctxtrack", "-ctxtrack-max-age", "1s")
    report = _profile(start_service("cancelmw", "leaky", *flags), lab_bin, tmp_path / "leaky")
    line = _tracked_line()
    top = report["contexts"]["sites"][0]
    assert top["file"].endswith("cancelmw/tracked_leaky.go") and top["line"] == line, top
    assert top["kind"] == "WithCancel" and top["cancelled"] == 0 and top["over_max_age"] >= 100, top
    census = [s for s in report["suspects"] if s["signature"].startswith("contexts:")]
    assert census and census[0]["level"] == "leaking", census
    assert census[0]["location"]["line"] == line and census[0]["location"]["file"].endswith("cancelmw/tracked_leaky.go")
    assert report["verdict"]["verdict"] == "leaking"

    fixed = _profile(start_service("cancelmw", "fixed", *flags), lab_bin, tmp_path / "fixed")
    own = [s for s in fixed["contexts"]["sites"] if s["file"].endswith("cancelmw/tracked_fixed.go")]
    # every scope is cancelled when its request ends: what is live is in flight, younger than the max age
    assert own and own[0]["cancelled"] >= own[0]["created"] - 5 and own[0]["over_max_age"] == 0, own
    assert not [s for s in fixed["suspects"] if s["signature"].startswith("contexts:")], fixed["suspects"]
