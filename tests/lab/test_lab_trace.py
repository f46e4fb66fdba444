"""`ctxguard capture --trace` on the leak lab under load: the leaky twin's execution trace names the
creation site of its leaked goroutines first among those created and never ended; the fixed twin's
goroutines end, or are requests in flight."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import capture_and_profile

pytestmark = pytest.mark.lab

LOAD = ["-rate", "40", "-timeout", "200ms", "-duration", "30s"]
CAPTURE = ["--every", "1s", "--count", "5", "--dumps", "2", "--trace", "2s"]


def _capture_and_profile(svc, lab_bin: Path, out: Path) -> dict:  # type: ignore[no-untyped-def]
    report = capture_and_profile(svc, lab_bin, out, "/profile?id={i}", LOAD, CAPTURE)
    assert (out / "004-trace.out").is_file() and report["trace"] is not None
    return report


def test_trace_names_the_leaked_creation_site(start_service, lab_bin: Path, tmp_path: Path) -> None:
    report = _capture_and_profile(start_service("orphansend", "leaky"), lab_bin, tmp_path / "leaky")
    # goroutines leaked before the trace started are "(existed at trace start)"; of the `go` statements
    # seen creating goroutines in it, the leaky one leads
    top = next(s for s in report["trace"]["creation_sites"] if s["file"])
    assert top["file"].endswith("orphansend/leaky.go") and top["alive_at_end"] >= 20, top
    assert top["ended"] == 0 and top["blocked_s"].get("chan send", 0) > 0, top
    # the suspect parked at the send, created by that `go` statement, carries the trace's evidence
    suspect = report["suspects"][0]
    assert suspect["location"]["file"].endswith("orphansend/leaky.go") and suspect["location"]["line"] == 21
    assert any("the execution trace saw" in r and "never ended" in r for r in suspect["reasons"]), suspect["reasons"]

    fixed = _capture_and_profile(start_service("orphansend", "fixed"), lab_bin, tmp_path / "fixed")["trace"]
    own = [s for s in fixed["creation_sites"] if s["file"].endswith("orphansend/fixed.go")]
    # each lookup lives its 300 ms and ends: at 40 requests/s about 12 are in flight at any time
    assert own and all(s["alive_at_end"] <= 25 and s["ended"] >= s["created"] / 2 for s in own), own
    assert own[0]["lifetime_median_s"] is not None and 0.2 < own[0]["lifetime_median_s"] < 1.0, own
